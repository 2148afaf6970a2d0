"""E.164 numbers: the only thing a request URI may be built from (toll-fraud rule)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

# '+', a non-zero country code digit, at most 15 digits in all (ITU-T E.164)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class InvalidNumber(ValueError):
    pass


@dataclass(frozen=True)
class E164:
    """A phone number in E.164 form, checked for shape and possible length in its country."""

    value: str

    def __post_init__(self) -> None:
        if not _E164.fullmatch(self.value):
            raise InvalidNumber(f"not an E.164 number: {self.value!r}")
        try:
            parsed = phonenumbers.parse(self.value, None)
        except phonenumbers.NumberParseException as exc:
            raise InvalidNumber(f"not an E.164 number: {self.value!r}") from exc
        if not phonenumbers.is_possible_number(parsed):
            raise InvalidNumber(f"impossible number for its country: {self.value!r}")

    @property
    def digits(self) -> str:
        return self.value[1:]

    def __str__(self) -> str:
        return self.value

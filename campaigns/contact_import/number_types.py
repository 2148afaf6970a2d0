"""A number's region and type in one pass, with each region's patterns compiled once.

The same decisions as phonenumbers' `region_code_for_number` and `number_type` (the unit tests
compare the two on every region's example numbers and on random ones). Why not call those: for
a +1 number, `number_type` first finds the region by running the type checks of the US metadata,
then runs the same checks again for the type, and every check looks its pattern up by text. In
bulk that is a third of the import's time; here it is one compiled `fullmatch` per type tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    REGION_CODE_FOR_NON_GEO_ENTITY,
    PhoneMetadata,
    PhoneNumberType,
)
from phonenumbers.phonemetadata import PhoneMetadata as Metadata
from phonenumbers.phonemetadata import PhoneNumberDesc

UNKNOWN = PhoneNumberType.UNKNOWN


@dataclass(frozen=True, slots=True)
class _Desc:
    lengths: frozenset[int]  # empty: any length (the general description's)
    pattern: re.Pattern[str] | None


def _desc(desc: PhoneNumberDesc | None) -> _Desc:
    if desc is None or not desc.national_number_pattern:
        return _Desc(frozenset(), None)
    lengths = frozenset(desc.possible_length or ())
    return _Desc(lengths, re.compile(desc.national_number_pattern))


@dataclass(frozen=True, slots=True)
class _LengthPlan:
    """The checks that can match a number of one length, the special types (premium rate, toll
    free, ... voicemail) folded into one alternation whose first matching branch, like
    libphonenumber's first matching check, names the type."""

    general: re.Pattern[str] | None
    special: re.Pattern[str] | None
    special_types: tuple[int, ...]
    fixed_line: re.Pattern[str] | None
    mobile: re.Pattern[str] | None


class _Matcher:
    """One region's metadata as compiled checks, in libphonenumber's order."""

    def __init__(self, metadata: Metadata) -> None:
        m = metadata
        self.leading = re.compile(m.leading_digits) if m.leading_digits is not None else None
        self._general = _desc(m.general_desc)
        self._special = (
            (PhoneNumberType.PREMIUM_RATE, _desc(m.premium_rate)),
            (PhoneNumberType.TOLL_FREE, _desc(m.toll_free)),
            (PhoneNumberType.SHARED_COST, _desc(m.shared_cost)),
            (PhoneNumberType.VOIP, _desc(m.voip)),
            (PhoneNumberType.PERSONAL_NUMBER, _desc(m.personal_number)),
            (PhoneNumberType.PAGER, _desc(m.pager)),
            (PhoneNumberType.UAN, _desc(m.uan)),
            (PhoneNumberType.VOICEMAIL, _desc(m.voicemail)),
        )
        self._fixed_line = _desc(m.fixed_line)
        self._mobile = _desc(m.mobile)
        self._same_mobile_and_fixed = bool(m.same_mobile_and_fixed_line_pattern)
        self._plans: dict[int, _LengthPlan] = {}

    def type_of(self, nsn: str) -> int:
        plan = self._plans.get(len(nsn))
        if plan is None:
            plan = self._plans[len(nsn)] = self._plan(len(nsn))
        if plan.general is None or plan.general.fullmatch(nsn) is None:
            return UNKNOWN
        if plan.special is not None:
            found = plan.special.fullmatch(nsn)
            if found is not None and found.lastgroup is not None:
                return plan.special_types[int(found.lastgroup[1:])]
        if plan.fixed_line is not None and plan.fixed_line.fullmatch(nsn):
            if self._same_mobile_and_fixed or (
                plan.mobile is not None and plan.mobile.fullmatch(nsn)
            ):
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
            return PhoneNumberType.FIXED_LINE
        if (
            not self._same_mobile_and_fixed
            and plan.mobile is not None
            and plan.mobile.fullmatch(nsn)
        ):
            return PhoneNumberType.MOBILE
        return UNKNOWN

    def _plan(self, length: int) -> _LengthPlan:
        def usable(desc: _Desc) -> re.Pattern[str] | None:
            if desc.pattern is None or (desc.lengths and length not in desc.lengths):
                return None
            return desc.pattern

        specials = [(t, usable(d)) for t, d in self._special]
        kept = [(t, p) for t, p in specials if p is not None]
        # Each branch is a named group around the whole type pattern: the outer group closes
        # last, so `lastgroup` names the branch even when a pattern has groups of its own.
        special = (
            re.compile("|".join(f"(?P<t{i}>{p.pattern})" for i, (_, p) in enumerate(kept)))
            if kept
            else None
        )
        return _LengthPlan(
            general=usable(self._general),
            special=special,
            special_types=tuple(t for t, _ in kept),
            fixed_line=usable(self._fixed_line),
            mobile=usable(self._mobile),
        )


class NumberTypes:
    """Region and type of national significant numbers; compiled matchers are kept per region."""

    def __init__(self) -> None:
        self._matchers: dict[tuple[int, str], _Matcher | None] = {}

    def region_and_type(self, country_code: int, nsn: str) -> tuple[str | None, int]:
        regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
        if not regions:
            return None, UNKNOWN
        if len(regions) == 1:
            matcher = self._matcher(country_code, regions[0])
            return regions[0], matcher.type_of(nsn) if matcher else UNKNOWN
        for region in regions:
            matcher = self._matcher(country_code, region)
            if matcher is None:
                continue
            if matcher.leading is not None:
                if matcher.leading.match(nsn):
                    return region, matcher.type_of(nsn)
                continue
            number_type = matcher.type_of(nsn)
            if number_type != UNKNOWN:
                return region, number_type
        return None, UNKNOWN

    def _matcher(self, country_code: int, region: str) -> _Matcher | None:
        key = (country_code, region)
        if key not in self._matchers:
            if region == REGION_CODE_FOR_NON_GEO_ENTITY:
                metadata = PhoneMetadata.metadata_for_nongeo_region(country_code, None)
            else:
                metadata = PhoneMetadata.metadata_for_region(region, None)
            self._matchers[key] = _Matcher(metadata) if metadata is not None else None
        return self._matchers[key]

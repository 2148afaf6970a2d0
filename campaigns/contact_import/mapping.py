"""Which column holds what: phone numbers (one or more columns), names, postal code, time zone,
country; every other column is kept as a custom field for the agent's screen pop.

A mapping names columns by their header. It comes from `--map role=Header,...` options, a saved
template, or `guess_mapping` (common header names, then the cells themselves).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from campaigns.errors import ValidationError


class Role(StrEnum):
    PHONE = "phone"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    POSTAL_CODE = "postal_code"
    TIME_ZONE = "time_zone"
    # An ISO country code per row, for numbers written without their country code.
    COUNTRY = "country"


_SINGLE_ROLES = (Role.FIRST_NAME, Role.LAST_NAME, Role.POSTAL_CODE, Role.TIME_ZONE, Role.COUNTRY)


@dataclass(frozen=True)
class PhoneColumn:
    header: str
    # What the number is (mobile, home, work...): stored with each contact as phone_label.
    label: str


@dataclass(frozen=True)
class ColumnMapping:
    phones: tuple[PhoneColumn, ...]
    singles: Mapping[Role, str] = field(default_factory=dict)

    def header_for(self, role: Role) -> str | None:
        return self.singles.get(role)

    @property
    def mapped_headers(self) -> tuple[str, ...]:
        return tuple(p.header for p in self.phones) + tuple(self.singles.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "phones": [{"header": p.header, "label": p.label} for p in self.phones],
            **{str(role): header for role, header in self.singles.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColumnMapping:
        phones = tuple(PhoneColumn(str(p["header"]), str(p["label"])) for p in data["phones"])
        singles = {role: str(data[role]) for role in _SINGLE_ROLES if data.get(role)}
        return cls(phones, singles)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "phone"


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def parse_map_options(options: Sequence[str]) -> ColumnMapping:
    """`phone=Mobile,Home:home first_name=First` -> ColumnMapping (headers not yet checked)."""
    phones: list[PhoneColumn] = []
    singles: dict[Role, str] = {}
    problems = []
    for option in options:
        role_text, _, value = option.partition("=")
        try:
            role = Role(role_text.strip().casefold())
        except ValueError:
            problems.append(
                f"map: {role_text!r} is not a role (use {', '.join(r.value for r in Role)})"
            )
            continue
        if not value.strip():
            problems.append(f"map: {option!r} names no column")
        elif role is Role.PHONE:
            for item in value.split(","):
                header, _, label = item.partition(":")
                phones.append(PhoneColumn(header.strip(), label.strip() or phone_label(header)))
        else:
            singles[role] = value.strip()
    if problems:
        raise ValidationError(problems)
    return ColumnMapping(tuple(phones), singles)


def resolve_mapping(mapping: ColumnMapping, headers: Sequence[str]) -> ColumnMapping:
    """The mapping with each header spelled as in the file (matched ignoring case and spaces),
    phone labels made unique; ValidationError naming every column the file lacks."""
    by_key = {_key(h): h for h in headers}
    exact = set(headers)
    problems = []

    def find(name: str, role: str) -> str:
        if name in exact:
            return name
        found = by_key.get(_key(name))
        if found is None:
            problems.append(
                f"map: {role} column {name!r} is not in the file (columns: {', '.join(headers)})"
            )
            return name
        return found

    phones = tuple(replace(p, header=find(p.header, "phone")) for p in mapping.phones)
    singles = {role: find(header, role.value) for role, header in mapping.singles.items()}
    if not phones:
        problems.append("map: no phone column (map one with --map phone=COLUMN)")
    if problems:
        raise ValidationError(problems)
    return ColumnMapping(_unique_labels(phones), singles)


def _unique_labels(phones: Iterable[PhoneColumn]) -> tuple[PhoneColumn, ...]:
    seen: set[str] = set()
    unique = []
    for phone in phones:
        label, copy = phone.label, 2
        while label in seen:
            label, copy = f"{phone.label}_{copy}", copy + 1
        seen.add(label)
        unique.append(replace(phone, label=label))
    return tuple(unique)


# Header spellings, compared without case, spaces or punctuation.
_SINGLE_ALIASES: dict[Role, frozenset[str]] = {
    Role.FIRST_NAME: frozenset(
        {"firstname", "first", "fname", "givenname", "forename", "prenom", "vorname", "nombre"}
    ),
    Role.LAST_NAME: frozenset(
        {"lastname", "last", "lname", "surname", "familyname", "nom", "nachname", "apellido"}
    ),
    Role.POSTAL_CODE: frozenset(
        {"zip", "zipcode", "zip5", "postalcode", "postcode", "postal", "plz", "codepostal"}
    ),
    Role.TIME_ZONE: frozenset({"timezone", "tz", "zone", "timezonename", "iana", "olson"}),
    Role.COUNTRY: frozenset({"country", "countrycode", "countryiso", "iso2", "iso"}),
}
_PHONE_WORDS = ("phone", "mobile", "cell", "msisdn", "gsm", "handy", "landline", "contactnumber")
_NOT_PHONE_WORDS = ("fax", "type", "ext", "status", "consent", "optin", "date", "country", "code")
_LABELS = (
    ("mobile", ("mobile", "cell", "gsm", "handy", "portable")),
    ("home", ("home", "landline", "residen", "private")),
    ("work", ("work", "office", "business", "company")),
)


def phone_label(header: str) -> str:
    key = _key(header)
    for label, words in _LABELS:
        if any(word in key for word in words):
            return label
    return slug(header)


def _is_phone_header(header: str) -> bool:
    key = _key(header)
    if any(word in key for word in _NOT_PHONE_WORDS):
        return False
    # "tel" only leading: "Hotel" is no phone column.
    return (
        any(word in key for word in _PHONE_WORDS)
        or key.startswith("tel")
        or key in {"home", "work", "office"}
    )


_PHONE_CELL = re.compile(r"^\+?[\d\s().\-/]{7,}$")


def guess_mapping(headers: Sequence[str], sample: Sequence[Sequence[str]]) -> ColumnMapping:
    """Common header names first; failing that for phones, the columns whose sample cells
    mostly look like phone numbers (headerless files, unusual names)."""
    singles: dict[Role, str] = {}
    for header in headers:
        for role, aliases in _SINGLE_ALIASES.items():
            if role not in singles and _key(header) in aliases:
                singles[role] = header
    taken = set(singles.values())
    phones = [
        PhoneColumn(h, phone_label(h)) for h in headers if h not in taken and _is_phone_header(h)
    ]
    if not phones:
        for index, header in enumerate(headers):
            cells = [
                row[index].strip() for row in sample if index < len(row) and row[index].strip()
            ]
            looks_like = sum(1 for cell in cells if _PHONE_CELL.match(cell))
            if header not in taken and cells and looks_like / len(cells) >= 0.6:
                phones.append(PhoneColumn(header, phone_label(header)))
    return ColumnMapping(_unique_labels(phones), singles)

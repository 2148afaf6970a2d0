"""The demo's call list: a few thousand people in several countries and time zones, written as a
messy CSV like the ones supervisors upload (mixed number formats, some invalid, some on DNC).

Several countries so that some numbers are inside the calling window whatever the hour: the demo
dials on a laptop at midnight too.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# Regions spread around the clock, weighted towards the US.
REGIONS = (
    "US",
    "US",
    "US",
    "US",
    "CA",
    "GB",
    "IE",
    "DE",
    "FR",
    "ES",
    "IN",
    "AU",
    "NZ",
    "JP",
    "BR",
    "MX",
    "ZA",
)
# US area codes and a ZIP code of the same city (a ZIP narrows the number's candidate zones).
US_ZIP = {
    212: "10001", 305: "33101", 404: "30301", 617: "02108", 312: "60601", 713: "77001",
    214: "75201", 303: "80202", 602: "85001", 415: "94102", 213: "90012", 206: "98101",
    503: "97201", 808: "96813", 907: "99501",
}  # fmt: skip
US_AREA_CODES = tuple(US_ZIP)
FIRST = (
    "Maria",
    "James",
    "Aisha",
    "Wei",
    "Olga",
    "Carlos",
    "Priya",
    "Tom",
    "Fatima",
    "Liam",
    "Yuki",
    "Ana",
)
LAST = (
    "Garcia",
    "Smith",
    "Khan",
    "Chen",
    "Ivanova",
    "Lopez",
    "Patel",
    "Brown",
    "Haddad",
    "Murphy",
    "Sato",
    "Silva",
)
PLANS = ("basic", "plus", "premium")
INVALID = ("12345", "000-000-0000", "+1 555", "n/a", "call me", "+44 7", "99999999999999999")


@dataclass(frozen=True)
class DemoList:
    path: Path
    rows: int
    dnc_path: Path


def _number(rng: random.Random, region: str) -> phonenumbers.PhoneNumber:
    while True:
        if region == "US":
            text = f"+1{rng.choice(US_AREA_CODES)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
            number = phonenumbers.parse(text, None)
        else:
            kind = rng.choice((PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE))
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            national = str(example.national_number)
            tail = "".join(str(rng.randint(0, 9)) for _ in range(4))
            number = phonenumbers.parse(f"+{example.country_code}{national[:-4]}{tail}", None)
        if phonenumbers.is_valid_number(number):
            return number


def _written(rng: random.Random, number: phonenumbers.PhoneNumber, region: str) -> str:
    """How people type numbers: national for their own country, international otherwise."""
    style = rng.random()
    if region == "US" and style < 0.6:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if style < 0.8:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _rows(count: int, rng: random.Random) -> Iterator[tuple[list[str], str | None]]:
    for index in range(count):
        region = rng.choice(REGIONS)
        number = _number(rng, region)
        phone = _written(rng, number, region)
        if rng.random() < 0.03:
            phone = rng.choice(INVALID)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        zip_code = ""
        if region == "US" and rng.random() < 0.5:
            zip_code = US_ZIP[int(str(number.national_number)[:3])]
        row = [
            rng.choice(FIRST), rng.choice(LAST), phone, zip_code,
            f"ACC-{100000 + index}", rng.choice(PLANS), f"{rng.randint(1, 120)} months",
        ]  # fmt: skip
        yield row, e164


def write_demo_list(
    directory: Path, count: int, seed: int = 7, dnc_share: float = 0.04
) -> DemoList:
    """The list CSV (its header maps itself on import) and a DNC file of some of its numbers."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    path, dnc_path = directory / "demo-list.csv", directory / "demo-dnc.csv"
    dnc: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["First Name", "Last Name", "Phone", "ZIP", "Account", "Plan", "Customer for"]
        )
        for row, e164 in _rows(count, rng):
            writer.writerow(row)
            if e164 and rng.random() < dnc_share:
                dnc.append(e164)
    dnc_path.write_text("phone\n" + "\n".join(dnc) + "\n", encoding="utf-8")
    return DemoList(path, count, dnc_path)

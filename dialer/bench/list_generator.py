"""A realistic call list for the import benchmark: what a vendor or a CRM export looks like.

Mostly US numbers in every common national and international spelling, with ZIP codes; Canadian,
British, German, French, Mexican, Australian and Indian numbers in international format; a
second ("Home") number on some rows; extensions and vanity letters; invalid cells (local numbers,
words, too short, too long); duplicates of earlier rows written differently; empty phone cells;
free-text columns with commas, quotes and a formula. About one US number in a hundred is also
written to a DNC file, so the import meets DNC hits. Deterministic per seed.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Area code -> a ZIP prefix of the same place, so ZIP codes agree with the numbers' zones.
_US_PLACES = (
    ("212", "100"), ("718", "112"), ("415", "941"), ("312", "606"), ("713", "770"),
    ("305", "331"), ("206", "981"), ("602", "850"), ("303", "802"), ("617", "021"),
    ("404", "303"), ("214", "752"), ("907", "995"), ("808", "968"), ("503", "972"),
    ("702", "891"), ("313", "482"), ("317", "462"), ("208", "837"), ("505", "871"),
    ("615", "372"), ("504", "701"), ("816", "641"), ("801", "841"), ("919", "276"),
)  # fmt: skip
_CA_AREAS = ("416", "604", "514", "403", "613", "902")
_FIRST = tuple(
    [
        "James",
        "Mary",
        "José",
        "Zoë",
        "Wei",
        "Fatima",
        "Olivia",
        "Liam",
        "Noah",
        "Émilie",
        "Søren",
        "Aarav",
        "Chloé",
        "Mateo",
        "Hannah",
        "Yuki",
        "Ahmed",
        "Grace",
        "Lucas",
        "Ava",
    ]
)
_LAST = tuple(
    [
        "Smith",
        "Johnson",
        "García",
        "Müller",
        "O'Brien",
        "Nguyen",
        "Kowalski",
        "Dubois",
        "Rossi",
        "Kim",
        "Patel",
        "Brown",
        "Silva",
        "Jones",
        "Ødegaard",
        "Hernández",
    ]
)
_NOTES = (
    "",
    "",
    "",
    'called back, said "maybe"',
    "prefers evenings, after 6",
    "VIP; renewal due",
    '=HYPERLINK("http://example.com")',
    "moved, address pending",
)
_INVALID = ("555-0142", "12345", "N/A", "call after 5pm", "+1 (212) 867-53", "000-000-0000",
            "99999999999999999", "+999 1234 5678")  # fmt: skip
HEADERS = ("First Name", "Last Name", "Phone", "Home", "ZIP", "Email", "Customer ID", "Notes")


@dataclass(frozen=True)
class GeneratedList:
    path: Path
    rows: int
    dnc_path: Path
    dnc_numbers: int


def _us_number(rng: random.Random) -> tuple[str, str, str]:
    """(E.164 digits after +1, area code, ZIP prefix)"""
    area, zip_prefix = rng.choice(_US_PLACES)
    exchange = rng.randint(201, 989)
    if exchange % 100 == 11:
        exchange += 1
    return f"{area}{exchange}{rng.randint(0, 9999):04d}", area, zip_prefix


def _us_spelling(rng: random.Random, digits: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    spellings: tuple[Callable[[], str], ...] = (
        lambda: f"({a}) {b}-{c}",
        lambda: f"{a}-{b}-{c}",
        lambda: f"{a}.{b}.{c}",
        lambda: f"+1 {a} {b} {c}",
        lambda: f"1-{a}-{b}-{c}",
        lambda: f"{a}{b}{c}",
        lambda: f"+1{a}{b}{c}",
        lambda: f"1 ({a}) {b} {c}",
    )
    return rng.choice(spellings)()


def _foreign(rng: random.Random) -> str:
    r = rng.randint
    choices: tuple[Callable[[], str], ...] = (
        lambda: f"+1 {rng.choice(_CA_AREAS)} {r(201, 989)} {r(0, 9999):04d}",
        lambda: f"+44 20 3{r(0, 999):03d} {r(0, 9999):04d}",
        lambda: f"+44 (0)7{r(400, 999)} {r(100000, 999999)}",
        lambda: f"011 44 7{r(400, 999)} {r(100000, 999999)}",
        lambda: f"+49 30 {r(1000000, 9999999)}",
        lambda: f"+49 (0)151 {r(10000000, 99999999)}",
        lambda: f"+33 1 {r(10, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)}",
        lambda: f"+33 6 {r(10, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)}",
        lambda: f"+52 55 {r(1000, 9999)} {r(1000, 9999)}",
        lambda: f"+61 4{r(10, 99)} {r(100, 999)} {r(100, 999)}",
        lambda: f"+91 98{r(100, 999)} {r(10000, 99999)}",
    )
    return rng.choice(choices)()


def generate_list(directory: Path, rows: int, seed: int = 3) -> GeneratedList:
    rng = random.Random(seed)
    path, dnc_path = directory / "bench_list.csv", directory / "bench_dnc.csv"
    recent: list[str] = []  # US digits of recent rows, for duplicates written differently
    dnc = 0
    with (
        path.open("w", encoding="utf-8", newline="") as out,
        dnc_path.open("w", encoding="utf-8", newline="") as dnc_out,
    ):
        writer, dnc_writer = csv.writer(out), csv.writer(dnc_out)
        writer.writerow(HEADERS)
        dnc_writer.writerow(("Phone Number", "Added"))
        for index in range(rows):
            roll = rng.random()
            zip_code = ""
            if roll < 0.74:
                digits, _, zip_prefix = _us_number(rng)
                phone = _us_spelling(rng, digits)
                zip_code = f"{zip_prefix}{rng.randint(0, 99):02d}" if rng.random() < 0.8 else ""
                recent.append(digits)
                if len(recent) > 5000:
                    recent.pop(rng.randrange(len(recent)))
                if rng.random() < 0.01:
                    dnc_writer.writerow((f"+1{digits}", "2024-05-01"))
                    dnc += 1
            elif roll < 0.86:
                phone = _foreign(rng)
            elif roll < 0.91 and recent:
                phone = _us_spelling(rng, rng.choice(recent))
            elif roll < 0.95:
                phone = rng.choice(_INVALID)
            elif roll < 0.96:
                phone = ""
            elif roll < 0.97:
                phone = f"{_us_spelling(rng, _us_number(rng)[0])} x{rng.randint(1, 999)}"
            else:
                digits, _, zip_prefix = _us_number(rng)
                phone, zip_code = f"+1 {digits}", f"{zip_prefix}{rng.randint(0, 99):02d}"
            home = _us_spelling(rng, _us_number(rng)[0]) if rng.random() < 0.12 else ""
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            writer.writerow(
                (
                    first,
                    last,
                    phone,
                    home,
                    zip_code,
                    f"{first.lower()}.{index}@example.com" if rng.random() < 0.6 else "",
                    f"C{index:08d}",
                    rng.choice(_NOTES),
                )
            )
    return GeneratedList(path, rows, dnc_path, dnc)

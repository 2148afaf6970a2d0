"""US ZIP code -> time zone, from the table scripts/generate_zip_zones.py builds (its docstring
says where the data comes from and how gaps between codes are treated)."""

from __future__ import annotations

import bisect
import re
from functools import cache
from importlib import resources

_ZIP = re.compile(r"^(\d{3,5})(?:-?\d{4})?$")


@cache
def _runs() -> tuple[list[int], list[int], list[str]]:
    starts: list[int] = []
    ends: list[int] = []
    zones: list[str] = []
    text = _data("us_zip_zones.tsv")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            first, last, zone = line.split("\t")
            starts.append(int(first))
            ends.append(int(last))
            zones.append(zone)
    return starts, ends, zones


@cache
def _twins() -> dict[str, frozenset[str]]:
    twins: dict[str, frozenset[str]] = {}
    for line in _data("nanp_zone_twins.tsv").splitlines():
        if line and not line.startswith("#"):
            group = frozenset(line.split("\t"))
            for zone in group:
                twins[zone] = group
    return twins


def _data(name: str) -> str:
    return resources.files("campaigns.contact_import").joinpath("data", name).read_text("utf-8")


def normalise_zip(text: str) -> str | None:
    """'2134' (a ZIP code Excel stored as a number) -> '02134'; None when not a ZIP code."""
    match = _ZIP.match(text.strip())
    return match[1].zfill(5) if match else None


def zip_zone(text: str) -> str | None:
    code = normalise_zip(text)
    if code is None:
        return None
    starts, ends, zones = _runs()
    index = bisect.bisect_right(starts, int(code)) - 1
    if index >= 0 and int(code) <= ends[index]:
        return zones[index]
    return None


def twin_zones(zone: str) -> frozenset[str]:
    """The zone and the +1 zones whose clocks agree with it."""
    return _twins().get(zone, frozenset({zone}))

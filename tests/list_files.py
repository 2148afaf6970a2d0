"""A messy call list as supervisors get them: semicolons, Windows-1252, a national-format number,
an invalid one, the same number written differently, a number on the DNC list and formula cells.
Shared by the page/API tests and the browser test."""

from __future__ import annotations

import io

import openpyxl

DNC_NUMBER = "+12125550199"
_ROWS = [
    "Prénom;Nom;Téléphone;Code postal;Notes",
    "José;Müller;(202) 555-0143;20001;café crème",
    "Zoë;Lefèvre;+1 202-555-0144;;ok",
    "Bad;Number;12345;;too short",
    "Dup;Licate;202.555.0143;;same as José",
    "Dee;Ensee;(212) 555-0199;;on the DNC list",
    'Formula;Cell;=2+3;;=HYPERLINK("http://evil.example")',
]
MESSY_CSV = ("\r\n".join(_ROWS) + "\r\n").encode("cp1252")
# Per phone number (one phone column, so they add up to rows).
EXPECTED = {
    "rows": 6,
    "imported": 2,
    "duplicates": 1,
    "invalid": 2,
    "dnc": 1,
    "skipped_recent": 0,
    "rejected_rows": 3,
}

# A workbook of several sheets, as offices keep them: a notes sheet first, then a list per month.
SHEETS: dict[str, list[list[object]]] = {
    "Read me": [["Leads for the spring campaign"], ["Call between 9 and 5"]],
    "January": [["Name", "Phone"], ["Ann", "(212) 555-0101"], ["Bo", "(212) 555-0102"]],
    "February": [
        ["Name", "Phone"],
        ["Cy", "(212) 555-0103"],
        ["Di", 2125550104],
        ["Ed", "+1 212 555 0105"],
    ],
}
FEBRUARY_NUMBERS = ["+12125550103", "+12125550104", "+12125550105"]


def workbook_bytes(sheets: dict[str, list[list[object]]] = SHEETS) -> bytes:
    """An XLSX with these sheets, in order."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

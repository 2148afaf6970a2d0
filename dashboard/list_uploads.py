"""Uploaded call lists and DNC files: kept under the data dir between the upload and the import,
and the mapping form read into the import engine's options.

An upload is saved under `<data dir>/uploads/<random token>/<secure file name>`: the token is
what the mapping page's URL carries, so a file name from the browser never becomes a path.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.utils import secure_filename

from campaigns.contact_import.mapping import ColumnMapping, PhoneColumn, Role, phone_label
from campaigns.contact_import.options import ImportOptions
from campaigns.errors import NotFound, ValidationError
from dialer.settings import Settings

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
# The mapping form's choice for a column that is kept as a custom field.
KEEP = "custom"
ROLE_CHOICES = (KEEP, Role.PHONE.value, *(r.value for r in Role if r is not Role.PHONE))


# Beside the file: the name the person's computer gave it, shown and recorded as the import's
# file name (the file itself is stored under a secure_filename version of it).
_ORIGINAL_NAME = ".original-name"


@dataclass(frozen=True)
class Upload:
    token: str
    path: Path

    @property
    def filename(self) -> str:
        original = self.path.parent / _ORIGINAL_NAME
        return original.read_text(encoding="utf-8") if original.is_file() else self.path.name


def uploads_dir() -> Path:
    settings: Settings = current_app.config["DIALER_SETTINGS"]
    return settings.data_dir / "uploads"


def save_upload(file: FileStorage | None) -> Upload:
    """Stream the request's file to disk (werkzeug spooled it to a temporary file already; this
    copies in chunks); ValidationError for no file or an empty one, nothing left behind."""
    if file is None or not file.filename:
        raise ValidationError(["file: choose a CSV or XLSX file to upload"])
    name = secure_filename(file.filename) or "list.csv"
    if not name.lower().endswith(_SUFFIXES):
        raise ValidationError([f"file: {file.filename!r} is not a .csv, .txt, .tsv or .xlsx file"])
    token = secrets.token_hex(16)
    folder = uploads_dir() / token
    folder.mkdir(parents=True, exist_ok=False)
    path = folder / name
    with path.open("wb") as out:
        shutil.copyfileobj(file.stream, out, length=1024 * 1024)
    original = "".join(c for c in Path(file.filename).name if c.isprintable())[:200]
    (folder / _ORIGINAL_NAME).write_text(original or name, encoding="utf-8")
    if path.stat().st_size == 0:
        discard(Upload(token, path))
        raise ValidationError([f"file: {file.filename!r} is empty (0 bytes)"])
    return Upload(token, path)


def find_upload(token: str) -> Upload:
    folder = uploads_dir() / token
    files = (
        sorted(p for p in folder.iterdir() if p.name != _ORIGINAL_NAME)
        if _TOKEN.match(token) and folder.is_dir()
        else []
    )
    if not files:
        raise NotFound("no such upload (it was imported or discarded): upload the file again")
    return Upload(token, files[0])


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.path.parent, ignore_errors=True)


def mapping_from_form(form: MultiDict[str, str], headers: tuple[str, ...]) -> ColumnMapping:
    """`role_<index>` per column (phone, first_name, ..., custom); phone columns keep the order
    of the file. ValidationError when a single role is given to two columns."""
    phones: list[PhoneColumn] = []
    singles: dict[Role, str] = {}
    problems = []
    for index, header in enumerate(headers):
        choice = form.get(f"role_{index}", KEEP)
        if choice == KEEP:
            continue
        if choice not in ROLE_CHOICES:
            problems.append(f"role of {header!r}: one of {', '.join(ROLE_CHOICES)}")
        elif choice == Role.PHONE.value:
            phones.append(PhoneColumn(header, phone_label(header)))
        elif Role(choice) in singles:
            problems.append(f"{choice}: given to both {singles[Role(choice)]!r} and {header!r}")
        else:
            singles[Role(choice)] = header
    if not phones:
        problems.append("phone: give at least one column the role phone")
    if problems:
        raise ValidationError(problems)
    return ColumnMapping(tuple(phones), singles)


def roles_by_column(mapping: ColumnMapping | None, headers: tuple[str, ...]) -> list[str]:
    """The form's initial choice per column, from a guessed or saved mapping."""
    chosen: dict[str, str] = {}
    if mapping is not None:
        chosen.update({p.header: Role.PHONE.value for p in mapping.phones})
        chosen.update({header: role.value for role, header in mapping.singles.items()})
    return [chosen.get(header, KEEP) for header in headers]


def options_from_form(form: Mapping[str, str], mapping: ColumnMapping) -> ImportOptions:
    days = form.get("skip_dialed_days", "").strip()
    if days and not days.isdigit():
        raise ValidationError(["skip_dialed_days: a whole number of days"])
    return ImportOptions(
        mapping=mapping,
        region=form.get("region", "").strip() or None,
        list_name=form.get("list_name", "").strip() or None,
        skip_dialed_days=int(days) if days else None,
        has_header=form.get("has_header", "1") == "1",
        sheet=form.get("sheet", "").strip() or None,
    )

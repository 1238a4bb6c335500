"""Import supplier profiles from JSON lines, CSV or XLSX files.

Every row is checked before anything is written, and every problem is
reported with its row number (the line of a ``.jsonl`` file; the spreadsheet
row of a ``.csv``/``.xlsx`` file, the header being row 1). A file with any
error changes nothing, unless ``valid_only=True`` asks to import the rows that
passed. Writing happens in one transaction, committed at the end or rolled
back on any failure: a file is never half-imported.

Re-importing is idempotent: a row updates the profile with the same
``external_id``, or else the one with the same ``tax_code``, and rows whose
values equal what is stored count as unchanged. Fields a row does not have (a
key missing from a JSON line, a column missing from a sheet) keep their stored
values; present but empty fields are cleared. ``updated_at`` is taken from the
file for new profiles; a changed profile gets the file's ``updated_at`` when
it is newer than the stored one, otherwise the time of the import.

Text is stored as plain text: HTML tags, comments and script bodies are
removed (:func:`recommender.store.records.strip_markup`), then text is
normalised (NFC, one tone-mark style). The web layer escapes on output as
well. The file layout is described in :mod:`recommender.store.records`.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from recommender import places
from recommender.certificates import canonical_certification
from recommender.sizes import SizeClass, possible_size_classes
from recommender.taxonomy import load_taxonomy

from .changes import Publish, commit_saved, record_changes
from .models import (
    MAX_LEN,
    Certification,
    ChangeOp,
    Ownership,
    SupplierProfile,
    utcnow,
)
from .notes import Note, note_of
from .notes import type_name as _type_name
from .profiles import check_tax_code
from .records import (
    CERT_KEYS,
    FLAT_FIELDS,
    LIST_FIELDS,
    REQUIRED,
    cell_to_certs,
    cell_to_list,
    clean_line,
    clean_text,
    column_for,
    restore_formula,
)
from .terms import confirmed_mappings
from .wording import (
    derived_external_id,
    infer_sector,
    read_capabilities,
    read_certificates,
    read_headcount,
    read_ownership,
    split_phrases,
)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Largest file accepted (50 MB); pass ``max_bytes`` to change it."""

FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}
MAX_EMPLOYEES = 10_000_000

# Values a profile starts from before a new row's fields are applied.
DEFAULTS: dict[str, Any] = {
    "external_id": None, "sample": False, "name": None, "tax_code": None, "description": None,
    "sector": None, "processes": [], "materials": [], "machines": [], "certifications": [],
    "park": None, "ward": None, "address": None, "area": None, "region": None,
    "capabilities": [], "source_values": {}, "employees": None, "revenue_bn_vnd": None,
    "capital_bn_vnd": None, "ownership": None, "size_class": None, "export_experience": [],
    "capacity": None, "language": None, "contact_name": None, "email": None, "phone": None,
    "website": None, "verified": False, "updated_at": None,
}
_SIMPLE = [k for k in DEFAULTS if k not in {"certifications", "ownership", "size_class"}]


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (too large, unknown type, unreadable)."""


@dataclass(frozen=True)
class RowError:
    """One problem in one row; ``field`` is None for a problem with the whole row."""

    row: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    path: str
    format: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    """Problems that keep a row out (nothing of it is written)."""
    warnings: list[RowError] = field(default_factory=list)
    """What was normalised, mapped or kept as text in rows that were imported."""
    unmapped: dict[str, int] = field(default_factory=dict)
    """Process/product phrases that matched no taxonomy term, with how many rows have each
    (kept as searchable free text; staff map them on the review page)."""
    removed_sample: int = 0
    """Fictional sample profiles removed because this was the first real import."""
    dry_run: bool = False
    committed: bool = False
    """True when the changes were written to the database."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.dry_run:
            state = "dry run, nothing written"
        elif self.committed:
            state = "written"
        else:
            state = "nothing written"
        text = (f"{self.rows} rows: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected ({state})")
        if self.warnings:
            text += f"; {len(self.warnings)} values normalised or kept as text"
        if self.unmapped:
            text += (f"; {len(self.unmapped)} process phrases kept as free text for "
                     "staff review")
        if self.removed_sample:
            text += (f"; the {self.removed_sample} fictional sample profiles "
                     f"{'would be' if self.dry_run else 'were'} removed")
        return text


# --- reading files ----------------------------------------------------------------

@dataclass
class _Row:
    number: int
    raw: dict[str, Any] | None
    """The row's cells by field name; None when the row could not be read at all."""
    values: dict[str, Any] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    kept: dict[str, Any] = field(default_factory=dict)
    """Values no field holds, by column (become the profile's ``source_values``)."""
    inferred: bool = False
    """The processes were read off the description (the file has no processes column)."""

    def error(self, field_name: str | None, message: str) -> None:
        self.errors.append(RowError(self.number, field_name, message))

    def warn(self, field_name: str | None, message: str) -> None:
        self.warnings.append(RowError(self.number, field_name, message))


def _detect_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImportFileError(Note("file_type", name=path.name, suffix=path.suffix))
    return fmt


def _check_size(path: Path, max_bytes: int) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(Note("file_unreadable", path=path, name=path.name,
                                   why=exc.strerror)) from exc
    if size > max_bytes:
        raise ImportFileError(Note("file_too_large", name=path.name, mb=f"{size / 1e6:.1f}",
                                   limit=f"{max_bytes / 1e6:.0f}"))


def _suggest_column(name: str) -> str:
    close = difflib.get_close_matches(name.lower(), FLAT_FIELDS, n=1, cutoff=0.6) or [
        f for f in FLAT_FIELDS if len(name) >= 3 and f.startswith(name.lower())][:1]
    return Note("did_you_mean", column=close[0]) if close else ""


def _read_jsonl(path: Path) -> Iterator[_Row]:
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            try:
                text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ImportFileError(Note("jsonl_not_utf8", name=path.name, line=number,
                                           byte=exc.start)) from None
            if not text.strip():
                continue
            row = _Row(number, None)
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                row.error(None, Note("not_json", why=exc.msg, column=exc.colno))
                yield row
                continue
            if not isinstance(raw, dict):
                row.error(None, Note("not_object", type=_type_name(raw)))
            else:
                row.raw = raw
            yield row


KEPT_PREFIX = "column:"
"""Row keys of columns no field holds; their values go to ``source_values``."""


def _flat_rows(header: list[Any], rows: Iterator[tuple[int, list[Any]]],
               header_errors: list[RowError], header_notes: list[RowError] | None = None
               ) -> Iterator[_Row]:
    written = []
    for cell in header:
        written.append(str(cell).strip() if cell is not None else "")
    while written and not written[-1]:
        written.pop()
    names = []
    seen: dict[str, str] = {}
    for i, text in enumerate(written, 1):
        name = column_for(text) if text else None
        if not text:
            name = f"{KEPT_PREFIX}{i}"
        elif name is None:
            name = f"{KEPT_PREFIX}{text}"
            if header_notes is not None:
                header_notes.append(RowError(1, text, Note(
                    "column_unknown", suggestion=_suggest_column(text))))
        elif name in seen:
            header_errors.append(RowError(1, text, Note("column_twice", field=name,
                                                         column=seen[name])))
        elif header_notes is not None and text.lower() != name and text != name:
            header_notes.append(RowError(1, text, Note("column_read_as", field=name)))
        seen.setdefault(name, text)
        names.append(name)
    for name in REQUIRED:
        if name not in seen:
            header_errors.append(RowError(1, name, Note("column_missing",
                                                        columns=_COLUMN_HINT[name])))
    for number, cells in rows:
        cells = list(cells)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if not cells:
            continue
        row = _Row(number, {})
        if len(cells) > len(names):
            row.error(None, Note("too_many_cells", cells=len(cells), columns=len(names)))
        for name, cell in zip(names, cells, strict=False):
            row.raw[name] = restore_formula(cell) if isinstance(cell, str) else cell
        for name in names[len(cells):]:
            row.raw[name] = None
        yield row


_COLUMN_HINT = {"name": Note("columns_or", first="name", second="Tên doanh nghiệp"),
                "description": Note("columns_or_slash", first="description", second="Mô tả",
                                    third="Mô tả năng lực")}


def _read_csv(path: Path, header_errors: list[RowError],
              header_notes: list[RowError]) -> Iterator[_Row]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(Note("csv_not_utf8", name=path.name, byte=exc.start)) from None
    first = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale separates with ';'
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            return
        records = list(enumerate(reader, 2))
    except csv.Error as exc:
        raise ImportFileError(Note("csv_unreadable", name=path.name, line=reader.line_num,
                                   why=exc)) from None
    yield from _flat_rows(header, iter(records), header_errors, header_notes)


def _read_xlsx(path: Path, header_errors: list[RowError],
               header_notes: list[RowError]) -> Iterator[_Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(Note("xlsx_unreadable", name=path.name, why=exc)) from None
    try:
        names = workbook.sheetnames
        sheet = workbook["profiles"] if "profiles" in names else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        yield from _flat_rows(list(header), enumerate(rows, 2), header_errors, header_notes)
    finally:
        workbook.close()


# --- checking values ----------------------------------------------------------------

class _Invalid(ValueError):
    """A value that cannot be used; its one argument is a :class:`Note`."""

    def __init__(self, code: str | Note, **params: Any) -> None:
        super().__init__(code if isinstance(code, Note) else Note(code, **params))


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any, limit: int, *, multiline: bool = False) -> str | None:
    if _empty(value):
        return None
    if not isinstance(value, str):
        raise _Invalid("not_text", type=_type_name(value))
    text = clean_text(value) if multiline else clean_line(value)
    if len(text) > limit:
        raise _Invalid("too_long", length=len(text), limit=limit)
    return text or None


def _integer(value: Any) -> int | None:
    if _empty(value):
        return None
    if isinstance(value, bool):
        raise _Invalid("not_whole_number", value=_type_name(True))
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise _Invalid("not_whole_number", value=repr(value.strip())) from None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise _Invalid("not_whole_number", value=_type_name(value))
    if not 0 <= value <= MAX_EMPLOYEES:
        raise _Invalid("out_of_range", max=f"{MAX_EMPLOYEES:,}", value=value)
    return value


_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def _amount(value: Any) -> float | None:
    if _empty(value):
        return None
    if isinstance(value, bool):
        raise _Invalid("not_number", value=_type_name(True))
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.match(text):
            raise _Invalid("not_amount", value=text)
        value = float(text)
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid("not_number", value=_type_name(value))
    if value < 0:
        raise _Invalid("negative", value=value)
    return float(value)


_TRUE = {"true", "1", "yes", "y", "có", "x"}
_FALSE = {"false", "0", "no", "n", "không"}


def _boolean(value: Any) -> bool | None:
    if _empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Invalid("not_boolean", value=value)


def _date(value: Any) -> date | None:
    if _empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _Invalid("not_date_type", type=_type_name(value))
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Invalid("not_date", value=value.strip()) from None


def _timestamp(value: Any) -> datetime | None:
    if _empty(value):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _Invalid("not_timestamp", value=value.strip()) from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise _Invalid("not_timestamp_type", type=_type_name(value))
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value > utcnow():
        raise _Invalid("in_future", value=value.isoformat())
    return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


def _list(value: Any) -> list[Any]:
    if _empty(value):
        return []
    if isinstance(value, str):
        try:
            value = cell_to_list(value)
        except ValueError as exc:
            raise _Invalid("not_json_array", why=exc) from None
    if not isinstance(value, list):
        raise _Invalid("not_list", type=_type_name(value))
    return value


def _text_list(value: Any, limit: int = MAX_LEN["list_item"]) -> list[str]:
    out: list[str] = []
    for i, item in enumerate(_list(value), 1):
        try:
            text = _text(item, limit)
        except _Invalid as exc:
            raise _Invalid("item", n=i, problem=note_of(exc)) from None
        if text and text not in out:
            out.append(text)
    return out


def _phrases(value: Any) -> list[str]:
    """Process/product phrases: a JSON list, or text separated by ; , / or new lines."""
    if _empty(value):
        return []
    if isinstance(value, str) and not value.strip().startswith("["):
        items: list[Any] = split_phrases(value)
    else:
        items = _list(value)
    out = []
    for i, item in enumerate(items, 1):
        try:
            text = _text(item, MAX_LEN["list_item"])
        except _Invalid as exc:
            raise _Invalid("item", n=i, problem=note_of(exc)) from None
        if text and text not in out:
            out.append(text)
    return out


def _read_freely(strict: list[Any], cell: str) -> bool:
    """Whether a certificates cell that fits the exported form (``name (issuer, date);
    ...``) is still better read as free text: one of its names is not a listed
    certificate as it stands ("ISO 9001:2015", "IATF16949, ISO 9001") while free
    reading finds listed ones in it. An exported cell of listed names stays as it is."""
    if cell.lstrip().startswith("["):
        return False
    names = [c.get("name") if isinstance(c, dict) else c for c in strict]
    if all(isinstance(n, str) and canonical_certification(n) == n.strip() for n in names):
        return False
    found, _notes = read_certificates(clean_line(cell))
    return any(canonical_certification(c["name"]) for c in found)


def _certifications(value: Any, notes: list[str] | None = None) -> list[dict[str, Any]]:
    if isinstance(value, str) and not _empty(value):
        try:
            strict = cell_to_certs(value)
        except ValueError:
            strict = None
        if strict is None or _read_freely(strict, value):
            # written freely ("ISO 9001:2015, IATF16949 – hiệu lực đến 12/2027")
            certs, read_notes = read_certificates(clean_line(value))
            if notes is not None:
                notes.extend(read_notes)
            value = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in c.items()}
                     for c in certs]
        else:
            value = strict
    items = _list(value)
    out = []
    for i, item in enumerate(items, 1):
        if isinstance(item, str):
            try:
                item = cell_to_certs(item)[0] if item.strip() else None
            except ValueError as exc:
                raise _Invalid("certificate", n=i, problem=note_of(exc)) from None
            if item is None:
                continue
        if not isinstance(item, dict):
            raise _Invalid("certificate_type", n=i, type=_type_name(item))
        unknown = sorted(set(item) - set(CERT_KEYS))
        if unknown:
            raise _Invalid("certificate_keys", n=i, keys=", ".join(unknown),
                           allowed=", ".join(CERT_KEYS))
        try:
            cert = {
                "name": _text(item.get("name"), MAX_LEN["cert_name"]),
                "issuer": _text(item.get("issuer"), MAX_LEN["cert_issuer"]),
                "scope": _text(item.get("scope"), MAX_LEN["cert_scope"], multiline=True),
                "valid_until": _date(item.get("valid_until")),
            }
        except _Invalid as exc:
            raise _Invalid("certificate", n=i, problem=note_of(exc)) from None
        if not cert["name"]:
            raise _Invalid("certificate_no_name", n=i)
        out.append(cert)
    return out


_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d{1,5})?$")


def _website(value: Any) -> str | None:
    text = _text(value, MAX_LEN["website"])
    if text is None:
        return None
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"}:
        raise _Invalid("not_http", value=text)
    if not _HOST.match(parts.netloc) or " " in text:
        raise _Invalid("not_web_address", value=text)
    return text


def _parse_location(row: _Row) -> None:
    value = row.raw["location"]
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            row.error("location", Note("location_not_json", why=exc.msg))
            return
    address = None
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"park", "ward", "address"})
        if unknown:
            row.error("location", Note("location_keys", keys=", ".join(unknown)))
            return
        park_value, ward = value.get("park"), value.get("ward")
        try:
            row.values["ward"] = _text(ward, MAX_LEN["ward"])
            row.present.add("ward")
            address = _text(value.get("address"), MAX_LEN["address"])
        except _Invalid as exc:
            row.error("location", Note("location_ward", problem=note_of(exc)))
            return
    elif value is None or isinstance(value, str):
        park_value = value
    else:
        row.error("location", Note("location_type", type=_type_name(value)))
        return
    try:
        written = _text(park_value, MAX_LEN["address"])
    except _Invalid as exc:
        row.error("location", note_of(exc))
        return
    for key in ("park", "address", "area", "region"):
        row.values[key] = None
        row.present.add(key)
    text = ", ".join(t for t in (written, address) if t)
    if not text:
        return
    fields, place = places.stored_location(text)
    row.values.update(park=fields["park"], area=fields["area"], region=fields["region"])
    if written and written != place.park:
        row.values["address"] = address or written  # keep what was written, not just a park
    elif address:
        row.values["address"] = address
    if fields["ward"] and not row.values.get("ward"):
        row.values["ward"] = fields["ward"]
        row.present.add("ward")
    if written and place.park and written != place.park:
        row.warn("location", Note("park_read_as", value=written, park=place.park))
    for note in place.notes:
        row.warn("location", note)
    if place.outside_hcmc:
        row.warn("location", Note("outside_hcmc", value=text))
    elif not (place.park or place.ward or place.area or place.region):
        row.warn("location", Note("no_place", value=text))


_PARSERS = {
    "external_id": lambda v: _external_id(v),
    "sample": lambda v: _boolean(v),
    "name": lambda v: _text(v, MAX_LEN["name"]),
    "tax_code": lambda v: _tax_code(v),
    "description": lambda v: _text(v, MAX_LEN["description"], multiline=True),
    "processes": _phrases,
    "materials": _text_list,
    "machines": _text_list,
    "export_experience": lambda v: _text_list(v, 80),

    "revenue_bn_vnd": lambda v: _amount(v),
    "capital_bn_vnd": lambda v: _amount(v),
    "size_class": lambda v: _size_class(v),
    "capacity": lambda v: _text(v, MAX_LEN["capacity"]),
    "language": lambda v: _language(v),
    "contact_name": lambda v: _text(v, MAX_LEN["contact_name"]),
    "email": lambda v: _email(v),
    "phone": lambda v: _text(v, MAX_LEN["phone"]),
    "website": lambda v: _website(v),
    "verified": lambda v: _boolean(v),
    "updated_at": lambda v: _timestamp(v),
}
_BOOLEAN_DEFAULTS = {"sample": False, "verified": False}
_EXTERNAL_ID = re.compile(r"^[\w.:/-]+$")


def _external_id(value: Any) -> str | None:
    text = _text(value, MAX_LEN["external_id"])
    if text is not None and not _EXTERNAL_ID.match(text):
        raise _Invalid("bad_external_id", value=text)
    return text


def _tax_code(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _Invalid("tax_code_number")
    text = _text(value, 20)
    if text is None:
        return None
    try:
        return check_tax_code(text)
    except ValueError as exc:
        raise _Invalid(note_of(exc)) from None


def _size_class(value: Any) -> str | None:
    text = _text(value, 20)
    if text is None:
        return None
    if text.lower() not in set(SizeClass):
        raise _Invalid("unknown_size_class", value=text)
    return text.lower()


def _language(value: Any) -> str | None:
    text = _text(value, MAX_LEN["language"])
    if text is not None and not _LANGUAGE.match(text.lower()):
        raise _Invalid("not_language", value=text)
    return text.lower() if text else None


def _email(value: Any) -> str | None:
    text = _text(value, MAX_LEN["email"])
    if text is not None and not _EMAIL.match(text):
        raise _Invalid("not_email", value=text)
    return text


def _sector(row: _Row, value: Any) -> None:
    text = _text(value, 200)
    row.present.add("sector")
    row.values["sector"] = None
    if text is None:
        return
    key = load_taxonomy().sector(text)
    if key is None:
        row.kept["sector"] = text
        row.warn("sector", Note("sector_unknown", value=text))
    else:
        row.values["sector"] = key
        if text != key:
            row.warn("sector", Note("sector_read_as", value=text,
                                    label=load_taxonomy().label(key), key=key))


def _employees(row: _Row, value: Any) -> None:
    row.present.add("employees")
    if isinstance(value, str) and not _empty(value) and not value.strip().isdigit():
        reading = read_headcount(value)
        if reading.value is None:
            row.kept["employees"] = value.strip()
        elif not 0 <= reading.value <= MAX_EMPLOYEES:
            row.error("employees", Note("employees_range", max=f"{MAX_EMPLOYEES:,}"))
            return
        row.values["employees"] = reading.value
        for note in reading.notes:
            row.warn("employees", note)
        return
    row.values["employees"] = _integer(value)


def _ownership(row: _Row, value: Any) -> None:
    text = _text(value, 200)
    row.present.add("ownership")
    row.values["ownership"] = None
    if text is None:
        return
    reading = read_ownership(text)
    row.values["ownership"] = reading.value
    if reading.kept:
        row.kept["ownership"] = reading.kept
    for note in reading.notes:
        if text.lower() != reading.value:
            row.warn("ownership", note)


_LENIENT = {"sector": _sector, "employees": _employees, "ownership": _ownership}


def _parse_row(row: _Row, confirmed: dict[str, str | None] | None = None) -> None:
    """Fill ``row.values``/``row.present`` from ``row.raw``, collecting errors and notes."""
    for key, value in row.raw.items():
        if key.startswith(KEPT_PREFIX):
            if not _empty(value):
                row.kept[key[len(KEPT_PREFIX):]] = value if isinstance(value, str) else str(value)
            continue
        if key not in FLAT_FIELDS:
            row.warn(key, Note("unknown_field", suggestion=_suggest_column(key)))
            if not _empty(value):
                row.kept[key] = value if isinstance(value, str | int | float) else json.dumps(
                    value, ensure_ascii=False, default=str)
            continue
        if key == "location":
            _parse_location(row)
            continue
        if key == "ward":
            continue
        try:
            if key in _LENIENT:
                _LENIENT[key](row, value)
                continue
            if key == "certifications":
                notes: list[str] = []
                parsed = _certifications(value, notes)
                for note in notes:
                    row.warn("certifications", note)
            else:
                parser = _PARSERS.get(key)
                if parser is None:
                    continue
                parsed = parser(value)
        except _Invalid as exc:
            row.error(key, note_of(exc))
            continue
        if key in _BOOLEAN_DEFAULTS and parsed is None:
            parsed = _BOOLEAN_DEFAULTS[key]
        row.values[key] = parsed
        row.present.add(key)
    if "ward" in row.raw:
        try:
            ward = _text(row.raw["ward"], MAX_LEN["ward"])
        except _Invalid as exc:
            row.error("ward", note_of(exc))
        else:
            if "ward" in row.present and row.values["ward"] != ward and ward is not None \
                    and "park" not in row.present:
                row.error("ward", Note("ward_differs"))
            elif ward is not None or "ward" not in row.present:
                row.values["ward"] = ward
                row.present.add("ward")
    for key in REQUIRED:
        if key in row.raw and not any(e.field == key for e in row.errors) and \
                not row.values.get(key):
            row.error(key, Note("required_empty"))
        elif key not in row.raw:
            row.error(key, Note("required"))
    if row.errors:
        return
    _read_capabilities(row, confirmed)
    if not row.values.get("external_id"):
        row.values["external_id"] = derived_external_id(row.values["name"],
                                                        row.values.get("tax_code"))
        row.present.add("external_id")
        row.warn("external_id", Note("id_derived", external_id=row.values["external_id"]))
    if row.kept:
        row.values["source_values"] = dict(row.kept)
        row.present.add("source_values")


def _read_capabilities(row: _Row, confirmed: dict[str, str | None] | None) -> None:
    """Map the process phrases to the taxonomy; infer a missing sector from them."""
    if "processes" in row.present:
        reading = read_capabilities(row.values["processes"], row.values.get("description"),
                                    confirmed=confirmed)
        row.values["processes"] = reading.processes
        row.values["capabilities"] = reading.capabilities
        row.present.add("capabilities")
        for note in reading.notes:
            row.warn("processes", note)
    elif "description" in row.present and "processes" not in row.raw:
        reading = read_capabilities([], row.values.get("description"))
        if reading.processes:
            row.values["processes"] = reading.processes
            row.values["capabilities"] = []
            row.present |= {"processes", "capabilities"}
            row.inferred = True
            for note in reading.notes:
                row.warn("processes", note)
    if not row.values.get("sector") and row.values.get("processes"):
        sector = infer_sector(row.values["processes"])
        if sector:
            row.values["sector"] = sector
            row.present.add("sector")
            row.warn("sector", Note("sector_from_processes",
                                    label=load_taxonomy().label(sector)))


# --- writing to the database ----------------------------------------------------------

def _stored_values(profile: SupplierProfile) -> dict[str, Any]:
    values = {k: getattr(profile, k) for k in _SIMPLE}
    for k in LIST_FIELDS:
        values[k] = list(values[k])
    values["capabilities"] = list(values["capabilities"] or [])
    values["source_values"] = dict(values["source_values"] or {})
    values["ownership"] = profile.ownership.value if profile.ownership else None
    values["size_class"] = profile.size_class.value if profile.size_class else None
    values["certifications"] = [
        {"name": c.name, "issuer": c.issuer, "scope": c.scope, "valid_until": c.valid_until}
        for c in profile.certifications]
    return values


def _resolve_size(row: _Row, merged: dict[str, Any], declared_before: str | None) -> None:
    possible = possible_size_classes(merged["employees"], merged["revenue_bn_vnd"],
                                     merged["capital_bn_vnd"])
    declared = row.values.get("size_class") if "size_class" in row.present else declared_before
    if len(possible) == 1:
        if "size_class" in row.present and declared and declared != possible[0]:
            row.error("size_class", Note("size_class_mismatch", declared=declared,
                                         figures=possible[0].value))
        merged["size_class"] = possible[0].value
    elif declared and declared in possible:
        merged["size_class"] = declared
    elif declared and "size_class" in row.present:
        row.error("size_class", Note("size_class_possible", declared=declared,
                                     possible=", ".join(c.value for c in possible)))
    else:
        merged["size_class"] = None


def _apply(profile: SupplierProfile, values: dict[str, Any]) -> None:
    for key in _SIMPLE:
        if key == "tax_code":
            continue  # set after the clearing pass, see import_profiles
        setattr(profile, key, values[key])
    profile.ownership = Ownership(values["ownership"]) if values["ownership"] else None
    profile.size_class = SizeClass(values["size_class"]) if values["size_class"] else None
    current = [{"name": c.name, "issuer": c.issuer, "scope": c.scope, "valid_until": c.valid_until}
               for c in profile.certifications]
    if current != values["certifications"]:
        profile.certifications = [Certification(**c) for c in values["certifications"]]


def _load(session: Session, column, keys: set[str]) -> list[SupplierProfile]:
    keys_list = sorted(keys)
    found: list[SupplierProfile] = []
    for start in range(0, len(keys_list), 500):
        chunk = keys_list[start:start + 500]
        found.extend(session.scalars(
            select(SupplierProfile).where(column.in_(chunk))
            .options(selectinload(SupplierProfile.certifications))))
    return found


@dataclass
class _Plan:
    row: _Row
    profile: SupplierProfile | None
    values: dict[str, Any]
    action: str  # "create", "update", "unchanged"


def _plan(session: Session, rows: list[_Row]) -> list[_Plan]:
    """Match rows to stored profiles and work out each row's final values."""
    valid = [r for r in rows if not r.errors]
    by_ext = {p.external_id: p for p in _load(
        session, SupplierProfile.external_id, {r.values["external_id"] for r in valid})}
    by_tax = {p.tax_code: p for p in _load(
        session, SupplierProfile.tax_code, {r.values["tax_code"] for r in valid
                                            if r.values.get("tax_code")})}
    claimed: dict[int, int] = {}
    plans = []
    now = utcnow()
    for row in valid:
        ext, tax = row.values["external_id"], row.values.get("tax_code")
        profile = by_ext.get(ext) or (by_tax.get(tax) if tax else None)
        if profile is not None and profile.id in claimed:
            row.error(None, Note("same_profile_twice", row=claimed[profile.id], tax_code=tax))
            continue
        stored = _stored_values(profile) if profile is not None else dict(DEFAULTS)
        merged = dict(stored)
        present = row.present
        if row.inferred and profile is not None and stored["processes"]:
            present = present - {"processes", "capabilities"}  # keep what the firm stated
        merged.update({k: row.values[k] for k in present if k in merged})
        _resolve_size(row, merged, stored["size_class"])
        if row.errors:
            continue
        if profile is None:
            merged["updated_at"] = merged["updated_at"] or now
            plans.append(_Plan(row, None, merged, "create"))
            continue
        claimed[profile.id] = row.number
        given = row.values.get("updated_at") if "updated_at" in row.present else None
        merged["updated_at"] = stored["updated_at"]
        same = all(merged[k] == stored[k] for k in merged if k != "updated_at")
        if same and (given is None or given <= stored["updated_at"]):
            plans.append(_Plan(row, profile, merged, "unchanged"))
            continue
        merged["updated_at"] = given if given and given > stored["updated_at"] else now
        plans.append(_Plan(row, profile, merged, "update"))
    return plans


def _check_tax_codes(session: Session, plans: list[_Plan]) -> None:
    """Reject rows whose tax code would belong to two profiles after the import.

    Repeated until stable: a rejected row leaves its profile's old tax code in
    place, which may in turn clash with another row.
    """
    wanted = {p.values["tax_code"] for p in plans if p.values["tax_code"]}
    stored = _load(session, SupplierProfile.tax_code, wanted)
    while True:
        errors = sum(len(p.row.errors) for p in plans)
        _tax_code_pass(session, plans, stored)
        if sum(len(p.row.errors) for p in plans) == errors:
            return


def _tax_code_pass(session: Session, plans: list[_Plan], stored: list[SupplierProfile]) -> None:
    touched = {p.profile.id for p in plans if p.profile is not None and not p.row.errors}
    owner: dict[str, tuple[str, int]] = {}
    for profile in stored:
        if profile.id not in touched:
            owner[profile.tax_code] = ("profile", profile.id)
    for plan in plans:
        tax = plan.values["tax_code"]
        if plan.row.errors or not tax:
            continue
        me = ("profile", plan.profile.id) if plan.profile is not None else ("row", plan.row.number)
        if tax in owner and owner[tax] != me:
            kind, ident = owner[tax]
            other = (Note("owner_profile",
                          external_id=session.get(SupplierProfile, ident).external_id)
                     if kind == "profile" else Note("owner_row", row=ident))
            plan.row.error("tax_code", Note("tax_code_taken", tax_code=tax, owner=other))
        else:
            owner[tax] = me


def _remove_sample_only(session: Session) -> int:
    """Delete the sample profiles when they are all the database holds; their count."""
    real = session.scalar(select(func.count()).select_from(SupplierProfile)
                          .where(SupplierProfile.sample.is_(False)))
    if real:
        return 0
    sample = list(session.scalars(select(SupplierProfile).where(SupplierProfile.sample)))
    ids = [p.id for p in sample]
    for profile in sample:
        session.delete(profile)
    session.flush()
    record_changes(session, ids, ChangeOp.DELETE)
    return len(ids)


def import_profiles(
    session: Session, path: str | os.PathLike, *, dry_run: bool = False,
    valid_only: bool = False, max_bytes: int = DEFAULT_MAX_BYTES, keep_sample: bool = False,
    account_id: int | None = None, publish: Publish | None = None,
) -> ImportReport:
    """Import supplier profiles from ``path`` (``.jsonl``, ``.csv`` or ``.xlsx``).

    Args:
        session: a session with no pending work; the import commits (or rolls
            back) its own transaction.
        path: the file; the format follows the extension.
        dry_run: check everything and count what would change, write nothing.
        valid_only: import the rows without errors even when others have some.
        max_bytes: larger files are refused before they are read.
        keep_sample: when the database holds only fictional sample profiles and the file
            holds real ones, the sample profiles are removed in the same transaction
            (the first real import), unless this is set.
        account_id: the staff account importing (kept in the change log).
        publish: applies the saved profiles to this process's index at once
            (:mod:`recommender.store.profiles`); other processes follow the change log.

    Returns:
        The counts and the row-numbered errors. A file-level problem (size,
        type, encoding) raises :class:`ImportFileError` instead.
    """
    path = Path(path)
    fmt = _detect_format(path)
    _check_size(path, max_bytes)
    report = ImportReport(path=str(path), format=fmt, dry_run=dry_run)
    header_errors: list[RowError] = []
    header_notes: list[RowError] = []
    if fmt == "jsonl":
        reader = _read_jsonl(path)
    elif fmt == "csv":
        reader = _read_csv(path, header_errors, header_notes)
    else:
        reader = _read_xlsx(path, header_errors, header_notes)
    confirmed = confirmed_mappings(session)
    rows = []
    first_row: dict[str, int] = {}
    first_tax: dict[str, int] = {}
    for row in reader:
        if row.raw is not None and not header_errors:
            _parse_row(row, confirmed)
            ext, tax = row.values.get("external_id"), row.values.get("tax_code")
            if ext and ext in first_row:
                row.error("external_id", Note("id_twice", external_id=ext,
                                              row=first_row[ext]))
            elif ext:
                first_row[ext] = row.number
            if tax and tax in first_tax:
                row.error("tax_code", Note("tax_code_twice", tax_code=tax,
                                           row=first_tax[tax]))
            elif tax:
                first_tax[tax] = row.number
        rows.append(row)
    report.rows = len(rows)
    if header_errors:  # the columns are wrong: no row can be read reliably
        report.errors = header_errors
        report.rejected = len(rows)
        return report

    try:
        plans = _plan(session, rows)
        _check_tax_codes(session, plans)
        report.errors = [e for r in rows for e in r.errors]
        report.rejected = sum(1 for r in rows if r.errors)
        if report.errors and not valid_only:
            session.rollback()
            return report
        plans = [p for p in plans if not p.row.errors]
        report.warnings = header_notes + [w for p in plans for w in p.row.warnings]
        for p in plans:
            for cap in p.values.get("capabilities") or ():
                if not cap["keys"]:
                    report.unmapped[cap["text"]] = report.unmapped.get(cap["text"], 0) + 1
        if not keep_sample and any(not p.values["sample"] for p in plans) and not any(
                p.profile is not None and p.profile.sample for p in plans):
            report.removed_sample = _remove_sample_only(session)
        # a tax code may move between profiles in one file: clear changed ones first
        moving = [p for p in plans if p.profile is not None
                  and p.profile.tax_code != p.values["tax_code"]]
        if moving:
            for p in moving:
                p.profile.tax_code = None
            session.flush()
        for plan in plans:
            if plan.action == "create":
                plan.profile = SupplierProfile()
                session.add(plan.profile)
            if plan.action != "unchanged":
                _apply(plan.profile, plan.values)
                plan.profile.tax_code = plan.values["tax_code"]
        session.flush()
        report.created = sum(p.action == "create" for p in plans)
        report.updated = sum(p.action == "update" for p in plans)
        report.unchanged = sum(p.action == "unchanged" for p in plans)
        if dry_run:
            session.rollback()
        else:
            # the one write path: saved, logged for every serving process, published
            commit_saved(session, [p.profile for p in plans if p.action != "unchanged"],
                         account_id=account_id, publish=publish)
            report.committed = True
    except SQLAlchemyError as exc:
        session.rollback()
        raise ImportFileError(Note("database_refused",
                                   why=getattr(exc, "orig", None) or exc)) from exc
    except BaseException:
        session.rollback()
        raise
    return report

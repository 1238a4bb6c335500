"""Export supplier profiles to JSON lines, CSV or XLSX.

The files use the layout the importer reads (:mod:`recommender.store.records`),
so export → import into an empty database → export gives the same file.
Profiles are written in ``external_id`` order. CSV is UTF-8 with a byte-order
mark so Excel shows Vietnamese correctly. In CSV and XLSX, text cells that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or CR) are prefixed with ``'``; the importer takes the prefix off again.
Files are written to a temporary name and renamed, so a failed export never
leaves a half-written file behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .importer import FORMATS
from .models import SupplierProfile
from .records import FLAT_FIELDS, flat_record, profile_record


def iter_records(session: Session, batch_size: int = 500) -> Iterator[dict[str, Any]]:
    """Every profile as a JSON-lines record, in ``external_id`` order."""
    query = (select(SupplierProfile).order_by(SupplierProfile.external_id)
             .options(selectinload(SupplierProfile.certifications))
             .execution_options(yield_per=batch_size))
    for profile in session.scalars(query):
        yield profile_record(profile)


def _write_jsonl(records: Iterator[dict[str, Any]], fh) -> int:
    n = 0
    for n, record in enumerate(records, 1):
        fh.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
    return n


def _write_csv(records: Iterator[dict[str, Any]], fh) -> int:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    writer = csv.DictWriter(text, fieldnames=FLAT_FIELDS)
    writer.writeheader()
    n = 0
    for n, record in enumerate(records, 1):
        writer.writerow(flat_record(record))
    text.flush()
    text.detach()
    return n


def _write_xlsx(records: Iterator[dict[str, Any]], fh) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("profiles")
    sheet.append(list(FLAT_FIELDS))
    n = 0
    for n, record in enumerate(records, 1):
        row = flat_record(record)
        sheet.append([row[name] for name in FLAT_FIELDS])
    workbook.save(fh)
    return n


_WRITERS = {"jsonl": _write_jsonl, "csv": _write_csv, "xlsx": _write_xlsx}


def export_profiles(session: Session, path: str | os.PathLike) -> int:
    """Write every profile to ``path``; the format follows the extension.

    Returns:
        The number of profiles written.
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path.name}: unknown file type {path.suffix!r}; "
                         "use .jsonl, .csv or .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            count = _WRITERS[fmt](iter_records(session), fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count

"""Helpers that write import files by hand (not through the exporter)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from recommender.store.exporter import export_profiles


def profile_row(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid JSON-lines record; tax codes follow the MST check digit."""
    row = {
        "external_id": f"SUP-{n:05d}",
        "name": f"Công ty TNHH Cơ khí Mẫu {n}",
        "tax_code": TAX_CODES[n % len(TAX_CODES)],
        "description": "Gia công CNC chính xác chi tiết nhôm, dung sai ±0,01 mm.",
        "sector": "mechanical",
        "processes": ["cnc_machining", "welding"],
        "materials": ["aluminium 6061", "SUS304"],
        "machines": ["12 máy phay CNC Mazak"],
        "certifications": [{"name": "ISO 9001", "issuer": "Bureau Veritas",
                            "valid_until": "2027-05-31"}],
        "location": {"park": "KCN Tân Tạo", "ward": "phường Tân Tạo"},
        "employees": 80,
        "revenue_bn_vnd": 45.5,
        "ownership": "domestic",
    }
    row.update(overrides)
    return row


def mst(serial: int, prefix: str = "0399") -> str:
    """A 10-digit tax code with the standard check digit (fictional 0399 block)."""
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    while True:
        digits = f"{prefix}{serial:05d}"
        check = 10 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
        if check <= 9:
            return digits + str(check)
        serial += 1


TAX_CODES = [mst(i * 10) for i in range(1, 40)]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[Any]], *,
              delimiter: str = ",") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def snapshot(session: Session, tmp_path: Path) -> str:
    """A full JSON-lines export of the store, for before/after comparisons."""
    path = tmp_path / "snapshot.jsonl"
    export_profiles(session, path)
    return path.read_text(encoding="utf-8")

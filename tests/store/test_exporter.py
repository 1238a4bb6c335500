"""Exporting profiles: round trips through every format, formula-safe spreadsheets."""

from __future__ import annotations

import csv
import json
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import delete

from recommender.store.exporter import export_profiles
from recommender.store.importer import import_profiles
from recommender.store.models import SupplierProfile
from recommender.store.records import neutralise_formula, restore_formula

from .files import profile_row, snapshot, write_jsonl

SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "sample_suppliers.jsonl"

DANGEROUS = {
    "name": "=HYPERLINK(\"http://evil.example\",\"Bấm vào đây\")",
    "description": "@SUM(1+1)*cmd|' /C calc'!A0\n- Gia công CNC",
    "capacity": "-2+3",
    "machines": ["+cmd", "'=already quoted"],
    "contact_name": "'Tuấn'",
}


def _awkward_rows() -> list[dict]:
    """Values the text forms cannot hold, to force the JSON fallbacks."""
    return [
        profile_row(
            9001, **DANGEROUS, export_experience=["Japan"], phone="+84 28 3770 1234",
            email="sales@example.com.vn", website="example.com.vn", capital_bn_vnd=12.0,
            verified=True, language="vi", updated_at="2025-06-30T10:00:00+07:00"),
        profile_row(
            9002, materials=["PA66; GF30", " leading space is dropped"], machines=[],
            certifications=[
                {"name": "ISO 9001", "issuer": "TÜV SÜD, Việt Nam", "valid_until": "2027-01-01"},
                {"name": "IATF 16949", "scope": "dập (ép) chi tiết ô tô", "valid_until": None},
                {"name": "ISO 14001 (2015)"}],
            location={"park": None, "ward": None}, employees=None, tax_code=None,
            description="Dòng 1\n\nDòng 3 sau một dòng trống"),
    ]


def _load_fixture_data(session, tmp_path: Path) -> None:
    with open(SAMPLE, encoding="utf-8") as fh:
        sample = [json.loads(line) for line in islice(fh, 200)]
    path = write_jsonl(tmp_path / "fixture.jsonl", sample + _awkward_rows())
    report = import_profiles(session, path)
    assert report.ok, report.errors[:3]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_export_import_round_trip(session, tmp_path, fmt) -> None:
    _load_fixture_data(session, tmp_path)
    before = snapshot(session, tmp_path)
    exported = tmp_path / f"export.{fmt}"
    assert export_profiles(session, exported) == 202

    session.execute(delete(SupplierProfile))  # certificates go by ON DELETE CASCADE
    session.commit()
    session.expunge_all()  # forget the certificate objects the bulk delete left behind
    report = import_profiles(session, exported)
    assert report.ok, report.errors[:3]
    assert report.created == 202
    assert snapshot(session, tmp_path) == before

    again = tmp_path / f"again.{fmt}"
    export_profiles(session, again)
    if fmt != "xlsx":  # xlsx files carry a creation time; their cells are compared above
        assert again.read_bytes() == exported.read_bytes()


def test_csv_cells_use_the_readable_forms(session, tmp_path) -> None:
    _load_fixture_data(session, tmp_path)
    path = tmp_path / "export.csv"
    export_profiles(session, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = {r["external_id"]: r for r in csv.DictReader(fh)}
    first = rows["SUP-00001"]  # from the sample
    assert first["location"] == "KCN Tân Tạo" and first["ward"] == "phường Tân Tạo"
    assert first["materials"] == "phylon; EVA"
    awkward = rows["SUP-09002"]
    assert json.loads(awkward["materials"]) == ["PA66; GF30", "leading space is dropped"]
    assert json.loads(awkward["certifications"])[1]["scope"] == "dập (ép) chi tiết ô tô"


def test_spreadsheet_exports_neutralise_formulas(session, tmp_path) -> None:
    from openpyxl import load_workbook

    import_profiles(session, write_jsonl(tmp_path / "p.jsonl", _awkward_rows()[:1]))
    export_profiles(session, tmp_path / "out.csv")
    export_profiles(session, tmp_path / "out.xlsx")
    export_profiles(session, tmp_path / "out.jsonl")

    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as fh:
        csv_row = next(csv.DictReader(fh))
    workbook = load_workbook(tmp_path / "out.xlsx")
    sheet = workbook["profiles"]
    header = [c.value for c in sheet[1]]
    xlsx_row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    for row in (csv_row, {k: c.value for k, c in xlsx_row.items()}):
        assert row["name"] == "'" + DANGEROUS["name"]
        assert row["description"] == "'" + DANGEROUS["description"]
        assert row["capacity"] == "'-2+3"
        assert row["phone"] == "'+84 28 3770 1234"
        assert row["contact_name"] == "'Tuấn'"  # no formula character after the quote
        assert row["machines"] == "'+cmd; '=already quoted"  # only a cell's start matters
    assert all(cell.data_type != "f" for cell in xlsx_row.values())
    workbook.close()
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record["name"] == DANGEROUS["name"]  # JSON lines are not for spreadsheets


@pytest.mark.parametrize("value", ["=1+1", "'=1+1", "''@x", "-", "'", "plain", "'quoted'",
                                   "\tTab", "+84"])
def test_formula_prefix_round_trips(value) -> None:
    cell = neutralise_formula(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore_formula(cell) == value


def test_unknown_export_type(session, tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown file type '.txt'"):
        export_profiles(session, tmp_path / "out.txt")
    assert not [p for p in tmp_path.iterdir() if "out" in p.name]

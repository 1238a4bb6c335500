"""Importing profiles: every format, every kind of bad input, all-or-nothing writes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recommender.store import importer
from recommender.store.importer import ImportFileError, import_profiles
from recommender.store.models import SupplierProfile
from recommender.store.profiles import check_tax_code

from .files import TAX_CODES, profile_row, snapshot, write_csv, write_jsonl, write_xlsx

FLAT_HEADER = ["external_id", "name", "tax_code", "description", "sector", "processes",
               "materials", "certifications", "location", "ward", "employees",
               "revenue_bn_vnd", "ownership", "export_experience"]
FLAT_ROWS = [
    ["SUP-00001", "Công ty TNHH Cơ khí Mẫu 1", TAX_CODES[1], "Gia công CNC chính xác.",
     "mechanical", "cnc_machining; welding", "aluminium 6061; SUS304",
     "ISO 9001 (Bureau Veritas, 2027-05-31); IATF 16949 (TÜV SÜD, 2026-01-15)",
     "KCN Tân Tạo", "phường Tân Tạo", 80, 45.5, "domestic", "Japan; Korea"],
    ["SUP-00002", "Xưởng nhựa Mẫu", "", "Ép phun nhựa ABS, PC.", "Cao su – nhựa",
     '["plastic_injection"]', "", '[{"name": "ISO 14001", "scope": "ép nhựa"}]',
     "", "xã Hóc Môn", "", "", "FDI", ""],
]


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(SupplierProfile))


def _profile(session, external_id: str) -> SupplierProfile:
    return session.scalars(select(SupplierProfile).filter_by(external_id=external_id)).one()


def _write(tmp_path: Path, fmt: str, header=FLAT_HEADER, rows=FLAT_ROWS) -> Path:
    path = tmp_path / f"profiles.{fmt}"
    if fmt == "csv":
        return write_csv(path, header, rows)
    if fmt == "xlsx":
        return write_xlsx(path, header, rows)
    records = []
    for cells in rows:
        record = {}
        for name, cell in zip(header, cells, strict=True):
            record[name] = cell
        records.append(record)
    return write_jsonl(path, records)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_flat_files(session, tmp_path, fmt) -> None:
    report = import_profiles(session, _write(tmp_path, fmt))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 0, 0, 0)
    first = _profile(session, "SUP-00001")
    assert first.processes == ["cnc_machining", "welding"]
    assert first.materials == ["aluminium 6061", "SUS304"]
    assert [(c.name, c.issuer, c.valid_until) for c in first.certifications] == [
        ("ISO 9001", "Bureau Veritas", date(2027, 5, 31)),
        ("IATF 16949", "TÜV SÜD", date(2026, 1, 15))]
    assert (first.park, first.ward, first.employees, first.revenue_bn_vnd) == (
        "KCN Tân Tạo", "phường Tân Tạo", 80, 45.5)
    assert first.size_class.value == "small" and first.export_experience == ["Japan", "Korea"]
    second = _profile(session, "SUP-00002")
    assert second.sector == "rubber_plastics" and second.ownership.value == "fdi"
    assert second.tax_code is None and second.park is None and second.ward == "xã Hóc Môn"
    assert second.certifications[0].scope == "ép nhựa"
    assert second.employees is None and second.size_class is None


def test_import_jsonl(session, tmp_path) -> None:
    rows = [profile_row(1), profile_row(2, location={"park": None, "ward": "xã Nhà Bè"},
                                        certifications="ISO 9001 (SGS, 2027-01-01); RoHS")]
    report = import_profiles(session, write_jsonl(tmp_path / "p.jsonl", rows))
    assert report.ok and report.created == 2
    second = _profile(session, "SUP-00002")
    assert [(c.name, c.issuer) for c in second.certifications] == [("ISO 9001", "SGS"),
                                                                  ("RoHS", None)]
    assert second.park is None and second.ward == "xã Nhà Bè"


def test_semicolon_separated_csv_from_a_vietnamese_excel(session, tmp_path) -> None:
    path = write_csv(tmp_path / "p.csv", FLAT_HEADER, FLAT_ROWS, delimiter=";")
    assert import_profiles(session, path).created == 2


def test_sample_corpus_loads_unchanged(session) -> None:
    from recommender.store.exporter import iter_records
    from recommender.store.sample import load_sample

    corpus = Path(__file__).resolve().parents[2] / "corpora" / "sample_suppliers.jsonl"
    report = load_sample(session, corpus)
    assert (report.created, report.rejected) == (3000, 0)
    with open(corpus, encoding="utf-8") as fh:
        source = {r["external_id"]: r for r in map(json.loads, fh)}
    for record in iter_records(session):
        original = source[record["external_id"]]
        for key, value in original.items():
            got = record[key]
            if key == "updated_at":
                got = got[:10]
            elif key == "certifications":
                got = [{k: v for k, v in c.items() if k != "scope"} for c in got]
            assert got == value, (record["external_id"], key)
    # every fourth sample profile is shown verified, so the demo's filter is not empty
    from recommender.store.models import SupplierProfile

    verified = session.scalars(select(SupplierProfile.external_id)
                               .where(SupplierProfile.verified.is_(True))).all()
    assert len(verified) == 750 and all(int(e[4:]) % 4 == 0 for e in verified)


# --- bad input ---------------------------------------------------------------------

def _errors(session, tmp_path, rows) -> list[str]:
    report = import_profiles(session, write_jsonl(tmp_path / "bad.jsonl", rows))
    assert not report.committed and _count(session) == 0
    return [str(e) for e in report.errors]


LONG = "x" * 300


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": None}, "row 1, name: is required"),
        ({"description": "   "}, "row 1, description: is required"),
        ({"employees": -3}, "row 1, employees: must be between 0"),
        ({"revenue_bn_vnd": "1,5"}, "row 1, revenue_bn_vnd: must be a number of billion VND"),
        ({"processes": 5}, "row 1, processes: must be a list or ;-separated text, not a number"),
        ({"name": 123}, "row 1, name: must be text, not a number"),
        ({"verified": "maybe"}, "row 1, verified: must be true or false"),
        ({"tax_code": "12345"}, "row 1, tax_code: '12345' is not a tax code"),
        ({"tax_code": "0399215324"}, "row 1, tax_code: '0399215324' is not a valid tax code: "
                                     "its check digit is wrong"),
        ({"tax_code": "0399215323-000"}, "branch number 000 does not exist"),
        ({"location": {"park": "KCN Tân Tạo", "city": "HCMC"}}, "has unknown keys city"),
        ({"name": LONG}, "row 1, name: is too long (300 characters; at most 255)"),
        ({"description": "y" * 10_001}, "description: is too long (10001 characters"),
        ({"materials": ["ok", LONG]}, "row 1, materials: item 2 is too long"),
        ({"certifications": [{"name": "ISO 9001", "valid_until": "2027-13-01"}]},
         "certificate 1: '2027-13-01' is not a date (YYYY-MM-DD)"),
        ({"certifications": [{"name": "ISO 9001", "expires": "2027-01-01"}]},
         "certificate 1 has unknown keys expires"),
        ({"certifications": [{"issuer": "SGS"}]}, "certificate 1 has no name"),
        ({"email": "not-an-address"}, "row 1, email: 'not-an-address' is not an e-mail address"),
        ({"website": "javascript:alert(1)"}, "is not a web address"),
        ({"website": "ftp://example.com"}, "only http:// and https:// addresses"),
        ({"updated_at": "2999-01-01"}, "row 1, updated_at: 2999-01-01T00:00:00+00:00 is in the "
                                       "future"),
        ({"size_class": "micro"}, "row 1, size_class: 'micro' does not match the figures"),
        ({"external_id": "SUP 1"}, "may hold only letters, digits"),
    ],
)
def test_bad_values_are_reported_by_row_and_field(session, tmp_path, overrides, expected) -> None:
    errors = _errors(session, tmp_path, [profile_row(1, **overrides)])
    assert any(expected in e for e in errors), errors


def test_missing_required_key_in_jsonl(session, tmp_path) -> None:
    row = profile_row(1)
    del row["description"]
    assert _errors(session, tmp_path, [row]) == ["row 1, description: is required"]


@pytest.mark.parametrize(
    ("overrides", "note", "stored"),
    [
        ({"processes": []}, "no process given: read from the description", None),
        ({"employees": "many"}, "'many' holds no number of employees", ("employees", None)),
        ({"employees": "khoảng 80 người"}, "read as 80", ("employees", 80)),
        ({"sector": "mechancial"}, "names no sector of the taxonomy", None),
        ({"sector": "co khi"}, "'co khi' read as", ("sector", "mechanical")),
        ({"processes": ["welding", "cnc_machinig"]}, "read as", None),
        ({"processes": ["welding", "zebraquartz"]}, "'zebraquartz' matches no taxonomy term",
         ("processes", ["welding"])),
        ({"location": {"park": "KCN Tan Tao 2"}}, "KCN Tan Tao 2", None),
        ({"ownership": "state"}, "names no ownership", ("ownership", None)),
        ({"ownership": "100% vốn Hàn Quốc"}, "read as ownership fdi", None),
        ({"proceses": ["welding"]}, "proceses: unknown field (did you mean 'processes'?)", None),
    ],
)
def test_values_written_freely_import_with_a_note(session, tmp_path, overrides, note,
                                                  stored) -> None:
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [profile_row(1, **overrides)])
    report = import_profiles(session, path)
    assert report.ok and report.created == 1, report.errors
    notes = [str(w) for w in report.warnings]
    assert any(note in n for n in notes), notes
    if stored:
        field, value = stored
        got = getattr(_profile(session, "SUP-00001"), field)
        assert (got.value if hasattr(got, "value") else got) == value


@pytest.mark.parametrize(("cell", "names"), [
    ("ISO 9001:2015", ["ISO 9001"]),
    ("IATF16949, ISO 9001:2015", ["IATF 16949", "ISO 9001"]),
    ("ISO 9001 (Bureau Veritas, 2027-05-31); IATF 16949", ["ISO 9001", "IATF 16949"]),
    ("Giấy chứng nhận ATTP (Sở Y tế)", ["Giấy chứng nhận ATTP"]),
])
def test_certificates_written_freely_are_split_and_named_as_buyers_ask(session, tmp_path, cell,
                                                                       names) -> None:
    # a staff export writes "ISO 9001:2015, IATF16949" in one cell; buyers ask for
    # "ISO 9001": the names must be the listed ones for the requirement check to see them
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [profile_row(1, certifications=cell)])
    report = import_profiles(session, path)
    assert report.ok, report.errors
    assert [c.name for c in _profile(session, "SUP-00001").certifications] == names


def test_a_row_without_an_id_gets_a_stable_one(session, tmp_path) -> None:
    row = profile_row(1)
    del row["external_id"]
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [row])
    first = import_profiles(session, path)
    assert first.created == 1 and _profile(session, f"MST-{row['tax_code']}") is not None
    assert import_profiles(session, path).unchanged == 1


def test_duplicate_ids_within_a_file(session, tmp_path) -> None:
    rows = [profile_row(1), profile_row(2), profile_row(3, external_id="SUP-00001"),
            profile_row(4, tax_code=TAX_CODES[2])]
    errors = _errors(session, tmp_path, rows)
    assert errors == ["row 3, external_id: 'SUP-00001' appears again (first on row 1)",
                      f"row 4, tax_code: {TAX_CODES[2]} appears again (first on row 2)"]


def test_invalid_json_lines_are_row_errors(session, tmp_path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(profile_row(1)) + "\n\n{not json\n[1, 2]\n{}\n", encoding="utf-8")
    report = import_profiles(session, path)
    errors = [str(e) for e in report.errors]
    assert errors[0].startswith("row 3: not valid JSON")
    assert errors[1] == "row 4: must be a JSON object, not a list"
    assert "row 5, name: is required" in errors
    assert report.rows == 4 and report.rejected == 3 and _count(session) == 0


def test_flat_file_header_problems(session, tmp_path) -> None:
    header = [*FLAT_HEADER[:-1], "export"]
    header.remove("description")
    rows = [row[:3] + row[4:] for row in FLAT_ROWS]
    report = import_profiles(session, write_csv(tmp_path / "p.csv", header, rows),
                             valid_only=True)
    assert [str(e) for e in report.errors] == [
        "row 1, description: required column is missing (a 'description' or "
        "'Mô tả' / 'Mô tả năng lực' column)"]
    assert report.rejected == 2 and _count(session) == 0
    header = ["Tên doanh nghiệp", "Mô tả", "Ghi chú nội bộ"]
    report = import_profiles(session, write_csv(tmp_path / "q.csv", header, [
        ["Cty A", "Gia công CNC", "khách quen"]]))
    assert report.created == 1
    notes = [str(w) for w in report.warnings]
    assert "row 1, Tên doanh nghiệp: read as the name column" in notes
    assert any(n.startswith("row 1, Ghi chú nội bộ: column not recognised") for n in notes)
    kept = session.scalars(select(SupplierProfile)).one().source_values
    assert kept == {"Ghi chú nội bộ": "khách quen"}


def test_tax_code_typed_as_a_number_in_excel(session, tmp_path) -> None:
    rows = [list(FLAT_ROWS[0])]
    rows[0][2] = 399215323  # Excel dropped the leading 0
    report = import_profiles(session, write_xlsx(tmp_path / "p.xlsx", FLAT_HEADER, rows))
    assert "format the column as Text" in str(report.errors[0])


def test_extra_cells_beyond_the_header(session, tmp_path) -> None:
    rows = [[*FLAT_ROWS[0], "stray"]]
    report = import_profiles(session, write_csv(tmp_path / "p.csv", FLAT_HEADER, rows))
    assert str(report.errors[0]) == "row 2: has 15 cells but the header names 14 columns"


def test_file_level_problems(session, tmp_path) -> None:
    with pytest.raises(ImportFileError, match="unknown file type '.txt'"):
        import_profiles(session, tmp_path / "p.txt")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("external_id,name\nSUP-1,Công ty\n".encode("cp1258"))
    with pytest.raises(ImportFileError, match="not UTF-8.*CSV UTF-8"):
        import_profiles(session, latin)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(ImportFileError, match="not a readable .xlsx"):
        import_profiles(session, fake)


def test_files_over_the_size_limit_are_refused_before_reading(session, tmp_path) -> None:
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as fh:  # sparse: 50 MB + 1 byte without writing them
        fh.truncate(importer.DEFAULT_MAX_BYTES + 1)
    with pytest.raises(ImportFileError, match=r"52\.4 MB, more than the 52 MB limit; split it"):
        import_profiles(session, big)
    small = write_jsonl(tmp_path / "small.jsonl", [profile_row(1)])
    with pytest.raises(ImportFileError, match="more than"):
        import_profiles(session, small, max_bytes=100)
    assert import_profiles(session, small).created == 1


# --- all or nothing ------------------------------------------------------------------

@pytest.fixture()
def stored(session, tmp_path):
    """Three stored profiles."""
    report = import_profiles(session, write_jsonl(tmp_path / "base.jsonl",
                                                  [profile_row(n) for n in (1, 2, 3)]))
    assert report.created == 3
    return session


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_a_file_with_errors_changes_nothing(stored, tmp_path, fmt) -> None:
    before = snapshot(stored, tmp_path)
    header = FLAT_HEADER
    rows = [
        ["SUP-00001", "Tên mới", TAX_CODES[1], "Mô tả mới", "mechanical", "welding", "", "",
         "", "", "", "", "", ""],  # an update
        ["SUP-00009", "Công ty mới", "", "Mô tả", "electronics", "wire_harness", "", "", "",
         "", "", "", "", ""],  # a new profile
        ["SUP-00010", "Hỏng", "12345", "Mô tả", "electronics", "wire_harness", "", "", "",
         "", "", "", "", ""],  # a malformed tax code
    ]
    report = import_profiles(stored, _write(tmp_path, fmt, header, rows))
    assert [str(e) for e in report.errors] == [
        f"row {3 if fmt == 'jsonl' else 4}, tax_code: '12345' is not a tax code: a Vietnamese "
        "MST has 10 digits, or 13 for a branch (0123456789-001)"]
    assert not report.committed and (report.created, report.updated, report.rejected) == (0, 0, 1)
    assert snapshot(stored, tmp_path) == before

    partial = import_profiles(stored, _write(tmp_path, fmt, header, rows), valid_only=True)
    assert partial.committed and (partial.created, partial.updated, partial.rejected) == (1, 1, 1)
    assert _profile(stored, "SUP-00001").name == "Tên mới"


def test_a_failure_while_writing_rolls_everything_back(stored, tmp_path, monkeypatch) -> None:
    before = snapshot(stored, tmp_path)
    rows = [profile_row(1, name="Đổi tên"), profile_row(7), profile_row(8)]
    calls = []
    real_apply = importer._apply

    def failing_apply(profile, values):
        calls.append(values["external_id"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real_apply(profile, values)

    monkeypatch.setattr(importer, "_apply", failing_apply)
    with pytest.raises(RuntimeError, match="disk full"):
        import_profiles(stored, write_jsonl(tmp_path / "p.jsonl", rows))
    assert snapshot(stored, tmp_path) == before


def test_dry_run_counts_but_writes_nothing(stored, tmp_path) -> None:
    before = snapshot(stored, tmp_path)
    rows = [profile_row(1, name="Đổi tên"), profile_row(2), profile_row(9)]
    report = import_profiles(stored, write_jsonl(tmp_path / "p.jsonl", rows), dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert report.dry_run and not report.committed and "dry run" in report.summary()
    assert snapshot(stored, tmp_path) == before


# --- upserts ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_reimporting_the_same_file_changes_nothing(session, tmp_path, fmt) -> None:
    path = _write(tmp_path, fmt)
    assert import_profiles(session, path).created == 2
    before = snapshot(session, tmp_path)
    again = import_profiles(session, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(session, tmp_path) == before


def test_update_by_external_id_keeps_fields_the_file_lacks(stored, tmp_path) -> None:
    old = _profile(stored, "SUP-00001")
    created, updated = old.created_at, old.updated_at
    row = {k: v for k, v in profile_row(1, description="Mô tả mới").items()
           if k not in {"materials", "certifications"}}
    report = import_profiles(stored, write_jsonl(tmp_path / "p.jsonl", [row]))
    assert report.updated == 1
    stored.expire_all()
    new = _profile(stored, "SUP-00001")
    assert new.description == "Mô tả mới"
    assert new.materials == ["aluminium 6061", "SUS304"] and len(new.certifications) == 1
    assert new.created_at == created and new.updated_at > updated


def test_updated_at_from_the_file(stored, tmp_path) -> None:
    stamp = "2026-01-02T03:04:05+07:00"
    row = profile_row(5, updated_at=stamp)
    import_profiles(stored, write_jsonl(tmp_path / "p.jsonl", [row]))
    assert _profile(stored, "SUP-00005").updated_at == datetime(2026, 1, 1, 20, 4, 5, tzinfo=UTC)
    # an older date with changed content: the change happened now
    row = profile_row(5, updated_at="2020-01-01", name="Đổi tên")
    import_profiles(stored, write_jsonl(tmp_path / "p.jsonl", [row]))
    assert _profile(stored, "SUP-00005").updated_at.year >= 2026


def test_update_by_tax_code_renames_the_external_id(stored, tmp_path) -> None:
    row = profile_row(2, external_id="HEPZA-42", name="Tên mới")
    report = import_profiles(stored, write_jsonl(tmp_path / "p.jsonl", [row]))
    assert (report.created, report.updated) == (0, 1)
    profile = _profile(stored, "HEPZA-42")
    assert profile.tax_code == TAX_CODES[2] and profile.name == "Tên mới"
    assert _count(stored) == 3


def test_tax_code_already_held_by_another_profile(stored, tmp_path) -> None:
    row = profile_row(1, tax_code=TAX_CODES[2])
    report = import_profiles(stored, write_jsonl(tmp_path / "p.jsonl", [row]))
    assert [str(e) for e in report.errors] == [
        f"row 1, tax_code: {TAX_CODES[2]} already belongs to stored profile 'SUP-00002'"]


def test_tax_codes_can_swap_within_one_file(stored, tmp_path) -> None:
    rows = [profile_row(1, tax_code=TAX_CODES[2]), profile_row(2, tax_code=TAX_CODES[1])]
    report = import_profiles(stored, write_jsonl(tmp_path / "p.jsonl", rows))
    assert report.ok and report.updated == 2
    assert _profile(stored, "SUP-00001").tax_code == TAX_CODES[2]


def test_branch_tax_codes_are_stored_in_one_form() -> None:
    assert check_tax_code("0399215323001") == "0399215323-001"
    assert check_tax_code(" 0399215323-002 ") == "0399215323-002"
    # as people write it: a label, groups of digits
    assert check_tax_code("MST: 0399 215 323") == "0399215323"
    assert check_tax_code("Mã số thuế 0399.215.323") == "0399215323"
    assert check_tax_code("0399-215-323-001") == "0399215323-001"


def test_declared_size_class_kept_when_figures_leave_it_open(session, tmp_path) -> None:
    row = profile_row(1, employees=50, revenue_bn_vnd=None, size_class="small")
    import_profiles(session, write_jsonl(tmp_path / "p.jsonl", [row]))
    assert _profile(session, "SUP-00001").size_class.value == "small"


# --- text ---------------------------------------------------------------------------

def test_markup_is_stored_as_plain_text(session, tmp_path) -> None:
    description = ("<p>Gia công <b>CNC</b> &amp; hàn</p><script>alert('x')</script>"
                   "<img src=x onerror=alert(1)>Dung sai < 0,01 mm; R&D"
                   "&lt;script&gt;steal()&lt;/script&gt;")
    row = profile_row(1, description=description, name="<i>Cơ khí</i> Hoà Bình")
    import_profiles(session, write_jsonl(tmp_path / "p.jsonl", [row]))
    profile = _profile(session, "SUP-00001")
    assert profile.description == "Gia công CNC & hàn\nDung sai < 0,01 mm; R&D"
    assert profile.name == "Cơ khí Hòa Bình"  # one tone-mark style


def test_formula_prefix_is_removed_from_flat_files_only(session, tmp_path) -> None:
    rows = [list(FLAT_ROWS[0])]
    rows[0][3] = "'- Services: CNC"
    rows[0][1] = "'Quote' Co."
    import_profiles(session, write_csv(tmp_path / "p.csv", FLAT_HEADER, rows))
    profile = _profile(session, "SUP-00001")
    assert profile.description == "- Services: CNC" and profile.name == "'Quote' Co."
    row = profile_row(2, description="'- kept as written")
    import_profiles(session, write_jsonl(tmp_path / "p.jsonl", [row]))
    assert _profile(session, "SUP-00002").description == "'- kept as written"

"""Real files as written: the hand-written staff export, term review, sample replacement."""

from __future__ import annotations

import csv

from sqlalchemy import func, select

from recommender.resources import corpus_file
from recommender.store.importer import import_profiles
from recommender.store.models import ChangeOp, ProfileChange, SupplierProfile
from recommender.store.terms import confirm_mapping, unmapped_phrases

from .files import profile_row, write_jsonl

HANDWRITTEN = corpus_file("handwritten/suppliers.csv")


def test_the_handwritten_export_imports_as_written(session) -> None:
    report = import_profiles(session, HANDWRITTEN)
    with open(HANDWRITTEN, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert report.errors == [] and report.rejected == 0
    assert report.created == len(rows) == 130
    # every phrase written in the processes column is mapped or listed as free text
    profiles = {p.external_id: p for p in session.scalars(select(SupplierProfile))}
    for row in rows:
        profile = profiles[row["Mã hồ sơ"]]
        caps = profile.capabilities or []
        for cap in caps:
            assert cap["keys"] or report.unmapped.get(cap["text"]), cap
        assert profile.processes or not row["Quy trình / sản phẩm"].strip() or caps
    # old place names are resolved to today's units, and the address is kept
    sample = profiles["HW-001"]
    assert sample.park == "KCN VSIP I" and sample.region == "Bình Dương"
    assert sample.address.startswith("Số 18 Đại lộ Độc Lập")
    assert import_profiles(session, HANDWRITTEN).unchanged == 130  # idempotent


def test_a_mapping_staff_confirm_is_applied_now_and_later(session, tmp_path) -> None:
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [profile_row(1, processes=["welding", "gia công zebraquartz"])])
    first = import_profiles(session, path)
    assert first.unmapped == {"gia công zebraquartz": 1}
    assert [u.text for u in unmapped_phrases(session)] == ["gia công zebraquartz"]
    changed = confirm_mapping(session, "Gia cong zebraquartz", "cnc_milling",
                              confirmed_by="staff@example.vn")
    profile = session.scalars(select(SupplierProfile)).one()
    assert changed == 1 and profile.processes == ["welding", "cnc_milling"]
    assert unmapped_phrases(session) == []
    logged = session.scalars(select(ProfileChange).order_by(ProfileChange.id.desc())).first()
    assert logged.profile_id == profile.id and logged.op == ChangeOp.UPSERT
    write_jsonl(path, [profile_row(2, processes=["gia công zebraquartz"])])
    later = import_profiles(session, path)
    assert later.unmapped == {}
    assert session.scalars(select(SupplierProfile).filter_by(
        external_id="SUP-00002")).one().processes == ["cnc_milling"]


def test_the_first_real_import_replaces_the_sample(session, tmp_path) -> None:
    sample = tmp_path / "sample.jsonl"
    write_jsonl(sample, [profile_row(n, sample=True) for n in (1, 2, 3)])
    import_profiles(session, sample)
    real = tmp_path / "real.jsonl"
    write_jsonl(real, [profile_row(7, external_id="REAL-1")])
    dry = import_profiles(session, real, dry_run=True)
    assert dry.removed_sample == 3
    assert session.scalar(select(func.count()).select_from(SupplierProfile)) == 3
    kept = import_profiles(session, real, keep_sample=True)
    assert kept.removed_sample == 0 and kept.created == 1
    session.execute(SupplierProfile.__table__.delete().where(SupplierProfile.sample.is_(False)))
    session.commit()
    report = import_profiles(session, real)
    assert report.removed_sample == 3 and "fictional sample profiles were removed" in \
        report.summary()
    assert [p.external_id for p in session.scalars(select(SupplierProfile))] == ["REAL-1"]
    # a later real import removes nothing: the database no longer holds only sample data
    assert import_profiles(session, real).removed_sample == 0


def test_an_export_of_files_imported_as_written_reads_back_unchanged(session, tmp_path) -> None:
    from recommender.store.exporter import export_profiles

    import_profiles(session, HANDWRITTEN)
    for suffix in ("csv", "jsonl", "xlsx"):
        path = tmp_path / f"out.{suffix}"
        export_profiles(session, path)
        again = import_profiles(session, path)
        assert again.errors == [] and again.unchanged == 130, (suffix, again.summary())

"""The profile store in the web app: start-up, catalog and the staff CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webapp import create_app

from ..store.files import profile_row, write_jsonl
from ..store.test_migrations import HEAD


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "sample.jsonl", [profile_row(n, sample=True) for n in (1, 2, 3)])


def _app(tmp_path: Path, corpus: Path, **config):
    settings = {"TESTING": True, "SAMPLE_CORPUS": str(corpus),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'ketnoi.sqlite3'}",
                "INDEX_DIR": str(tmp_path / "index"), "BUILD_INDEX_ON_START": False}
    settings.update(config)
    return create_app(settings)


@pytest.fixture()
def app(tmp_path, corpus):
    return _app(tmp_path, corpus)


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


def test_start_migrates_and_loads_the_sample_into_an_empty_database(tmp_path, corpus) -> None:
    app = _app(tmp_path, corpus)
    assert app.extensions["ketnoi_db"].profile_count() == 3
    # a second start finds the profiles and loads nothing again
    again = _app(tmp_path, corpus)
    assert again.extensions["ketnoi_db"].profile_count() == 3
    empty = _app(tmp_path / "other", corpus, LOAD_SAMPLE=False)
    assert empty.extensions["ketnoi_db"].profile_count() == 0


def test_database_url_comes_from_the_environment(tmp_path, corpus, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("KETNOI_LOAD_SAMPLE", "0")
    app = create_app({"TESTING": True, "BUILD_INDEX_ON_START": False,
                      "INDEX_DIR": str(tmp_path / "index")})
    assert app.config["DATABASE_URL"] == url and not app.config["LOAD_SAMPLE"]
    assert (tmp_path / "env.sqlite3").is_file()


def test_catalog_reads_profiles_from_the_database(app) -> None:
    from sqlalchemy import select

    from recommender.serving.profiles import read_profiles
    from recommender.store.models import SupplierProfile

    db = app.extensions["ketnoi_db"]
    profiles = read_profiles(db.sessions)
    with db.sessions() as session:
        ids = dict(session.execute(select(SupplierProfile.external_id, SupplierProfile.id)).all())
    assert [p.doc_id for p in profiles] == sorted(ids.values())
    first = profiles[0]
    assert first.doc_id == ids[first.external_id]
    assert first.certifications[0]["name"] == "ISO 9001"
    assert first.location["park"] == "KCN Tân Tạo"
    assert first.processes == ["cnc_machining", "welding"] and first.sector == "mechanical"
    assert first.search_text.startswith(f"{first.name}. Gia công CNC")


def test_init_db(runner) -> None:
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert f"schema revision {HEAD}; 3 supplier profiles" in result.output


def test_import_profiles(runner, app, tmp_path) -> None:
    path = write_jsonl(tmp_path / "new.jsonl", [profile_row(1), profile_row(4)])
    result = runner.invoke(args=["import-profiles", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows: 1 created, 0 updated, 1 unchanged, 0 rejected (written)" in result.output
    assert "pick the changes up from the profile change log" in result.output
    assert app.extensions["ketnoi_db"].profile_count() == 4


def test_import_profiles_with_errors_imports_nothing(runner, app, tmp_path) -> None:
    rows = [profile_row(4, sample=True), profile_row(5, name=None),
            profile_row(6, tax_code="123")]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    result = runner.invoke(args=["import-profiles", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == ("error: row 2, name: is required: a row without it cannot be shown "
                        "to buyers")
    assert lines[1].startswith("error: row 3, tax_code: '123' is not a tax code")
    assert "3 rows: 0 created, 0 updated, 0 unchanged, 2 rejected (nothing written)" in lines
    assert "Nothing was imported" in result.output and "--valid-only" in result.output
    assert app.extensions["ketnoi_db"].profile_count() == 3

    dry = runner.invoke(args=["import-profiles", "--dry-run", str(path)])
    assert dry.exit_code == 1 and "(dry run, nothing written)" in dry.output

    partial = runner.invoke(args=["import-profiles", "--valid-only", str(path)])
    assert partial.exit_code == 0
    assert "3 rows: 1 created, 0 updated, 0 unchanged, 2 rejected (written)" in partial.output
    assert app.extensions["ketnoi_db"].profile_count() == 4


def test_the_first_real_import_replaces_the_sample_unless_kept(runner, app, tmp_path) -> None:
    path = write_jsonl(tmp_path / "real.csv.jsonl", [profile_row(8, external_id="REAL-8")])
    kept = runner.invoke(args=["import-profiles", "--keep-sample", str(path)])
    assert kept.exit_code == 0 and "sample" not in kept.output
    assert app.extensions["ketnoi_db"].profile_count() == 4
    runner.invoke(args=["delete-profile", "--yes", "REAL-8"])
    result = runner.invoke(args=["import-profiles", str(path)])
    assert result.exit_code == 0, result.output
    assert "the 3 fictional sample profiles were removed" in result.output
    assert app.extensions["ketnoi_db"].profile_count() == 1


def test_import_profiles_as_written_reports_what_it_did(runner, app, tmp_path) -> None:
    path = tmp_path / "nhap.csv"
    path.write_text("Tên doanh nghiệp,Mô tả,Quy trình,Địa chỉ,Số lao động,Loại hình\n"
                    "Cty TNHH Cơ khí Minh Phát,Gia công chi tiết máy theo bản vẽ,"
                    "\"dập tấm kim loại; zebraquartz\",\"KCN Sóng Thần 2, Dĩ An, Bình Dương\","
                    "~150,100% vốn Việt Nam\n", encoding="utf-8")
    result = runner.invoke(args=["import-profiles", "--keep-sample", str(path)])
    assert result.exit_code == 0, result.output
    assert "note: row 2, employees: '~150' read as 150" in result.output
    assert "'zebraquartz': 1 row" in result.output
    assert "1 rows: 1 created" in result.output


def test_import_profiles_dry_run(runner, app, tmp_path) -> None:
    path = write_jsonl(tmp_path / "new.jsonl", [profile_row(7)])
    result = runner.invoke(args=["import-profiles", "--dry-run", str(path)])
    assert result.exit_code == 0
    assert "1 created" in result.output and "dry run, nothing written" in result.output
    assert app.extensions["ketnoi_db"].profile_count() == 3


def test_import_profiles_refuses_big_files(tmp_path, corpus) -> None:
    app = _app(tmp_path, corpus, IMPORT_MAX_MB=0.0001)
    path = write_jsonl(tmp_path / "new.jsonl", [profile_row(7)] * 1)
    result = app.test_cli_runner().invoke(args=["import-profiles", str(path)])
    assert result.exit_code == 1 and "more than the 0 MB limit" in result.output


def test_export_profiles(runner, tmp_path) -> None:
    for fmt in ("jsonl", "csv", "xlsx"):
        path = tmp_path / "out" / f"profiles.{fmt}"
        result = runner.invoke(args=["export-profiles", str(path)])
        assert result.exit_code == 0, result.output
        assert f"exported 3 profiles to {path}" in result.output and path.is_file()
    lines = (tmp_path / "out" / "profiles.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["external_id"] for r in records] == ["SUP-00001", "SUP-00002", "SUP-00003"]
    bad = runner.invoke(args=["export-profiles", str(tmp_path / "out.pdf")])
    assert bad.exit_code == 1 and "use .jsonl, .csv or .xlsx" in bad.output


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        ("init-db", ["DATABASE_URL", "Safe to run again", "--sample"]),
        ("import-profiles", [".jsonl, .csv or .xlsx", "Tên doanh nghiệp", "NOTHING is imported",
                             "--dry-run", "--valid-only", "--keep-sample", "taxonomy"]),
        ("export-profiles", ["format follows the extension", "formula"]),
    ],
)
def test_help_texts(runner, command, phrases) -> None:
    result = runner.invoke(args=[command, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for phrase in phrases:
        assert phrase in text, phrase


def test_index_is_rebuilt_when_profiles_change(tmp_path, corpus, config, monkeypatch) -> None:
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    app = _app(tmp_path, corpus)
    catalog = app.extensions["ketnoi_catalog"]
    catalog.load_or_build()
    built = catalog.store.current()
    assert built.path.parent == Path(app.config["INDEX_DIR"]) / "versions"
    path = write_jsonl(tmp_path / "edit.jsonl", [profile_row(2, description="Ép nhựa ABS")])
    assert app.test_cli_runner().invoke(args=["import-profiles", str(path)]).exit_code == 0

    from recommender.serving.catalog import Catalog

    again = Catalog(app.extensions["ketnoi_db"].sessions, app.config["INDEX_DIR"])
    again.load_or_build()
    assert again.version != built.version_id  # a new version, promoted
    assert again.store.previous().version_id == built.version_id
    hits = again.index.search("ép nhựa ABS", 1)
    assert again.profiles[hits[0].doc_id].external_id == "SUP-00002"

"""scripts/backup_restore_check.py against a real installation: SQLite, and PostgreSQL 15
started by the tests (tests/store/conftest.py), each with the small supplier set, an
index built by the app and an account added after the sample was loaded."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.store.conftest import postgres  # noqa: F401  (the session's PostgreSQL server)

from .conftest import add_account, make_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def check(monkeypatch, config):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("KETNOI_INSTANCE_DIR", raising=False)
    import backup_restore_check

    yield backup_restore_check
    sys.modules.pop("backup_restore_check", None)


def _running(root: Path, suppliers, **settings):
    """An installation in ``root`` as the app leaves it: migrated, loaded, indexed."""
    app = make_app(root, suppliers, **settings)
    assert app.extensions["ketnoi_catalog"].wait(300)
    add_account(app, "nguoi-mua@example.vn", "buyer")
    return app


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory, config, suppliers) -> tuple[str, Path]:
    """(database URL, instance folder) of an installation on SQLite."""
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    root = tmp_path_factory.mktemp("instance")
    app = _running(root, suppliers)
    app.extensions["ketnoi_catalog"].follower.stop()
    yield app.config["DATABASE_URL"], root
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.slow
def test_sqlite_backup_restores_and_ranks_the_same(tmp_path, sqlite_site, check,
                                                   capsys) -> None:
    url, root = sqlite_site
    before = _listing(root)
    code = check.main(["--database-url", url, "--instance", str(root),
                       "--work", str(tmp_path / "work")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "SQLite backup API" in out and "(the copied one)" in out and "OK: 10 searches" in out
    restored = tmp_path / "work" / "restored" / "instance"
    assert (restored / "ketnoi.sqlite3").is_file()
    assert not (restored / "index" / "rebuild.lock").exists()
    assert _listing(root) == before  # the original was only read


@pytest.mark.slow
def test_postgresql_backup_restores_and_ranks_the_same(tmp_path, suppliers, check, capsys,
                                                      postgres) -> None:  # noqa: F811
    url = postgres.create_database("ketnoi_ops")
    root = tmp_path / "instance"
    root.mkdir()
    _running(root, suppliers, DATABASE_URL=url)
    code = check.main(["--database-url", url, "--instance", str(root),
                       "--pg-bin", str(postgres.bindir)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "pg_dump -Fc" in out and "pg_restore" in out and "(the copied one)" in out
    # the restored database was dropped again
    from sqlalchemy import text

    from recommender.store.db import make_engine

    engine = make_engine(postgres.url())
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database")).scalars().all()
    finally:
        engine.dispose()
    assert not [n for n in names if "restorecheck" in n]


@pytest.mark.slow
def test_a_restore_that_differs_fails(sqlite_site, check, capsys, monkeypatch) -> None:
    url, root = sqlite_site
    real = check.ranked_ids
    calls = []

    def one_profile_lost(app, queries, k):  # as if the restored copy lacked a profile
        results = real(app, queries, k)
        calls.append(1)
        return results if len(calls) == 1 else {q: ids[1:] for q, ids in results.items()}

    monkeypatch.setattr(check, "ranked_ids", one_profile_lost)
    code = check.main(["--database-url", url, "--instance", str(root)])
    out = capsys.readouterr().out
    assert code == 1 and "FAILED: 10 of 10 searches" in out and "DIFFERENT" in out

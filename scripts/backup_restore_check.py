"""Back up a KếtNối installation, restore it beside the original and prove the copy serves.

    python scripts/backup_restore_check.py --database-url "$DATABASE_URL" \\
        --instance /srv/ketnoi/instance

Steps (docs/operations.md explains each):

1. copy the instance folder (index versions, evaluations) while holding the index
   rebuild lock, so no build promotes or prunes a version half-way through the copy;
2. back up the database: ``pg_dump -Fc`` for PostgreSQL, SQLite's online backup
   API for a SQLite file (both consistent while the app is writing);
3. restore: ``pg_restore`` into a fresh database created beside the original
   (``<name>_restorecheck_<time>``, dropped afterwards unless ``--keep``), or the
   SQLite backup file into a fresh instance folder;
4. search the original read-only (its promoted index version plus the profile
   change log, as a serving process sees them; nothing is written to it) and the
   restored copy started as the app starts, with the same fixed queries;
5. exit 0 only if every query ranks the same external ids on both.

The embedding cache and the materialised model (``KETNOI_CACHE_DIR``) are not part
of a backup: they are rebuilt. Needs ``pg_dump``/``pg_restore`` (PATH,
``/usr/lib/postgresql/*/bin`` or ``--pg-bin``) for PostgreSQL and the right to
create a database on its server.
"""

from __future__ import annotations

import argparse
import glob
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, like the benchmarks

QUERIES = (
    "gia công CNC nhôm chính xác",
    "gia cong cnc nhom chinh xac",
    "ép phun nhựa ABS vỏ thiết bị điện",
    "thùng carton 5 lớp xuất khẩu",
    "lắp ráp bo mạch SMT",
    "precision CNC machining ISO 9001",
    "wire harness for motorbikes IATF 16949",
    "khuôn ép nhựa cho linh kiện ô tô",
    "gioăng cao su kỹ thuật",
    "in offset hộp giấy",
)
"""Searches run on both copies: marked and unmarked Vietnamese, English, a certificate."""

LOCK_WAIT_S = 300.0


class CheckError(RuntimeError):
    """A step of the check could not be done; the message says which and why."""


@dataclass
class Installation:
    """Where one copy of KếtNối keeps its data."""

    database_url: str
    instance: Path

    @property
    def index_dir(self) -> Path:
        return self.instance / "index"

    @property
    def url(self) -> URL:
        return make_url(self.database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"


# -- backup -------------------------------------------------------------------------------

def copy_instance(source: Installation, target: Path, lock_wait_s: float = LOCK_WAIT_S) -> None:
    """Copy the instance folder to ``target``, the index under its rebuild lock.

    The SQLite database (and its journal and lock files) is skipped: it is backed up
    through the backup API, a copied live file may be torn.
    """
    from recommender.versions import LOCK_FILE, IndexStore, RebuildBusyError

    skip, sqlite_dir = set(), None
    if source.is_sqlite and source.url.database:
        database = Path(source.url.database).resolve()
        name, sqlite_dir = database.name, database.parent
        skip = {name, f"{name}-wal", f"{name}-shm", f"{name}-journal", f"{name}.lock"}

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder).resolve()
        ignored = {n for n in names if n in skip and here == sqlite_dir}
        if here == source.index_dir.resolve():
            ignored |= {n for n in names if n == LOCK_FILE}
        return ignored

    store = IndexStore(source.index_dir)
    deadline = time.monotonic() + lock_wait_s
    while True:
        try:
            with store.rebuild_lock():
                shutil.copytree(source.instance, target, ignore=ignore, symlinks=True)
            return
        except RebuildBusyError as exc:
            if time.monotonic() > deadline:
                raise CheckError(f"an index build held the lock for {lock_wait_s:.0f} s: "
                                 f"{exc}") from None
            time.sleep(2.0)


def backup_sqlite(path: Path, backup: Path) -> None:
    """SQLite's online backup: a consistent copy even while the app writes."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(backup)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def pg_bin(name: str, bindir: str | None) -> str:
    """The PostgreSQL client program ``name``: ``--pg-bin``, PATH or the newest Debian one."""
    if bindir:
        return str(Path(bindir) / name)
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit()
                        else 0)
    if not candidates:
        raise CheckError(f"{name} not found in PATH or /usr/lib/postgresql/*/bin "
                         "(apt install postgresql-client, or --pg-bin DIR)")
    return candidates[-1]


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore, with the password in PGPASSWORD
    (never on a command line other users can read)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run(cmd: Sequence[str], env: dict[str, str]) -> None:
    result = subprocess.run(list(cmd), env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckError(f"{Path(cmd[0]).name} failed ({result.returncode}): "
                         f"{result.stderr.strip()[-2000:]}")


def backup_postgres(url: URL, dump: Path, bindir: str | None) -> None:
    conninfo, env = libpq(url)
    run([pg_bin("pg_dump", bindir), "--format=custom", f"--file={dump}", conninfo], env)


# -- restore ------------------------------------------------------------------------------

def create_database(url: URL, name: str) -> URL:
    """A fresh, empty database ``name`` on the server of ``url``."""
    from recommender.store.db import make_engine

    engine = make_engine(url.render_as_string(hide_password=False),
                         isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return url.set(database=name)


def drop_database(url: URL, name: str) -> None:
    from recommender.store.db import make_engine

    engine = make_engine(url.render_as_string(hide_password=False),
                         isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


def restore_postgres(dump: Path, url: URL, bindir: str | None) -> None:
    conninfo, env = libpq(url)
    # --no-owner/--no-privileges: the restoring user owns everything, whoever owned it before
    run([pg_bin("pg_restore", bindir), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", f"--dbname={conninfo}", str(dump)], env)


def restore_sqlite(backup: Path, path: Path) -> None:
    shutil.copyfile(backup, path)
    with sqlite3.connect(path) as conn:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise CheckError(f"the restored SQLite file {path} fails its integrity check: {verdict}")


# -- searching ----------------------------------------------------------------------------

@contextmanager
def instance_env(instance: Path) -> Iterator[None]:
    """``KETNOI_INSTANCE_DIR`` for one ``create_app`` call (its instance_path)."""
    old = os.environ.get("KETNOI_INSTANCE_DIR")
    os.environ["KETNOI_INSTANCE_DIR"] = str(instance)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("KETNOI_INSTANCE_DIR", None)
        else:
            os.environ["KETNOI_INSTANCE_DIR"] = old


def _app(site: Installation, **settings):
    from webapp import create_app

    config = {"DATABASE_URL": site.database_url, "DATABASE_URL_SET": True,
              "INDEX_DIR": str(site.index_dir), "LOAD_SAMPLE": False, "LOAD_POLICIES": False,
              "RATELIMIT_ENABLED": False, "SECRET_KEY": secrets.token_hex(32), **settings}
    with instance_env(site.instance):
        return create_app(config)


def open_read_only(site: Installation):
    """The original, as a serving process sees it, without writing to it.

    No migration, no index build: its promoted version is loaded and, if profiles
    changed since it was built, the change log is replayed onto it in memory (what
    every serving process does).
    """
    from recommender.config import RetrievalConfig
    from recommender.serving.follower import ChangeFollower
    from recommender.serving.profiles import fingerprint, snapshot_profiles

    app = _app(site, MIGRATE_ON_START=False, BUILD_INDEX_ON_START=False)
    catalog = app.extensions["ketnoi_catalog"]
    config = RetrievalConfig.from_env()
    loaded = catalog.store.load_current(catalog.encoder(config), config)
    if loaded is None:
        raise CheckError(f"the original has no index version in {site.index_dir}: build one "
                         "first (flask --app webapp build-index)")
    index, version = loaded
    profiles, seq = snapshot_profiles(catalog.sessions)
    if version.fingerprint == fingerprint(profiles):
        catalog.use(index, version, profiles, change_seq=seq)
    else:
        catalog.use(index, version, profiles, change_seq=version.change_seq or 0)
        ChangeFollower(catalog, poll_s=0).tick()
    return app


def start_restored(site: Installation, timeout_s: float):
    """The restored copy started as a worker starts: migrations, then load or build."""
    app = _app(site)
    catalog = app.extensions["ketnoi_catalog"]
    if not catalog.wait(timeout_s):
        raise CheckError(f"the restored app did not serve within {timeout_s:.0f} s: "
                         f"{catalog.error or 'still loading'}")
    status = app.test_client().get("/healthz")
    if status.status_code != 200:
        raise CheckError(f"the restored app's /healthz answers {status.status_code}: "
                         f"{status.get_data(as_text=True)}")
    return app


def ranked_ids(app, queries: Sequence[str], k: int) -> dict[str, list[str]]:
    """The external ids each query ranks first, as the search API would return them."""
    from werkzeug.datastructures import MultiDict

    from webapp.filters import parse_filters
    from webapp.search import run_search

    results = {}
    # run_search, not the API view: the view logs every search into the database
    with app.test_request_context():
        for query in queries:
            outcome = run_search(query, parse_filters(MultiDict()), 1, k)
            results[query] = [item["external_id"] for item in outcome.items]
    return results


def close(app) -> None:
    catalog = app.extensions["ketnoi_catalog"]
    if catalog.follower is not None:
        catalog.follower.stop()
    app.extensions["ketnoi_db"].engine.dispose()


# -- the check ----------------------------------------------------------------------------

def check(source: Installation, work: Path, *, queries: Sequence[str] = QUERIES, k: int = 10,
          pg_bindir: str | None = None, keep: bool = False, timeout_s: float = 900.0,
          out=None) -> bool:
    """Back up ``source``, restore it under ``work`` and compare searches; True if identical."""
    def say(line: str) -> None:
        print(line, file=out or sys.stdout, flush=True)

    if not source.instance.is_dir():
        raise CheckError(f"instance folder {source.instance} does not exist")
    backup, restored_instance = work / "backup", work / "restored" / "instance"
    backup.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    copy_instance(source, backup / "instance")
    say(f"instance folder copied to {backup / 'instance'} (index under the rebuild lock)")
    created: str | None = None
    if source.is_sqlite:
        db_file = Path(source.url.database or "")
        if not db_file.is_file():
            raise CheckError(f"SQLite database {db_file} does not exist")
        backup_sqlite(db_file, backup / "database.sqlite3")
        say(f"database backed up with the SQLite backup API: {backup / 'database.sqlite3'}")
        shutil.copytree(backup / "instance", restored_instance)
        restored_db = restored_instance / db_file.name
        restore_sqlite(backup / "database.sqlite3", restored_db)
        restored_url = f"sqlite:///{restored_db}"
    else:
        dump = backup / "database.dump"
        backup_postgres(source.url, dump, pg_bindir)
        say(f"database backed up with pg_dump -Fc: {dump} ({dump.stat().st_size} bytes)")
        shutil.copytree(backup / "instance", restored_instance)
        created = (f"{source.url.database}_restorecheck_"
                   f"{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}")
        url = create_database(source.url, created)
        restore_postgres(dump, url, pg_bindir)
        restored_url = url.render_as_string(hide_password=False)
        say(f"restored with pg_restore into the fresh database {created}")
    restored = Installation(restored_url, restored_instance)
    say(f"backup and restore took {time.monotonic() - started:.1f} s")

    try:
        original_app = open_read_only(source)
        original_version = original_app.extensions["ketnoi_catalog"].version
        before = ranked_ids(original_app, queries, k)
        close(original_app)
        del original_app
        restored_app = start_restored(restored, timeout_s)
        catalog = restored_app.extensions["ketnoi_catalog"]
        how = ("the copied one" if catalog.version == original_version
               else f"built on start; the original serves {original_version}")
        say(f"restored app serves index version {catalog.version} ({how}), "
            f"{len(catalog.profiles)} profiles")
        after = ranked_ids(restored_app, queries, k)
        close(restored_app)
        del restored_app
    finally:
        if created and not keep:
            drop_database(source.url, created)

    differ = [q for q in queries if before[q] != after[q]]
    for query in queries:
        mark = "same" if query not in differ else "DIFFERENT"
        say(f"  {mark:9} {query!r}: {' '.join(before[query][:5]) or '(none)'}"
            + ("" if query not in differ else f" | restored: {' '.join(after[query][:5])}"))
    if keep:
        say(f"kept: {work}" + (f" and database {created}" if created else ""))
    if differ:
        say(f"FAILED: {len(differ)} of {len(queries)} searches rank differently after restore")
        return False
    say(f"OK: {len(queries)} searches rank the same top {k} external ids on the original "
        "and on the restored copy")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Back up a KếtNối installation (database and instance folder), restore "
        "the backup into a fresh database and a fresh instance folder, start the app on the "
        "restored copy and check that a fixed list of searches ranks the same suppliers on "
        "both. Exit code 0: the backup restores and serves; 1: results differ; 2: a step "
        "failed (the message says which). The original is only read: no migration, no index "
        "build, no search log. See docs/operations.md.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the database of the running installation (default: "
                        "$DATABASE_URL, else the SQLite file in the instance folder)")
    parser.add_argument("--instance", default=os.environ.get("KETNOI_INSTANCE_DIR"),
                        required=not os.environ.get("KETNOI_INSTANCE_DIR"),
                        help="its instance folder, holding index/ (default: "
                        "$KETNOI_INSTANCE_DIR)")
    parser.add_argument("--work", help="a new directory for the backup and the restored "
                        "copy, left in place (default: a temporary directory, removed at the "
                        "end unless --keep)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the backup, the restored instance folder and (PostgreSQL) "
                        "the restored database for inspection")
    parser.add_argument("--pg-bin", help="directory of pg_dump and pg_restore, if not on "
                        "PATH or in /usr/lib/postgresql/*/bin")
    parser.add_argument("--query", action="append", dest="queries", metavar="TEXT",
                        help="a search to compare (repeat it; default: a fixed list of 10)")
    parser.add_argument("-k", type=int, default=10, help="ranked ids compared per search")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds the restored app may take to serve (a rebuild on "
                        "start encodes every profile)")
    args = parser.parse_args(argv)
    instance = Path(args.instance).resolve()
    if args.database_url:
        database_url = args.database_url
    else:
        from recommender.store.db import sqlite_url

        database_url = sqlite_url(str(instance))
    source = Installation(database_url, instance)
    if args.work and Path(args.work).exists() and any(Path(args.work).iterdir()):
        print(f"error: --work {args.work} is not empty", file=sys.stderr)
        return 2
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="ketnoi-restore-"))
    try:
        ok = check(source, work, queries=args.queries or QUERIES, k=args.k,
                   pg_bindir=args.pg_bin, keep=args.keep, timeout_s=args.timeout)
    except CheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if not args.work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

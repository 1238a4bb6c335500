"""Store fixtures: every store test runs on SQLite and on a real PostgreSQL 15.

PostgreSQL is started by the tests themselves, once per session: ``initdb``
into a temporary directory, ``pg_ctl start`` listening on a free port of
127.0.0.1 only (its unix socket also in that directory), trust
authentication, fsync off; stopped and deleted at the end of the session.
The binaries come from PATH or ``/usr/lib/postgresql/<version>/bin``.

PostgreSQL refuses to run as root. When the tests run as root (as CI does),
the data directory is created in ``/tmp`` and given to the ``postgres`` user
(``nobody`` if there is none), and ``initdb``/``pg_ctl`` run as that user via
``runuser -u USER --`` (``su USER -s /bin/sh -c`` where runuser is missing).
The tests skip PostgreSQL, saying why, only when the binaries are absent.

Schemas are created by the real migrations, never ``create_all``: SQLite tests
get a copy of a migrated template file, PostgreSQL tests share one migrated
database that is truncated after each test.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from recommender.store.db import make_engine, session_factory, upgrade
from recommender.store.models import Base

BACKENDS = ["sqlite", "postgresql"]


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary directory."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.user: str | None = None
        if os.geteuid() == 0:
            names = {p.pw_name for p in pwd.getpwall()}
            self.user = "postgres" if "postgres" in names else "nobody"
        # /tmp, not pytest's tmp_path: the latter is private to root
        self.base = Path(tempfile.mkdtemp(prefix="ketnoi-pg-", dir="/tmp"))
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        self.data = self.base / "data"
        self.port = 0

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            if shutil.which("runuser"):
                cmd = ["runuser", "-u", self.user, "--", *cmd]
            else:
                cmd = ["su", self.user, "-s", "/bin/sh", "-c", shlex.join(cmd)]
        result = subprocess.run(cmd, cwd=self.base, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{shlex.join(cmd)} failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}\n{tail}")
        return result

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "ketnoi", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync", "--no-instructions")
        for attempt in range(5):
            self.port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"),
                          "-o", options, "-w", "-t", "60", "start")
                return
            except RuntimeError:
                if attempt == 4:  # the port was taken between choosing and binding: retry
                    raise
                time.sleep(0.2)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://ketnoi@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        engine = make_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        try:
            if self.data.exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bindir = _pg_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found in PATH or "
                    "/usr/lib/postgresql/*/bin; install postgresql-15 to run these tests")
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_store(postgres: PostgresServer) -> Iterator[Engine]:
    """The migrated PostgreSQL test database (one per session)."""
    url = postgres.create_database("ketnoi_test")
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a freshly migrated, empty store; parametrised over both backends."""
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_store")
    yield engine
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session

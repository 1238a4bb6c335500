"""Engines, sessions and schema migrations for the profile store.

Two backends: SQLite (the embedded default, one file in the instance folder)
and PostgreSQL through psycopg 3. The schema is managed by Alembic; call
:func:`upgrade` to bring any database to the latest revision. Alembic is
configured in code (no ``alembic.ini``): see :func:`alembic_config`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def sqlite_url(instance_dir: str | Path, filename: str = "ketnoi.sqlite3") -> str:
    """The default database: a SQLite file in the app's instance folder."""
    return f"sqlite:///{Path(instance_dir).resolve() / filename}"


def normalize_url(url: str | URL) -> URL:
    """Parse ``url``; plain ``postgresql://`` and ``postgres://`` use psycopg 3."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: "
                         "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
    return parsed


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite leaves foreign keys off unless asked, per connection; WAL lets the
    # web app read while an import writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str | URL, **kwargs) -> Engine:
    """An engine for ``url``: SQLite with foreign keys and WAL, or PostgreSQL (psycopg 3)."""
    url = normalize_url(url)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config():
    """An Alembic ``Config`` for the store's migrations, built in code (no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


# Any constants: PostgreSQL advisory-lock keys that serialise concurrent upgrades and
# concurrent start-up preparation (upgrade plus loading the sample corpus).
_MIGRATION_LOCK = 720_254_001
_STARTUP_LOCK = 720_254_002


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Hold a lock across processes sharing the database at ``engine``.

    Several web workers (or hosts) starting at once upgrade the schema and load
    the sample corpus one after another inside it, instead of racing to create
    the same tables. PostgreSQL: a session advisory lock. SQLite file: an
    exclusive ``flock`` on ``<database file>.lock`` beside it. In-memory SQLite
    (one process): nothing to lock.
    """
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({_STARTUP_LOCK})")
            connection.commit()
            try:
                yield
            finally:
                connection.rollback()
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_STARTUP_LOCK})")
                connection.commit()
        return
    database = url.database if url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    import fcntl

    with open(f"{database}.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def upgrade(url: str | URL | Engine, revision: str = "head") -> None:
    """Run ``alembic upgrade`` to ``revision`` on the database at ``url``.

    On PostgreSQL an advisory lock makes concurrent callers (several web
    workers starting at once) run one after another; the web app also holds
    :func:`startup_lock` around it, which covers SQLite files too.
    """
    from alembic import command

    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        with engine.connect() as connection:
            locked = connection.dialect.name == "postgresql"
            if locked:
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})")
                connection.commit()
            try:
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            finally:
                if locked:
                    connection.rollback()
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")
                    connection.commit()
    finally:
        if engine is not url:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

"""Alembic environment for the profile store (SQLite and PostgreSQL).

There is no ``alembic.ini``: :func:`recommender.store.db.alembic_config` builds
the configuration in code and passes the connection to migrate in
``config.attributes["connection"]``. Without one (offline ``--sql`` mode, or a
Config built elsewhere) the URL comes from ``-x url=...`` or the
``sqlalchemy.url`` option. SQLite runs in batch mode (``render_as_batch``) with
foreign keys off during the migration, so table rebuilds never cascade.
"""

from __future__ import annotations

from alembic import context

from recommender.store.db import make_engine, normalize_url
from recommender.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "no database given: pass -x url=... or use recommender.store.db.upgrade(url)")
    return url


def run_migrations_offline() -> None:
    """Emit the SQL instead of running it (``alembic upgrade head --sql``)."""
    url = normalize_url(_url())
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.get_backend_name() == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=sqlite, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

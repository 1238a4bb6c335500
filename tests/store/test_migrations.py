"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect

from recommender.store.db import current_revision, make_engine, upgrade
from recommender.store.models import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    """A database with no tables yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    return request.getfixturevalue("postgres").create_database("ketnoi_migrate")


def _diffs(engine, metadata: MetaData) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


HEAD = "0008"


def test_migrated_schema_matches_models(empty_url) -> None:
    upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) == HEAD
        assert _diffs(engine, Base.metadata) == []
        # the comparison is not blind: a table the migrations lack is reported
        extra = MetaData()
        for table in Base.metadata.sorted_tables:
            table.to_metadata(extra)
        Table("not_migrated", extra, Column("id", Integer, primary_key=True))
        assert [d[0] for d in _diffs(engine, extra)] == ["add_table"]
        fks = inspect(engine).get_foreign_keys("certification")
        assert fks[0]["options"].get("ondelete") == "CASCADE"
    finally:
        engine.dispose()


def test_upgrade_is_repeatable_and_downgrade_is_clean(empty_url) -> None:
    from alembic import command

    from recommender.store.db import alembic_config

    upgrade(empty_url)
    upgrade(empty_url)  # already at head: nothing to do
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert _diffs(engine, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_from_0001_keeps_rows(empty_url) -> None:
    """A store created by the first release upgrades in place: its rows survive."""
    from sqlalchemy import text

    upgrade(empty_url, "0001")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO search_log (query, filters, result_external_ids, created_at) "
                "VALUES ('ép nhựa', '{}', '[]', '2026-11-01 00:00:00')"))
        upgrade(engine)
        assert current_revision(engine) == HEAD
        with engine.connect() as conn:
            row = conn.execute(text("SELECT query, good_match FROM search_log")).one()
        assert row == ("ép nhựa", None)
    finally:
        engine.dispose()

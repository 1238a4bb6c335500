"""The profile store in the web app: engine, sessions and staff CLI commands.

Follows the Flask tutorial's ``db.py``: :func:`init_app` registers the
teardown and the commands. The database is ``DATABASE_URL`` (default: a SQLite
file in the instance folder). On start the app upgrades the schema
(``KETNOI_MIGRATE_ON_START``) and, if there are no profiles yet, loads the
fictional sample corpus (``KETNOI_LOAD_SAMPLE``; switch it off in production).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from recommender.resources import corpus_file
from recommender.store.db import (
    current_revision,
    make_engine,
    session_factory,
    startup_lock,
    upgrade,
)
from recommender.store.exporter import export_profiles
from recommender.store.importer import ImportFileError, import_profiles
from recommender.store.models import SupplierProfile
from recommender.store.profiles import delete_profile
from recommender.store.sample import (
    ECOSYSTEM_LISTINGS,
    ECOSYSTEM_PREMISES,
    load_sample,
    load_sample_ecosystem,
)
from recommender.store.searchlog import SearchLogWriter


@dataclass
class Database:
    """The app's engine and session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    def profile_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(SupplierProfile)) or 0

    def describe(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)


def get_db() -> Database:
    return current_app.extensions["ketnoi_db"]


def search_log() -> SearchLogWriter:
    """This app's search-log writer (``recommender/store/searchlog.py``)."""
    return current_app.extensions["ketnoi_search_log"]


def flush_search_log() -> None:
    """Write this process's queued searches, so what is read next includes them."""
    search_log().flush()


def get_session() -> Session:
    """The session of the current request or command, closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_db().sessions()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def prepare(app: Flask, db: Database) -> None:
    """Upgrade the schema and load the sample corpus into an empty database."""
    # several workers starting at once take turns (see startup_lock)
    with startup_lock(db.engine):
        if app.config["MIGRATE_ON_START"]:
            upgrade(db.engine)
        if app.config["LOAD_SAMPLE"] and db.profile_count() == 0:
            with db.sessions() as session:
                report = load_sample(session, app.config["SAMPLE_CORPUS"])
                app.logger.info("loaded the sample corpus: %s", report.summary())
                _load_ecosystem(app, session)


def _load_ecosystem(app: Flask, session) -> None:
    """The demo's exchange listings and premises go with the bundled sample suppliers
    (they name them), not with another sample file."""
    if Path(app.config["SAMPLE_CORPUS"]).resolve() != corpus_file(
            "sample_suppliers.jsonl").resolve():
        return
    added = load_sample_ecosystem(session, corpus_file(ECOSYSTEM_LISTINGS),
                                  corpus_file(ECOSYSTEM_PREMISES))
    app.logger.info("loaded the sample ecosystem: %d exchange listings, %d premises, "
                    "%d premises needs", *added)


@click.command("init-db", help=(
    "Create the database tables, or upgrade them to the latest schema. Safe to run "
    "again: existing data is kept. The database is DATABASE_URL (default: "
    "instance/ketnoi.sqlite3). With --sample, load the fictional sample suppliers if "
    "there are no profiles yet (never on a production directory)."))
@click.option("--sample", is_flag=True, help="Load corpora/sample_suppliers.jsonl into an "
              "empty database.")
@with_appcontext
def init_db_command(sample: bool) -> None:
    db = get_db()
    upgrade(db.engine)
    if sample and db.profile_count() == 0:
        with db.sessions() as session:
            report = load_sample(session, current_app.config["SAMPLE_CORPUS"])
            click.echo(f"sample corpus: {report.summary()}")
            _load_ecosystem(current_app, session)
    click.echo(f"database {db.describe()} is at schema revision "
               f"{current_revision(db.engine)}; {db.profile_count()} supplier profiles")


@click.command("import-profiles", help=(
    "Add or update supplier profiles from PATH (.jsonl, .csv or .xlsx), as your file "
    "is written. Only a name and a description are needed per row; headers may be "
    "English or Vietnamese ('Tên doanh nghiệp', 'Mô tả', 'Ngành', 'Quy trình', 'Chứng "
    "nhận', 'Địa chỉ', 'Số lao động', ...; all in recommender/store/records.py). "
    "Processes and products are kept as written and mapped to the capability taxonomy; "
    "phrases it does not know stay searchable as text and are listed at the end for "
    "review (staff map them on the Terms page). Addresses with old district names, "
    "park names and free wording of headcount, ownership and certificates are read and "
    "each normalised value is reported. Rows update the profile with the same id, else "
    "the same tax code. Every row is checked first; if a row is unusable (no name or "
    "description, a wrong tax code, a duplicate) the errors are listed by row number "
    "and NOTHING is imported (exit code 1): fix the file and run again, or use "
    "--valid-only. Re-importing the same file changes nothing. The first import of "
    "real profiles into a database holding only the fictional sample removes the "
    "sample (unless --keep-sample)."))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Check the file and show what would change, without writing anything.")
@click.option("--valid-only", is_flag=True,
              help="Import the rows without errors and skip (and list) the others.")
@click.option("--keep-sample", is_flag=True,
              help="Keep the fictional sample profiles even if they are all the database "
                   "holds (by default the first real import removes them).")
@click.option("--quiet", is_flag=True,
              help="List only errors, not each normalised value.")
@with_appcontext
def import_profiles_command(path: Path, dry_run: bool, valid_only: bool, keep_sample: bool,
                            quiet: bool) -> None:
    max_bytes = int(current_app.config["IMPORT_MAX_MB"] * 1024 * 1024)
    try:
        report = import_profiles(get_session(), path, dry_run=dry_run, valid_only=valid_only,
                                 max_bytes=max_bytes, keep_sample=keep_sample)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    for error in report.errors:
        click.echo(f"error: {error}")
    if not quiet:
        for warning in report.warnings:
            click.echo(f"note: {warning}")
    if report.unmapped:
        click.echo(f"{len(report.unmapped)} process/product phrases matched no taxonomy term "
                   "and are kept as searchable text (map them on the staff Terms page or with "
                   "'flask --app webapp taxonomy map'):")
        for phrase, count in sorted(report.unmapped.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"  {phrase!r}: {count} row{'s' if count > 1 else ''}")
    click.echo(report.summary())
    if report.errors and not report.committed:
        hint = "fix the rows above and run again" + (
            "" if valid_only else ", or use --valid-only to import the rows without errors")
        click.echo(f"Nothing was imported: {hint}.", err=True)
        raise SystemExit(1)
    if report.committed and (report.created or report.updated):
        click.echo("Running web processes pick the changes up from the profile change "
                   "log within seconds.")


@click.command("export-profiles", help=(
    "Write every supplier profile to PATH; the format follows the extension (.jsonl, "
    ".csv or .xlsx) and the columns are those import-profiles reads. In CSV/XLSX, text "
    "starting with = + - @ (which a spreadsheet would run as a formula) gets a leading "
    "' ; import-profiles removes it again. The file holds contact details: keep it "
    "within the staff."))
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_profiles_command(path: Path) -> None:
    try:
        count = export_profiles(get_session(), path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"exported {count} profiles to {path}")


@click.command("delete-profile", help=(
    "Delete the supplier profile EXTERNAL_ID for good: its certificates, shortlist entries "
    "and request matches go with it, and accounts linked to it are unlinked. Every running "
    "web process drops it from search within about a second (the profile change log). "
    "Export the profiles first if you may need it again."))
@click.argument("external_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def delete_profile_command(external_id: str, yes: bool) -> None:
    if not yes:
        click.confirm(f"Delete supplier profile {external_id} for good?", abort=True)
    try:
        profile_id = delete_profile(get_session(), external_id)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"deleted supplier profile {external_id} (id {profile_id}); search drops it "
               "within seconds")


def init_app(app: Flask) -> Database:
    engine = make_engine(app.config["DATABASE_URL"])
    db = Database(engine, session_factory(engine))
    app.extensions["ketnoi_db"] = db
    app.extensions["ketnoi_search_log"] = SearchLogWriter(
        db.sessions, interval=app.config["SEARCH_LOG_INTERVAL_S"])
    app.teardown_appcontext(close_session)
    for command in (init_db_command, import_profiles_command, export_profiles_command,
                    delete_profile_command):
        app.cli.add_command(command)
    prepare(app, db)
    return db

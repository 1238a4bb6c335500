"""The web app's one :class:`~recommender.serving.catalog.Catalog`.

:func:`init_app` creates it over the app's database and ``INDEX_DIR`` and, with
``BUILD_INDEX_ON_START``, starts loading (or building) the index on the first
request, after any fork by the server; the catalog then starts its change
follower. Views reach it with :func:`get_catalog`. The serving lifecycle itself
(load, build, swap, follow, rebuild) lives in :mod:`recommender.serving`.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from recommender.serving.catalog import Catalog


def get_catalog() -> Catalog:
    return current_app.extensions["ketnoi_catalog"]


@click.command("build-index", help="Build the supplier search index now if there is none or "
               "the profiles changed (otherwise the app does it in the background on first "
               "start), promote it without a quality check, and report its size. "
               "`flask --app webapp index rebuild` rebuilds with a quality check.")
@with_appcontext
def build_index_command() -> None:
    catalog = get_catalog()
    catalog.load_or_build()
    click.echo(f"indexed {len(catalog.profiles)} profiles into {catalog.index_version.path} "
               f"(version {catalog.version})")


def init_app(app: Flask) -> None:
    catalog = Catalog(app.extensions["ketnoi_db"].sessions, app.config["INDEX_DIR"])
    app.extensions["ketnoi_catalog"] = catalog
    app.cli.add_command(build_index_command)
    if app.config["BUILD_INDEX_ON_START"]:
        # start lazily on the first request: after any fork by the server
        app.before_request(catalog.start)

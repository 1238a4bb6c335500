"""KếtNối web app: a thin Flask adapter over :mod:`recommender`.

``create_app`` follows the Flask tutorial's factory: settings from
``test_config`` or environment variables, data in the instance folder. The
supplier index is built (or loaded) in the background after the process
starts, so web workers never fork with a loaded model.

| variable | default | meaning |
|---|---|---|
| ``DATABASE_URL`` | ``sqlite:///instance/ketnoi.sqlite3`` | profile store; ``postgresql://USER:PASSWORD@HOST/DB`` uses psycopg 3 |
| ``KETNOI_MIGRATE_ON_START`` | ``1`` | upgrade the schema when the app starts (``0``: run ``flask --app webapp init-db`` yourself, e.g. before starting several workers on SQLite) |
| ``KETNOI_LOAD_SAMPLE`` | ``1`` | load the fictional sample suppliers into an empty database (set ``0`` in production) |
| ``KETNOI_SAMPLE_CORPUS`` | ``corpora/sample_suppliers.jsonl`` | the sample file |
| ``KETNOI_LOAD_POLICIES`` | ``1`` | load the policy catalogue into an empty ``policy_program`` table on start (``flask --app webapp policies load`` updates it later) |
| ``KETNOI_POLICY_CATALOGUE`` | ``corpora/policies.jsonl`` | the policy catalogue file |
| ``KETNOI_IMPORT_MAX_MB`` | ``50`` | largest file ``import-profiles`` accepts |
| ``KETNOI_SECRET_KEY`` | a development value | Flask secret key |
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from recommender.store.db import sqlite_url

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("KETNOI_SECRET_KEY", "dev-only-change-me"),
        SAMPLE_CORPUS=os.environ.get(
            "KETNOI_SAMPLE_CORPUS", str(REPO_ROOT / "corpora" / "sample_suppliers.jsonl")),
        INDEX_DIR=os.path.join(app.instance_path, "index"),
        DATABASE_URL=os.environ.get("DATABASE_URL") or sqlite_url(app.instance_path),
        MIGRATE_ON_START=_env_flag("KETNOI_MIGRATE_ON_START", True),
        LOAD_SAMPLE=_env_flag("KETNOI_LOAD_SAMPLE", True),
        LOAD_POLICIES=_env_flag("KETNOI_LOAD_POLICIES", True),
        POLICY_CATALOGUE=os.environ.get(
            "KETNOI_POLICY_CATALOGUE", str(REPO_ROOT / "corpora" / "policies.jsonl")),
        IMPORT_MAX_MB=float(os.environ.get("KETNOI_IMPORT_MAX_MB", "50")),
        BUILD_INDEX_ON_START=True,
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=1 << 20,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    app.json.ensure_ascii = False

    from . import catalog, commands, db, errors, i18n, index_cli, policies, search

    i18n.init_app(app)
    db.init_app(app)
    catalog.init_app(app)
    commands.init_app(app)
    index_cli.init_app(app)
    errors.init_app(app)
    app.register_blueprint(search.bp)
    policies.init_app(app)
    from . import auth, buyer, enterprise

    enterprise.init_app(app)
    buyer.init_app(app)
    auth.init_app(app)  # last: it adds CSRF, headers and rate limits to every view
    return app

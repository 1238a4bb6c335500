"""KếtNối web app: a thin Flask adapter over :mod:`recommender`.

``create_app`` follows the Flask tutorial's factory: settings from
``test_config`` or environment variables, data in the instance folder. The
supplier index is built (or loaded) in the background after the process
starts, so web workers never fork with a loaded model.

| variable | default | meaning |
|---|---|---|
| ``DATABASE_URL`` | ``sqlite:///instance/ketnoi.sqlite3`` | profile store; ``postgresql://USER:PASSWORD@HOST/DB`` uses psycopg 3 |
| ``KETNOI_MIGRATE_ON_START`` | ``1`` | upgrade the schema when the app starts (workers starting together take turns under a database lock; ``0``: run ``flask --app webapp init-db`` yourself) |
| ``KETNOI_LOAD_SAMPLE`` | ``1`` (``0`` when ``KETNOI_ENV=production``) | load the fictional sample suppliers into an empty database |
| ``KETNOI_SAMPLE_CORPUS`` | ``corpora/sample_suppliers.jsonl`` | the sample file |
| ``KETNOI_LOAD_POLICIES`` | ``1`` | load the policy catalogue into an empty ``policy_program`` table on start (``flask --app webapp policies load`` updates it later) |
| ``KETNOI_POLICY_CATALOGUE`` | ``corpora/policies.jsonl`` | the policy catalogue file |
| ``KETNOI_IMPORT_MAX_MB`` | ``50`` | largest file ``import-profiles`` accepts |
| ``KETNOI_SECRET_KEY`` | a development value | Flask secret key; required when ``KETNOI_ENV=production`` |
| ``KETNOI_ENV`` | ``development`` | ``production`` refuses to start without ``DATABASE_URL`` or with the development (or a short) secret key |
| ``KETNOI_INSTANCE_DIR`` | ``instance/`` next to the package | instance folder: default SQLite file and the search index versions (``index/``) |
| ``KETNOI_SECURE_COOKIES`` | ``1`` when ``KETNOI_ENV=production``, else ``0`` | session cookie sent over HTTPS only |
| ``KETNOI_MAX_REQUEST_KB`` | ``1024`` | largest request body (API and forms) in KiB; larger ones get 413 |
| ``KETNOI_CHANGE_POLL_S`` | ``0.5`` | seconds between each process's looks at the profile change log and for newly promoted index versions (``0``: off; see ``recommender/serving/follower.py``) |
| ``KETNOI_REBUILD_CRON`` | ``0 2 * * *`` | when ``flask --app webapp scheduler`` rebuilds the index: a 5-field crontab line (minute hour day-of-month month day-of-week; 0 or 7 is Sunday) |
| ``KETNOI_REBUILD_TZ`` | ``Asia/Ho_Chi_Minh`` | time zone the rebuild schedule is read in (an IANA name) |
| ``KETNOI_REBUILD_LEASE_S`` | ``120`` | seconds a rebuild's database lease lasts without renewal (renewed every quarter of it): a crashed rebuild blocks the next one at most this long |
| ``KETNOI_SEARCH_LOG_INTERVAL_S`` | ``0.5`` | searches are logged off the request path, written in batches at most this many seconds apart: a crash loses at most that much of the log, a clean shutdown nothing (``0``: each search written before it answers; see ``recommender/store/searchlog.py``) |
| ``KETNOI_PROXY_HOPS`` | ``0`` | reverse proxies in front of the app whose ``X-Forwarded-For``/``-Proto``/``-Host`` are trusted (``1`` behind one nginx); the client address they give is what rate limits count by |
"""

from __future__ import annotations

import os

from flask import Flask

from recommender.resources import corpus_file
from recommender.store.db import sqlite_url

from .errors import ConfigurationError

DEV_SECRET_KEY = "dev-only-change-me"




def check_production(config) -> None:
    """Refuse to run in production with the development secret key (forgeable sessions)."""
    if config.get("ENV_NAME") != "production":
        return
    if not config.get("DATABASE_URL_SET"):
        raise ConfigurationError(
            "KETNOI_ENV=production needs DATABASE_URL (e.g. postgresql://USER:PASSWORD@HOST/DB); "
            "the default SQLite file inside the installation is for development")
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise ConfigurationError(
            "KETNOI_ENV=production needs KETNOI_SECRET_KEY set to a random value of at least "
            "32 characters (e.g. python -c 'import secrets; print(secrets.token_hex(32))'); "
            "the development key would let anyone forge a login session")


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_seconds(name: str, default: float, *, zero: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value < 0 or (value == 0 and not zero):
        raise ConfigurationError(f"{name} must be {'0 or ' if zero else ''}more than 0 "
                                 f"seconds, not {raw!r}")
    return value


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app."""
    instance_dir = os.environ.get("KETNOI_INSTANCE_DIR")
    production = os.environ.get("KETNOI_ENV", "").strip().lower() == "production"
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.path.abspath(instance_dir) if instance_dir else None)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("KETNOI_SECRET_KEY", DEV_SECRET_KEY),
        ENV_NAME=os.environ.get("KETNOI_ENV", "development").strip().lower(),
        SAMPLE_CORPUS=os.environ.get(
            "KETNOI_SAMPLE_CORPUS", str(corpus_file("sample_suppliers.jsonl"))),
        INDEX_DIR=os.path.join(app.instance_path, "index"),
        DATABASE_URL=os.environ.get("DATABASE_URL") or sqlite_url(app.instance_path),
        DATABASE_URL_SET=bool(os.environ.get("DATABASE_URL")),
        MIGRATE_ON_START=_env_flag("KETNOI_MIGRATE_ON_START", True),
        LOAD_SAMPLE=_env_flag("KETNOI_LOAD_SAMPLE", not production),
        LOAD_POLICIES=_env_flag("KETNOI_LOAD_POLICIES", True),
        POLICY_CATALOGUE=os.environ.get(
            "KETNOI_POLICY_CATALOGUE", str(corpus_file("policies.jsonl"))),
        IMPORT_MAX_MB=float(os.environ.get("KETNOI_IMPORT_MAX_MB", "50")),
        BUILD_INDEX_ON_START=True,
        REBUILD_CRON=os.environ.get("KETNOI_REBUILD_CRON", "0 2 * * *"),
        REBUILD_TZ=os.environ.get("KETNOI_REBUILD_TZ", "Asia/Ho_Chi_Minh"),
        REBUILD_LEASE_S=_env_seconds("KETNOI_REBUILD_LEASE_S", 120.0),
        SEARCH_LOG_INTERVAL_S=_env_seconds("KETNOI_SEARCH_LOG_INTERVAL_S", 0.5, zero=True),
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=int(float(os.environ.get("KETNOI_MAX_REQUEST_KB", "1024")) * 1024),
        PROXY_HOPS=int(os.environ.get("KETNOI_PROXY_HOPS", "0")),
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    check_production(app.config)
    app.extensions["ketnoi_factory"] = create_app  # for tools that measure on a fresh app
    os.makedirs(app.instance_path, exist_ok=True)
    app.json.ensure_ascii = False
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import (
        apidocs,
        catalog,
        commands,
        db,
        errors,
        health,
        i18n,
        index_cli,
        policies,
        scheduler,
        search,
    )

    i18n.init_app(app)
    db.init_app(app)
    catalog.init_app(app)
    commands.init_app(app)
    index_cli.init_app(app)
    scheduler.init_app(app)
    errors.init_app(app)
    app.register_blueprint(search.bp)
    policies.init_app(app)
    apidocs.init_app(app)
    health.init_app(app)
    from . import auth, buyer, claims, enterprise, inbox, portal, staff, terms, tokens

    enterprise.init_app(app)
    buyer.init_app(app)
    portal.init_app(app)
    inbox.init_app(app)
    terms.init_app(app)
    claims.init_app(app)
    tokens.init_app(app)
    staff.init_app(app)  # before auth: the import upload's size limit precedes CSRF
    auth.init_app(app)  # last: it adds CSRF, headers and rate limits to every view
    return app

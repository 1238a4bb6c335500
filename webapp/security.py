"""Cross-cutting protection: CSRF, rate limits, session cookies, security headers.

| setting | default | meaning |
|---|---|---|
| ``RATELIMIT_ENABLED`` (``KETNOI_RATE_LIMITS``) | on, off under ``TESTING`` | rate limits |
| ``RATELIMIT_STORAGE_URI`` (``KETNOI_RATELIMIT_STORAGE``) | ``memory://`` | counters; ``redis://HOST:6379/0`` needs ``pip install -e '.[redis]'`` |
| ``LOGIN_RATE_LIMIT`` (``KETNOI_LOGIN_RATE_LIMIT``) | ``10/minute`` | logins and sign-ups per IP |
| ``SEARCH_RATE_LIMIT`` (``KETNOI_SEARCH_RATE_LIMIT``) | ``60/minute`` | searches per IP |
| ``HSTS_ENABLED`` (``KETNOI_HSTS``) | on when ``KETNOI_ENV=production`` (not under ``TESTING`` or debug) | send ``Strict-Transport-Security``: browsers use HTTPS only for a year |

Limits are in the ``limits`` notation (``60/minute``, ``1000/hour;100/minute``).
The client address is the socket's peer; behind a reverse proxy set
``KETNOI_PROXY_HOPS`` (``webapp/__init__.py``) so it is the forwarded client's.

With several workers, point the counter storage at a shared ``redis://`` URI
(docs/serving.md says how Redis is started). The app refuses to start when that
storage's client library is missing or the server does not answer, instead of
failing every limited request later.
Forms carry a CSRF token (Flask-WTF); the JSON API under ``/api/`` is exempt
and relies on the session cookie (``SameSite=Lax``) and role checks instead.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from .errors import ConfigurationError

csrf = CSRFProtect()

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # no page uses these browser features; browsing-topics replaced FLoC's interest-cohort
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                          "browsing-topics=()",
}
"""Sent on every response. Only files from this site: no inline script or style
(the pages' CSS is ``static/ketnoi.css``)."""

HSTS = "max-age=31536000; includeSubDomains"
"""``Strict-Transport-Security`` in production: a browser that saw it once uses HTTPS
only, for this host and its subdomains, for a year."""

STORAGE_CLIENTS = {"redis": ("redis", "pip install -e '.[redis]'"),
                   "rediss": ("redis", "pip install -e '.[redis]'")}
"""URI scheme of a counter storage -> the module its client needs, and how to install it."""


def check_storage_client(uri: str) -> None:
    """Refuse a counter storage whose client library is not installed, saying what to install."""
    scheme = uri.split("://", 1)[0].lower().split("+", 1)[0]  # redis+unix, redis+sentinel
    if scheme not in STORAGE_CLIENTS:
        return
    module, install = STORAGE_CLIENTS[scheme]
    try:
        importlib.import_module(module)
    except ImportError:
        raise ConfigurationError(
            f"KETNOI_RATELIMIT_STORAGE={_redacted(uri)} needs the {module!r} Python package, "
            f"which is not installed: {install} (or use memory:// with one worker, "
            "docs/serving.md)") from None


def _redacted(uri: str) -> str:
    return re.sub(r"//[^/@]*@", "//***@", uri)


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def get_limiter() -> Limiter:
    return current_app.extensions["ketnoi_limiter"]


def init_app(app: Flask) -> Limiter:
    """Set cookie flags, CSRF, headers and a per-app rate limiter."""
    # Secure cookies travel over HTTPS only: on in production (behind TLS), off for the
    # development server on http://127.0.0.1 unless KETNOI_SECURE_COOKIES says otherwise.
    # Flask's defaults are in the config already, so these are set, not defaulted
    production = app.config.get("ENV_NAME") == "production"
    app.config["SESSION_COOKIE_SECURE"] = _env_flag(
        "KETNOI_SECURE_COOKIES", production and not (app.testing or app.debug))
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("RATELIMIT_ENABLED", _env_flag("KETNOI_RATE_LIMITS", not app.testing))
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          os.environ.get("KETNOI_RATELIMIT_STORAGE", "memory://"))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("LOGIN_RATE_LIMIT",
                          os.environ.get("KETNOI_LOGIN_RATE_LIMIT", "10/minute"))
    app.config.setdefault("SEARCH_RATE_LIMIT",
                          os.environ.get("KETNOI_SEARCH_RATE_LIMIT", "60/minute"))
    # like the secure cookie: a development server on http:// must not pin HTTPS
    app.config.setdefault("HSTS_ENABLED", _env_flag(
        "KETNOI_HSTS", production and not (app.testing or app.debug)))
    csrf.init_app(app)

    storage = app.config["RATELIMIT_STORAGE_URI"]
    if app.config["RATELIMIT_ENABLED"]:
        check_storage_client(storage)
    # one limiter per app: its limits and counters do not leak between apps (tests)
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["ketnoi_limiter"] = limiter
    # an unreachable Redis fails here, once, not as a 500 on every login and search
    if app.config["RATELIMIT_ENABLED"] and not limiter.storage.check():
        raise ConfigurationError(
            f"the rate-limit storage {_redacted(storage)} (KETNOI_RATELIMIT_STORAGE) does not "
            "answer: start it (docs/serving.md) or fix the address")
    hsts = app.config["HSTS_ENABLED"]

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    return limiter


def limit_views(app: Flask, endpoints: list[str], setting: str,
                methods: list[str] | None = None,
                exempt_when: Callable[[], bool] | None = None) -> None:
    """Rate-limit the registered ``endpoints`` by the config value ``setting``; requests
    for which ``exempt_when()`` is true are neither limited nor counted."""
    limiter: Limiter = app.extensions["ketnoi_limiter"]
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        # one counter per setting: the search page and the search API share a budget
        app.view_functions[endpoint] = limiter.shared_limit(
            lambda: current_app.config[setting], scope=setting.lower(), methods=methods,
            exempt_when=exempt_when)(view)


_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f\\]")


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (a redirect elsewhere would
    let a phishing link log users in and send them on to another site).

    Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``, so
    ``/\\t/evil.example`` and ``/\\evil.example`` mean ``//evil.example``: any control
    character, space or backslash refuses the target, as do ``//`` and a scheme.
    """
    if not target or not target.startswith("/") or _UNSAFE_IN_PATH.search(target):
        return None
    if target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target

"""``GET /healthz``: whether this process can answer searches (for load balancers, probes).

200 with ``"status": "ok"`` once the search index is loaded; 503 with
``"starting"`` while it is being loaded or built, or ``"error"`` when that
failed (the message says why). The body also names the served index version
and how far this process has followed the profile change log, so an operator
can compare workers.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from .catalog import get_catalog

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    catalog = get_catalog()
    if catalog.error:
        status, code = "error", 503
    elif catalog.ready:
        status, code = "ok", 200
    else:
        status, code = "starting", 503
    follower = catalog.follower
    body = {"status": status, "index_version": catalog.version,
            "profiles": len(catalog.profiles) if catalog.ready else 0,
            "applied_seq": catalog.applied_seq,
            "following_changes": follower is not None,
            "follower_error": None if follower is None else follower.last_error}
    if catalog.error:
        body["message"] = catalog.error
    response = jsonify(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)

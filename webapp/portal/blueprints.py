"""The enterprise portal's blueprints: pages under ``/enterprise``, JSON under
``/api/v1/enterprise``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__)
api = Blueprint("portal_api", __name__, url_prefix="/api/v1/enterprise")

"""The staff console's blueprints: pages under ``/staff``, JSON under ``/api/v1``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
api = Blueprint("staff_api", __name__, url_prefix="/api/v1")

"""The buyer blueprints, apart from their routes so route modules import no package back."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("buyer", __name__)
api = Blueprint("buyer_api", __name__, url_prefix="/api/v1")

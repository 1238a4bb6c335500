"""The park staff's console: import and export, profile verification, the search
index (status, retrain now, rollback) and search analytics.

Pages live under ``/staff`` and the JSON API under ``/api/v1/index`` and
``/api/v1/analytics``; every route is for staff accounts only. One module per
concept: :mod:`.overview`, :mod:`.index` (versions, rebuild, rollback, unpin),
:mod:`.import_export`, :mod:`.profiles` (list, verify), :mod:`.analytics`
(served from :mod:`recommender.analytics`) and :mod:`.exchange` (the resource exchange
per park), :mod:`.premises` (premises available and the demand none meets) and
:mod:`.parks` (the park view: firms, green credentials, exchanges, programmes; CSV and
print).
"""

from __future__ import annotations

# importing the route modules registers their views on the blueprints
from . import (  # noqa: F401
    analytics,
    exchange,
    import_export,
    index,
    overview,
    parks,
    premises,
    profiles,
)
from .blueprints import api, bp


def init_app(app) -> None:
    from ..security import csrf

    csrf.exempt(api)  # JSON API: session cookie (SameSite=Lax) and role checks
    app.before_request(import_export.allow_import_upload)
    app.register_blueprint(bp)
    app.register_blueprint(api)

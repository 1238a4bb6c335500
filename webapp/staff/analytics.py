"""Search analytics for staff: the page and ``GET /api/v1/analytics``, over
:func:`recommender.analytics.search_analytics`."""

from __future__ import annotations

from flask import render_template, request

from recommender.analytics import search_analytics

from ..auth import login_required
from ..db import flush_search_log, get_session
from ..errors import api_error, one_of
from ..paging import BadPage
from .blueprints import api, bp

ANALYTICS_DAYS = (7, 30, 90, 365)
"""Periods the analytics page offers (days back from now)."""


def _days_arg(strict: bool) -> int:
    raw = request.args.get("days", "30")
    if raw.isdigit() and int(raw) in ANALYTICS_DAYS:
        return int(raw)
    if strict:
        raise BadPage(one_of(map(str, ANALYTICS_DAYS)))
    return 30


def _analytics(days: int) -> dict:
    flush_search_log()  # this process's latest searches count too
    return search_analytics(get_session(), days)


@bp.get("/analytics")
@login_required(role="staff")
def analytics_page():
    days = _days_arg(strict=False)
    return render_template("staff/analytics.html", data=_analytics(days),
                           periods=ANALYTICS_DAYS)


@api.get("/analytics")
@login_required(role="staff")
def api_analytics():
    try:
        days = _days_arg(strict=True)
    except BadPage as exc:
        return api_error("bad_parameter", {"days": str(exc)}, name="days")
    return _analytics(days)

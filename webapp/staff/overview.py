"""The staff console's front page: counts of profiles, verification, expiring
certificates, pending ownership claims and recent searches, beside the index status."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template
from sqlalchemy import func, select

from recommender.store.models import (
    ClaimStatus,
    ProfileClaim,
    SearchLog,
    SupplierProfile,
    utcnow,
)

from ..auth import login_required
from ..db import flush_search_log, get_session
from .blueprints import bp
from .index import index_status
from .profiles import expiring_where


@bp.get("")
@login_required(role="staff")
def overview():
    flush_search_log()
    db = get_session()
    today = date.today()
    counts = {
        "profiles": db.scalar(select(func.count(SupplierProfile.id))) or 0,
        "verified": db.scalar(select(func.count(SupplierProfile.id))
                              .where(SupplierProfile.verified.is_(True))) or 0,
        "expiring": db.scalar(select(func.count(SupplierProfile.id))
                              .where(expiring_where(today))) or 0,
        "searches_30d": db.scalar(select(func.count(SearchLog.id)).where(
            SearchLog.created_at >= utcnow() - timedelta(days=30))) or 0,
        "gaps_30d": db.scalar(select(func.count(SearchLog.id)).where(
            SearchLog.created_at >= utcnow() - timedelta(days=30),
            SearchLog.good_match.is_(False))) or 0,
        "claims": db.scalar(select(func.count(ProfileClaim.id))
                            .where(ProfileClaim.status == ClaimStatus.PENDING)) or 0,
    }
    return render_template("staff/overview.html", counts=counts, status=index_status())

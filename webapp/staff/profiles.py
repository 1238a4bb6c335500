"""Staff list of supplier profiles (filters: unverified, verified, expiring
certificates; text search) and verification."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from recommender.certificates import EXPIRY_WARNING_DAYS, certificate_warnings
from recommender.store.models import Certification, SupplierProfile
from recommender.store.profiles import set_verified
from recommender.text import normalize

from ..auth import current_account, login_required
from ..catalog import get_catalog
from ..db import get_session
from ..paging import page_args
from ..search import format_day
from ..security import local_path
from .blueprints import bp

PROFILE_FILTERS = ("all", "unverified", "verified", "expiring")


def expiring_where(today: date):
    """Profiles with a certificate expired, expiring within the warning window, or undated."""
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    return SupplierProfile.id.in_(
        select(Certification.profile_id).where(
            or_(Certification.valid_until.is_(None), Certification.valid_until <= soon)))


@bp.get("/profiles")
@login_required(role="staff")
def profiles_page():
    page, per_page = page_args(strict=False)
    which = request.args.get("filter", "all")
    if which not in PROFILE_FILTERS:
        which = "all"
    text = normalize(request.args.get("q", ""))[:200].strip()
    today = date.today()
    where = []
    if which == "unverified":
        where.append(SupplierProfile.verified.is_(False))
    elif which == "verified":
        where.append(SupplierProfile.verified.is_(True))
    elif which == "expiring":
        where.append(expiring_where(today))
    if text:
        like = f"%{text}%"
        where.append(or_(SupplierProfile.name.ilike(like),
                         SupplierProfile.external_id.ilike(like),
                         SupplierProfile.tax_code.ilike(like)))
    db = get_session()
    condition = and_(*where) if where else None
    count_q = select(func.count(SupplierProfile.id))
    rows_q = (select(SupplierProfile).options(selectinload(SupplierProfile.certifications))
              .order_by(SupplierProfile.verified, SupplierProfile.updated_at.desc(),
                        SupplierProfile.id))
    if condition is not None:
        count_q, rows_q = count_q.where(condition), rows_q.where(condition)
    total = db.scalar(count_q) or 0
    rows = db.scalars(rows_q.limit(per_page).offset((page - 1) * per_page)).all()
    return render_template(
        "staff/profiles.html", rows=[(p, certificate_warnings(p.certifications, today))
                                     for p in rows],
        total=total, page=page, last=max(1, -(-total // per_page)), which=which, q=text,
        filters=PROFILE_FILTERS, format_day=format_day)


@bp.post("/profiles/<external_id>/verify")
@login_required(role="staff")
def verify(external_id: str):
    db = get_session()
    profile = db.scalar(select(SupplierProfile).where(SupplierProfile.external_id == external_id))
    if profile is None:
        abort(404)
    verified = request.form.get("verified") == "1"
    set_verified(db, profile, verified, account_id=current_account().id,
                 publish=get_catalog().apply_saved)
    flash(_("Đã xác minh hồ sơ %(name)s.", name=profile.name) if verified else
          _("Đã bỏ xác minh hồ sơ %(name)s.", name=profile.name))
    back = local_path(request.form.get("next"))
    if not back or not back.startswith("/staff/"):
        back = url_for("staff.profiles_page")
    return redirect(back)

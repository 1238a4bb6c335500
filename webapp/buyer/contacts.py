"""Contact requests: the form on the supplier page and the buyer's list of those sent."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from recommender.store.models import (
    ContactRequest,
    ContactStatus,
    InteractionKind,
    SupplierProfile,
)
from recommender.text import plain_text

from ..auth import current_account, login_required
from ..db import get_session
from ..paging import page_args
from ..search import format_day
from .blueprints import bp
from .interactions import find_profile, record, search_ref
from .supplier import MESSAGE_MAX, SUBJECT_MAX, render_supplier

STATUS_LABELS = {
    ContactStatus.NEW: lazy_gettext("Đã gửi"), ContactStatus.READ: lazy_gettext("Đã xem"),
    ContactStatus.REPLIED: lazy_gettext("Đã phản hồi"),
    ContactStatus.CLOSED: lazy_gettext("Đã đóng"),
}


def validate_contact(form) -> tuple[dict, dict]:
    """Cleaned subject and message, and field → message for what is wrong."""
    values, errors = {}, {}
    for name, limit, multiline, empty in (
            ("subject", SUBJECT_MAX, False, _("Vui lòng nhập tiêu đề.")),
            ("message", MESSAGE_MAX, True, _("Vui lòng nhập nội dung."))):
        try:
            values[name] = plain_text(form.get(name, ""), limit, multiline=multiline)
        except ValueError:
            errors[name] = _("Tối đa %(n)d ký tự.", n=limit)
            continue
        if not values[name]:
            errors[name] = empty
    return values, errors


@bp.post("/suppliers/<external_id>/contact")
@login_required(role="buyer")
def contact(external_id: str):
    profile = find_profile(external_id)
    if profile is None:
        abort(404)
    values, errors = validate_contact(request.form)
    if errors:
        return render_supplier(profile, form=request.form, errors=errors, status=400)
    account = current_account()
    sid, rnk = search_ref(request.form.get("s"), request.form.get("r"), profile)
    db = get_session()
    db.add(ContactRequest(account_id=account.id, buyer_id=account.buyer_id,
                          profile_id=profile.id, search_log_id=sid, **values))
    record(InteractionKind.CONTACT, profile, sid, rnk)
    db.commit()
    flash(_("Đã gửi yêu cầu liên hệ tới %(name)s.", name=profile.name))
    return redirect(url_for("buyer.contacts"))


@bp.get("/contacts")
@login_required(role="buyer")
def contacts():
    page, per_page = page_args(strict=False, max_per_page=50)
    db = get_session()
    where = ContactRequest.account_id == current_account().id
    total = db.scalar(select(func.count(ContactRequest.id)).where(where)) or 0
    rows = db.execute(
        select(ContactRequest, SupplierProfile)
        .join(SupplierProfile, SupplierProfile.id == ContactRequest.profile_id)
        .where(where).order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return render_template("buyer/contacts.html", rows=rows, total=total, page=page,
                           last=max(1, -(-total // per_page)),
                           status_labels={k.value: str(v) for k, v in STATUS_LABELS.items()},
                           format_day=format_day)

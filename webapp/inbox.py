"""The enterprise's inbox: buyers' contact requests to its profile.

Only the messages sent to the account's own profile are listed or opened;
another profile's message answers 404, whether it exists or not. Opening a
new message marks it read; the enterprise then marks it replied or closed.
Every text a buyer wrote is shown escaped (Jinja autoescape; never ``|safe``).

* ``/enterprise/inbox`` (newest first, ``?page=``), ``/enterprise/inbox/<id>``,
  ``POST /enterprise/inbox/<id>/status`` (form with CSRF token, ``status``).
* ``GET /api/v1/enterprise/contacts[?page=&per_page=&status=]``,
  ``GET /api/v1/enterprise/contacts/<id>`` (marks it read),
  ``PATCH /api/v1/enterprise/contacts/<id>`` with ``{"status": "read"|"replied"|"closed"}``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from recommender.store.models import (
    Buyer,
    BuyerRequest,
    ContactRequest,
    ContactStatus,
    EnterpriseAccount,
    SupplierProfile,
    utcnow,
)

from .auth import login_required
from .db import get_session
from .errors import api_error, one_of
from .paging import BadPage, page_args, page_meta
from .portal.common import own_profile

bp = Blueprint("inbox", __name__)
api = Blueprint("inbox_api", __name__, url_prefix="/api/v1/enterprise")

SETTABLE = (ContactStatus.READ, ContactStatus.REPLIED, ContactStatus.CLOSED)
"""What the enterprise may set; ``new`` is only how a message arrives."""


def status_labels() -> dict[str, str]:
    return {"new": _("Mới"), "read": _("Đã đọc"), "replied": _("Đã trả lời"),
            "closed": _("Đã đóng")}


def _messages(profile: SupplierProfile, status: str | None, page: int, per_page: int):
    db = get_session()
    where = [ContactRequest.profile_id == profile.id]
    if status is not None:
        where.append(ContactRequest.status == status)
    total = db.scalar(select(func.count()).select_from(ContactRequest).where(*where)) or 0
    rows = db.scalars(select(ContactRequest).where(*where)
                      .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
                      .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def _unread(profile: SupplierProfile) -> int:
    return get_session().scalar(
        select(func.count()).select_from(ContactRequest)
        .where(ContactRequest.profile_id == profile.id,
               ContactRequest.status == ContactStatus.NEW)) or 0


def _own_message(message_id: int) -> ContactRequest | None:
    profile = own_profile()
    message = get_session().get(ContactRequest, message_id)
    if message is None or message.profile_id != profile.id:
        return None
    return message


def buyer_contact(m: ContactRequest) -> dict[str, Any]:
    """Who wrote: the buyer company and its contact details (for the supplier to reply)."""
    db = get_session()
    buyer = db.get(Buyer, m.buyer_id) if m.buyer_id is not None else None
    account = db.get(EnterpriseAccount, m.account_id) if m.account_id is not None else None
    if buyer is None and account is not None and account.buyer_id is not None:
        buyer = db.get(Buyer, account.buyer_id)
    return {"company": buyer.company if buyer else None,
            "contact_name": buyer.contact_name if buyer else None,
            "email": (buyer.email if buyer else None) or (account.email if account else None),
            "phone": buyer.phone if buyer else None,
            "country": buyer.country if buyer else None,
            "park": buyer.park if buyer else None}


def message_json(m: ContactRequest, *, full: bool = False) -> dict[str, Any]:
    out = {"id": m.id, "subject": m.subject, "status": ContactStatus(m.status).value,
           "created_at": m.created_at.isoformat() if m.created_at else None,
           "read_at": m.read_at.isoformat() if m.read_at else None,
           "request_id": m.request_id, "buyer": buyer_contact(m)}
    if full:
        out["message"] = m.message
        rfq = get_session().get(BuyerRequest, m.request_id) if m.request_id else None
        out["request"] = None if rfq is None else {"id": rfq.id, "title": rfq.title}
    else:
        out["preview"] = m.message[:160]
    return out


def mark_read(m: ContactRequest) -> None:
    if m.read_at is None:
        m.read_at = utcnow()
    if m.status == ContactStatus.NEW:
        m.status = ContactStatus.READ


def set_status(m: ContactRequest, status: ContactStatus) -> None:
    mark_read(m)
    m.status = status


@bp.get("/enterprise/inbox")
@login_required(role="enterprise")
def inbox():
    profile = own_profile()
    page, per_page = page_args(strict=False)
    rows, total = _messages(profile, None, page, per_page)
    return render_template("portal/inbox.html", profile=profile,
                           items=[message_json(m) for m in rows],
                           meta=page_meta(page, per_page, total, len(rows)),
                           unread=_unread(profile),
                           status_labels=status_labels())


@bp.get("/enterprise/inbox/<int:message_id>")
@login_required(role="enterprise")
def message(message_id: int):
    m = _own_message(message_id)
    if m is None:
        abort(404)
    mark_read(m)
    get_session().commit()
    return render_template("portal/message.html", item=message_json(m, full=True),
                           status_labels=status_labels(), settable=[s.value for s in SETTABLE])


@bp.post("/enterprise/inbox/<int:message_id>/status")
@login_required(role="enterprise")
def message_status(message_id: int):
    m = _own_message(message_id)
    if m is None:
        abort(404)
    wanted = request.form.get("status", "")
    if wanted not in {s.value for s in SETTABLE}:
        abort(400)
    set_status(m, ContactStatus(wanted))
    get_session().commit()
    flash(_("Đã chuyển trạng thái tin nhắn sang: %(status)s.", status=status_labels()[wanted]))
    return redirect(url_for("inbox.message", message_id=message_id))


@api.get("/contacts")
@login_required(role="enterprise")
def api_inbox():
    profile = own_profile()
    try:
        page, per_page = page_args(strict=True)
    except BadPage as exc:
        return api_error("bad_page", problem=str(exc))
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in ContactStatus}:
        return api_error("bad_parameter", {"status": one_of(s.value for s in ContactStatus)},
                         name="status")
    rows, total = _messages(profile, status, page, per_page)
    return {"items": [message_json(m) for m in rows],
            "_meta": {**page_meta(page, per_page, total, len(rows)), "unread": _unread(profile)}}


@api.get("/contacts/<int:message_id>")
@login_required(role="enterprise")
def api_message(message_id: int):
    m = _own_message(message_id)
    if m is None:
        return api_error("message_not_found", id=message_id)
    mark_read(m)
    get_session().commit()
    return message_json(m, full=True)


@api.patch("/contacts/<int:message_id>")
@login_required(role="enterprise")
def api_message_status(message_id: int):
    m = _own_message(message_id)
    if m is None:
        return api_error("message_not_found", id=message_id)
    data = request.get_json(silent=True)
    allowed = [s.value for s in SETTABLE]
    if not isinstance(data, dict) or set(data) != {"status"} or data["status"] not in allowed:
        return api_error("bad_body", {"status": one_of(allowed)},
                         expected='{"status": "' + "|".join(allowed) + '"}')
    set_status(m, ContactStatus(data["status"]))
    get_session().commit()
    return message_json(m, full=True)


def init_app(app) -> None:
    from .security import csrf

    csrf.exempt(api)
    app.register_blueprint(bp)
    app.register_blueprint(api)

"""The resource exchange in the enterprise portal (``/enterprise/exchange``).

A firm lists what it offers other firms or needs (one short form: what is required,
the rest optional), sees each listing's matches with the reasons, sends a request to
exchange and answers the requests it gets. Listings are saved through the one write
path (:mod:`recommender.store.listings`); matching is
:mod:`recommender.exchange.match` over this process's index, brought up to date with
every listing saved by any process (:class:`recommender.exchange.live.LiveExchange`).
The JSON API is :mod:`.exchange_api`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from recommender.config import RetrievalConfig
from recommender.exchange.live import LiveExchange
from recommender.exchange.match import NEIGHBOURS
from recommender.store.listings import (
    FIELDS,
    ListingErrors,
    answer_exchange,
    as_listing,
    close_listing,
    request_exchange,
    save_listing,
)
from recommender.store.models import ExchangeRequest, ResourceListing, SupplierProfile

from ..auth import login_required
from ..catalog import get_catalog
from ..db import get_session
from ..exchange_text import HAZARDS, KINDS, REASONS, STATUSES, listing_messages
from .blueprints import bp
from .common import own_profile

MATCHES_SHOWN = 10


def live_exchange() -> LiveExchange:
    """This process's exchange index (created on first use; the encoder is the search
    index's, loaded once per process)."""
    live = current_app.extensions.get("ketnoi_exchange")
    if live is None:
        config = RetrievalConfig.from_env()
        live = LiveExchange(lambda: get_catalog().encoder(config), config)
        current_app.extensions["ketnoi_exchange"] = live
    return live


def listing_json(row: ResourceListing) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind.value, "what": row.what, "details": row.details,
            "quantity": row.quantity, "frequency": row.frequency, "site": row.site,
            "licence": row.licence, "resources": list(row.resources or []),
            "hazard": row.hazard, "open": row.open, "sample": row.sample,
            "updated_at": row.updated_at.isoformat() if row.updated_at else None}


def matches_of(row: ResourceListing, k: int = MATCHES_SHOWN) -> list[dict[str, Any]]:
    """The open listings of other firms that match ``row``, best first, with the firm,
    the reasons (codes and words) and any exchange request already made."""
    session = get_session()
    if not row.open:
        return []
    index = live_exchange().current(session)
    found = index.matches(as_listing(row), k)
    learned = index.ranker is not None  # scores are then probabilities
    rows = {r.id: r for r in session.scalars(
        select(ResourceListing).where(ResourceListing.id.in_([m.listing_id for m in found])))}
    pairs = [(m.listing_id, row.id) if row.kind.value == "need" else (row.id, m.listing_id)
             for m in found]
    asked = {(r.offer_id, r.need_id): r for r in session.scalars(
        select(ExchangeRequest).where(or_(ExchangeRequest.offer_id == row.id,
                                          ExchangeRequest.need_id == row.id)))}
    out = []
    for m, pair in zip(found, pairs, strict=True):
        other = rows.get(m.listing_id)
        if other is None:
            continue
        out.append({"listing": listing_json(other), "firm": other.profile.name,
                    "firm_id": other.profile.external_id, "score": round(m.score, 3),
                    "probability": round(m.score, 3) if learned else None,
                    "reasons": list(m.reasons),
                    "reason_text": [str(REASONS[r]) for r in m.reasons],
                    "proximity": m.proximity, "neighbour": m.proximity in NEIGHBOURS,
                    "quantity_ratio": m.quantity_ratio,
                    "request": request_json(asked[pair]) if pair in asked else None})
    return out


def request_json(r: ExchangeRequest, viewer: SupplierProfile | None = None) -> dict[str, Any]:
    """An exchange request; the other firm's contact only once it was accepted."""
    body: dict[str, Any] = {
        "id": r.id, "offer_id": r.offer_id, "need_id": r.need_id, "status": r.status.value,
        "status_text": str(STATUSES[r.status.value]), "message": r.message,
        "tonnes_a_month": r.tonnes_a_month,
        "created_at": r.created_at.isoformat() if r.created_at else None}
    if viewer is not None:
        mine = r.offer if r.offer.profile_id == viewer.id else r.need
        other = r.need if mine is r.offer else r.offer
        body.update({"incoming": r.recipient_id == viewer.id, "mine": listing_json(mine),
                     "other": listing_json(other), "other_firm": other.profile.name})
        if r.status.value in ("accepted", "done"):
            p = other.profile
            body["contact"] = {"name": p.contact_name, "email": p.email, "phone": p.phone}
    return body


def own_listing(listing_id: int) -> ResourceListing:
    row = get_session().get(ResourceListing, listing_id)
    if row is None or row.profile_id != own_profile().id:
        abort(404)
    return row


def requests_of(profile: SupplierProfile) -> list[ExchangeRequest]:
    return list(get_session().scalars(
        select(ExchangeRequest).where(or_(ExchangeRequest.sender_id == profile.id,
                                          ExchangeRequest.recipient_id == profile.id))
        .order_by(ExchangeRequest.created_at.desc())))


def _form_values() -> dict[str, str]:
    return {k: request.form.get(k, "") for k in FIELDS if k in request.form}


def _labels() -> dict[str, Any]:
    return {"kinds": KINDS, "hazards": HAZARDS, "statuses": STATUSES}


@bp.route("/enterprise/exchange", methods=["GET", "POST"])
@login_required(role="enterprise")
def exchange_page():
    profile = own_profile()
    session = get_session()
    errors: dict[str, str] = {}
    values: dict[str, str] = {"kind": request.args.get("kind", "offer")}
    if request.method == "POST":
        values = _form_values()
        try:
            row = save_listing(session, profile, values)
        except ListingErrors as exc:
            session.rollback()
            errors = listing_messages(exc)
        else:
            session.commit()
            flash(_("Đã đăng tin. Các doanh nghiệp phù hợp ở bên dưới."))
            return redirect(url_for("portal.listing_page", listing_id=row.id))
    listings = list(session.scalars(select(ResourceListing)
                                    .where(ResourceListing.profile_id == profile.id)
                                    .order_by(ResourceListing.open.desc(),
                                              ResourceListing.updated_at.desc())))
    return render_template(
        "portal/exchange.html", profile=profile, listings=listings, values=values,
        errors=errors, requests=[request_json(r, profile) for r in requests_of(profile)],
        **_labels()), (400 if errors else 200)


@bp.route("/enterprise/exchange/<int:listing_id>", methods=["GET", "POST"])
@login_required(role="enterprise")
def listing_page(listing_id: int):
    profile = own_profile()
    row = own_listing(listing_id)
    session = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            save_listing(session, profile, {k: v for k, v in _form_values().items()
                                            if k != "kind"}, row)
        except ListingErrors as exc:
            session.rollback()
            errors = listing_messages(exc)
            row = own_listing(listing_id)
        else:
            session.commit()
            flash(_("Đã lưu thay đổi."))
            return redirect(url_for("portal.listing_page", listing_id=row.id))
    return render_template("portal/listing.html", profile=profile, row=row,
                           matches=matches_of(row), errors=errors, **_labels()), (
        400 if errors else 200)


@bp.post("/enterprise/exchange/<int:listing_id>/open")
@login_required(role="enterprise")
def listing_open(listing_id: int):
    row = own_listing(listing_id)
    close_listing(get_session(), own_profile(), row, request.form.get("open") == "1")
    get_session().commit()
    return redirect(url_for("portal.listing_page", listing_id=row.id))


@bp.post("/enterprise/exchange/<int:listing_id>/request")
@login_required(role="enterprise")
def listing_request(listing_id: int):
    profile = own_profile()
    row = own_listing(listing_id)
    session = get_session()
    other = session.get(ResourceListing, request.form.get("other_id", type=int) or 0)
    if other is None:
        abort(404)
    offer, need = (row, other) if row.kind.value == "offer" else (other, row)
    try:
        request_exchange(session, profile, offer, need, request.form.get("message", ""))
    except ListingErrors as exc:
        session.rollback()
        flash(" ".join(listing_messages(exc).values()), "error")
    else:
        session.commit()
        flash(_("Đã gửi đề nghị trao đổi. Doanh nghiệp kia sẽ thấy trong mục Trao đổi tài "
                "nguyên."))
    return redirect(url_for("portal.listing_page", listing_id=row.id))


@bp.post("/enterprise/exchange/requests/<int:request_id>")
@login_required(role="enterprise")
def exchange_answer(request_id: int):
    profile = own_profile()
    session = get_session()
    found = session.get(ExchangeRequest, request_id)
    if found is None or profile.id not in (found.sender_id, found.recipient_id):
        abort(404)
    try:
        answer_exchange(session, profile, found, request.form.get("answer", ""))
    except ListingErrors as exc:
        session.rollback()
        flash(" ".join(listing_messages(exc).values()), "error")
    else:
        session.commit()
    return redirect(url_for("portal.exchange_page") + "#requests")

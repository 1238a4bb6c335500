"""Premises in the enterprise portal (``/enterprise/premises``): a firm states the
premises it needs and sees the listings that meet every condition it stated, each
condition checked (or, when none does, the nearest and what they miss); a park
developer's account lists its own available premises. Saved through
:mod:`recommender.store.premises`, matched by :mod:`recommender.premises`."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from recommender.places import PARKS
from recommender.premises import KINDS, match_premises
from recommender.store.listings import ListingErrors
from recommender.store.models import PremisesListing, PremisesRequest
from recommender.store.premises import (
    NEED_FIELDS,
    PREMISES_FIELDS,
    as_need,
    as_offer,
    open_premises,
    save_need,
    save_premises,
)

from ..auth import login_required
from ..db import get_session
from ..exchange_text import listing_messages
from ..premises_text import KINDS as KIND_LABELS
from ..premises_text import PRICE_UNITS, checks_view
from .blueprints import bp
from .common import own_profile

SHOWN = 10


def need_matches(need: PremisesRequest, listings: list[PremisesListing]) -> dict[str, Any]:
    """The listings that meet every stated condition (best first) and, when none does,
    the nearest with what they miss."""
    rows = {r.id: r for r in listings}
    fits, near = match_premises(as_need(need), [as_offer(r) for r in listings])
    return {"fits": [{"row": rows[m.premises_id], "checks": checks_view(m)}
                     for m in fits[:SHOWN]],
            "near": [] if fits else [{"row": rows[m.premises_id], "checks": checks_view(m)}
                                     for m in near[:3]]}


def _form(fields: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {k: request.form.get(k, "") for k in fields if k in request.form}
    if "kinds" in fields:
        values["kinds"] = request.form.getlist("kinds")
    return values


@bp.route("/enterprise/premises", methods=["GET", "POST"])
@login_required(role="enterprise")
def premises_page():
    profile = own_profile()
    session = get_session()
    need_errors: dict[str, str] = {}
    offer_errors: dict[str, str] = {}
    need_values: dict[str, Any] = {}
    offer_values: dict[str, Any] = {}
    if request.method == "POST":
        which = request.form.get("form")
        try:
            if which == "need":
                need_values = _form(NEED_FIELDS)
                save_need(session, profile, need_values)
            elif which == "premises":
                offer_values = _form(PREMISES_FIELDS)
                save_premises(session, offer_values, profile=profile)
            else:
                abort(400)
        except ListingErrors as exc:
            session.rollback()
            (need_errors if which == "need" else offer_errors).update(listing_messages(exc))
        else:
            session.commit()
            flash(_("Đã lưu."))
            return redirect(url_for("portal.premises_page"))
    listings = open_premises(session)
    needs = list(session.scalars(select(PremisesRequest)
                                 .where(PremisesRequest.profile_id == profile.id)
                                 .order_by(PremisesRequest.open.desc(),
                                           PremisesRequest.updated_at.desc())))
    own = [r for r in session.scalars(select(PremisesListing)
                                      .where(PremisesListing.profile_id == profile.id))]
    return render_template(
        "portal/premises.html", profile=profile,
        needs=[(n, need_matches(n, listings) if n.open else None) for n in needs],
        own=own, need_values=need_values, offer_values=offer_values,
        need_errors=need_errors, offer_errors=offer_errors, kinds=KINDS,
        kind_labels=KIND_LABELS, price_units=PRICE_UNITS, parks=PARKS), (
        400 if need_errors or offer_errors else 200)


@bp.post("/enterprise/premises/needs/<int:row_id>/open", defaults={"what": "needs"})
@bp.post("/enterprise/premises/listings/<int:row_id>/open", defaults={"what": "listings"})
@login_required(role="enterprise")
def premises_open(what: str, row_id: int):
    """Close (``open=0``) or reopen one of the firm's own needs or premises listings."""
    session = get_session()
    row = session.get(PremisesRequest if what == "needs" else PremisesListing, row_id)
    if row is None or row.profile_id != own_profile().id:
        abort(404)
    row.open = request.form.get("open") == "1"
    session.commit()
    return redirect(url_for("portal.premises_page"))

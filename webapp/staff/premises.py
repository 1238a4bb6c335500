"""Premises as park staff see them (``/staff/premises``): every available listing by
park (staff may list premises for a developer), every firm's need with how many
listings meet it, and the demand no listing meets with what stops it (too little
floor load, no park nearby, over budget...): what the city's plans for high-rise
factories and the supporting-industry sub-zone should answer."""

from __future__ import annotations

from collections import Counter

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from recommender.places import PARKS
from recommender.premises import KINDS, match_premises, unmet
from recommender.store.listings import ListingErrors
from recommender.store.models import PremisesRequest
from recommender.store.premises import (
    PREMISES_FIELDS,
    as_need,
    as_offer,
    open_premises,
    save_premises,
)

from ..auth import login_required
from ..db import get_session
from ..exchange_text import listing_messages
from ..premises_text import CHECKS, PRICE_UNITS
from ..premises_text import KINDS as KIND_LABELS
from .blueprints import bp


@bp.route("/premises", methods=["GET", "POST"])
@login_required(role="staff")
def premises_page():
    session = get_session()
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in PREMISES_FIELDS if k in request.form}
        try:
            save_premises(session, values)
        except ListingErrors as exc:
            session.rollback()
            errors = listing_messages(exc)
        else:
            session.commit()
            flash(_("Đã lưu."))
            return redirect(url_for("staff.premises_page"))
    listings = open_premises(session)
    offers = [as_offer(r) for r in listings]
    needs = list(session.scalars(select(PremisesRequest).where(PremisesRequest.open.is_(True))
                                 .order_by(PremisesRequest.created_at.desc())))
    rows, stopped = [], Counter()
    for need in needs:
        fits, _near = match_premises(as_need(need), offers)
        why = unmet(as_need(need), offers) if not fits else Counter()
        stopped.update(why.keys())
        rows.append({"need": need, "fits": len(fits),
                     "why": [str(CHECKS[k]) for k, _n in why.most_common()]})
    by_park = Counter(r.park for r in listings)
    return render_template(
        "staff/premises.html", listings=listings, by_park=by_park, rows=rows,
        stopped=[(str(CHECKS[k]), n) for k, n in stopped.most_common()],
        values=values, errors=errors, kinds=KINDS, kind_labels=KIND_LABELS,
        price_units=PRICE_UNITS, parks=PARKS), (400 if errors else 200)

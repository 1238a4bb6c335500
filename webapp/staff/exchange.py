"""The resource exchange as park staff see it (``/staff/exchange``): per park, the
open offers and needs, the potential exchanges the engine finds (for each need, its
first offers naming the same resource), the proposals firms made and their outcome,
with the tonnes a month the realised ones divert from landfill and the CO2e where a
factor is cited (``corpora/resources.tsv``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from flask import render_template, request
from sqlalchemy import select

from recommender.exchange.streams import co2e_factor
from recommender.places import resolve
from recommender.store.models import ExchangeRequest, ExchangeStatus, ResourceListing

from ..auth import login_required
from ..db import get_session
from ..exchange_text import KINDS, REASONS, STATUSES
from ..portal.exchange import live_exchange
from .blueprints import bp

NO_PARK = ""


def park_of(row: ResourceListing) -> str:
    """The park a listing is in ("" outside any park or unknown)."""
    return resolve(row.site).park or NO_PARK if row.site else NO_PARK


def exchange_summary() -> dict[str, Any]:
    """Per park: listings, potential exchanges, proposals by status, realised tonnes a
    month and kg CO2e a month (where a factor exists); and the pairs behind them."""
    session = get_session()
    rows = {r.id: r for r in session.scalars(select(ResourceListing))}
    parks = {i: park_of(r) for i, r in rows.items()}
    potential = live_exchange().potential(session)
    proposals = list(session.scalars(select(ExchangeRequest)
                                     .order_by(ExchangeRequest.created_at.desc())))
    by_park: dict[str, Counter] = defaultdict(Counter)
    for i, r in rows.items():
        if r.open:
            by_park[parks[i]][r.kind.value] += 1
            by_park[parks[i]]["hazardous"] += r.hazard in ("hazardous", "controlled")
    pairs: dict[str, list[dict]] = defaultdict(list)
    for offer, need, m in potential:
        item = {"offer": rows[offer.listing_id], "need": rows[need.listing_id],
                "reasons": [str(REASONS[x]) for x in m.reasons]}
        for park in {parks[offer.listing_id], parks[need.listing_id]}:
            by_park[park]["potential"] += 1
            pairs[park].append(item)
    asked: dict[str, list[ExchangeRequest]] = defaultdict(list)
    for p in proposals:
        realised = p.status == ExchangeStatus.DONE
        factor = next((f for k in rows[p.offer_id].resources or []
                       if (f := co2e_factor(k)) is not None), None)
        for park in {parks[p.offer_id], parks[p.need_id]}:
            counts = by_park[park]
            counts[p.status.value] += 1
            asked[park].append(p)
            if realised and p.tonnes_a_month:
                counts["tonnes"] += p.tonnes_a_month
                if factor is not None:
                    counts["co2e_kg"] += p.tonnes_a_month * factor
    return {"by_park": by_park, "pairs": pairs, "proposals": asked}


@bp.get("/exchange")
@login_required(role="staff")
def exchange_page():
    summary = exchange_summary()
    chosen = request.args.get("park")
    parks = sorted(summary["by_park"], key=lambda p: (p == NO_PARK, p))
    return render_template(
        "staff/exchange.html", parks=parks, summary=summary, chosen=chosen,
        kinds=KINDS, statuses=STATUSES, done=ExchangeStatus.DONE.value)

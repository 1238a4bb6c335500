"""The resource exchange in figures, per park: what staff and the park view report.

Counts per park of open offers and needs, hazardous listings, potential exchanges
(:meth:`~recommender.exchange.match.ExchangeIndex.potential`), proposals by status,
and for realised exchanges the tonnes a month diverted from landfill and the kg CO2e
a month avoided where the resource taxonomy cites a factor. A pair across two parks
counts in both.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..places import resolve
from ..store.models import ExchangeRequest, ExchangeStatus, ResourceListing
from .match import ExchangeMatch, Listing
from .streams import co2e_factor

NO_PARK = ""


def listing_park(row: ResourceListing) -> str:
    """The park a listing is in (:data:`NO_PARK` outside any park or unknown)."""
    return (resolve(row.site).park or NO_PARK) if row.site else NO_PARK


@dataclass
class ExchangeFigures:
    by_park: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    """Per park: ``offer``, ``need``, ``hazardous``, ``potential``, each status of
    :class:`~recommender.store.models.ExchangeStatus`, ``tonnes`` and ``co2e_kg`` a month."""
    pairs: dict[str, list[tuple[ResourceListing, ResourceListing, ExchangeMatch]]] = field(
        default_factory=lambda: defaultdict(list))
    """Per park, the potential exchanges: (offer row, need row, match)."""
    proposals: dict[str, list[ExchangeRequest]] = field(
        default_factory=lambda: defaultdict(list))


def exchange_figures(session: Session,
                     potential: Sequence[tuple[Listing, Listing, ExchangeMatch]]
                     ) -> ExchangeFigures:
    """The figures of every park from the stored listings and proposals and the
    potential exchanges the engine found."""
    rows = {r.id: r for r in session.scalars(select(ResourceListing))}
    parks = {i: listing_park(r) for i, r in rows.items()}
    out = ExchangeFigures()
    for i, r in rows.items():
        if r.open:
            out.by_park[parks[i]][r.kind.value] += 1
            out.by_park[parks[i]]["hazardous"] += r.hazard in ("hazardous", "controlled")
    for offer, need, m in potential:
        if offer.listing_id not in rows or need.listing_id not in rows:
            continue
        for park in {parks[offer.listing_id], parks[need.listing_id]}:
            out.by_park[park]["potential"] += 1
            out.pairs[park].append((rows[offer.listing_id], rows[need.listing_id], m))
    for p in session.scalars(select(ExchangeRequest).order_by(ExchangeRequest.created_at.desc())):
        factor = next((f for k in rows[p.offer_id].resources or []
                       if (f := co2e_factor(k)) is not None), None)
        for park in {parks[p.offer_id], parks[p.need_id]}:
            counts = out.by_park[park]
            counts[p.status.value] += 1
            out.proposals[park].append(p)
            if p.status == ExchangeStatus.DONE and p.tonnes_a_month:
                counts["tonnes"] += p.tonnes_a_month
                if factor is not None:
                    counts["co2e_kg"] += p.tonnes_a_month * factor
    return out

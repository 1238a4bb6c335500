"""Premises for SMEs: what park developers have available and what a firm needs.

Developers list ready-built factories, floors of high-rise factories, land plots and
warehouses (:class:`PremisesOffer`: park, area, floor load, power, price, date); an SME
states what it needs (:class:`PremisesNeed`: kinds, area range, places written freely,
minimum floor load and power, a monthly budget, a date). :func:`match_premises`
checks every stated condition against every listing, each check met, missing or
unknown (a listing that does not say), and ranks those with nothing missing by how
many conditions are known to be met and how close the area is. :func:`unmet` says,
for a need nothing meets, which condition stopped the nearest listings: the demand
staff should see.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .places import find_in_query, matches, parks_in, resolve

KINDS = ("ready_built_factory", "high_rise_floor", "land_plot", "warehouse")
MONTHLY, TERM = "usd_m2_month", "usd_m2_term"
"""Price units: US dollars per m² a month (rent), or per m² for the lease term (land)."""
MET, MISSING, UNKNOWN = "met", "missing", "unknown"
AREA_SLACK = 1.25
"""A listing up to this much larger than the largest area asked for still fits (a firm
takes a little more space; much more it cannot pay for)."""


@dataclass(frozen=True)
class PremisesOffer:
    premises_id: int
    kind: str
    park: str
    area_m2: float
    floor_load_t_m2: float | None = None
    power_kva: float | None = None
    price_low: float | None = None
    price_high: float | None = None
    price_unit: str = MONTHLY
    available_from: date | None = None


@dataclass(frozen=True)
class PremisesNeed:
    need_id: int
    kinds: tuple[str, ...] = ()
    area_min: float | None = None
    area_max: float | None = None
    places: str = ""
    floor_load_min: float | None = None
    power_min: float | None = None
    budget_max: float | None = None
    """US dollars per m² a month."""
    needed_by: date | None = None


@dataclass(frozen=True)
class Check:
    """One stated condition of a need against one listing."""

    kind: str
    """``kind``, ``area``, ``place``, ``floor_load``, ``power``, ``price`` or ``date``."""
    status: str
    wanted: str
    found: str = ""


@dataclass(frozen=True)
class PremisesMatch:
    premises_id: int
    checks: tuple[Check, ...]

    @property
    def fits(self) -> bool:
        return not any(c.status == MISSING for c in self.checks)

    @property
    def met(self) -> int:
        return sum(c.status == MET for c in self.checks)


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def wanted_parks(places: str) -> tuple[tuple[str, ...], list]:
    """The parks a need's place text names or lies near, and the places it names."""
    mentions = find_in_query(places) if places.strip() else []
    if not mentions and places.strip():
        place = resolve(places)
        return (parks_in(place, True) if place.park or place.area or place.region else ()), []
    parks = tuple(dict.fromkeys(p for m in mentions for p in parks_in(m.place, True)))
    return parks, mentions


def check(offer: PremisesOffer, need: PremisesNeed, near_parks: tuple[str, ...] = (),
          mentions: Sequence = ()) -> PremisesMatch:
    """Every condition ``need`` states, checked against ``offer``."""
    checks: list[Check] = []
    if need.kinds:
        checks.append(Check("kind", MET if offer.kind in need.kinds else MISSING,
                            "/".join(need.kinds), offer.kind))
    if need.area_min is not None or need.area_max is not None:
        low = need.area_min or 0.0
        high = (need.area_max or need.area_min or 0.0) * AREA_SLACK
        ok = offer.area_m2 >= low and (not high or offer.area_m2 <= high or
                                       offer.kind == "land_plot" and need.area_max is None)
        checks.append(Check("area", MET if ok else MISSING,
                            f"{_num(need.area_min)}–{_num(need.area_max)}", _num(offer.area_m2)))
    if need.places.strip():
        inside = offer.park in near_parks or any(
            matches(m.place, offer.park, None, None, None) for m in mentions)
        checks.append(Check("place", MET if inside else MISSING, need.places, offer.park))
    for name, wanted, found in (("floor_load", need.floor_load_min, offer.floor_load_t_m2),
                                ("power", need.power_min, offer.power_kva)):
        if wanted is not None:
            status = UNKNOWN if found is None else MET if found >= wanted else MISSING
            checks.append(Check(name, status, _num(wanted), _num(found)))
    if need.budget_max is not None:
        if offer.price_low is None or offer.price_unit != MONTHLY:
            status = UNKNOWN
        else:
            status = MET if offer.price_low <= need.budget_max else MISSING
        checks.append(Check("price", status, _num(need.budget_max),
                            f"{_num(offer.price_low)}–{_num(offer.price_high)}"))
    if need.needed_by is not None:
        status = (MET if offer.available_from is None or offer.available_from <= need.needed_by
                  else MISSING)
        checks.append(Check("date", status, need.needed_by.isoformat(),
                            offer.available_from.isoformat() if offer.available_from else ""))
    return PremisesMatch(offer.premises_id, tuple(checks))


def match_premises(need: PremisesNeed, offers: Sequence[PremisesOffer]
                   ) -> tuple[list[PremisesMatch], list[PremisesMatch]]:
    """(listings with nothing missing, best first; the others, nearest first)."""
    parks, mentions = wanted_parks(need.places)
    checked = [check(o, need, parks, mentions) for o in offers]
    by_id = {o.premises_id: o for o in offers}
    target = need.area_max or need.area_min

    def closeness(m: PremisesMatch) -> float:
        area = by_id[m.premises_id].area_m2
        return abs(area - target) / target if target else 0.0

    fits = sorted((m for m in checked if m.fits), key=lambda m: (-m.met, closeness(m)))
    near = sorted((m for m in checked if not m.fits),
                  key=lambda m: (sum(c.status == MISSING for c in m.checks), -m.met))
    return fits, near


def unmet(need: PremisesNeed, offers: Sequence[PremisesOffer], nearest: int = 5
          ) -> Counter[str]:
    """For a need no listing meets: how often each condition is what the nearest
    ``nearest`` listings miss (empty when some listing meets it)."""
    fits, near = match_premises(need, offers)
    if fits:
        return Counter()
    return Counter(c.kind for m in near[:nearest] for c in m.checks if c.status == MISSING)

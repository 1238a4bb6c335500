"""The one write path for premises: what developers have available and what firms need.

Values come as a form or an API body writes them ("1.200", "3,5", "31/12/2027", a park
by any name people use); :func:`read_premises` and :func:`read_need` check and read them
(:class:`~recommender.store.listings.ListingErrors` names every problem by a code),
:func:`save_premises` and :func:`save_need` save them. :func:`load_sample_premises`
loads the demo's invented rows (``corpora/sample_premises.jsonl``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..exchange.quantities import read_number
from ..places import resolve
from ..premises import KINDS, MONTHLY, TERM, PremisesNeed, PremisesOffer
from ..text import normalize
from .listings import ListingErrors
from .models import (
    MAX_LEN,
    PremisesKind,
    PremisesListing,
    PremisesRequest,
    SupplierProfile,
    utcnow,
)
from .wording import read_date

PREMISES_FIELDS = ("developer", "park", "kind", "title", "area_m2", "floor_load_t_m2",
                   "power_kva", "price_low", "price_high", "price_unit", "price_text",
                   "available_from", "min_lease_years", "description")
NEED_FIELDS = ("kinds", "area_min", "area_max", "places", "floor_load_min", "power_min",
               "budget_max", "needed_by", "description")
TEXT_LIMITS = {"developer": MAX_LEN["name"], "title": MAX_LEN["listing_what"],
               "price_text": MAX_LEN["listing_short"], "description": 4_000,
               "places": MAX_LEN["listing_what"], "park": MAX_LEN["address"]}


_FIRST_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class _Reader:
    def __init__(self, data: Mapping[str, Any], fields: tuple[str, ...]) -> None:
        self.data = data
        self.problems: dict[str, tuple[str, Mapping[str, Any]]] = {}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            self.problems["_"] = ("unknown_field", {"fields": ", ".join(unknown)})

    def given(self, name: str) -> bool:
        value = self.data.get(name)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def text(self, name: str, required: bool = False) -> str:
        value = self.data.get(name)
        if value is None or isinstance(value, str) and not value.strip():
            if required:
                self.problems[name] = ("required", {})
            return ""
        if not isinstance(value, str):
            self.problems[name] = ("not_text", {})
            return ""
        text = normalize(value).strip()
        if len(text) > TEXT_LIMITS[name]:
            self.problems[name] = ("too_long", {"limit": TEXT_LIMITS[name],
                                                "length": len(text)})
        return text

    def number(self, name: str, required: bool = False, integer: bool = False
               ) -> float | None:
        if not self.given(name):
            if required:
                self.problems[name] = ("required", {})
            return None
        value = self.data[name]
        if isinstance(value, bool):
            found = None
        elif isinstance(value, int | float):
            found = float(value)
        else:
            # the first number as written: "khoảng 500 m²", "1.200m2", "400 kVA", "3,5"
            first = _FIRST_NUMBER.search(str(value))
            found = read_number(first.group(0)) if first else None
        if found is None or found < 0 or (integer and found != int(found)):
            self.problems[name] = ("not_number", {})
            return None
        return int(found) if integer else found

    def day(self, name: str) -> date | None:
        if not self.given(name):
            return None
        value = self.data[name]
        found = value if isinstance(value, date) else read_date(str(value))
        if found is None:
            self.problems[name] = ("bad_date", {})
        return found

    def ordered(self, values: Mapping[str, Any], low: str, high: str) -> None:
        """A range written upside down (``high`` below ``low``) is a problem of ``high``."""
        if values[low] is not None and values[high] is not None and values[high] < values[low]:
            self.problems[high] = ("range", {})

    def done(self) -> None:
        if self.problems:
            raise ListingErrors(self.problems)


def read_premises(data: Mapping[str, Any]) -> dict[str, Any]:
    """Checked values of premises a developer lists (``park``, ``kind``, ``title`` and
    ``area_m2`` required). Raises :class:`ListingErrors`."""
    r = _Reader(data, PREMISES_FIELDS)
    values: dict[str, Any] = {"developer": r.text("developer"), "title": r.text("title", True),
                              "price_text": r.text("price_text"),
                              "description": r.text("description")}
    park_text = r.text("park", True)
    # the field names a park: "Tân Tạo" here is the park, not the ward of that name
    park = next((found for text in (park_text, f"KCN {park_text}", f"KCX {park_text}")
                 if (found := resolve(text).park)), None) if park_text else None
    if park_text and park is None:
        r.problems["park"] = ("unknown_park", {"value": park_text})
    values["park"] = park
    kind = data.get("kind")
    if kind not in KINDS:
        r.problems["kind"] = ("bad_premises_kind", {}) if kind else ("required", {})
    else:
        values["kind"] = PremisesKind(kind)
    values["area_m2"] = r.number("area_m2", required=True)
    if values["area_m2"] == 0:
        r.problems["area_m2"] = ("not_number", {})
    for name in ("floor_load_t_m2", "power_kva", "price_low", "price_high"):
        values[name] = r.number(name)
    values["min_lease_years"] = r.number("min_lease_years", integer=True)
    unit = data.get("price_unit") or (TERM if kind == "land_plot" else MONTHLY)
    if unit not in (MONTHLY, TERM):
        r.problems["price_unit"] = ("bad_price_unit", {})
    values["price_unit"] = unit
    r.ordered(values, "price_low", "price_high")
    values["available_from"] = r.day("available_from")
    r.done()
    return values


def read_need(data: Mapping[str, Any]) -> dict[str, Any]:
    """Checked values of premises a firm needs (an area, at least). Raises
    :class:`ListingErrors`."""
    r = _Reader(data, NEED_FIELDS)
    kinds = data.get("kinds") or []
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, list) or any(k not in KINDS for k in kinds):
        r.problems["kinds"] = ("bad_premises_kind", {})
        kinds = []
    values: dict[str, Any] = {"kinds": list(dict.fromkeys(kinds)),
                              "places": r.text("places"), "description": r.text("description")}
    for name in ("area_min", "area_max", "floor_load_min", "power_min", "budget_max"):
        values[name] = r.number(name)
    if values["area_min"] is None and values["area_max"] is None and not (
            {"area_min", "area_max"} & set(r.problems)):
        r.problems["area_min"] = ("required", {})
    r.ordered(values, "area_min", "area_max")
    values["needed_by"] = r.day("needed_by")
    r.done()
    return values


def save_premises(session: Session, data: Mapping[str, Any], *,
                  profile: SupplierProfile | None = None,
                  row: PremisesListing | None = None) -> PremisesListing:
    """Create (or replace the values of) premises; a developer's account lists under its
    own profile (``profile``, whose name is the default developer), staff without one."""
    if row is not None and profile is not None and row.profile_id != profile.id:
        raise ListingErrors({"_": ("not_yours", {})})
    values = read_premises(data)
    if not values["developer"]:
        values["developer"] = profile.name if profile is not None else (
            row.developer if row is not None else "")
        if not values["developer"]:
            raise ListingErrors({"developer": ("required", {})})
    if row is None:
        row = PremisesListing(profile_id=profile.id if profile is not None else None)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    return row


def save_need(session: Session, profile: SupplierProfile, data: Mapping[str, Any],
              row: PremisesRequest | None = None) -> PremisesRequest:
    """Create (or replace the values of) a firm's statement of the premises it needs."""
    if row is not None and row.profile_id != profile.id:
        raise ListingErrors({"_": ("not_yours", {})})
    values = read_need(data)
    if row is None:
        row = PremisesRequest(profile_id=profile.id)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    return row


def as_offer(row: PremisesListing) -> PremisesOffer:
    return PremisesOffer(row.id, row.kind.value, row.park, row.area_m2, row.floor_load_t_m2,
                         row.power_kva, row.price_low, row.price_high, row.price_unit,
                         row.available_from)


def as_need(row: PremisesRequest) -> PremisesNeed:
    return PremisesNeed(row.id, tuple(row.kinds or ()), row.area_min, row.area_max,
                        row.places or "", row.floor_load_min, row.power_min, row.budget_max,
                        row.needed_by)


def open_premises(session: Session) -> list[PremisesListing]:
    return list(session.scalars(select(PremisesListing).where(PremisesListing.open.is_(True))
                                .order_by(PremisesListing.park, PremisesListing.id)))


def load_sample_premises(session: Session, path: str | os.PathLike) -> tuple[int, int]:
    """Load the demo's invented premises and needs (each ``"sample": true``) once;
    rows whose ``external_id`` is already stored are left alone. Returns (premises,
    needs) added. Raises ValueError on a row that does not read."""
    added = [0, 0]
    known = set(session.scalars(select(PremisesListing.external_id))) | set(
        session.scalars(select(PremisesRequest.external_id)))
    profiles = {p.external_id: p for p in session.scalars(select(SupplierProfile))}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            item = json.loads(line)
            if item["external_id"] in known:
                continue
            try:
                if item["role"] == "premises":
                    fields = {k: item.get(k) for k in PREMISES_FIELDS if k in item}
                    if item.get("kind") == "land_plot":
                        fields["price_low"] = item.get("price_usd_m2_low")
                        fields["price_high"] = item.get("price_usd_m2_high")
                    else:
                        fields["price_low"] = item.get("price_usd_m2_month_low")
                        fields["price_high"] = item.get("price_usd_m2_month_high")
                    row = save_premises(session, fields)
                    added[0] += 1
                else:
                    profile = profiles.get(item["profile"])
                    if profile is None:
                        continue  # the sample supplier is not loaded here
                    row = save_need(session, profile, {
                        "kinds": item.get("kinds") or [], "area_min": item.get("area_m2_min"),
                        "area_max": item.get("area_m2_max"), "places": item.get("places", ""),
                        "floor_load_min": item.get("floor_load_t_m2_min"),
                        "power_min": item.get("power_kva_min"),
                        "budget_max": item.get("budget_usd_m2_month_max"),
                        "needed_by": item.get("needed_by"),
                        "description": item.get("description", "")})
                    added[1] += 1
            except ListingErrors as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
            row.external_id = item["external_id"]
            row.sample = True
    session.flush()
    return added[0], added[1]

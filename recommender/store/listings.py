"""The one write path for the resource exchange: listings and exchange requests.

A firm lists what it offers or needs in one short form: what (required), and, if it
likes, how much, how often, details and where (its own park or address by default).
:func:`save_listing` checks what was sent, reads the resource nodes and the hazard
(:mod:`recommender.exchange.streams`) and saves; nothing half-written is kept when a
field is wrong (:class:`ListingErrors` names every problem by a code the web app
words in the user's language). :func:`request_exchange` and :func:`answer_exchange`
carry one firm's request to the other and its answer, under the law: a request that
would send hazardous waste to a firm without a licence is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..exchange.match import NEED, OFFER, Listing, allowed
from ..exchange.quantities import parse_quantity
from ..exchange.streams import diverts_material, facts_of
from ..text import normalize
from .models import (
    MAX_LEN,
    ExchangeRequest,
    ExchangeStatus,
    ListingKind,
    ResourceListing,
    SupplierProfile,
    utcnow,
)

FIELDS = ("kind", "what", "quantity", "frequency", "details", "site", "licence")
"""What a listing form or API body may hold; only ``kind`` and ``what`` are required."""
LIMITS = {"what": MAX_LEN["listing_what"], "quantity": MAX_LEN["listing_short"],
          "frequency": MAX_LEN["listing_short"], "details": 4_000,
          "site": MAX_LEN["address"], "licence": MAX_LEN["listing_what"],
          "message": 4_000}
MIN_WHAT = 3


class ListingErrors(ValueError):
    """Every problem with a submitted listing or request: field → (code, parameters).

    Codes: ``required``, ``not_text``, ``too_long`` (``limit``), ``too_short``
    (``limit``), ``bad_kind``, ``unknown_field`` (``fields``),
    ``same_firm``, ``not_yours``, ``closed``, ``needs_licence``, ``already_asked``,
    ``wrong_kinds``, ``not_recipient``, ``bad_answer``.
    """

    def __init__(self, problems: Mapping[str, tuple[str, Mapping[str, Any]]]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {code}" for k, (code, _) in self.problems.items()))


def _text(data: Mapping[str, Any], name: str, problems: dict) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems[name] = ("not_text", {})
        return ""
    text = normalize(value).strip()
    if len(text) > LIMITS[name]:
        problems[name] = ("too_long", {"limit": LIMITS[name], "length": len(text)})
    return text


def read_listing(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The checked values of a submitted listing (``partial``: an edit may leave out
    fields, which keep their value). Raises :class:`ListingErrors`."""
    problems: dict[str, tuple[str, Mapping[str, Any]]] = {}
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        problems["_"] = ("unknown_field", {"fields": ", ".join(unknown)})
    values: dict[str, Any] = {}
    if "kind" in data or not partial:
        kind = data.get("kind")
        if kind not in (OFFER, NEED):
            problems["kind"] = ("bad_kind", {}) if kind else ("required", {})
        else:
            values["kind"] = ListingKind(kind)
    for name in FIELDS[1:]:
        if name in data or not partial:
            values[name] = _text(data, name, problems)
    if ("what" in values and "what" not in problems
            and len(values["what"]) < MIN_WHAT):
        problems["what"] = ("required", {}) if not values["what"] else (
            "too_short", {"limit": MIN_WHAT})
    if problems:
        raise ListingErrors(problems)
    return values


def default_site(profile: SupplierProfile) -> str:
    """Where a firm's listing is when it does not say: its park, else its address."""
    return profile.park or profile.address or ""


def save_listing(session: Session, profile: SupplierProfile, data: Mapping[str, Any],
                 listing: ResourceListing | None = None, *, sample: bool = False
                 ) -> ResourceListing:
    """Create a listing for ``profile``, or change ``listing`` (which must be its own),
    and flush it. The caller commits."""
    if listing is not None and listing.profile_id != profile.id:
        raise ListingErrors({"_": ("not_yours", {})})
    values = read_listing(data, partial=listing is not None)
    if listing is None:
        listing = ResourceListing(profile_id=profile.id, sample=sample)
        session.add(listing)
    for name, value in values.items():
        setattr(listing, name, value)
    if not listing.site:
        listing.site = default_site(profile)
    facts = facts_of(listing.what, listing.details)
    listing.resources = list(facts.keys)
    listing.hazard = facts.hazard
    listing.updated_at = utcnow()
    session.flush()
    return listing


def close_listing(session: Session, profile: SupplierProfile, listing: ResourceListing,
                  open_: bool = False) -> ResourceListing:
    """Close (or reopen) one of the firm's own listings; it stays in the park's record."""
    if listing.profile_id != profile.id:
        raise ListingErrors({"_": ("not_yours", {})})
    listing.open = open_
    listing.updated_at = utcnow()
    session.flush()
    return listing


def as_listing(row: ResourceListing) -> Listing:
    """A stored listing as the matcher reads it."""
    return Listing(row.id, row.kind.value, row.what, row.details or "", row.quantity or "",
                   row.frequency or "", row.site or "", row.licence or "", str(row.id),
                   owner=str(row.profile_id))


def request_exchange(session: Session, sender: SupplierProfile, offer: ResourceListing,
                     need: ResourceListing, message: str = "") -> ExchangeRequest:
    """``sender`` (the owner of one of the two listings) asks the other firm to exchange
    ``offer`` for ``need``. Refused when the listings are not an open offer and an open
    need of two firms, when the law forbids it, or when it was asked before."""
    problems: dict[str, tuple[str, Mapping[str, Any]]] = {}
    if offer.kind != ListingKind.OFFER or need.kind != ListingKind.NEED:
        problems["_"] = ("wrong_kinds", {})
    elif sender.id not in (offer.profile_id, need.profile_id):
        problems["_"] = ("not_yours", {})
    elif offer.profile_id == need.profile_id:
        problems["_"] = ("same_firm", {})
    elif not (offer.open and need.open):
        problems["_"] = ("closed", {})
    elif not allowed(as_listing(offer), as_listing(need)):
        problems["_"] = ("needs_licence", {})
    elif session.scalar(select(ExchangeRequest.id).where(
            ExchangeRequest.offer_id == offer.id, ExchangeRequest.need_id == need.id)):
        problems["_"] = ("already_asked", {})
    text = _text({"message": message}, "message", problems)
    if problems:
        raise ListingErrors(problems)
    amount = parse_quantity(offer.quantity, offer.frequency)
    per_month = (amount.per_month() if amount is not None and amount.unit == "t"
                 and diverts_material(tuple(offer.resources or ())) else None)
    recipient = need.profile_id if sender.id == offer.profile_id else offer.profile_id
    request = ExchangeRequest(offer_id=offer.id, need_id=need.id, sender_id=sender.id,
                              recipient_id=recipient, message=text,
                              tonnes_a_month=None if per_month is None else round(per_month, 3))
    session.add(request)
    session.flush()
    return request


ANSWERS = {"accept": ExchangeStatus.ACCEPTED, "decline": ExchangeStatus.DECLINED,
           "done": ExchangeStatus.DONE}


def answer_exchange(session: Session, profile: SupplierProfile, request: ExchangeRequest,
                    answer: str) -> ExchangeRequest:
    """The recipient accepts or declines; either firm marks an accepted exchange done."""
    status = ANSWERS.get(answer)
    if status is None:
        raise ListingErrors({"answer": ("bad_answer", {})})
    parties = (request.sender_id, request.recipient_id)
    if profile.id not in parties:
        raise ListingErrors({"_": ("not_yours", {})})
    if status == ExchangeStatus.DONE:
        if request.status != ExchangeStatus.ACCEPTED:
            raise ListingErrors({"answer": ("bad_answer", {})})
    elif profile.id != request.recipient_id or request.status != ExchangeStatus.SENT:
        raise ListingErrors({"_": ("not_recipient", {})})
    request.status = status
    request.answered_at = utcnow()
    session.flush()
    return request

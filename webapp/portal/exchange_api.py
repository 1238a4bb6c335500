"""The resource exchange by API (``/api/v1/enterprise/listings``,
``/api/v1/enterprise/exchange-requests``): the same write path, matching and rules as
the pages of :mod:`.exchange`, in the error shape of :mod:`webapp.errors`."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from recommender.store.listings import (
    FIELDS,
    ListingErrors,
    answer_exchange,
    close_listing,
    request_exchange,
    save_listing,
)
from recommender.store.models import ExchangeRequest, ResourceListing

from ..auth import login_required
from ..db import get_session
from ..errors import api_error
from ..exchange_text import listing_messages
from .blueprints import api
from .common import own_profile
from .exchange import listing_json, matches_of, request_json, requests_of


def _body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def _expected(keys) -> str:
    return "{" + ", ".join(f'"{k}": …' for k in keys) + "}"


def _invalid(exc: ListingErrors):
    get_session().rollback()
    messages = listing_messages(exc)
    if set(messages) == {"_"}:
        if exc.problems["_"][0] == "not_yours":
            return api_error("not_yours")
        return api_error("conflict_exchange", reason=messages["_"])
    return api_error("invalid_fields", messages)


def _own(listing_id: int) -> ResourceListing | None:
    row = get_session().get(ResourceListing, listing_id)
    return row if row is not None and row.profile_id == own_profile().id else None


@api.get("/listings")
@login_required(role="enterprise")
def listings_list():
    profile = own_profile()
    rows = get_session().scalars(select(ResourceListing)
                                 .where(ResourceListing.profile_id == profile.id)
                                 .order_by(ResourceListing.updated_at.desc()))
    items = [listing_json(r) for r in rows]
    return {"items": items, "_meta": {"count": len(items), "total": len(items)}}


@api.post("/listings")
@login_required(role="enterprise")
def listings_create():
    body = _body()
    if body is None:
        return api_error("bad_body", expected=_expected(FIELDS))
    session = get_session()
    try:
        row = save_listing(session, own_profile(), body)
    except ListingErrors as exc:
        return _invalid(exc)
    session.commit()
    return listing_json(row), 201


@api.get("/listings/<int:listing_id>")
@login_required(role="enterprise")
def listings_show(listing_id: int):
    row = _own(listing_id)
    if row is None:
        return api_error("listing_not_found", id=listing_id)
    return {**listing_json(row), "matches": matches_of(row)}


@api.patch("/listings/<int:listing_id>")
@login_required(role="enterprise")
def listings_update(listing_id: int):
    row = _own(listing_id)
    if row is None:
        return api_error("listing_not_found", id=listing_id)
    body = _body()
    editable = [k for k in FIELDS if k != "kind"]
    if body is None or "open" in body and not isinstance(body["open"], bool):
        return api_error("bad_body", expected=_expected([*editable, "open"]))
    session = get_session()
    profile = own_profile()
    fields = {k: v for k, v in body.items() if k != "open"}
    try:
        if fields:
            save_listing(session, profile, fields, row)
        if "open" in body:
            close_listing(session, profile, row, body["open"])
    except ListingErrors as exc:
        return _invalid(exc)
    session.commit()
    return listing_json(row)


@api.post("/listings/<int:listing_id>/requests")
@login_required(role="enterprise")
def listings_request(listing_id: int):
    row = _own(listing_id)
    if row is None:
        return api_error("listing_not_found", id=listing_id)
    body = _body()
    if body is None or not isinstance(body.get("other_id"), int):
        return api_error("bad_body", expected='{"other_id": …, "message": …}')
    session = get_session()
    other = session.get(ResourceListing, body["other_id"])
    if other is None or not other.open:
        return api_error("listing_not_found", id=body["other_id"])
    offer, need = (row, other) if row.kind.value == "offer" else (other, row)
    try:
        made = request_exchange(session, own_profile(), offer, need,
                                body.get("message") or "")
    except ListingErrors as exc:
        return _invalid(exc)
    session.commit()
    return request_json(made, own_profile()), 201


@api.get("/exchange-requests")
@login_required(role="enterprise")
def exchange_requests_list():
    profile = own_profile()
    items = [request_json(r, profile) for r in requests_of(profile)]
    return {"items": items, "_meta": {"count": len(items), "total": len(items)}}


@api.patch("/exchange-requests/<int:request_id>")
@login_required(role="enterprise")
def exchange_requests_answer(request_id: int):
    profile = own_profile()
    session = get_session()
    found = session.get(ExchangeRequest, request_id)
    if found is None or profile.id not in (found.sender_id, found.recipient_id):
        return api_error("exchange_request_not_found", id=request_id)
    body = _body()
    if body is None or not isinstance(body.get("answer"), str):
        return api_error("bad_body", expected='{"answer": "accept" | "decline" | "done"}')
    try:
        answer_exchange(session, profile, found, body["answer"])
    except ListingErrors as exc:
        return _invalid(exc)
    session.commit()
    return request_json(found, profile)

"""Buyer requests (RFQs) for the enterprise: those matched to its profile (viewing
the page marks them seen; ``PATCH /api/v1/enterprise/requests/<id>`` with
``{"seen": true}`` does it by API), plus open RFQs the profile would now match
(``/enterprise/requests`` and ``GET /api/v1/enterprise/requests``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template, request
from sqlalchemy import exists, func, or_, select, update

from recommender import requirements, vocab
from recommender.serving.profiles import CatalogProfile
from recommender.store.models import (
    BuyerRequest,
    RequestMatch,
    RequestStatus,
    SupplierProfile,
    utcnow,
)
from recommender.visibility import match_reasons, rfq_ranks

from ..auth import login_required
from ..catalog import get_catalog
from ..db import get_session
from ..errors import api_error, one_of
from ..paging import BadPage, page_args, page_meta
from .blueprints import api, bp
from .common import own_profile, ranking_cache

MAX_OPEN_RFQS = 30
"""Newest open RFQs checked for a match the profile would now make."""


def _requirements_of(rfq: BuyerRequest) -> dict[str, Any]:
    return {"processes": [vocab.label(k, vocab.PROCESSES) for k in rfq.processes or []],
            "certifications": list(rfq.certifications or []), "park": rfq.park,
            "quantity": rfq.quantity}


def rfq_json(rfq: BuyerRequest) -> dict[str, Any]:
    """What a matched supplier may read of an RFQ (not the buyer's identity)."""
    return {"id": rfq.id, "title": rfq.title, "text": rfq.text,
            "requirements": _requirements_of(rfq),
            "due_date": rfq.due_date.isoformat() if rfq.due_date else None,
            "status": rfq.status.value if rfq.status else None,
            "created_at": rfq.created_at.isoformat() if rfq.created_at else None}


def explanation_lines(explanation: dict[str, Any] | None) -> dict[str, Any]:
    """The parts of a match explanation a page shows, whatever wrote it."""
    e = explanation if isinstance(explanation, dict) else {}
    known = ("matched_terms", "concepts", "requirements", "summary")
    concepts = [vocab.label(k, vocab.PROCESSES) for k in e.get("concepts") or []
                if isinstance(k, str)]
    requirements = [r for r in e.get("requirements") or []
                    if isinstance(r, dict) and r.get("wanted")]
    other = {k: v for k, v in e.items() if k not in known and isinstance(v, str | int | float)}
    return {"summary": e.get("summary") if isinstance(e.get("summary"), str) else None,
            "matched_terms": [t for t in e.get("matched_terms") or [] if isinstance(t, str)],
            "concepts": concepts, "requirements": requirements, "other": other}


def rfq_query(rfq: BuyerRequest) -> str:
    """A stored RFQ as the query it was matched with (one form for every RFQ query)."""
    return requirements.rfq_query(rfq.title, rfq.text, rfq.processes or [],
                                  rfq.certifications or [], rfq.park)


def potential_requests(p: SupplierProfile) -> list[dict[str, Any]]:
    """Open RFQs not matched to the profile in which it now ranks in the top 10.

    The newest :data:`MAX_OPEN_RFQS` open RFQs are searched over all suppliers,
    as when the RFQ was matched, so an edit that adds what an RFQ asks for shows
    it here. Cached per profile version and index version.
    """
    catalog = get_catalog()
    if not catalog.ready:
        return []
    db = get_session()
    today = date.today()
    already = exists().where(RequestMatch.request_id == BuyerRequest.id,
                             RequestMatch.profile_id == p.id)
    rfqs = list(db.scalars(
        select(BuyerRequest)
        .where(BuyerRequest.status != RequestStatus.CLOSED, ~already,
               or_(BuyerRequest.due_date.is_(None), BuyerRequest.due_date >= today))
        .order_by(BuyerRequest.created_at.desc(), BuyerRequest.id.desc())
        .limit(MAX_OPEN_RFQS)))
    if not rfqs:
        return []
    key = (p.id, p.updated_at, catalog.version, today, tuple(r.id for r in rfqs))
    cache = ranking_cache("potential_requests")
    ranks = cache.get(key)
    current = CatalogProfile.from_row(p)
    if ranks is None:
        ranks = tuple(rfq_ranks(catalog.recommender, p.id, current.search_text,
                                current.facts(), [rfq_query(r) for r in rfqs], today=today))
        cache.put(key, ranks)
    return [{**rfq_json(rfq), "rank": rank,
             "why": match_reasons(rfq_query(rfq), current.search_text, current.facts(), today)}
            for rfq, rank in zip(rfqs, ranks, strict=True) if rank is not None]


def matched_requests(p: SupplierProfile, page: int, per_page: int
                     ) -> tuple[list[tuple[RequestMatch, BuyerRequest]], int]:
    db = get_session()
    total = db.scalar(select(func.count()).select_from(RequestMatch)
                      .where(RequestMatch.profile_id == p.id)) or 0
    rows = db.execute(
        select(RequestMatch, BuyerRequest)
        .join(BuyerRequest, BuyerRequest.id == RequestMatch.request_id)
        .where(RequestMatch.profile_id == p.id)
        .order_by(RequestMatch.created_at.desc(), RequestMatch.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return [(m, r) for m, r in rows], total


def match_json(m: RequestMatch, rfq: BuyerRequest) -> dict[str, Any]:
    return {"id": m.id, "rank": m.rank, "score": m.score,
            "explanation": m.explanation or {}, "why": explanation_lines(m.explanation),
            "seen_at": m.seen_at.isoformat() if m.seen_at else None,
            "matched_at": m.created_at.isoformat() if m.created_at else None,
            "request": rfq_json(rfq)}


def _mark_seen(ids: list[int], profile_id: int) -> None:
    if not ids:
        return
    db = get_session()
    db.execute(update(RequestMatch)
               .where(RequestMatch.id.in_(ids), RequestMatch.profile_id == profile_id,
                      RequestMatch.seen_at.is_(None))
               .values(seen_at=utcnow()))
    db.commit()


@bp.get("/enterprise/requests")
@login_required(role="enterprise")
def requests_page():
    profile = own_profile()
    page, per_page = page_args(strict=False)
    rows, total = matched_requests(profile, page, per_page)
    items = [{"match": m, "rfq": r, "why": explanation_lines(m.explanation),
              "requirements": _requirements_of(r), "new": m.seen_at is None} for m, r in rows]
    potential = potential_requests(profile) if page == 1 else []
    html = render_template("portal/requests.html", profile=profile, items=items,
                           potential=potential, meta=page_meta(page, per_page, total, len(rows)),
                           index_ready=get_catalog().ready)
    _mark_seen([m.id for m, _ in rows], profile.id)  # shown now: no longer new
    return html


@api.get("/requests")
@login_required(role="enterprise")
def api_requests():
    profile = own_profile()
    try:
        page, per_page = page_args(strict=True)
    except BadPage as exc:
        return api_error("bad_page", problem=str(exc))
    rows, total = matched_requests(profile, page, per_page)
    meta = page_meta(page, per_page, total, len(rows))
    want_potential = request.args.get("potential", "1") not in ("0", "false", "no")
    potential = potential_requests(profile) if want_potential else []
    meta["index_ready"] = get_catalog().ready
    return {"items": [match_json(m, r) for m, r in rows], "potential": potential,
            "_meta": meta}


@api.patch("/requests/<int:match_id>")
@login_required(role="enterprise")
def api_request_seen(match_id: int):
    profile = own_profile()
    db = get_session()
    match = db.get(RequestMatch, match_id)
    if match is None or match.profile_id != profile.id:
        return api_error("match_not_found", id=match_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or set(data) != {"seen"} or not isinstance(data["seen"], bool):
        return api_error("bad_body", {"seen": one_of(("true", "false"))},
                         expected='{"seen": true|false}')
    match.seen_at = (match.seen_at or utcnow()) if data["seen"] else None
    db.commit()
    return match_json(match, db.get(BuyerRequest, match.request_id))

"""How buyers find the enterprise: its rank for recent buyer queries and for queries
derived from its processes, and what to add (``/enterprise/visibility`` and
``GET /api/v1/enterprise/visibility``); ranked by :mod:`recommender.visibility`."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from recommender.serving.profiles import CatalogProfile
from recommender.store.models import SearchLog, SupplierProfile, utcnow
from recommender.taxonomy import load_glossary
from recommender.visibility import (
    DEPTH,
    MAX_QUERIES,
    TOP,
    BuyerQuery,
    assess,
    derived_queries,
    profile_suggestions,
)

from ..auth import login_required
from ..catalog import get_catalog
from ..db import flush_search_log, get_session
from ..errors import api_error
from ..i18n import current_language
from .blueprints import api, bp
from .common import own_profile, ranking_cache

QUERY_LOG_DAYS = 90
MAX_LOGGED_QUERIES = 20
"""Most searched buyer queries checked on the visibility page; derived ones fill up to 30."""
MAX_SECTOR_QUERIES = 50
"""Queries of the profile's sector whose missing terms are counted."""
MAX_LOG_ROWS = 20000
"""Newest search-log rows read per visibility computation."""
MAX_SECTOR_PROCESSES = 4


def _glossary(catalog):
    name = catalog.index.config.glossary
    return None if name.lower() == "none" else load_glossary(name or None)


def logged_queries(limit: int = MAX_LOGGED_QUERIES, sector: str | None = None
                   ) -> list[BuyerQuery]:
    """The most searched distinct buyer queries of the last 90 days.

    With ``sector``, only the queries of that sector: searched with that sector
    filter, or whose shown results were mostly suppliers of that sector.
    """
    since = utcnow() - timedelta(days=QUERY_LOG_DAYS)
    flush_search_log()
    db = get_session()
    rows = db.execute(
        select(SearchLog.query, SearchLog.lang, SearchLog.filters,
               SearchLog.result_external_ids)
        .where(SearchLog.created_at >= since)
        .order_by(SearchLog.created_at.desc())
        .limit(MAX_LOG_ROWS)).all()
    if sector is not None:
        shown = {eid for *_, ids in rows for eid in (ids or [])[:TOP] if isinstance(eid, str)}
        sector_of = dict(db.execute(
            select(SupplierProfile.external_id, SupplierProfile.sector)
            .where(SupplierProfile.external_id.in_(shown))).all()) if shown else {}

        def of_sector(filters, ids) -> bool:
            if sector in ((filters or {}).get("sector") or []):
                return True
            first = [sector_of.get(e) for e in (ids or [])[:TOP]]
            return bool(first) and 2 * sum(s == sector for s in first) > len(first)

        rows = [r for r in rows if of_sector(r[2], r[3])]
    out: dict[str, BuyerQuery] = {}
    for text, lang, *_rest in rows:
        key = " ".join((text or "").lower().split())
        if not key:
            continue
        q = out.get(key)
        out[key] = (BuyerQuery(" ".join(text.split()), "search_log", lang, 1) if q is None
                    else BuyerQuery(q.text, q.source, q.lang or lang, q.searches + 1))
    ranked = sorted(out.values(), key=lambda q: (-q.searches, q.text))
    return ranked[:limit]


def sector_processes(p: SupplierProfile, limit: int = MAX_SECTOR_PROCESSES) -> list[str]:
    """Processes most often listed by the other suppliers of the profile's sector."""
    if not p.sector:
        return []
    counter: Counter[str] = Counter()
    for processes in get_session().scalars(
            select(SupplierProfile.processes)
            .where(SupplierProfile.sector == p.sector, SupplierProfile.id != p.id)):
        counter.update(k for k in set(processes or []) if isinstance(k, str))
    own = set(p.processes or [])
    return [k for k, n in counter.most_common() if k not in own and n >= 2][:limit]


def visibility_data(p: SupplierProfile) -> dict[str, Any] | None:
    """Rank per query and what to add, or None while the index is not ready."""
    catalog = get_catalog()
    if not catalog.ready:
        return None
    glossary = _glossary(catalog)
    logged = logged_queries()
    sector_logged = logged_queries(MAX_SECTOR_QUERIES, p.sector) if p.sector else []
    seen = {" ".join(q.text.lower().split()) for q in logged}
    logged += [q for q in sector_logged if " ".join(q.text.lower().split()) not in seen]
    seen |= {" ".join(q.text.lower().split()) for q in logged}
    common = sector_processes(p)
    derived = [q for q in derived_queries(list(p.processes or []), p.sector,
                                          [c.name for c in p.certifications], glossary,
                                          sector_processes=common)
               if " ".join(q.text.lower().split()) not in seen]
    queries = (logged[:MAX_LOGGED_QUERIES] + derived)[:MAX_QUERIES]
    today = date.today()
    key = (p.id, p.updated_at, catalog.version, today, tuple(q.text for q in queries),
           tuple(q.searches for q in queries))
    cache = ranking_cache("visibility")
    current = CatalogProfile.from_row(p)
    found = cache.get(key)
    if found is None:
        started = time.perf_counter()
        found = [v.to_dict() for v in assess(
            catalog.recommender, p.id, current.search_text, current.facts(), queries,
            glossary=glossary, today=today)]
        current_app.logger.info("visibility of %s: %d queries ranked in %.0f ms",
                                p.external_id, len(found),
                                1000 * (time.perf_counter() - started))
        cache.put(key, found)
    return {"items": found, "top": TOP, "depth": DEPTH,
            "in_top": sum(1 for v in found if v["in_top"]),
            "suggestions": profile_suggestions(
                found, sector_logged, current.search_text, sector=p.sector, park=p.park,
                capacity=p.capacity, common_processes=common, glossary=glossary,
                lang=current_language()),
            "index_version": catalog.version}


@bp.get("/enterprise/visibility")
@login_required(role="enterprise")
def visibility_page():
    profile = own_profile()
    data = visibility_data(profile)
    return render_template("portal/visibility.html", profile=profile, data=data,
                           cert_states={"missing": _("chưa có"), "expired": _("đã hết hạn")})


@api.get("/visibility")
@login_required(role="enterprise")
def api_visibility():
    profile = own_profile()
    data = visibility_data(profile)
    if data is None:
        return api_error("index_building")
    items = data.pop("items")
    suggestions = data.pop("suggestions")
    return {"items": items, "suggestions": suggestions,
            "_meta": {"count": len(items), "external_id": profile.external_id, **data}}

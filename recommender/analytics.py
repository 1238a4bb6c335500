"""Search analytics for park staff: what buyers ask for, what they do not find, what they do.

Read from the search log and the interaction log over the last ``days`` days:
searches, the most asked queries, queries with no good match (supply gaps),
clicks, shortlists and contacts, and the suppliers buyers acted on most. No
Flask here: ``webapp/staff/analytics.py`` serves it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .store.models import Interaction, InteractionKind, SearchLog, SupplierProfile, utcnow
from .text import fold, normalize

TOP_QUERIES = 20
"""Queries listed per table (most asked, supply gaps)."""
TOP_SUPPLIERS = 10
GAP_SHARE = 0.5
"""A query is a supply gap when at least this share of its searches found no good match."""

_SPACES = re.compile(r"\s+")


def query_key(text: str) -> str:
    """Queries that differ only in case, spacing or diacritics count as one.

    Looser than :func:`recommender.learn.query_key`, which keeps diacritics: a
    staff member reading what buyers ask wants "gia cong" and "gia công" as one.
    """
    return fold(_SPACES.sub(" ", normalize(text)).strip().casefold())


def group_queries(rows: Iterable[tuple[str, int, float | None, datetime]]) -> list[dict]:
    """Merge (query, searches, mean results, last) rows by :func:`query_key`, most searched
    first; each group is named by its most searched spelling."""
    merged: dict[str, dict] = {}
    spellings: dict[str, Counter] = defaultdict(Counter)
    for query, searches, results, last in rows:
        key = query_key(query)
        if not key:
            continue
        spellings[key][query] += searches
        entry = merged.setdefault(key, {"searches": 0, "results_sum": 0.0, "last": last})
        entry["searches"] += searches
        entry["results_sum"] += (results or 0.0) * searches
        entry["last"] = max(entry["last"], last)
    out = []
    for key, entry in merged.items():
        out.append({"query": spellings[key].most_common(1)[0][0], "key": key,
                    "searches": entry["searches"],
                    "mean_results": round(entry["results_sum"] / entry["searches"], 1),
                    "last": entry["last"].isoformat(timespec="minutes")})
    out.sort(key=lambda e: (-e["searches"], e["key"]))
    return out


def gap_capabilities(gaps: Iterable[dict]) -> list[dict]:
    """The supply gaps by capability: each taxonomy node the gap queries name, with the
    searches and distinct queries that wanted it ("anodising: 12 searches"), the city's
    list of what FDI buyers cannot find locally. Gap queries naming no node are left out."""
    from .taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    searches: Counter[str] = Counter()
    queries: Counter[str] = Counter()
    for gap in gaps:
        for key in dict.fromkeys(taxonomy.find(gap["query"])):
            searches[key] += gap["searches"]
            queries[key] += 1
    return [{"key": key, "label_vi": taxonomy.label(key, "vi"),
             "label_en": taxonomy.label(key, "en"), "searches": n, "queries": queries[key]}
            for key, n in sorted(searches.items(), key=lambda kv: (-kv[1], kv[0]))]


def search_analytics(db: Session, days: int, top: int = TOP_QUERIES) -> dict[str, Any]:
    """Searches, the most asked queries, queries with no good match (supply gaps),
    clicks, shortlists and contacts over the last ``days`` days."""
    if days < 1:
        raise ValueError(f"days must be 1 or more, not {days}")
    since = utcnow() - timedelta(days=days)
    recent = SearchLog.created_at >= since

    def by_query(*where):
        return db.execute(
            select(SearchLog.query, func.count(SearchLog.id), func.avg(SearchLog.result_count),
                   func.max(SearchLog.created_at))
            .where(recent, *where).group_by(SearchLog.query)).all()

    searches = db.scalar(select(func.count(SearchLog.id)).where(recent)) or 0
    judged = db.scalar(select(func.count(SearchLog.id))
                       .where(recent, SearchLog.good_match.is_not(None))) or 0
    gaps_count = db.scalar(select(func.count(SearchLog.id))
                           .where(recent, SearchLog.good_match.is_(False))) or 0
    took = db.scalar(select(func.avg(SearchLog.took_ms)).where(recent))
    top_queries = group_queries(by_query())
    gaps = group_queries(by_query(SearchLog.good_match.is_(False)))
    total_by_key = {e["key"]: e["searches"] for e in top_queries}
    for gap in gaps:
        gap["share"] = round(gap["searches"] / max(1, total_by_key.get(gap["key"], 0)), 2)
    gaps = [g for g in gaps if g["share"] >= GAP_SHARE]

    since_i = Interaction.created_at >= since
    kinds = dict(db.execute(select(Interaction.kind, func.count(Interaction.id))
                            .where(since_i).group_by(Interaction.kind)).all())
    clicked_searches = db.scalar(
        select(func.count(func.distinct(Interaction.search_log_id)))
        .where(since_i, Interaction.kind == InteractionKind.CLICK,
               Interaction.search_log_id.is_not(None))) or 0
    mean_click_rank = db.scalar(select(func.avg(Interaction.rank)).where(
        since_i, Interaction.kind == InteractionKind.CLICK, Interaction.rank.is_not(None)))
    top_suppliers = [
        {"external_id": ext, "name": name, "contacts": int(contacts or 0),
         "shortlists": int(shortlists or 0), "clicks": int(clicks or 0)}
        for ext, name, contacts, shortlists, clicks in db.execute(
            select(SupplierProfile.external_id, SupplierProfile.name,
                   *(func.sum(case((Interaction.kind == kind, 1), else_=0))
                     for kind in (InteractionKind.CONTACT, InteractionKind.SHORTLIST,
                                  InteractionKind.CLICK)))
            .join(Interaction, Interaction.profile_id == SupplierProfile.id)
            .where(since_i).group_by(SupplierProfile.id, SupplierProfile.external_id,
                                     SupplierProfile.name)
            .order_by(func.count(Interaction.id).desc(), SupplierProfile.external_id)
            .limit(TOP_SUPPLIERS)).all()]
    return {
        "days": days, "since": since.isoformat(timespec="minutes"),
        "searches": searches, "judged": judged, "no_good_match": gaps_count,
        "no_good_match_share": round(gaps_count / judged, 3) if judged else None,
        "mean_took_ms": round(took, 1) if took is not None else None,
        "distinct_queries": len(top_queries),
        "top_queries": top_queries[:top], "supply_gaps": gaps[:top],
        "gap_capabilities": gap_capabilities(gaps)[:top],
        "interactions": {"clicks": kinds.get(InteractionKind.CLICK, 0),
                         "shortlists": kinds.get(InteractionKind.SHORTLIST, 0),
                         "contacts": kinds.get(InteractionKind.CONTACT, 0)},
        "click_through": round(clicked_searches / searches, 3) if searches else None,
        "mean_click_rank": round(mean_click_rank, 2) if mean_click_rank is not None else None,
        "top_suppliers": top_suppliers,
    }

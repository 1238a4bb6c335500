"""Buyer search: the page and the JSON API share one ranking."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from recommender.embed.text import analyze
from recommender.search import SearchError

from .catalog import get_catalog
from .errors import error_response

bp = Blueprint("search", __name__)

PAGE_SIZE = 10


def matched_terms(query: str, text: str) -> list[str]:
    """Query syllables that also occur in the profile, compared without diacritics."""
    q = analyze(query)
    doc = set(analyze(text).folded)
    seen, out = set(), []
    for syllable, folded in zip(q.syllables, q.folded, strict=True):
        if folded in doc and folded not in seen:
            seen.add(folded)
            out.append(syllable)
    return out


def run_search(query: str, k: int) -> list[dict]:
    """Ranked suppliers as dictionaries; raises SearchError on bad input."""
    catalog = get_catalog()
    if catalog.error:
        raise RuntimeError(catalog.error)
    hits = catalog.index.search(query, k)
    items = []
    for rank, hit in enumerate(hits, 1):
        p = catalog.profiles[hit.doc_id]
        items.append({
            "rank": rank,
            "external_id": p.external_id,
            "name": p.name,
            "description": p.description,
            "sector": p.sector,
            "processes": p.processes,
            "park": (p.location or {}).get("park"),
            "certifications": [c.get("name") for c in p.certifications],
            "score": round(hit.score, 4),
            "dense": None if hit.dense is None else round(hit.dense, 4),
            "lexical": None if hit.lexical is None else round(hit.lexical, 4),
            "matched_terms": matched_terms(query, f"{p.name} {p.description}"),
        })
    return items


@bp.get("/api/v1/search")
def api_search():
    query = request.args.get("q", "")
    try:
        k = int(request.args.get("k", PAGE_SIZE))
    except ValueError:
        return error_response(400, "k must be an integer")
    catalog = get_catalog()
    if catalog.error:
        return error_response(503, f"search is unavailable: {catalog.error}")
    if not catalog.ready:
        return error_response(503, "the search index is being built; try again shortly")
    try:
        items = run_search(query, k)
    except SearchError as exc:
        return error_response(400, str(exc))
    return {"items": items, "_meta": {"query": query, "k": k, "count": len(items)}}


MESSAGES_VI = {
    "query is empty": "Vui lòng nhập nội dung cần tìm.",
}


@bp.get("/")
def index():
    query = request.args.get("q", "")
    catalog = get_catalog()
    items, message = [], None
    if query:
        if catalog.error:
            message = "Tìm kiếm tạm thời không khả dụng. Vui lòng thử lại sau."
        elif not catalog.ready:
            message = "Hệ thống đang xây dựng chỉ mục tìm kiếm, vui lòng thử lại sau ít phút."
        else:
            try:
                items = run_search(query, PAGE_SIZE)
            except SearchError as exc:
                text = str(exc)
                message = MESSAGES_VI.get(text) or (
                    "Nội dung tìm kiếm quá dài." if "too long" in text
                    else "Nội dung tìm kiếm không hợp lệ.")
    return render_template("search.html", query=query, items=items, message=message)

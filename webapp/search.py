"""Buyer search: the page and the JSON API share one ranking."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from recommender.search import SearchError

from .catalog import get_catalog
from .errors import error_response

bp = Blueprint("search", __name__)

PAGE_SIZE = 10


def run_search(query: str, k: int) -> dict:
    """Ranked, explained suppliers as JSON-ready data; raises SearchError on bad input."""
    catalog = get_catalog()
    if catalog.error:
        raise RuntimeError(catalog.error)
    result = catalog.recommender.recommend(query, k)
    items = []
    for rank, r in enumerate(result.items, 1):
        p = catalog.profiles[r.doc_id]
        items.append({
            "rank": rank,
            "external_id": p.external_id,
            "name": p.name,
            "description": p.description,
            "sector": p.sector,
            "processes": p.processes,
            "park": (p.location or {}).get("park"),
            "certifications": p.certifications,
            "verified": p.verified,
            "score": round(r.score, 4),
            "text_score": round(r.text_score, 4),
            "dense": None if r.dense is None else round(r.dense, 4),
            "lexical": None if r.lexical is None else round(r.lexical, 4),
            "matched_terms": list(r.matched_terms),
            "concepts": list(r.concepts),
            "requirements": [{"kind": c.kind, "wanted": c.wanted, "status": c.status,
                              "detail": c.detail} for c in r.checks],
        })
    req = result.requirements
    understood = {"certifications": list(req.certifications), "parks": list(req.parks),
                  "ownership": list(req.ownership), "min_employees": req.min_employees}
    return {"items": items, "requirements": understood, "index_version": catalog.version}


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
        found = run_search(query, k)
    except SearchError as exc:
        return error_response(400, str(exc))
    items = found.pop("items")
    return {"items": items, "_meta": {"query": query, "k": k, "count": len(items), **found}}


STATUS_LABELS_VI = {"met": "Đáp ứng", "missing": "Không đáp ứng", "expired": "Hết hạn",
                    "unknown": "Chưa rõ"}
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
                items = run_search(query, PAGE_SIZE)["items"]
            except SearchError as exc:
                text = str(exc)
                message = MESSAGES_VI.get(text) or (
                    "Nội dung tìm kiếm quá dài." if "too long" in text
                    else "Nội dung tìm kiếm không hợp lệ.")
    return render_template("search.html", query=query, items=items, message=message,
                           status_labels=STATUS_LABELS_VI)

"""Buyer search: the page and the JSON API share one ranking, one log and one explanation.

Every search (page or API) is ranked by the shared
:class:`~recommender.recommend.SupplierRecommender` over the suppliers that
pass the structured filters (:mod:`webapp.filters`), explained (matched terms
highlighted in the description, stated requirements checked, certificate
dates) and written to ``search_log``. Result links carry the search id and
rank (``/suppliers/<id>?s=<search id>&r=<rank>``); the supplier page records
the click and renders, so the back button keeps working.

**Which results match** is decided by the served index version's fitted match
decision (:mod:`recommender.matching`: a logistic regression over the scores, the
capability and requirement checks, the query's length and language, fitted on
labelled queries at each rebuild; the shipped one until then). Each result carries
its calibrated probability of matching (``match_probability``) and whether it
matches (``match``); the page and the API say how many of the ranked suppliers
match (``_meta.matches``, 0 a real answer). **No good match** (a supply gap,
``SearchLog.good_match = False``): the decision's supply-gap model, over the first
results, says nothing on offer matches, and the query does not look a company up by
its name (:mod:`recommender.names`: a name lookup is never a gap); then no result is
shown as a match. The banner and the staff's supply-gap analytics read the same
decision.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from recommender import vocab
from recommender.certificates import CertificateState, certificate_state
from recommender.names import NameIndex
from recommender.places import REGIONS
from recommender.recommend import Recommendation
from recommender.requirements import CERTIFICATIONS, parse_requirements, place_label
from recommender.search import SearchError
from recommender.serving.profiles import CatalogProfile
from recommender.store.models import ShortlistEntry
from recommender.taxonomy import load_taxonomy
from recommender.text import check_query

from .auth import current_account
from .catalog import get_catalog
from .db import get_session, search_log
from .errors import api_error, error_text, query_error, query_problem
from .filters import SIZE_LABELS, FilterError, SearchFilters, allowed_ids, parse_filters
from .highlight import highlight, highlight_spans
from .i18n import current_language
from .paging import BadPage, page_args

bp = Blueprint("search", __name__)

DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 50
MAX_RESULTS = 100
"""Ranked suppliers a search can page through (``_meta.total`` is at most this)."""
SNIPPET_CHARS = 320

@dataclass
class SearchOutcome:
    """One answered search: the page of results and what is logged."""

    query: str
    filters: SearchFilters
    page: int
    per_page: int
    total: int
    items: list[dict]
    requirements: dict
    index_version: str | None
    good_match: bool
    matches: int
    """Ranked suppliers the match decision says match the query (all pages)."""
    top_score: float | None
    took_ms: float
    search_id: int | None = None


def parse_paging(args) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1..50); ``k`` is an older name for ``per_page``.

    Raises:
        BadPage: the values are unusable (the page and the API answer 400).
    """
    return page_args(args, strict=True, per_page=DEFAULT_PER_PAGE, max_per_page=MAX_PER_PAGE,
                     max_results=MAX_RESULTS, per_page_alias="k")


def check_text(check: dict) -> str:
    """One requirement check in the user's language."""
    status, kind, wanted, detail = (check["status"], check["kind"], check["wanted"],
                                    check.get("detail") or "")
    until = check.get("until")
    if until is None and kind == "certification":  # RFQ matches stored before "until"
        found = re.search(r"\d{4}-\d{2}-\d{2}", detail)
        until = found.group() if found else None
    when = format_day(date.fromisoformat(until)) if until else ""
    if kind == "certification":
        if status == "met":
            return (_("Có %(name)s, hiệu lực đến %(day)s", name=wanted, day=when) if when
                    else _("Có %(name)s (chưa rõ hạn)", name=wanted))
        if status == "expired":
            return _("%(name)s đã hết hạn ngày %(day)s", name=wanted, day=when)
        if status == "unknown":
            return _("%(name)s: có nêu trong mô tả nhưng chưa có trong danh sách chứng nhận",
                     name=wanted)
        return _("Không có %(name)s", name=wanted)
    if kind == "capability":  # the profile says it does not do what the query names
        taxonomy = load_taxonomy()
        what = taxonomy.label(wanted, current_language()) if wanted in taxonomy else wanted
        return _("Hồ sơ ghi là không làm %(what)s", what=what)
    names = {"park": _("Khu công nghiệp"), "place": _("Địa điểm"),
             "ownership": _("Loại hình sở hữu"),
             "employees": _("Số lao động")}
    label = names.get(kind, kind)
    shown = {"domestic": _("trong nước"), "fdi": "FDI", "joint_venture": _("liên doanh")}
    wanted_text = " / ".join(shown.get(w.strip(), w.strip()) for w in wanted.split("/"))
    detail_text = shown.get(detail, detail)
    if status == "unknown":
        return _("%(label)s %(wanted)s: hồ sơ chưa ghi", label=label, wanted=wanted_text)
    if status == "met":
        return _("%(label)s %(wanted)s: đáp ứng (%(detail)s)", label=label,
                 wanted=wanted_text, detail=detail_text)
    return _("%(label)s %(wanted)s: không đáp ứng (%(detail)s)", label=label,
             wanted=wanted_text, detail=detail_text)


def format_day(day: date) -> str:
    return day.strftime("%d/%m/%Y") if current_language() == "vi" else day.isoformat()


def certificate_view(cert: dict, today: date) -> dict:
    """A certificate with its validity for display: valid, expired or no_date (buyers see
    the date; "expiring" is for the holder and staff)."""
    until = date.fromisoformat(cert["valid_until"]) if cert.get("valid_until") else None
    state, _days = certificate_state(until, today, warn_days=0)
    if state is CertificateState.EXPIRING:  # valid until the end of today
        state = CertificateState.VALID
    return {**cert, "state": str(state), "until_text": format_day(until) if until else None}


_ID_MARK = "EXTERNALID"


def supplier_url(external_id: str, search_id: int | None, rank: int | None) -> str:
    """``url_for("enterprise.show", external_id=..., s=..., r=...)``, with the route built
    once per request and the id quoted as Werkzeug's path converter quotes it (a page of
    results needs ten of these)."""
    path = getattr(g, "supplier_path", None)
    if path is None:
        path = g.supplier_path = url_for("enterprise.show", external_id=_ID_MARK)
    url = path.replace(_ID_MARK, quote(external_id, safe="!$&'()*+,/:;=@"))
    return url if search_id is None else f"{url}?s={search_id}&r={rank}"


def item_json(p: CatalogProfile, r: Recommendation, rank: int, today: date,
              probability: float, matched: bool) -> dict:
    return {
        "rank": rank, "external_id": p.external_id, "name": p.name,
        "description": p.description,
        "highlights": [list(span) for span in highlight_spans(p.description,
                                                              r.matched_terms)],
        "sector": p.sector, "processes": p.processes,
        "park": (p.location or {}).get("park"), "ward": (p.location or {}).get("ward"),
        "area": (p.location or {}).get("area"), "region": (p.location or {}).get("region"),
        "size_class": p.size_class, "ownership": None if p.ownership is None
        else str(p.ownership),
        "certifications": [certificate_view(c, today) for c in p.certifications],
        "verified": p.verified, "sample": p.sample,
        "match_probability": round(probability, 3), "match": matched,
        **r.to_dict(),
    }


def run_search(query: str, filters: SearchFilters, page: int = 1,
               per_page: int = DEFAULT_PER_PAGE) -> SearchOutcome:
    """Rank, filter and explain; raises SearchError on a bad query."""
    catalog = get_catalog()
    if catalog.error:
        raise RuntimeError(catalog.error)
    today = date.today()
    started = time.perf_counter()
    allowed = allowed_ids(catalog.profiles, filters, today)
    limit = MAX_RESULTS if allowed is None else min(MAX_RESULTS, len(allowed))
    if limit == 0:  # nothing passes the filters; the query is still checked
        try:
            check_query(query)
        except ValueError as exc:
            raise SearchError(str(exc)) from exc
        ranked, req = [], parse_requirements(query)
    else:
        # the whole ranking counts and pages; only the page shown is explained
        result = catalog.recommender.recommend(query, limit, allowed_ids=allowed, today=today,
                                               explain=False)
        ranked, req = result.items, result.requirements
    model = catalog.match_model
    # a company looked up by name is never a supply gap, whatever its results score
    decision = model.decide(catalog.recommender, ranked, req, query,
                            named=bool(name_index(catalog).lookup(query)))
    first = (page - 1) * per_page
    shown = catalog.recommender.explain(query, ranked[first:first + per_page]) if ranked else []
    took_ms = (time.perf_counter() - started) * 1000
    items = []
    for rank, r in enumerate(shown, first + 1):
        items.append(item_json(catalog.profiles[r.doc_id], r, rank, today,
                               float(decision.probabilities[rank - 1]),
                               decision.matched(rank - 1)))
    understood = {"certifications": list(req.certifications), "parks": list(req.parks),
                  "places": [place_label(m) for m in req.places],
                  "processes": list(req.capabilities),
                  "ownership": list(req.ownership), "min_employees": req.min_employees}
    return SearchOutcome(
        query=query, filters=filters, page=page, per_page=per_page, total=len(ranked),
        items=items, requirements=understood, index_version=catalog.version,
        good_match=not decision.gap,
        matches=decision.matches,
        top_score=round(ranked[0].score, 4) if ranked else None,
        took_ms=round(took_ms, 1))


_NAMES = NameIndex()
_NAMES_LOCK = threading.Lock()
_NAMES_STAMP: list[tuple] = []


def name_index(catalog) -> NameIndex:
    """The names of the profiles this process serves; after a change (a live edit, a new
    version) brought up to date by the names that changed, about 2 ms at 10,000 profiles."""
    stamp = (id(catalog.profiles), catalog.version, catalog.applied_seq)
    with _NAMES_LOCK:
        if _NAMES_STAMP != [stamp]:
            _NAMES.sync({d: p.name for d, p in list(catalog.profiles.items())})
            _NAMES_STAMP[:] = [stamp]
        return _NAMES


def log_search(outcome: SearchOutcome) -> int:
    """Queue the search for ``search_log`` and return its id (links carry it); the row
    is written off the request path (``recommender/store/searchlog.py``)."""
    account = current_account()
    search_id = search_log().submit(
        query=outcome.query, lang=current_language(),
        filters={**outcome.filters.as_dict(), "page": outcome.page,
                 "per_page": outcome.per_page},
        result_external_ids=[i["external_id"] for i in outcome.items],
        account_id=account.id if account else None, result_count=outcome.matches,
        top_score=outcome.top_score, good_match=outcome.good_match, took_ms=outcome.took_ms)
    outcome.search_id = search_id
    for item in outcome.items:
        item["url"] = supplier_url(item["external_id"], search_id, item["rank"])
    return search_id


@bp.get("/api/v1/search")
def api_search():
    query = request.args.get("q", "")
    try:
        page, per_page = parse_paging(request.args)
    except BadPage as exc:
        return api_error("bad_page", {"page": str(exc)}, problem=str(exc))
    try:
        filters = parse_filters(request.args)
    except FilterError as exc:
        return api_error("bad_filter", exc.fields)
    catalog = get_catalog()
    if catalog.error:
        return api_error("search_unavailable")
    if not catalog.ready:
        return api_error("index_building")
    try:
        found = run_search(query, filters, page, per_page)
    except SearchError as exc:
        return query_error(exc)
    log_search(found)
    return {"items": found.items, "_meta": {
        "query": query, "page": page, "per_page": per_page, "total": found.total,
        "count": len(found.items), "k": per_page, "filters": filters.as_dict(),
        "requirements": found.requirements, "index_version": found.index_version,
        "search_id": found.search_id, "matches": found.matches,
        "good_match": found.good_match}}


STATUS_CLASSES = ("met", "missing", "expired", "unknown")


def _shortlisted_ids() -> set[str]:
    account = current_account()
    if account is None or account.role != "buyer":
        return set()
    from recommender.store.models import SupplierProfile

    rows = get_session().scalars(
        select(SupplierProfile.external_id).join(
            ShortlistEntry, ShortlistEntry.profile_id == SupplierProfile.id)
        .where(ShortlistEntry.account_id == account.id))
    return set(rows)


@bp.get("/")
def index():
    query = request.args.get("q", "")
    catalog = get_catalog()
    outcome, message, status = None, None, 200
    filters = SearchFilters()
    try:
        filters = parse_filters(request.args)
        page, per_page = parse_paging(request.args)
    except FilterError as exc:
        message, status = " ".join(exc.messages.values()), 400
    except BadPage:
        message, status = _("Số trang không hợp lệ."), 400
    if query and message is None:
        if catalog.error:
            message = _("Tìm kiếm tạm thời không khả dụng. Vui lòng thử lại sau.")
        elif not catalog.ready:
            message = _("Hệ thống đang xây dựng chỉ mục tìm kiếm, vui lòng thử lại sau ít phút.")
        else:
            try:
                outcome = run_search(query, filters, page, per_page)
            except SearchError as exc:
                code, params = query_problem(exc)  # the API's reasons, in the page's language
                message = error_text(code, **params)
            else:
                log_search(outcome)
    pages = None
    lang = current_language()  # once: the page labels a few hundred taxonomy entries
    if outcome is not None:
        last = max(1, -(-outcome.total // outcome.per_page))
        base = {"q": query, "per_page": outcome.per_page, **filters.query_args()}
        pages = {"current": outcome.page, "last": last,
                 "prev": url_for("search.index", **base, page=outcome.page - 1)
                 if outcome.page > 1 else None,
                 "next": url_for("search.index", **base, page=outcome.page + 1)
                 if outcome.page < last else None}
    return render_template(
        "search.html", query=query, outcome=outcome, items=outcome.items if outcome else [],
        message=message, filters=filters, pages=pages, check_text=check_text,
        highlight=highlight, snippet_chars=SNIPPET_CHARS, shortlisted=_shortlisted_ids(),
        certifications=CERTIFICATIONS, parks=vocab.PARKS, sectors=vocab.SECTORS,
        regions=REGIONS,
        size_labels=SIZE_LABELS, sector_label=lambda k: vocab.label(k, vocab.SECTORS, lang),
        process_label=lambda k: vocab.label(k, vocab.PROCESSES, lang),
        process_options=_process_options(lang),
    ), status


@functools.lru_cache(maxsize=4)
def _process_options(lang: str) -> Markup:
    """The ``<option>`` list of every taxonomy entry's label, the same on every page."""
    return Markup("").join(Markup('<option value="{}">').format(
        vocab.label(t.key, vocab.PROCESSES, lang)) for t in vocab.PROCESSES)

"""The supplier enterprise's own pages: dashboard, matching RFQs, visibility and policies.

Every view here is for an ``enterprise`` account and shows only the profile the
account is linked to; there is no profile id in the URL to guess. The inbox of
buyer messages is :mod:`webapp.inbox`.

Pages (HTML) and JSON (errors in the shape of :mod:`webapp.errors`):

* ``/enterprise`` · ``GET /api/v1/enterprise/dashboard``: profile completeness,
  certificate expiry warnings, new messages and RFQs, search appearances and clicks.
* ``/enterprise/requests`` · ``GET /api/v1/enterprise/requests``: RFQs matched to the
  profile (viewing the page marks them seen; ``PATCH /api/v1/enterprise/requests/<id>``
  with ``{"seen": true}`` does it by API), plus open RFQs the profile would now match.
* ``/enterprise/visibility`` · ``GET /api/v1/enterprise/visibility``: the profile's rank
  for recent buyer queries and for queries derived from its processes, and what to add.
* ``/enterprise/policies``: the support programmes judged for the profile.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import String, cast, exists, func, or_, select, update

from recommender import certificates as certs
from recommender import requirements, vocab
from recommender.policy import ACTIVITIES
from recommender.rank import check_requirements
from recommender.recommend import matched_terms
from recommender.requirements import parse_requirements
from recommender.serving.profiles import CatalogProfile
from recommender.store.models import (
    AccountRole,
    BuyerRequest,
    ContactRequest,
    ContactStatus,
    Interaction,
    InteractionKind,
    RequestMatch,
    RequestStatus,
    SearchLog,
    SupplierProfile,
    utcnow,
)
from recommender.taxonomy import load_glossary
from recommender.visibility import (
    DEPTH,
    MAX_QUERIES,
    TOP,
    BuyerQuery,
    assess,
    derived_queries,
    frequent_missing_terms,
)

from .auth import current_account, login_required
from .catalog import get_catalog
from .db import get_session
from .errors import error_response
from .i18n import current_language
from .paging import BadPage, page_args, page_meta

bp = Blueprint("portal", __name__)
api = Blueprint("portal_api", __name__, url_prefix="/api/v1/enterprise")

RECENT_DAYS = 30
QUERY_LOG_DAYS = 90
MAX_LOGGED_QUERIES = 20
"""Most searched buyer queries checked on the visibility page; derived ones fill up to 30."""
MAX_SECTOR_QUERIES = 50
"""Queries of the profile's sector whose missing terms are counted."""
MAX_LOG_ROWS = 20000
"""Newest search-log rows read per visibility computation."""
MAX_SECTOR_PROCESSES = 4
MAX_OPEN_RFQS = 30
"""Newest open RFQs checked for a match the profile would now make."""
SHORT_DESCRIPTION = 200
CACHE_TTL_S = 600.0


# --- helpers shared with webapp.inbox ------------------------------------------------------

def own_profile() -> SupplierProfile:
    """The logged-in enterprise's profile; 404 when the account has none."""
    account = current_account()
    profile = account.profile if account is not None else None
    if profile is None:
        abort(404, description="this account is not linked to a supplier profile")
    return profile


class _TTLCache:
    """Results per key for a while (per process): the ranking work is capped per profile
    version, and an edit (a new ``updated_at``) or a new index version makes a new key."""

    def __init__(self, ttl_s: float = CACHE_TTL_S, size: int = 256) -> None:
        self.ttl_s, self.size = ttl_s, size
        self._items: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None or time.monotonic() - hit[0] > self.ttl_s:
                return None
            return hit[1]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            if len(self._items) >= self.size:
                oldest = min(self._items, key=lambda k: self._items[k][0])
                del self._items[oldest]
            self._items[key] = (time.monotonic(), value)


def _cache(name: str) -> _TTLCache:
    caches = current_app.extensions.setdefault("ketnoi_portal_cache", {})
    return caches.setdefault(name, _TTLCache())


def _glossary(catalog):
    name = catalog.index.config.glossary
    return None if name.lower() == "none" else load_glossary(name or None)


# --- dashboard ---------------------------------------------------------------------------

def completeness(p: SupplierProfile) -> list[dict[str, Any]]:
    """Each profile field buyers look at: filled or not, and why it matters to them."""
    certs = list(p.certifications)
    checks = [
        ("description", _("Mô tả năng lực"),
         bool(p.description) and len(p.description) >= SHORT_DESCRIPTION,
         _("Bên mua tìm bằng lời: mô tả càng nêu rõ sản phẩm, vật liệu, máy móc và dung sai "
           "thì hồ sơ càng khớp nhiều truy vấn (nên có ít nhất %(n)d ký tự).",
           n=SHORT_DESCRIPTION), True),
        ("processes", _("Quy trình gia công"), bool(p.processes),
         _("Bên mua lọc và tìm theo quy trình (gia công CNC, ép phun nhựa...)."), True),
        ("certifications", _("Chứng chỉ"), bool(certs),
         _("Bên mua FDI kiểm tra chứng chỉ (ISO 9001, IATF 16949...) trước khi liên hệ; "
           "truy vấn nêu chứng chỉ xếp hồ sơ có chứng chỉ còn hạn lên trước."), True),
        ("certificate_dates", _("Ngày hết hạn chứng chỉ"),
         bool(certs) and all(c.valid_until for c in certs),
         _("Bên mua kiểm tra hiệu lực chứng chỉ; chứng chỉ không ghi ngày hết hạn không được "
           "coi là còn hiệu lực."), True),
        ("capacity", _("Năng lực sản xuất"), bool(p.capacity),
         _("Bên mua cần biết quy mô sản lượng để đặt hàng."), True),
        ("park", _("Khu công nghiệp / khu chế xuất"), bool(p.park),
         _("Nhiều bên mua ưu tiên nhà cung cấp trong KCN/KCX gần nhà máy; nhiều chính sách hỗ "
           "trợ cũng xét địa điểm."), True),
        ("ward", _("Phường/xã"), bool(p.ward),
         _("Địa chỉ sau sắp xếp hành chính 2025 giúp bên mua tính đường giao hàng."), True),
        ("employees", _("Số lao động"), p.employees is not None,
         _("Truy vấn như “ít nhất 200 công nhân” và các chính sách hỗ trợ DNNVV xét số lao "
           "động. Liên hệ Ban quản lý để cập nhật."), False),
        ("ownership", _("Loại hình sở hữu"), p.ownership is not None,
         _("Nhiều bên mua tìm “doanh nghiệp 100% vốn Việt Nam”. Liên hệ Ban quản lý để cập "
           "nhật."), False),
    ]
    return [{"field": key, "label": label, "complete": ok, "why": why, "editable": editable}
            for key, label, ok, why, editable in checks]


def certificate_warnings(p: SupplierProfile, today: date | None = None) -> list[dict[str, Any]]:
    """Certificates that have expired, expire within 90 days, or have no expiry date."""
    return [w.to_dict() for w in certs.certificate_warnings(p.certifications,
                                                             today or date.today())]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_appearances(p: SupplierProfile, since) -> int:
    """Searches since ``since`` whose shown results included the profile."""
    # the JSON list is matched as text first (portable, uses no JSON functions), then
    # checked exactly in Python
    needle = f"%{_like_escape(json.dumps(p.external_id))}%"
    lists = get_session().scalars(
        select(SearchLog.result_external_ids)
        .where(SearchLog.created_at >= since,
               cast(SearchLog.result_external_ids, String).like(needle, escape="\\")))
    return sum(1 for ids in lists if p.external_id in (ids or []))


def counts(p: SupplierProfile) -> dict[str, int]:
    db = get_session()
    since = utcnow() - timedelta(days=RECENT_DAYS)

    def count(stmt) -> int:
        return db.scalar(stmt) or 0

    interactions = select(func.count()).select_from(Interaction).where(
        Interaction.profile_id == p.id, Interaction.created_at >= since)
    return {
        "new_contact_requests": count(
            select(func.count()).select_from(ContactRequest)
            .where(ContactRequest.profile_id == p.id,
                   ContactRequest.status == ContactStatus.NEW)),
        "new_matching_requests": count(
            select(func.count()).select_from(RequestMatch)
            .where(RequestMatch.profile_id == p.id, RequestMatch.seen_at.is_(None))),
        "search_appearances_30d": search_appearances(p, since),
        "clicks_30d": count(interactions.where(Interaction.kind == InteractionKind.CLICK)),
        "shortlisted_30d": count(
            interactions.where(Interaction.kind == InteractionKind.SHORTLIST)),
    }


def dashboard_data(p: SupplierProfile) -> dict[str, Any]:
    checks = completeness(p)
    done = sum(c["complete"] for c in checks)
    return {"profile": {"external_id": p.external_id, "name": p.name},
            "completeness": {"percent": round(100 * done / len(checks)), "fields": checks},
            "certificate_warnings": certificate_warnings(p), "counts": counts(p)}


@bp.get("/enterprise")
@login_required(role="enterprise")
def dashboard():
    profile = own_profile()
    data = {**dashboard_data(profile), "profile": profile}  # the row, not its JSON summary
    return render_template("portal/dashboard.html", **data)


@api.get("/dashboard")
@login_required(role="enterprise")
def api_dashboard():
    return dashboard_data(own_profile())


# --- matching buyer requests -------------------------------------------------------------

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
    cache = _cache("potential_requests")
    ranks = cache.get(key)
    current = CatalogProfile.from_row(p)
    if ranks is None:
        queries = [BuyerQuery(rfq_query(r), "rfq") for r in rfqs]
        found = assess(catalog.recommender, p.id, current.search_text, current.facts(),
                       queries, top=TOP, depth=TOP, today=today)
        by_text = {v.query.text: v.rank for v in found}
        ranks = tuple(by_text.get(q.text) for q in queries)
        cache.put(key, ranks)
    out = []
    for rfq, rank in zip(rfqs, ranks, strict=True):
        if rank is None:
            continue
        query = rfq_query(rfq)
        checks = check_requirements(parse_requirements(query), current.facts(), today)
        out.append({**rfq_json(rfq), "rank": rank,
                    "why": {"matched_terms": list(matched_terms(query, current.search_text)),
                            "requirements": [c.to_dict() for c in checks]}})
    return out


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
        return error_response(400, str(exc))
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
        return error_response(404, f"no matched request {match_id} for your profile")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or set(data) != {"seen"} or not isinstance(data["seen"], bool):
        return error_response(400, 'send {"seen": true} or {"seen": false}',
                              {"seen": "true or false"})
    match.seen_at = (match.seen_at or utcnow()) if data["seen"] else None
    db.commit()
    return match_json(match, db.get(BuyerRequest, match.request_id))


# --- how buyers find you -----------------------------------------------------------------

def logged_queries(limit: int = MAX_LOGGED_QUERIES, sector: str | None = None
                   ) -> list[BuyerQuery]:
    """The most searched distinct buyer queries of the last 90 days.

    With ``sector``, only the queries of that sector: searched with that sector
    filter, or whose shown results were mostly suppliers of that sector.
    """
    since = utcnow() - timedelta(days=QUERY_LOG_DAYS)
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


def profile_suggestions(p: SupplierProfile, items: list[dict[str, Any]],
                        sector_logged: list[BuyerQuery], profile_text: str,
                        glossary, common_processes: list[str]) -> dict[str, Any]:
    """What to add to the profile, gathered over all the checked queries."""
    certs: dict[str, dict[str, Any]] = {}
    parks: dict[str, int] = {}
    for v in items:
        weight = max(1, v["searches"])
        for c in v["suggestions"]["certifications"]:
            entry = certs.setdefault(c["name"], {"name": c["name"], "status": c["status"],
                                                 "queries": 0, "searches": 0})
            entry["queries"] += 1
            entry["searches"] += weight
        park = v["suggestions"]["park"]
        if park is not None:
            parks[park["wanted"]] = parks.get(park["wanted"], 0) + weight
    terms = frequent_missing_terms(sector_logged, profile_text, glossary)
    return {
        "sector": p.sector,
        "sector_queries": len(sector_logged),
        "terms": [{"term": t, "searches": n, "queries": q} for t, n, q in terms],
        "processes": [{"key": k, "label": vocab.label(k, vocab.PROCESSES,
                                                      current_language())}
                      for k in common_processes],
        "certifications": sorted(certs.values(), key=lambda c: (-c["searches"], c["name"])),
        "park": {"missing": not p.park,
                 "wanted": sorted(parks, key=lambda w: -parks[w])},
        "capacity_missing": not p.capacity,
    }


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
    cache = _cache("visibility")
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
            "suggestions": profile_suggestions(p, found, sector_logged, current.search_text,
                                               glossary, common),
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
        return error_response(503, "the search index is being built; try again shortly")
    items = data.pop("items")
    suggestions = data.pop("suggestions")
    return {"items": items, "suggestions": suggestions,
            "_meta": {"count": len(items), "external_id": profile.external_id, **data}}


# --- support programmes ------------------------------------------------------------------

def _criterion_hints() -> dict[str, tuple[str, bool]]:
    """Per criterion kind: what to add (in the user's language) and whether the form has it."""
    return {
        "sector": (_("Nêu rõ sản phẩm chính và ngành trong phần mô tả năng lực."), True),
        "size_class": (_("Bổ sung số lao động đóng bảo hiểm và doanh thu hoặc vốn (tỷ đồng): "
                         "liên hệ Ban quản lý để cập nhật."), False),
        "ownership": (_("Bổ sung loại hình sở hữu (trong nước, FDI, liên doanh): liên hệ Ban "
                        "quản lý để cập nhật."), False),
        "location": (_("Thêm khu công nghiệp / khu chế xuất vào hồ sơ."), True),
        "activity": (_("Chọn kế hoạch của doanh nghiệp ở trên để xem lại kết quả."), False),
        "enterprise_age": (_("Bổ sung ngày đăng ký kinh doanh lần đầu: liên hệ Ban quản lý để "
                             "cập nhật."), False),
    }


def policy_group(item: dict[str, Any]) -> str:
    """Where a judged programme goes on the page.

    ``eligible``: in force and every criterion met. ``nearly``: in force and
    some criteria cannot be judged yet (the profile lacks the facts), or the only
    unmet ones are plans the company could take up (activities). ``not``: a
    criterion is not met. ``inactive``: expired or not yet in force.
    """
    if item.get("status") != "active":
        return "inactive"
    if item.get("eligible") == "yes":
        return "eligible"
    if item.get("eligible") == "unknown":
        return "nearly"
    failed = [c for c in item.get("criteria") or [] if c.get("outcome") == "no"]
    return "nearly" if failed and all(c.get("kind") == "activity" for c in failed) else "not"


POLICY_GROUPS = ("eligible", "nearly", "not", "inactive")


@bp.get("/enterprise/policies")
@login_required(role="enterprise")
def policies_page():
    from .policies import BadRequest, _encoder_if_ready, parse_activities, supplier_policies

    profile = own_profile()
    chosen = request.args.getlist("activities")
    try:
        activities = parse_activities(chosen) if chosen else None
    except BadRequest:
        abort(400)
    today = date.today()
    found = supplier_policies(profile.external_id, as_of=today, activities=activities,
                              encoder=_encoder_if_ready())
    english = current_language() == "en"
    items = found["items"] if found else []
    groups = {g: [i for i in items if policy_group(i) == g] for g in POLICY_GROUPS}
    return render_template(
        "portal/policies.html", profile=profile, items=items, groups=groups,
        group_titles={
            "eligible": _("Đủ điều kiện"),
            "nearly": _("Gần đủ điều kiện: cần bổ sung thông tin hoặc kế hoạch"),
            "not": _("Chưa đủ điều kiện"),
            "inactive": _("Chương trình không còn hoặc chưa có hiệu lực")},
        today=today, english=english, hints=_criterion_hints(), activities=ACTIVITIES,
        chosen=set(activities or ()),
        kinds={"sector": _("Ngành"), "size_class": _("Quy mô"), "ownership": _("Sở hữu"),
               "location": _("Địa điểm"), "activity": _("Kế hoạch"),
               "enterprise_age": _("Thời gian hoạt động")},
        eligible_labels={"yes": _("Đủ điều kiện"), "no": _("Không đủ điều kiện"),
                         "unknown": _("Chưa rõ: cần thêm thông tin")},
        status_labels={"active": _("Đang hiệu lực"), "expired": _("Đã hết hiệu lực"),
                       "not_yet_in_force": _("Chưa có hiệu lực")})


# --- navigation --------------------------------------------------------------------------

@bp.app_context_processor
def inject_enterprise_nav():
    """Unread messages and unseen RFQs for the header of an enterprise account."""
    account = current_account()
    if account is None or account.role != AccountRole.ENTERPRISE or account.profile_id is None:
        return {"enterprise_nav": None}
    db = get_session()
    unread = db.scalar(select(func.count()).select_from(ContactRequest)
                       .where(ContactRequest.profile_id == account.profile_id,
                              ContactRequest.status == ContactStatus.NEW)) or 0
    unseen = db.scalar(select(func.count()).select_from(RequestMatch)
                       .where(RequestMatch.profile_id == account.profile_id,
                              RequestMatch.seen_at.is_(None))) or 0
    return {"enterprise_nav": {"unread": unread, "unseen_requests": unseen,
                               "profile_url": url_for("enterprise.edit_profile")}}


def init_app(app) -> None:
    from .security import csrf

    # the API uses the session cookie (SameSite=Lax) and JSON bodies, not form tokens
    csrf.exempt(api)
    app.register_blueprint(bp)
    app.register_blueprint(api)

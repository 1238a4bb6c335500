"""Requests for quotation (RFQs): the buyer's pages and JSON API.

An RFQ (:class:`~recommender.store.models.BuyerRequest`) is matched when it is
created: :func:`recommender.rfq.read_request` checks its fields, its title,
text, processes and requirements become one query to the shared recommender,
required certificates (held and valid today) and the park are filters, and
the top :data:`~recommender.rfq.MATCHES` suppliers get a
:class:`~recommender.store.models.RequestMatch` row with the explanation
(their enterprise dashboard lists them).
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from recommender import vocab
from recommender.requirements import CERTIFICATIONS, rfq_query
from recommender.rfq import (
    FIELDS,
    MATCHES,
    TEXT_MAX,
    Problem,
    RequestErrors,
    match_explanation,
    read_request,
)
from recommender.search import SearchError
from recommender.store.models import (
    Buyer,
    BuyerRequest,
    RequestMatch,
    RequestStatus,
    SupplierProfile,
)

from ..auth import current_account, login_required
from ..catalog import get_catalog
from ..db import get_session
from ..errors import api_error, not_supported
from ..filters import SearchFilters, allowed_ids
from ..i18n import current_language
from ..paging import page_args, page_meta
from ..search import check_text, format_day
from .blueprints import api, bp


def error_messages(exc: RequestErrors) -> dict[str, str]:
    """Field → what is wrong with it, in the user's language."""
    out = {}
    for name, p in exc.fields.items():
        if p.problem is Problem.TOO_LONG:
            out[name] = _("Tối đa %(n)d ký tự.", n=p.limit)
        elif p.problem is Problem.REQUIRED:
            out[name] = _("Vui lòng điền mục này.")
        elif p.problem is Problem.NOT_A_LIST:
            out[name] = _("Phải là danh sách.")
        elif p.problem is Problem.NOT_LISTED:
            out[name] = _("“%(value)s” không có trong danh mục.", value=p.value)
        elif p.problem is Problem.UNKNOWN_PARK:
            out[name] = _("Khu công nghiệp không có trong danh mục.")
        elif p.problem is Problem.NOT_A_DATE:
            out[name] = _("Ngày phải có dạng NNNN-TT-NN.")
        else:
            out[name] = _("Hạn chót đã qua.")
    return out


def match_request(values: dict) -> list[dict]:
    """The top suppliers for an RFQ with their explanation (raises RuntimeError when the
    index is not ready)."""
    catalog = get_catalog()
    if not catalog.ready:
        raise RuntimeError("the search index is not ready")
    today = date.today()
    filters = SearchFilters(certifications=tuple(values["certifications"]),
                            parks=(values["park"],) if values["park"] else ())
    allowed = allowed_ids(catalog.profiles, filters, today)
    if allowed is not None and not allowed:
        return []
    limit = MATCHES if allowed is None else min(MATCHES, len(allowed))
    result = catalog.recommender.recommend(rfq_query(
        values["title"], values["text"], values["processes"], values["certifications"],
        values["park"]), limit, allowed_ids=allowed, today=today)
    return [{"profile_id": r.doc_id, "rank": rank, "score": float(r.score),
             "explanation": match_explanation(r, values["processes"],
                                              catalog.profiles[r.doc_id].processes)}
            for rank, r in enumerate(result.items, 1)]


def create_request(values: dict) -> BuyerRequest:
    """Save an RFQ and its matches in one transaction."""
    matches = match_request(values)
    db = get_session()
    account = current_account()
    try:
        if account.buyer is None:  # an account made without a company record
            account.buyer = Buyer(company=account.email, email=account.email)
        rfq = BuyerRequest(buyer=account.buyer, **values,
                           status=RequestStatus.MATCHED if matches else RequestStatus.OPEN)
        db.add(rfq)
        db.flush()
        for m in matches:
            db.add(RequestMatch(request_id=rfq.id, **m))
        db.commit()
    except Exception:
        db.rollback()
        raise
    return rfq


def _own_request(request_id: int) -> BuyerRequest | None:
    """The RFQ if it belongs to the logged-in buyer's company, else None."""
    rfq = get_session().get(BuyerRequest, request_id)
    account = current_account()
    if rfq is None or account.buyer_id is None or rfq.buyer_id != account.buyer_id:
        return None
    return rfq


def _request_matches(rfq: BuyerRequest) -> list[tuple[RequestMatch, SupplierProfile]]:
    return get_session().execute(
        select(RequestMatch, SupplierProfile)
        .join(SupplierProfile, SupplierProfile.id == RequestMatch.profile_id)
        .where(RequestMatch.request_id == rfq.id).order_by(RequestMatch.rank)).all()


def request_json(rfq: BuyerRequest, with_matches: bool = False) -> dict:
    body = {"id": rfq.id, "title": rfq.title, "text": rfq.text,
            "processes": list(rfq.processes or []),
            "certifications": list(rfq.certifications or []), "park": rfq.park,
            "quantity": rfq.quantity,
            "due_date": rfq.due_date.isoformat() if rfq.due_date else None,
            "status": str(rfq.status), "created_at": rfq.created_at.isoformat()}
    if with_matches:
        body["matches"] = [{"rank": m.rank, "external_id": p.external_id, "name": p.name,
                            "score": round(m.score, 4), "explanation": m.explanation}
                           for m, p in _request_matches(rfq)]
    return body


def _requests(page: int, per_page: int) -> tuple[list[BuyerRequest], int]:
    account = current_account()
    if account.buyer_id is None:
        return [], 0
    db = get_session()
    where = BuyerRequest.buyer_id == account.buyer_id
    total = db.scalar(select(func.count(BuyerRequest.id)).where(where)) or 0
    rows = db.scalars(select(BuyerRequest).where(where)
                      .order_by(BuyerRequest.created_at.desc(), BuyerRequest.id.desc())
                      .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


@bp.get("/requests")
@login_required(role="buyer")
def requests_page():
    page, per_page = page_args(strict=False, max_per_page=50)
    rows, total = _requests(page, per_page)
    counts = dict(get_session().execute(
        select(RequestMatch.request_id, func.count(RequestMatch.id))
        .where(RequestMatch.request_id.in_([r.id for r in rows]))
        .group_by(RequestMatch.request_id)).all()) if rows else {}
    return render_template("buyer/requests.html", rows=rows, total=total, page=page,
                           last=max(1, -(-total // per_page)), counts=counts,
                           format_day=format_day)


def _form_data(form) -> dict:
    return {"title": form.get("title", ""), "text": form.get("text", ""),
            "processes": form.getlist("processes"),
            "certifications": form.getlist("certifications"),
            "park": form.get("park", ""), "quantity": form.get("quantity", ""),
            "due_date": form.get("due_date", "")}


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required(role="buyer")
def new_request():
    errors: dict[str, str] = {}
    data = {"title": "", "text": request.args.get("text", "")[:TEXT_MAX],
            "processes": [], "certifications": [], "park": "", "quantity": "",
            "due_date": ""}
    message = None
    if request.method == "POST":
        data = _form_data(request.form)
        try:
            rfq = create_request(read_request(data))
        except RequestErrors as exc:
            errors = error_messages(exc)
        except (RuntimeError, SearchError):
            message = _("Hệ thống tìm kiếm chưa sẵn sàng, vui lòng thử lại sau ít phút.")
        else:
            flash(_("Đã tạo yêu cầu báo giá và gửi tới các nhà cung cấp phù hợp."))
            return redirect(url_for("buyer.show_request", request_id=rfq.id))
    lang = current_language()
    return render_template(
        "buyer/request_form.html", data=data, errors=errors, message=message,
        processes=[(t.key, vocab.label(t.key, vocab.PROCESSES, lang)) for t in vocab.PROCESSES],
        certifications=CERTIFICATIONS, parks=vocab.PARKS,
    ), 400 if errors else (503 if message else 200)


@bp.get("/requests/<int:request_id>")
@login_required(role="buyer")
def show_request(request_id: int):
    rfq = _own_request(request_id)
    if rfq is None:
        abort(404)
    lang = current_language()
    return render_template(
        "buyer/request_show.html", rfq=rfq, matches=_request_matches(rfq),
        process_label=lambda k: vocab.label(k, vocab.PROCESSES, lang), check_text=check_text,
        format_day=format_day)


@api.get("/requests")
@login_required(role="buyer")
def api_requests():
    page, per_page = page_args(strict=False, max_per_page=50)
    rows, total = _requests(page, per_page)
    return {"items": [request_json(r) for r in rows],
            "_meta": page_meta(page, per_page, total, len(rows))}


@api.post("/requests")
@login_required(role="buyer")
def api_create_request():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return api_error("bad_body", expected="{" + ", ".join(f'"{k}": …' for k in FIELDS) + "}")
    unknown = set(data) - set(FIELDS)
    if unknown:
        return api_error("unknown_fields", not_supported(unknown))
    try:
        rfq = create_request(read_request(data))
    except RequestErrors as exc:
        return api_error("invalid_fields", error_messages(exc))
    except (RuntimeError, SearchError):
        return api_error("index_building")
    return request_json(rfq, with_matches=True), 201


@api.get("/requests/<int:request_id>")
@login_required(role="buyer")
def api_get_request(request_id: int):
    rfq = _own_request(request_id)
    if rfq is None:
        return api_error("request_not_found", id=request_id)
    return request_json(rfq, with_matches=True)

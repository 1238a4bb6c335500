"""What a buyer does after searching: the supplier page, shortlist, contact requests, RFQs.

Pages and the JSON API (``/api/v1/shortlist``, ``/api/v1/requests``) need a
buyer account; staff may read supplier contact details. Every action on a
supplier is also an :class:`~recommender.store.models.Interaction` (click,
shortlist, contact), tied to the search that showed it when the link carried
the search id and rank (``?s=<id>&r=<rank>``).

An RFQ (:class:`~recommender.store.models.BuyerRequest`) is matched when it is
created: its title, text, processes and requirements become one query to the
shared recommender, required certificates (held and valid today) and the park
are filters, and the top :data:`RFQ_MATCHES` suppliers get a
:class:`~recommender.store.models.RequestMatch` row with the explanation
(their enterprise dashboard lists them).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from recommender import vocab
from recommender.requirements import CERTIFICATIONS, rfq_query
from recommender.search import SearchError
from recommender.store.models import (
    MAX_LEN,
    AccountRole,
    Buyer,
    BuyerRequest,
    ContactRequest,
    ContactStatus,
    Interaction,
    InteractionKind,
    RequestMatch,
    RequestStatus,
    SearchLog,
    ShortlistEntry,
    SupplierProfile,
)
from recommender.text import normalize

from .auth import current_account, login_required
from .catalog import get_catalog
from .db import get_session
from .errors import error_response
from .filters import SIZE_LABELS, SearchFilters, allowed_ids, canonical_certification
from .i18n import current_language
from .paging import page_args, page_meta
from .search import certificate_view, check_text, format_day
from .security import local_path

bp = Blueprint("buyer", __name__)
api = Blueprint("buyer_api", __name__, url_prefix="/api/v1")

SUBJECT_MAX = 200
MESSAGE_MAX = 5_000
RFQ_TITLE_MAX = 200
RFQ_TEXT_MAX = 5_000
RFQ_QUANTITY_MAX = MAX_LEN.get("quantity", 120)
RFQ_MATCHES = 10
SIMILAR_COUNT = 5
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# -- helpers ----------------------------------------------------------------
def _plain(value: Any, limit: int, *, multiline: bool = False) -> str:
    """User text as written (escaped when shown), NFC, control characters removed."""
    if not isinstance(value, str):
        raise ValueError("not text")
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if multiline:
        text = "\n".join(normalize(line) for line in text.split("\n")).strip()
    else:
        text = normalize(" ".join(text.split()))
    if len(text) > limit:
        raise ValueError(f"at most {limit} characters")
    return text


def _profile(external_id: str) -> SupplierProfile | None:
    return get_session().scalar(
        select(SupplierProfile).where(SupplierProfile.external_id == external_id)
        .options(selectinload(SupplierProfile.certifications)))


def _int_arg(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _search_ref(search_id: Any, rank: Any, profile: SupplierProfile) -> tuple[int | None,
                                                                               int | None]:
    """The search that showed ``profile`` (when it did) and the rank it had there."""
    sid, rnk = _int_arg(search_id), _int_arg(rank)
    if sid is None:
        return None, None
    log = get_session().get(SearchLog, sid)
    if log is None or profile.external_id not in (log.result_external_ids or []):
        return None, None
    return sid, rnk


def record(kind: InteractionKind, profile: SupplierProfile, search_id: int | None = None,
           rank: int | None = None) -> Interaction:
    """Add an interaction to the session (the caller commits)."""
    account = current_account()
    row = Interaction(kind=kind, profile_id=profile.id, search_log_id=search_id, rank=rank,
                      account_id=account.id if account else None)
    get_session().add(row)
    return row


def _safe_next(target: str | None, default: str) -> str:
    return local_path(target) or default


# -- supplier page -----------------------------------------------------------
def similar_suppliers(profile: SupplierProfile, k: int = SIMILAR_COUNT) -> list[dict]:
    """The nearest other profiles by this profile's own embedding and text, with why."""
    catalog = get_catalog()
    if not catalog.ready or profile.id not in catalog.index.windows:
        return []
    try:
        hits = catalog.recommender.similar(profile.id, k)
    except Exception:  # a page without "similar" beats an error page
        current_app.logger.exception("similar suppliers of %s failed", profile.external_id)
        return []
    lang = current_language()
    out = []
    for hit in hits:
        other = catalog.profiles.get(hit.doc_id)
        if other is None:
            continue
        reasons = []
        shared = [p for p in other.processes if p in (profile.processes or [])]
        if shared:
            reasons.append(_("Cùng quy trình: %(names)s", names=", ".join(
                vocab.label(p, vocab.PROCESSES, lang) for p in shared)))
        elif other.sector and other.sector == profile.sector:
            reasons.append(_("Cùng ngành: %(name)s",
                             name=vocab.label(other.sector, vocab.SECTORS, lang)))
        park = (other.location or {}).get("park")
        if park and park == profile.park:
            reasons.append(_("Cùng %(park)s", park=park))
        if not reasons:
            reasons.append(_("Mô tả năng lực gần giống"))
        out.append({"external_id": other.external_id, "name": other.name,
                    "verified": other.verified, "sample": other.sample,
                    "why": " · ".join(reasons),
                    "similarity": None if hit.dense is None else round(hit.dense, 3)})
    return out


def render_supplier(profile: SupplierProfile, *, form: dict | None = None,
                    errors: dict | None = None, status: int = 200):
    """The supplier page (``enterprise.show``): profile, certificates, similar suppliers,
    contact details for buyers and staff, shortlist button and contact form."""
    account = current_account()
    role = AccountRole(account.role) if account else None
    search_id = _int_arg(request.values.get("s"))
    rank = _int_arg(request.values.get("r"))
    if request.method == "GET" and search_id is not None:
        search_id, rank = _search_ref(search_id, rank, profile)
        if search_id is not None:
            db = get_session()
            seen = db.scalar(select(Interaction.id).where(
                Interaction.search_log_id == search_id, Interaction.profile_id == profile.id,
                Interaction.kind == InteractionKind.CLICK))
            if seen is None:  # a reload or "back" is not a second click
                record(InteractionKind.CLICK, profile, search_id, rank)
                db.commit()
    shortlisted = role == AccountRole.BUYER and get_session().scalar(
        select(ShortlistEntry.id).where(ShortlistEntry.account_id == account.id,
                                        ShortlistEntry.profile_id == profile.id)) is not None
    today = date.today()
    lang = current_language()
    return render_template(
        "enterprise/show.html", profile=profile,
        processes=[vocab.label(k, vocab.PROCESSES, lang) for k in profile.processes or []],
        sector=vocab.label(profile.sector, vocab.SECTORS, lang) if profile.sector else None,
        size=SIZE_LABELS.get(str(profile.size_class)) if profile.size_class else None,
        certificates=[certificate_view({"name": c.name, "issuer": c.issuer, "scope": c.scope,
                                        "valid_until": c.valid_until.isoformat()
                                        if c.valid_until else None}, today)
                      for c in profile.certifications],
        show_contact=role in (AccountRole.BUYER, AccountRole.STAFF),
        is_buyer=role == AccountRole.BUYER, shortlisted=shortlisted,
        similar=similar_suppliers(profile), search_id=search_id, rank=rank,
        form=form or {}, errors=errors or {}, subject_max=SUBJECT_MAX,
        message_max=MESSAGE_MAX,
        updated=format_day(profile.updated_at.date()) if profile.updated_at else None,
    ), status


# -- shortlist ----------------------------------------------------------------
def add_to_shortlist(profile: SupplierProfile, note: str | None, search_id: int | None,
                     rank: int | None) -> tuple[ShortlistEntry, bool]:
    """The buyer's entry for ``profile`` and whether it was created now."""
    db = get_session()
    account = current_account()
    entry = db.scalar(select(ShortlistEntry).where(ShortlistEntry.account_id == account.id,
                                                   ShortlistEntry.profile_id == profile.id))
    if entry is not None:
        if note is not None:
            entry.note = note or None
            db.commit()
        return entry, False
    entry = ShortlistEntry(account_id=account.id, profile_id=profile.id, note=note or None)
    db.add(entry)
    record(InteractionKind.SHORTLIST, profile, search_id, rank)
    try:
        db.commit()
    except IntegrityError:  # added by a parallel request
        db.rollback()
        entry = db.scalar(select(ShortlistEntry).where(
            ShortlistEntry.account_id == account.id, ShortlistEntry.profile_id == profile.id))
        return entry, False
    return entry, True


def remove_from_shortlist(profile: SupplierProfile) -> bool:
    db = get_session()
    entry = db.scalar(select(ShortlistEntry).where(
        ShortlistEntry.account_id == current_account().id,
        ShortlistEntry.profile_id == profile.id))
    if entry is None:
        return False
    db.delete(entry)
    db.commit()
    return True


def _shortlist_rows(page: int, per_page: int) -> tuple[list[tuple], int]:
    db = get_session()
    account = current_account()
    where = ShortlistEntry.account_id == account.id
    total = db.scalar(select(func.count(ShortlistEntry.id)).where(where)) or 0
    rows = db.execute(
        select(ShortlistEntry, SupplierProfile)
        .join(SupplierProfile, SupplierProfile.id == ShortlistEntry.profile_id)
        .where(where).order_by(ShortlistEntry.created_at.desc(), ShortlistEntry.id.desc())
        .options(selectinload(SupplierProfile.certifications))
        .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def _shortlist_json(entry: ShortlistEntry, p: SupplierProfile) -> dict:
    return {"external_id": p.external_id, "name": p.name, "park": p.park,
            "sector": p.sector, "verified": bool(p.verified), "sample": bool(p.sample),
            "note": entry.note, "added_at": entry.created_at.isoformat()}


@bp.get("/shortlist")
@login_required(role="buyer")
def shortlist():
    page, per_page = page_args(strict=False, max_per_page=50)
    rows, total = _shortlist_rows(page, per_page)
    return render_template("buyer/shortlist.html", rows=rows, total=total, page=page,
                           last=max(1, -(-total // per_page)))


@bp.post("/shortlist/<external_id>")
@login_required(role="buyer")
def shortlist_toggle(external_id: str):
    profile = _profile(external_id)
    if profile is None:
        abort(404)
    back = _safe_next(request.form.get("next"),
                      url_for("enterprise.show", external_id=external_id))
    if request.form.get("action") == "remove":
        remove_from_shortlist(profile)
        flash(_("Đã bỏ %(name)s khỏi danh sách.", name=profile.name))
    else:
        sid, rnk = _search_ref(request.form.get("s"), request.form.get("r"), profile)
        add_to_shortlist(profile, None, sid, rnk)
        flash(_("Đã lưu %(name)s vào danh sách.", name=profile.name))
    return redirect(back)


@api.get("/shortlist")
@login_required(role="buyer")
def api_shortlist():
    page, per_page = page_args(strict=False, max_per_page=50)
    rows, total = _shortlist_rows(page, per_page)
    return {"items": [_shortlist_json(e, p) for e, p in rows],
            "_meta": page_meta(page, per_page, total, len(rows))}


@api.post("/shortlist")
@login_required(role="buyer")
def api_shortlist_add():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("external_id"), str):
        return error_response(400, "send a JSON object with external_id",
                              {"external_id": "required"})
    note = data.get("note")
    if note is not None:
        try:
            note = _plain(note, 1000, multiline=True)
        except ValueError as exc:
            return error_response(400, "note is invalid", {"note": str(exc)})
    profile = _profile(data["external_id"])
    if profile is None:
        return error_response(404, f"no supplier {data['external_id']!r}")
    sid, rnk = _search_ref(data.get("search_id"), data.get("rank"), profile)
    entry, created = add_to_shortlist(profile, note, sid, rnk)
    return _shortlist_json(entry, profile), 201 if created else 200


@api.delete("/shortlist/<external_id>")
@login_required(role="buyer")
def api_shortlist_remove(external_id: str):
    profile = _profile(external_id)
    if profile is None or not remove_from_shortlist(profile):
        return error_response(404, f"{external_id!r} is not in your shortlist")
    return "", 204


# -- contact requests -----------------------------------------------------------
def validate_contact(form) -> tuple[dict, dict]:
    """Cleaned subject and message, and field → message for what is wrong."""
    values, errors = {}, {}
    for name, limit, multiline, empty in (
            ("subject", SUBJECT_MAX, False, _("Vui lòng nhập tiêu đề.")),
            ("message", MESSAGE_MAX, True, _("Vui lòng nhập nội dung."))):
        try:
            values[name] = _plain(form.get(name, ""), limit, multiline=multiline)
        except ValueError:
            errors[name] = _("Tối đa %(n)d ký tự.", n=limit)
            continue
        if not values[name]:
            errors[name] = empty
    return values, errors


@bp.post("/suppliers/<external_id>/contact")
@login_required(role="buyer")
def contact(external_id: str):
    profile = _profile(external_id)
    if profile is None:
        abort(404)
    values, errors = validate_contact(request.form)
    if errors:
        return render_supplier(profile, form=request.form, errors=errors, status=400)
    account = current_account()
    sid, rnk = _search_ref(request.form.get("s"), request.form.get("r"), profile)
    db = get_session()
    db.add(ContactRequest(account_id=account.id, buyer_id=account.buyer_id,
                          profile_id=profile.id, search_log_id=sid, **values))
    record(InteractionKind.CONTACT, profile, sid, rnk)
    db.commit()
    flash(_("Đã gửi yêu cầu liên hệ tới %(name)s.", name=profile.name))
    return redirect(url_for("buyer.contacts"))


STATUS_LABELS = {
    ContactStatus.NEW: lazy_gettext("Đã gửi"), ContactStatus.READ: lazy_gettext("Đã xem"),
    ContactStatus.REPLIED: lazy_gettext("Đã phản hồi"),
    ContactStatus.CLOSED: lazy_gettext("Đã đóng"),
}


@bp.get("/contacts")
@login_required(role="buyer")
def contacts():
    page, per_page = page_args(strict=False, max_per_page=50)
    db = get_session()
    where = ContactRequest.account_id == current_account().id
    total = db.scalar(select(func.count(ContactRequest.id)).where(where)) or 0
    rows = db.execute(
        select(ContactRequest, SupplierProfile)
        .join(SupplierProfile, SupplierProfile.id == ContactRequest.profile_id)
        .where(where).order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return render_template("buyer/contacts.html", rows=rows, total=total, page=page,
                           last=max(1, -(-total // per_page)),
                           status_labels={k.value: str(v) for k, v in STATUS_LABELS.items()},
                           format_day=format_day)


# -- RFQs ------------------------------------------------------------------------
class RequestErrors(ValueError):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def _list_value(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[;,\n]", value) if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise ValueError("list")


def validate_request(data: dict, today: date | None = None) -> dict:
    """Checked RFQ fields from a form or JSON object.

    Raises:
        RequestErrors: field → message (in the user's language) for each invalid field.
    """
    today = today or date.today()
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, limit, multiline in (("title", RFQ_TITLE_MAX, False),
                                   ("text", RFQ_TEXT_MAX, True)):
        try:
            values[name] = _plain(data.get(name) or "", limit, multiline=multiline)
        except ValueError:
            errors[name] = _("Tối đa %(n)d ký tự.", n=limit)
            continue
        if not values[name]:
            errors[name] = _("Vui lòng điền mục này.")
    try:
        quantity = _plain(data.get("quantity") or "", RFQ_QUANTITY_MAX)
        values["quantity"] = quantity or None
    except ValueError:
        errors["quantity"] = _("Tối đa %(n)d ký tự.", n=RFQ_QUANTITY_MAX)
    for name, vocabulary in (("processes", vocab.PROCESSES), ("certifications", None)):
        try:
            raw = _list_value(data.get(name))
        except ValueError:
            errors[name] = _("Phải là danh sách.")
            continue
        keys: list[str] = []
        for item in raw:
            key = (vocab.lookup(item, vocabulary) if vocabulary is not None
                   else canonical_certification(item))
            if key is None:
                errors[name] = _("“%(value)s” không có trong danh mục.", value=item.strip())
                break
            if key not in keys:
                keys.append(key)
        values[name] = keys
    park = data.get("park") or None
    values["park"] = None
    if park is not None:
        key = vocab.lookup(park, vocab.PARKS) if isinstance(park, str) else None
        if key is None:
            errors["park"] = _("Khu công nghiệp không có trong danh mục.")
        values["park"] = key
    due = data.get("due_date") or None
    values["due_date"] = None
    if due is not None:
        try:
            values["due_date"] = date.fromisoformat(str(due).strip())
        except ValueError:
            errors["due_date"] = _("Ngày phải có dạng NNNN-TT-NN.")
        else:
            if values["due_date"] < today:
                errors["due_date"] = _("Hạn chót đã qua.")
    if errors:
        raise RequestErrors(errors)
    return values


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
    limit = RFQ_MATCHES if allowed is None else min(RFQ_MATCHES, len(allowed))
    result = catalog.recommender.recommend(rfq_query(
        values["title"], values["text"], values["processes"], values["certifications"],
        values["park"]), limit, allowed_ids=allowed,
                                           today=today)
    out = []
    for rank, r in enumerate(result.items, 1):
        profile = catalog.profiles[r.doc_id]
        wanted = values["processes"]
        explained = r.to_dict()
        out.append({"profile_id": r.doc_id, "rank": rank, "score": float(r.score),
                    "explanation": {
                        "matched_terms": explained["matched_terms"],
                        "concepts": explained["concepts"],
                        "requirements": explained["requirements"],
                        "processes_met": [p for p in wanted if p in profile.processes],
                        "processes_missing": [p for p in wanted if p not in profile.processes],
                        "dense": explained["dense"]}})
    return out


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
    data = {"title": "", "text": request.args.get("text", "")[:RFQ_TEXT_MAX],
            "processes": [], "certifications": [], "park": "", "quantity": "",
            "due_date": ""}
    message = None
    if request.method == "POST":
        data = _form_data(request.form)
        try:
            values = validate_request(data)
            rfq = create_request(values)
        except RequestErrors as exc:
            errors = exc.fields
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
        return error_response(400, "send a JSON object: title, text, processes, "
                              "certifications, park, quantity, due_date")
    unknown = set(data) - {"title", "text", "processes", "certifications", "park",
                           "quantity", "due_date"}
    if unknown:
        return error_response(400, "unknown fields", {k: "not supported" for k in unknown})
    try:
        values = validate_request(data)
        rfq = create_request(values)
    except RequestErrors as exc:
        return error_response(400, "some fields are invalid", exc.fields)
    except (RuntimeError, SearchError):
        return error_response(503, "the search index is being built; try again shortly")
    return request_json(rfq, with_matches=True), 201


@api.get("/requests/<int:request_id>")
@login_required(role="buyer")
def api_get_request(request_id: int):
    rfq = _own_request(request_id)
    if rfq is None:
        return error_response(404, f"no request {request_id} of yours")
    return request_json(rfq, with_matches=True)


def init_app(app) -> None:
    from .security import csrf

    csrf.exempt(api)  # JSON API: session cookie (SameSite=Lax) and role checks
    app.register_blueprint(bp)
    app.register_blueprint(api)

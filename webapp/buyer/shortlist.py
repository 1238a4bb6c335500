"""The buyer's shortlist of suppliers: the page, the save/remove button and the JSON API."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from recommender.store.models import InteractionKind, ShortlistEntry, SupplierProfile
from recommender.text import plain_text

from ..auth import current_account, login_required
from ..db import get_session
from ..errors import api_error, required, text_problem
from ..paging import page_args, page_meta
from .blueprints import api, bp
from .interactions import find_profile, record, safe_next, search_ref

NOTE_MAX = 1000


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
    profile = find_profile(external_id)
    if profile is None:
        abort(404)
    back = safe_next(request.form.get("next"),
                     url_for("enterprise.show", external_id=external_id))
    if request.form.get("action") == "remove":
        remove_from_shortlist(profile)
        flash(_("Đã bỏ %(name)s khỏi danh sách.", name=profile.name))
    else:
        sid, rnk = search_ref(request.form.get("s"), request.form.get("r"), profile)
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
        return api_error("bad_body", {"external_id": required()},
                         expected='{"external_id": "…", "note": "…"}')
    note = data.get("note")
    if note is not None:
        try:
            note = plain_text(note, NOTE_MAX, multiline=True)
        except ValueError as exc:
            return api_error("invalid_fields", {"note": text_problem(exc, NOTE_MAX)})
    profile = find_profile(data["external_id"])
    if profile is None:
        return api_error("supplier_not_found", id=data["external_id"])
    sid, rnk = search_ref(data.get("search_id"), data.get("rank"), profile)
    entry, created = add_to_shortlist(profile, note, sid, rnk)
    return _shortlist_json(entry, profile), 201 if created else 200


@api.delete("/shortlist/<external_id>")
@login_required(role="buyer")
def api_shortlist_remove(external_id: str):
    profile = find_profile(external_id)
    if profile is None or not remove_from_shortlist(profile):
        return api_error("not_in_shortlist", id=external_id)
    return "", 204

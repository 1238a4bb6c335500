"""The supplier page (``enterprise.show``) and the suppliers similar to it."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from recommender import vocab
from recommender.store.models import (
    AccountRole,
    Interaction,
    InteractionKind,
    ShortlistEntry,
    SupplierProfile,
)

from ..auth import current_account
from ..catalog import get_catalog
from ..db import get_session
from ..filters import SIZE_LABELS
from ..i18n import current_language
from ..search import certificate_view, format_day
from .interactions import positive_int, record, search_ref

SUBJECT_MAX = 200
MESSAGE_MAX = 5_000
"""Longest subject and message of a contact request (the form on this page)."""
SIMILAR_COUNT = 5


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
    search_id = positive_int(request.values.get("s"))
    rank = positive_int(request.values.get("r"))
    if request.method == "GET" and search_id is not None:
        search_id, rank = search_ref(search_id, rank, profile)
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

"""Process and product phrases staff review: the unmapped ones, and mapping them.

A phrase a firm wrote that matches no taxonomy term is kept as searchable
text in the profile's ``capabilities``. Staff see every such phrase with how
many profiles use it (:func:`unmapped_phrases`) and map it to a taxonomy node
or confirm it as free text (:func:`confirm_mapping`). The decision is stored
(:class:`~recommender.store.models.TermMapping`), applied at once to every
profile holding the phrase (their changes are logged, so search updates), and
applied by later imports and profile saves before the taxonomy's own matching.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.taxonomy import Taxonomy, load_taxonomy
from recommender.text import fold_phrase

from .changes import Publish, commit_saved
from .models import SupplierProfile, TermMapping, utcnow


@dataclass(frozen=True)
class UnmappedPhrase:
    """A phrase no taxonomy term matched, with the profiles that use it."""

    text: str
    profiles: int
    examples: tuple[str, ...]
    """External ids of up to three profiles using it."""


def unmapped_phrases(session: Session, limit: int = 200) -> list[UnmappedPhrase]:
    """Unmapped phrases across all profiles, most used first."""
    counts: Counter[str] = Counter()
    written: dict[str, str] = {}
    examples: dict[str, list[str]] = {}
    rows = session.execute(select(SupplierProfile.external_id, SupplierProfile.capabilities))
    for external_id, capabilities in rows:
        for cap in capabilities or ():
            if cap.get("keys") or cap.get("how") == "staff":
                continue
            key = fold_phrase(cap["text"])
            counts[key] += 1
            written.setdefault(key, cap["text"])
            if len(examples.setdefault(key, [])) < 3:
                examples[key].append(external_id)
    return [UnmappedPhrase(written[k], n, tuple(examples[k]))
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def confirm_mapping(session: Session, phrase: str, key: str | None, *,
                    confirmed_by: str | None = None, taxonomy: Taxonomy | None = None,
                    account_id: int | None = None, publish: Publish | None = None) -> int:
    """Map ``phrase`` to taxonomy ``key`` (None: keep as free text) and apply it.

    Commits. Returns how many profiles changed.

    Raises:
        ValueError: ``key`` is not a capability node of the taxonomy, or the phrase is empty.
    """
    taxonomy = taxonomy or load_taxonomy()
    folded = fold_phrase(phrase)
    if not folded:
        raise ValueError("the phrase is empty")
    if key is not None and (key not in taxonomy or taxonomy.nodes[key].kind not in (
            "sector", "group", "process", "product")):
        raise ValueError(f"{key!r} is not a process or product of the taxonomy")
    try:
        mapping = session.get(TermMapping, folded)
        if mapping is None:
            session.add(TermMapping(phrase=folded, text=phrase.strip()[:255], key=key,
                                    confirmed_by=confirmed_by))
        else:
            mapping.key, mapping.confirmed_by = key, confirmed_by
            mapping.confirmed_at = utcnow()
        changed = []
        for profile in session.scalars(select(SupplierProfile)):
            caps = list(profile.capabilities or ())
            hit = [i for i, c in enumerate(caps) if fold_phrase(c.get("text", "")) == folded]
            if not hit:
                continue
            for i in hit:
                caps[i] = {**caps[i], "keys": [key] if key else [], "confidence": 1.0,
                           "how": "staff"}
            processes = []
            for cap in caps:
                for k in cap.get("keys") or ():
                    if k not in processes:
                        processes.append(k)
            # keys read off the description (no phrase of their own) stay
            processes += [k for k in profile.processes or () if k not in processes and not any(
                k in (c.get("keys") or ()) for c in profile.capabilities or ())]
            profile.capabilities = caps
            profile.processes = processes
            if not profile.sector and key:
                profile.sector = taxonomy.sector_of(key)
            changed.append(profile)
    except BaseException:
        session.rollback()
        raise
    # the one write path's last step: logged for every serving process, committed, published
    commit_saved(session, changed, account_id=account_id, publish=publish)
    return len(changed)


def confirmed_mappings(session: Session) -> dict[str, str | None]:
    """Staff decisions as :meth:`Taxonomy.map_phrase` reads them (folded phrase → key)."""
    return {m.phrase: m.key for m in session.scalars(select(TermMapping))}


def confirmed(session: Session) -> list[TermMapping]:
    """Every staff decision, newest first."""
    return list(session.scalars(select(TermMapping).order_by(TermMapping.confirmed_at.desc())))

"""Matching: every programme judged for a supplier, and the programmes that reward a buyer.

A programme is ``yes`` when every criterion is met, ``no`` when any is not,
otherwise ``unknown``. Programmes whose ``valid_until`` is before the day of
the question are shown as expired and never recommended. Relevance (semantic
similarity between the firm's profile and plans and the programme summaries)
is computed only when an encoder is passed, so the rules alone stay fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from .catalogue import ACTIVE, EXPIRED, NOT_YET, Program
from .facts import FirmFacts
from .rules import NO, UNKNOWN, YES, CriterionResult, check_criterion


@dataclass(frozen=True)
class ProgramMatch:
    """One programme judged for one firm."""

    program: Program
    eligible: str
    """``yes``, ``no`` or ``unknown``: the criteria combined."""
    status: str
    """``active``, ``expired`` or ``not_yet_in_force`` on the day asked."""
    as_of: date
    criteria: tuple[CriterionResult, ...]
    priorities: tuple[str, ...] = ()
    relevance: float | None = None

    @property
    def recommended(self) -> bool:
        """In force and every criterion met."""
        return self.status == ACTIVE and self.eligible == YES

    @property
    def to_find_out(self) -> list[str]:
        out: list[str] = []
        for r in self.criteria:
            if r.outcome == UNKNOWN and r.to_find_out and r.to_find_out not in out:
                out.append(r.to_find_out)
        return out

    @property
    def reason(self) -> str:
        """One paragraph a staff member can check against the cited sources."""
        if self.eligible == NO:
            failed = [r.reason for r in self.criteria if r.outcome == NO]
            text = "not eligible: " + "; ".join(failed)
        elif self.eligible == UNKNOWN:
            open_ = [r.reason for r in self.criteria if r.outcome == UNKNOWN]
            text = "unknown, because " + "; ".join(open_)
        else:
            text = "meets every criterion: " + "; ".join(r.reason for r in self.criteria)
        if self.status == EXPIRED:
            assert self.program.valid_until is not None
            text = f"expired on {self.program.valid_until.isoformat()} (not recommended); {text}"
        elif self.status == NOT_YET:
            assert self.program.valid_from is not None
            text = (f"not yet in force (from {self.program.valid_from.isoformat()}, not "
                    f"recommended); {text}")
        return text

    def to_dict(self) -> dict[str, Any]:
        p = self.program
        return {
            "code": p.code, "title_vi": p.title_vi, "title_en": p.title_en,
            "eligible": self.eligible, "status": self.status,
            "recommended": self.recommended, "reason": self.reason,
            "relevance": None if self.relevance is None else round(self.relevance, 4),
            "criteria": [r.to_dict() for r in self.criteria],
            "to_find_out": self.to_find_out, "priorities": list(self.priorities),
            "confirm": p.confirm, "legal_basis": p.legal_basis, "issuer": p.issuer,
            "valid_from": p.valid_from.isoformat() if p.valid_from else None,
            "valid_until": p.valid_until.isoformat() if p.valid_until else None,
            "validity_note": p.record.get("validity_note", ""),
            "benefits": list(p.record.get("benefits", [])),
            "summary_vi": p.summary_vi, "summary_en": p.summary_en,
            "sources": list(p.record.get("sources", [])), "verified": p.verified,
        }


def _priorities(program: Program, facts: FirmFacts) -> tuple[str, ...]:
    out = []
    for prio in program.priorities:
        if prio.get("kind") == "women_owned":
            source = prio["clause"] + ("" if prio.get("verified") else
                                       " (not verified against the legal text)")
            if facts.women_owned:
                out.append(f"priority applies: women-owned firm [{source}]")
            elif facts.women_owned is None:
                out.append(f"women-owned firms have priority: add to your profile whether "
                           f"yours is [{source}]")
    return tuple(out)


def evaluate(program: Program, facts: FirmFacts, as_of: date | None = None) -> ProgramMatch:
    """Judge one programme for one firm on ``as_of`` (default today)."""
    as_of = as_of or date.today()
    results = tuple(check_criterion(c, facts, as_of) for c in program.criteria)
    outcomes = {r.outcome for r in results}
    eligible = NO if NO in outcomes else UNKNOWN if UNKNOWN in outcomes else YES
    return ProgramMatch(program=program, eligible=eligible, status=program.status(as_of),
                        as_of=as_of, criteria=results, priorities=_priorities(program, facts))


def relevance_scores(facts: FirmFacts, programs: Sequence[Program], encoder: Any
                     ) -> dict[str, float]:
    """Cosine similarity of the firm to each programme (best of the programme's vi/en texts).

    The firm is represented by its plans when it states any (what it wants
    support for), else by its profile text. Averaging the two was tried: the
    profile text pulls every supporting-industry firm towards the Decree 111
    programmes and hid the plans (an ERP plan no longer put the
    digital-transformation programme clearly first). ``encoder`` is a
    :class:`recommender.embed.encoder.Encoder`; programme texts go through its
    passage cache, so only the firm's text is encoded each time.
    """
    text = facts.plans_text() or facts.text()
    if not text or not programs:
        return {}
    query = encoder.encode_queries([text])[0]
    passages = encoder.encode_passages([t for p in programs for t in p.passages()],
                                       show_progress=False)
    scores = {}
    for i, program in enumerate(programs):
        windows = np.vstack(passages[2 * i: 2 * i + 2])
        scores[program.code] = float(np.max(windows @ query))
    return scores


_STATUS_ORDER = {ACTIVE: 0, NOT_YET: 1, EXPIRED: 2}
_ELIGIBLE_ORDER = {YES: 0, UNKNOWN: 1, NO: 2}


def match_supplier(facts: FirmFacts, programs: Sequence[Program], *,
                   as_of: date | None = None, encoder: Any = None) -> list[ProgramMatch]:
    """Every programme judged for a supplier, best first.

    Order: programmes in force before the others (expired last); within them
    eligible ``yes``, then ``unknown``, then ``no``; then by relevance when an
    encoder is given, else by the number of criteria met.
    """
    as_of = as_of or date.today()
    scores = relevance_scores(facts, programs, encoder) if encoder is not None else {}
    matches = []
    for program in programs:
        m = evaluate(program, facts, as_of)
        if scores:
            m = ProgramMatch(m.program, m.eligible, m.status, m.as_of, m.criteria,
                             m.priorities, scores.get(program.code))
        matches.append(m)

    def key(m: ProgramMatch) -> tuple:
        met = sum(r.outcome == YES for r in m.criteria)
        return (_STATUS_ORDER[m.status], _ELIGIBLE_ORDER[m.eligible],
                -(m.relevance if m.relevance is not None else 0.0), -met, m.program.code)

    return sorted(matches, key=key)


@dataclass(frozen=True)
class BuyerProgramMatch:
    """A programme that rewards a buyer for linking with domestic suppliers."""

    program: Program
    status: str
    beneficiary: str
    """``buyer_and_suppliers`` or ``suppliers`` (the buyer's domestic suppliers)."""
    reason: str

    @property
    def recommended(self) -> bool:
        return self.status == ACTIVE

    def to_dict(self) -> dict[str, Any]:
        p = self.program
        return {"code": p.code, "title_vi": p.title_vi, "title_en": p.title_en,
                "status": self.status, "recommended": self.recommended,
                "beneficiary": self.beneficiary, "reason": self.reason,
                "linkage": dict(p.buyer_linkage or {}), "legal_basis": p.legal_basis,
                "valid_from": p.valid_from.isoformat() if p.valid_from else None,
                "valid_until": p.valid_until.isoformat() if p.valid_until else None,
                "summary_vi": p.summary_vi, "summary_en": p.summary_en,
                "sources": list(p.record.get("sources", [])), "verified": p.verified}


def match_buyer(programs: Sequence[Program], *, as_of: date | None = None
                ) -> list[BuyerProgramMatch]:
    """Programmes flagged in the catalogue as rewarding linkage with domestic suppliers.

    In force first; those whose benefit reaches the buyer itself before those
    paid to its suppliers. Expired ones are listed as expired, never recommended.
    """
    as_of = as_of or date.today()
    out = []
    for p in programs:
        link = p.buyer_linkage
        if not link:
            continue
        status = p.status(as_of)
        source = link["clause"] + ("" if link.get("verified") else
                                   " (not verified against the legal text)")
        reason = f"{link['en']} [{source}]"
        if status == EXPIRED:
            assert p.valid_until is not None
            reason = f"expired on {p.valid_until.isoformat()} (not recommended); {reason}"
        elif status == NOT_YET:
            reason = f"not yet in force (not recommended); {reason}"
        out.append(BuyerProgramMatch(p, status, link.get("beneficiary", "suppliers"), reason))
    out.sort(key=lambda m: (_STATUS_ORDER[m.status], m.beneficiary != "buyer_and_suppliers",
                            m.program.code))
    return out

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
from .rules import NO, UNKNOWN, YES, CriterionResult, Finding, check_criterion

ELIGIBLE, NEARLY, NOT_ELIGIBLE = "eligible", "nearly", "not_eligible"
STANDINGS = (ELIGIBLE, NEARLY, UNKNOWN, NOT_ELIGIBLE, NOT_YET, EXPIRED)
"""What a firm can act on, best first: in force and eligible; in force and only a plan
missing (``nearly``); in force but a fact is unknown; not eligible; not yet in force;
expired. Every list of programmes (pages, API, CLI) is in this order."""


def standing(status: str, criteria: Sequence[CriterionResult]) -> str:
    """Where a judged programme stands (one of :data:`STANDINGS`).

    A criterion about what the firm *is* (sector, size, ownership, place, age)
    that fails makes it ``not_eligible``, one that is unknown ``unknown``; when
    every such criterion is met and only a plan (an ``activity`` criterion) is
    not stated or not chosen, the firm is ``nearly`` eligible: it can act on it.
    """
    if status != ACTIVE:
        return status
    facts = [r for r in criteria if r.kind != "activity"]
    if any(r.outcome == NO for r in facts):
        return NOT_ELIGIBLE
    if any(r.outcome == UNKNOWN for r in facts):
        return UNKNOWN
    if any(r.outcome != YES for r in criteria):
        return NEARLY
    return ELIGIBLE


@dataclass(frozen=True)
class ProgramMatch:
    """One programme judged for one firm."""

    program: Program
    outcome: str
    """``yes``, ``no`` or ``unknown``: the criteria combined, whatever the dates."""
    status: str
    """``active``, ``expired`` or ``not_yet_in_force`` on the day asked."""
    as_of: date
    criteria: tuple[CriterionResult, ...]
    priorities: tuple[Finding, ...] = ()
    relevance: float | None = None

    @property
    def eligible(self) -> str:
        """``yes`` only for a programme in force whose criteria are all met; a programme
        that has ended or not started is ``no`` (its criteria are in :attr:`outcome`)."""
        return self.outcome if self.status == ACTIVE else NO

    @property
    def standing(self) -> str:
        return standing(self.status, self.criteria)

    @property
    def recommended(self) -> bool:
        """In force and every criterion met."""
        return self.standing == ELIGIBLE

    @property
    def missing(self) -> list[CriterionResult]:
        """What stands between the firm and the programme: criteria not met or unknown."""
        return [r for r in self.criteria if r.outcome != YES]

    @property
    def to_find_out(self) -> list[str]:
        out: list[str] = []
        for r in self.criteria:
            if r.outcome == UNKNOWN and r.to_find_out and r.to_find_out not in out:
                out.append(r.to_find_out)
        return out

    @property
    def reason(self) -> str:
        """One English paragraph a staff member can check against the cited clauses."""
        if self.outcome == NO:
            failed = [r.reason for r in self.criteria if r.outcome == NO]
            text = "not eligible: " + "; ".join(failed)
        elif self.outcome == UNKNOWN:
            open_ = [r.reason for r in self.criteria if r.outcome == UNKNOWN]
            text = "unknown, because " + "; ".join(open_)
        else:
            text = "meets every criterion: " + "; ".join(r.reason for r in self.criteria)
        if self.status == EXPIRED:
            assert self.program.valid_until is not None
            text = (f"ended on {self.program.valid_until.isoformat()}: the programme has "
                    f"expired and cannot be applied for; {text}")
        elif self.status == NOT_YET:
            assert self.program.valid_from is not None
            text = (f"not yet in force (from {self.program.valid_from.isoformat()}, not "
                    f"recommended); {text}")
        return text

    def to_dict(self) -> dict[str, Any]:
        p = self.program
        return {
            "code": p.code, "title_vi": p.title_vi, "title_en": p.title_en,
            "standing": self.standing, "eligible": self.eligible,
            "criteria_outcome": self.outcome, "status": self.status,
            "ended_on": p.valid_until.isoformat() if self.status == EXPIRED and p.valid_until
            else None,
            "recommended": self.recommended, "reason": self.reason,
            "relevance": None if self.relevance is None else round(self.relevance, 4),
            "criteria": [r.to_dict() for r in self.criteria],
            "missing": [r.id for r in self.missing],
            "to_find_out": self.to_find_out,
            "priorities": [f.to_dict() for f in self.priorities],
            "confirm": p.confirm, "legal_basis": p.legal_basis, "issuer": p.issuer,
            "valid_from": p.valid_from.isoformat() if p.valid_from else None,
            "valid_until": p.valid_until.isoformat() if p.valid_until else None,
            "validity_note": p.record.get("validity_note", ""),
            "benefits": list(p.record.get("benefits", [])),
            "summary_vi": p.summary_vi, "summary_en": p.summary_en,
            "sources": list(p.record.get("sources", [])), "verified": p.verified,
            "verification": p.verification,
        }


def _priorities(program: Program, facts: FirmFacts) -> tuple[Finding, ...]:
    out = []
    for prio in program.priorities:
        if prio.get("kind") == "women_owned":
            code = ("priority.applies" if facts.women_owned else
                    "priority.ask" if facts.women_owned is None else None)
            if code:
                out.append(Finding(code, {"kind": "women_owned", "source": prio["clause"],
                                          "source_vi": prio.get("clause_vi", prio["clause"])}))
    return tuple(out)


def evaluate(program: Program, facts: FirmFacts, as_of: date | None = None) -> ProgramMatch:
    """Judge one programme for one firm on ``as_of`` (default today)."""
    as_of = as_of or date.today()
    results = tuple(check_criterion(c, facts, as_of) for c in program.criteria)
    outcomes = {r.outcome for r in results}
    eligible = NO if NO in outcomes else UNKNOWN if UNKNOWN in outcomes else YES
    return ProgramMatch(program=program, outcome=eligible, status=program.status(as_of),
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


def match_supplier(facts: FirmFacts, programs: Sequence[Program], *,
                   as_of: date | None = None, encoder: Any = None) -> list[ProgramMatch]:
    """Every programme judged for a supplier, best first.

    Order: by :data:`STANDINGS` (eligible, nearly, unknown, not eligible, not
    yet in force, expired); within a standing by relevance when an encoder is
    given, then by the number of criteria met.
    """
    as_of = as_of or date.today()
    scores = relevance_scores(facts, programs, encoder) if encoder is not None else {}
    matches = []
    for program in programs:
        m = evaluate(program, facts, as_of)
        if scores:
            m = ProgramMatch(m.program, m.outcome, m.status, m.as_of, m.criteria,
                             m.priorities, scores.get(program.code))
        matches.append(m)

    def key(m: ProgramMatch) -> tuple:
        met = sum(r.outcome == YES for r in m.criteria)
        return (STANDINGS.index(m.standing),
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

    @property
    def standing(self) -> str:
        """``eligible`` while in force (a buyer need meet no criterion), else the status."""
        return ELIGIBLE if self.status == ACTIVE else self.status

    def to_dict(self) -> dict[str, Any]:
        p = self.program
        return {"code": p.code, "title_vi": p.title_vi, "title_en": p.title_en,
                "standing": self.standing, "status": self.status,
                "ended_on": p.valid_until.isoformat() if self.status == EXPIRED and
                p.valid_until else None, "recommended": self.recommended,
                "beneficiary": self.beneficiary, "reason": self.reason,
                "linkage": dict(p.buyer_linkage or {}), "legal_basis": p.legal_basis,
                "valid_from": p.valid_from.isoformat() if p.valid_from else None,
                "valid_until": p.valid_until.isoformat() if p.valid_until else None,
                "summary_vi": p.summary_vi, "summary_en": p.summary_en,
                "sources": list(p.record.get("sources", [])), "verified": p.verified,
                "verification": p.verification}


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
        reason = f"{link['en']} [{link['clause']}]"
        if status == EXPIRED:
            assert p.valid_until is not None
            reason = (f"ended on {p.valid_until.isoformat()}: the programme has expired and "
                      f"cannot be applied for; {reason}")
        elif status == NOT_YET:
            reason = f"not yet in force (not recommended); {reason}"
        out.append(BuyerProgramMatch(p, status, link.get("beneficiary", "suppliers"), reason))
    out.sort(key=lambda m: (STANDINGS.index(m.standing),
                            m.beneficiary != "buyer_and_suppliers", m.program.code))
    return out


def sort_programs(programs: Sequence[Program], *, as_of: date | None = None) -> list[Program]:
    """The catalogue in the order firms meet it: in force, not yet in force, expired."""
    as_of = as_of or date.today()
    order = {ACTIVE: 0, NOT_YET: 1, EXPIRED: 2}
    return sorted(programs, key=lambda p: (order[p.status(as_of)], p.code))

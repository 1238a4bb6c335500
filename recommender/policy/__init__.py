"""Support-policy recommender: which programmes a firm may use, and why.

The catalogue holds each programme's eligibility as *data* (criteria with
the clause of the legal text they come from); this package holds the *rules*,
three-valued (``yes`` / ``no`` / ``unknown``), and where each programme stands for a
firm (eligible, nearly, unknown, not eligible, not yet in force, expired). One
module per step:

* :mod:`.catalogue`: the programme catalogue (``corpora/policies.jsonl``), read and checked;
* :mod:`.facts`: what the rules read about a firm (:class:`FirmFacts`);
* :mod:`.rules`: one evaluator per criterion kind, each reason citing its clause;
* :mod:`.matching`: programmes judged and ordered for a supplier, or for a buyer;
* :mod:`.cases`: the labelled cases and ``python -m recommender.policy``.

A criterion the profile cannot decide is ``unknown`` with a reason and what
would settle it, never a silent ``no``. Reasons are codes with facts
(:class:`Finding`), worded per language by the web app. No Flask and no
database here: :mod:`recommender.store.policies` stores the catalogue,
``webapp/policies.py`` serves it.
"""

from __future__ import annotations

from .cases import DEFAULT_CASES, CaseReport, PolicyCase, evaluate_cases, load_cases, main
from .catalogue import (
    ACTIVE,
    CRITERION_KINDS,
    DEFAULT_CATALOGUE,
    EXPIRED,
    NOT_YET,
    REQUIRED_KEYS,
    CatalogueError,
    Criterion,
    Program,
    load_catalogue,
    program_from_record,
)
from .facts import (
    ACTIVITIES,
    ACTIVITY_KEYS,
    BUSINESS_FORM_KEYS,
    BUSINESS_FORMS,
    OWNERSHIP_KEYS,
    PROFILE_TEXT_FIELDS,
    FirmFacts,
)
from .matching import (
    ELIGIBLE,
    NEARLY,
    NOT_ELIGIBLE,
    STANDINGS,
    BuyerProgramMatch,
    ProgramMatch,
    evaluate,
    match_buyer,
    match_supplier,
    relevance_scores,
    sort_programs,
    standing,
)
from .rules import (
    HCMC_MERGER,
    NO,
    UNKNOWN,
    YES,
    CriterionResult,
    Finding,
    Outcome,
    check_criterion,
    english,
)

__all__ = [
    "ACTIVE", "ACTIVITIES", "ELIGIBLE", "NEARLY", "NOT_ELIGIBLE", "STANDINGS", "Finding",
    "english", "sort_programs", "standing", "ACTIVITY_KEYS", "BUSINESS_FORMS", "BUSINESS_FORM_KEYS",
    "CRITERION_KINDS", "DEFAULT_CASES", "DEFAULT_CATALOGUE", "EXPIRED", "HCMC_MERGER", "NO",
    "NOT_YET", "OWNERSHIP_KEYS", "PROFILE_TEXT_FIELDS", "REQUIRED_KEYS", "UNKNOWN", "YES",
    "BuyerProgramMatch", "CaseReport", "CatalogueError", "Criterion", "CriterionResult",
    "FirmFacts", "Outcome", "PolicyCase", "Program", "ProgramMatch", "check_criterion",
    "evaluate", "evaluate_cases", "load_cases", "load_catalogue", "main", "match_buyer",
    "match_supplier", "program_from_record", "relevance_scores",
]

"""The rules: one small three-valued evaluator per criterion kind.

Each evaluator answers ``yes``, ``no`` or ``unknown`` with a reason and, when
unknown, what to add to the profile to find out. A criterion marked
``"decisive": false`` in the catalogue (a restriction believed but not
verified) can raise a doubt but never excludes: its ``no`` becomes
``unknown``. Every reason ends with the clause it was checked against, so
staff can check it in the cited instrument. Size classes come from
:mod:`recommender.sizes` (Decree 80/2021/ND-CP).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import vocab
from ..sizes import SizeClass, possible_size_classes
from ..text import fold
from ..vocab import Term
from .catalogue import Criterion
from .facts import ACTIVITIES, BUSINESS_FORMS, FirmFacts

YES, NO, UNKNOWN = "yes", "no", "unknown"

_HCMC_NAMES = {"ho chi minh", "tp ho chi minh", "thanh pho ho chi minh", "tp. ho chi minh",
               "tp hcm", "tp.hcm", "tphcm", "hcm", "hcmc", "ho chi minh city", "sai gon",
               "saigon"}
_MERGED_INTO_HCMC = {"binh duong", "ba ria vung tau", "ba ria - vung tau", "ba ria – vung tau",
                     "ba ria-vung tau"}
HCMC_MERGER = date(2025, 7, 1)
"""Bình Dương and Bà Rịa–Vũng Tàu became part of Ho Chi Minh City (2025 provincial merger)."""


@dataclass(frozen=True)
class CriterionResult:
    """One criterion checked against one firm."""

    id: str
    kind: str
    outcome: str
    reason: str
    """Why, ending with the clause checked against (the source)."""
    source: str
    verified: bool
    to_find_out: str | None = None
    """What to add to or correct in the profile, when the outcome is unknown."""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "outcome": self.outcome,
                "reason": self.reason, "source": self.source, "verified": self.verified,
                "to_find_out": self.to_find_out}


Outcome = tuple[str, str, str | None]  # (outcome, explanation, what to add)


def _labels(keys: Iterable[str], terms: Iterable[Term]) -> str:
    terms = tuple(terms)
    return ", ".join(vocab.label(k, terms, "en") for k in keys)


def _sector(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    eligible: Mapping[str, str] = c.params.get("eligible", {})
    possible: Mapping[str, str] = c.params.get("possible", {})
    if f.sector is None:
        return UNKNOWN, "the profile states no sector", \
            "add your sector and main products to your profile to find out"
    key = vocab.lookup(f.sector, vocab.SECTORS)
    if key is None:
        return UNKNOWN, (f"sector {f.sector!r} is not one of the sectors we know "
                         f"({', '.join(sorted(vocab.SECTOR_KEYS))})"), \
            "choose the closest sector in your profile, or list your products, to find out"
    label = vocab.label(key, vocab.SECTORS, "en")
    if key in eligible:
        return YES, f"sector {label} belongs to the group {eligible[key]}", None
    if key in possible:
        return UNKNOWN, f"sector {label}: {possible[key]}", \
            "list your products in your profile so staff can check them against the list"
    return NO, f"sector {label} is not among the groups the programme covers", None


def _figures(f: FirmFacts) -> str:
    shown = [f"{f.employees} insured employees" if f.employees is not None else None,
             f"revenue VND {f.revenue_bn_vnd:g} bn" if f.revenue_bn_vnd is not None else None,
             f"capital VND {f.capital_bn_vnd:g} bn" if f.capital_bn_vnd is not None else None]
    return ", ".join(s for s in shown if s) or "no figures"


def _size(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    allowed = [SizeClass(s) for s in c.params["allowed"]]
    forms = set(c.params.get("also_business_forms", ()))
    if f.business_form in forms:
        return YES, f"a {vocab.label(f.business_form, BUSINESS_FORMS, 'en')} is covered", None
    bad = {k: v for k, v in f.problems.items()
           if k in ("employees", "revenue_bn_vnd", "capital_bn_vnd")}
    if bad:
        return UNKNOWN, "the size figures cannot be read: " + "; ".join(
            f"{k} {v}" for k, v in bad.items()), "correct the figures in your profile"
    possible = possible_size_classes(f.employees, f.revenue_bn_vnd, f.capital_bn_vnd)
    figures = _figures(f)
    if f.size_class is not None:
        if f.size_class not in set(SizeClass):
            return UNKNOWN, f"size class {f.size_class!r} is not a Decree 80/2021 class", \
                "state micro, small, medium or large, or give the figures, to find out"
        declared = SizeClass(f.size_class)
        if declared not in possible:
            return UNKNOWN, (
                f"contradictory size data: the profile says {declared.value} but the figures "
                f"({figures}) allow only {' or '.join(p.value for p in possible)} under "
                f"Decree 80/2021/ND-CP"), \
                "correct the size class or the figures in your profile to find out"
        if len(possible) > 1:
            possible = (declared,)
            figures = f"stated as {declared.value}" + (
                "" if figures == "no figures" else f"; figures {figures}")
    elif f.employees is None and f.revenue_bn_vnd is None and f.capital_bn_vnd is None:
        return UNKNOWN, "the profile has no size data", \
            ("add insured employees and annual revenue or capital (billion VND) to your "
             "profile to find out")
    wanted = "one of " + ", ".join(s.value for s in allowed)
    if all(p in allowed for p in possible):
        which = " or ".join(p.value for p in possible)
        either = " (either way)" if len(possible) > 1 else ""
        return YES, f"size class {which}{either} ({figures}) is {wanted}", None
    if not any(p in allowed for p in possible):
        which = " or ".join(p.value for p in possible)
        return NO, f"size class {which} ({figures}) is not {wanted}", None
    missing = [name for name, v in (("insured employees", f.employees),
                                     ("annual revenue", f.revenue_bn_vnd),
                                     ("capital", f.capital_bn_vnd)) if v is None]
    return UNKNOWN, (f"the figures ({figures}) leave the size class open: "
                     f"{' or '.join(p.value for p in possible)}"), \
        f"add {' or '.join(missing)} to your profile to find out"


def _ownership(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    allowed = list(c.params["allowed"])
    wanted = _labels(allowed, vocab.OWNERSHIPS)
    if f.ownership is None:
        return UNKNOWN, "the profile does not state ownership", \
            "add your ownership (domestic, FDI or joint venture) to your profile to find out"
    key = vocab.lookup(f.ownership, vocab.OWNERSHIPS)
    if key is None:
        return UNKNOWN, f"ownership {f.ownership!r} is not one we know", \
            "state domestic, FDI or joint venture in your profile to find out"
    if key == "domestic" and f.foreign_parent:
        return UNKNOWN, ("contradictory ownership data: the profile says domestic but also "
                         "names a foreign parent company"), \
            "correct the ownership or the parent company in your profile to find out"
    label = vocab.label(key, vocab.OWNERSHIPS, "en")
    if key in allowed:
        return YES, f"ownership {label} is among: {wanted}", None
    return NO, f"ownership {label} is not among: {wanted}", None


def _location(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    known_park = f.park if f.park in vocab.PARK_NAMES else (
        vocab.lookup(f.park, vocab.PARKS) if f.park else None)
    if c.params["scope"] == "industrial_park":
        if f.in_park is False:
            return NO, "the firm is not inside an industrial park or export processing zone", \
                None
        if known_park:
            return YES, f"located in {known_park}", None
        if f.park:
            return YES, f"located in {f.park!r} (a park not on our HCMC list)", None
        return UNKNOWN, "the profile names no park", \
            ("add your industrial park to your profile (or state that you are outside every "
             "park) to find out")
    if known_park:
        return YES, f"{known_park} is in Ho Chi Minh City", None
    if f.province:
        folded = " ".join(fold(f.province).replace("–", "-").split())
        if folded in _HCMC_NAMES:
            return YES, "located in Ho Chi Minh City", None
        if folded in _MERGED_INTO_HCMC:
            if as_of >= HCMC_MERGER:
                return YES, (f"{f.province} has been part of Ho Chi Minh City since "
                             f"{HCMC_MERGER.isoformat()}"), None
            return NO, f"{f.province} was not part of Ho Chi Minh City before " \
                       f"{HCMC_MERGER.isoformat()}", None
        return NO, f"located in {f.province}, outside Ho Chi Minh City", None
    if f.park:
        return UNKNOWN, f"park {f.park!r} is not on our list of HCMC parks", \
            "add your province or city to your profile to find out"
    return UNKNOWN, "the profile gives no park and no province", \
        "add your park or your province/city to your profile to find out"


def _activity(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    wanted = list(c.params["any_of"])
    labels = _labels(wanted, ACTIVITIES)
    if f.activities is None:
        return UNKNOWN, "the profile does not state the firm's plans", \
            f"add your plans to your profile (do you plan: {labels}?) to find out"
    hit = [a for a in wanted if a in f.activities]
    if hit:
        return YES, f"the firm plans {_labels(hit, ACTIVITIES)}", None
    if "activities" in f.problems:
        return UNKNOWN, f"some stated plans cannot be read ({f.problems['activities']})", \
            f"state your plans with the known keys (do you plan: {labels}?) to find out"
    stated = _labels(sorted(f.activities), ACTIVITIES) or "none"
    return NO, f"the firm's stated plans ({stated}) include none of: {labels}", None


def _age(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    limit = c.params["max_years"]
    if "registered_on" in f.problems:
        return UNKNOWN, f"the registration date cannot be read ({f.problems['registered_on']})", \
            "correct the first business-registration date in your profile"
    if f.registered_on is None:
        return UNKNOWN, "the profile has no business-registration date", \
            "add the date of your first business registration to your profile to find out"
    if f.registered_on > as_of:
        return UNKNOWN, (f"contradictory: registered on {f.registered_on.isoformat()}, after "
                         f"{as_of.isoformat()}"), "correct the registration date to find out"
    try:
        end = f.registered_on.replace(year=f.registered_on.year + int(limit))
    except ValueError:  # 29 February
        end = date(f.registered_on.year + int(limit), 3, 1)
    if as_of < end:
        return YES, (f"first registered on {f.registered_on.isoformat()}, within {limit:g} "
                     f"years"), None
    return NO, (f"first registered on {f.registered_on.isoformat()}, more than {limit:g} years "
                f"before {as_of.isoformat()}"), None


_RULES = {"sector": _sector, "size_class": _size, "ownership": _ownership,
          "location": _location, "activity": _activity, "enterprise_age": _age}


def check_criterion(c: Criterion, facts: FirmFacts, as_of: date) -> CriterionResult:
    """Check one criterion; the reason always ends with the clause it was checked against."""
    outcome, why, to_find_out = _RULES[c.kind](c, facts, as_of)
    if outcome == NO and not c.decisive:
        outcome = UNKNOWN
        why = (f"probably not: {why}; but this restriction is not verified, so it does not "
               f"exclude the firm")
        to_find_out = "ask the managing body whether the restriction applies"
    source = c.clause + ("" if c.verified else " (not verified against the legal text)")
    return CriterionResult(id=c.id, kind=c.kind, outcome=outcome, reason=f"{why} [{source}]",
                           source=source, verified=c.verified, to_find_out=to_find_out)

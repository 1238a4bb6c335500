"""The rules: one small three-valued evaluator per criterion kind.

Each evaluator answers ``yes``, ``no`` or ``unknown`` with a reason and, when
unknown, what would settle it. A reason is *structured*: a ``code`` naming the
finding and ``params`` holding the facts (keys, numbers, dates), so the web app
can word it in the reader's language; :attr:`CriterionResult.reason` is the
English wording for staff, logs and the labelled-case report. A criterion
marked ``"decisive": false`` in the catalogue (a restriction that does not
exclude on its own) can raise a doubt but never excludes: its ``no`` becomes
``unknown``. The clause a criterion comes from is its ``source``; whether the
programme was checked against the legal text is said once per programme (its
``verification``), not in each reason. Size classes come from
:mod:`recommender.sizes` (Decree 80/2021/ND-CP).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import vocab
from ..sizes import SizeClass, possible_size_classes
from ..text import fold
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
class Finding:
    """A reason or a hint as data: what was found (``code``) and the facts it rests on."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


def _en_list(keys: Iterable[str], terms: Iterable[Any]) -> str:
    terms = tuple(terms)
    return ", ".join(vocab.label(k, terms, "en") for k in keys)


def _en_figures(f: Mapping[str, Any]) -> str:
    shown = [f"{f['employees']} insured employees" if f.get("employees") is not None else None,
             f"revenue VND {f['revenue_bn_vnd']:g} bn" if f.get("revenue_bn_vnd") is not None
             else None,
             f"capital VND {f['capital_bn_vnd']:g} bn" if f.get("capital_bn_vnd") is not None
             else None]
    text = ", ".join(s for s in shown if s) or "no figures"
    if f.get("stated"):
        return f"stated as {f['stated']}" + ("" if text == "no figures" else f"; figures {text}")
    return text


_FIELD_EN = {"employees": "insured employees", "revenue_bn_vnd": "annual revenue",
             "capital_bn_vnd": "capital"}


def english(finding: Finding) -> str:
    """The English wording of a reason or hint (the web app words it per language)."""
    p = finding.params
    sector = vocab.label(p["sector"], vocab.SECTORS, "en") if p.get("sector") else ""
    classes = " or ".join(p.get("classes", ()))
    either = " (either way)" if len(p.get("classes", ())) > 1 else ""
    owner = vocab.label(p.get("ownership", ""), vocab.OWNERSHIPS, "en")
    owners = _en_list(p.get("allowed", ()), vocab.OWNERSHIPS)
    allowed = "one of " + ", ".join(p.get("allowed", ()))
    text = {
        "sector.missing": "the profile states no sector",
        "sector.unrecognised": f"sector {p.get('given')!r} is not one of the sectors we know",
        "sector.eligible": f"sector {sector} belongs to a group the programme covers",
        "sector.possible": f"sector {sector}: {p.get('note_en', '')}",
        "sector.not_covered": f"sector {sector} is not among the groups the programme covers",
        "size.business_form": f"a {vocab.label(p.get('form', ''), BUSINESS_FORMS, 'en')} "
                              "is covered",
        "size.unreadable": "the size figures cannot be read",
        "size.not_a_class": f"size class {p.get('given')!r} is not a Decree 80/2021 class",
        "size.contradiction": (f"contradictory size data: the profile says {p.get('declared')} "
                               f"but the figures ({_en_figures(p.get('figures', {}))}) allow "
                               f"only {classes} under Decree 80/2021/ND-CP"),
        "size.missing": "the profile has no size data",
        "size.met": f"size class {classes}{either} ({_en_figures(p.get('figures', {}))}) is "
                    f"{allowed}",
        "size.not_met": f"size class {classes} ({_en_figures(p.get('figures', {}))}) is not "
                        f"{allowed}",
        "size.open": f"the figures ({_en_figures(p.get('figures', {}))}) leave the size class "
                     f"open: {classes}",
        "ownership.missing": "the profile does not state ownership",
        "ownership.unrecognised": f"ownership {p.get('given')!r} is not one we know",
        "ownership.contradiction": ("contradictory ownership data: the profile says domestic "
                                    "but also names a foreign parent company"),
        "ownership.met": f"ownership {owner} is among: {owners}",
        "ownership.not_met": f"ownership {owner} is not among: {owners}",
        "location.outside_parks": "the firm is not inside an industrial park or export "
                                  "processing zone",
        "location.park": f"located in {p.get('park')}",
        "location.park_unlisted": f"located in {p.get('park')!r} (a park not on our HCMC list)",
        "location.no_park": "the profile names no park",
        "location.park_in_hcmc": f"{p.get('park')} is in Ho Chi Minh City",
        "location.in_hcmc": "located in Ho Chi Minh City",
        "location.merged": f"{p.get('province')} has been part of Ho Chi Minh City since "
                           f"{p.get('since')}",
        "location.not_yet_merged": f"{p.get('province')} was not part of Ho Chi Minh City "
                                   f"before {p.get('since')}",
        "location.outside_hcmc": f"located in {p.get('province')}, outside Ho Chi Minh City",
        "location.park_not_listed": f"park {p.get('park')!r} is not on our list of HCMC parks",
        "location.missing": "the profile gives no park and no province",
        "activity.missing": "the firm's plans are not stated",
        "activity.met": f"the firm plans {_en_list(p.get('plans', ()), ACTIVITIES)}",
        "activity.unreadable": f"some stated plans cannot be read ({p.get('problem')})",
        "activity.not_met": (f"the firm's stated plans "
                             f"({_en_list(p.get('plans', ()), ACTIVITIES) or 'none'}) include "
                             f"none of: {_en_list(p.get('wanted', ()), ACTIVITIES)}"),
        "age.unreadable": f"the registration date cannot be read ({p.get('problem')})",
        "age.missing": "the business-registration date is not known",
        "age.future": f"contradictory: registered on {p.get('registered')}, after "
                      f"{p.get('as_of')}",
        "age.met": f"first registered on {p.get('registered')}, within {p.get('years'):g} years"
                   if p.get("years") is not None else "",
        "age.not_met": f"first registered on {p.get('registered')}, more than "
                       f"{p.get('years'):g} years before {p.get('as_of')}"
                       if p.get("years") is not None else "",
        # hints: what would settle an unknown criterion
        "hint.sector": "add your sector and main products to your profile to find out",
        "hint.sector_choose": "choose the closest sector, or list your products, to find out",
        "hint.products": "list your products in your profile so staff can check them against "
                         "the list",
        "hint.size": "add insured employees and annual revenue or capital (billion VND) "
                     "to find out",
        "hint.size_missing": "add " + " or ".join(_FIELD_EN.get(m, m)
                                                   for m in p.get("missing", ()))
                             + " to find out",
        "hint.size_correct": "correct the size class or the figures to find out",
        "hint.figures_correct": "correct the figures to find out",
        "hint.size_class": "state micro, small, medium or large, or give the figures, to find out",
        "hint.ownership": "state domestic, FDI or joint venture to find out",
        "hint.ownership_correct": "correct the ownership or the parent company to find out",
        "hint.park": "add your industrial park to your profile (or state that you are "
                     "outside every park) to find out",
        "hint.place": "add your park or your province/city to your profile to find out",
        "hint.plans": f"choose your plans (do you plan: {_en_list(p.get('wanted', ()), ACTIVITIES)}"
                      "?) to find out",
        "hint.registration": "confirm the date of your first business registration with the "
                             "programme office",
        "hint.ask_office": "ask the programme office whether the condition applies",
        "priority.applies": f"priority applies: women-owned firm [{p.get('source')}]",
        "priority.ask": f"women-owned firms have priority: say so when you apply "
                        f"[{p.get('source')}]",
        "doubt": f"probably not: {english(Finding(p['inner'], p.get('inner_params', {})))}"
                 "; but this condition alone does not exclude the firm"
                 if p.get("inner") else "",
    }.get(finding.code)
    if text is None:
        raise KeyError(f"no wording for {finding.code!r}")
    return text


@dataclass(frozen=True)
class CriterionResult:
    """One criterion checked against one firm."""

    id: str
    kind: str
    outcome: str
    why: Finding
    source: str
    """The clause checked against (English); ``source_vi`` in Vietnamese."""
    source_vi: str = ""
    hint: Finding | None = None
    """What would settle the criterion, when the outcome is unknown."""

    @property
    def reason(self) -> str:
        """Why, in English, ending with the clause checked against."""
        return f"{english(self.why)} [{self.source}]"

    @property
    def to_find_out(self) -> str | None:
        return english(self.hint) if self.hint else None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "outcome": self.outcome,
                "reason": self.reason, "source": self.source, "why": self.why.to_dict(),
                "hint": self.hint.to_dict() if self.hint else None,
                "to_find_out": self.to_find_out}


Outcome = tuple[str, Finding, Finding | None]  # (outcome, why, what would settle it)


def _sector(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    eligible: Mapping[str, Any] = c.params.get("eligible", {})
    possible: Mapping[str, Any] = c.params.get("possible", {})
    if f.sector is None:
        return UNKNOWN, Finding("sector.missing"), Finding("hint.sector")
    key = vocab.lookup(f.sector, vocab.SECTORS)
    if key is None:
        return UNKNOWN, Finding("sector.unrecognised", {"given": f.sector}), \
            Finding("hint.sector_choose")
    if key in eligible:
        return YES, Finding("sector.eligible", {"sector": key}), None
    if key in possible:
        note = possible[key]
        note = note if isinstance(note, Mapping) else {"vi": note, "en": note}
        return UNKNOWN, Finding("sector.possible", {"sector": key, "note_vi": note["vi"],
                                                    "note_en": note["en"]}), \
            Finding("hint.products")
    return NO, Finding("sector.not_covered", {"sector": key}), None


def _size(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    allowed = [SizeClass(s) for s in c.params["allowed"]]
    names = [s.value for s in allowed]
    forms = set(c.params.get("also_business_forms", ()))
    if f.business_form in forms:
        return YES, Finding("size.business_form", {"form": f.business_form}), None
    bad = sorted(k for k in f.problems if k in ("employees", "revenue_bn_vnd", "capital_bn_vnd"))
    if bad:
        return UNKNOWN, Finding("size.unreadable", {"fields": bad}), \
            Finding("hint.figures_correct")
    possible = possible_size_classes(f.employees, f.revenue_bn_vnd, f.capital_bn_vnd)
    figures: dict[str, Any] = {"employees": f.employees, "revenue_bn_vnd": f.revenue_bn_vnd,
                               "capital_bn_vnd": f.capital_bn_vnd}
    if f.size_class is not None:
        if f.size_class not in set(SizeClass):
            return UNKNOWN, Finding("size.not_a_class", {"given": f.size_class}), \
                Finding("hint.size_class")
        declared = SizeClass(f.size_class)
        if declared not in possible:
            return UNKNOWN, Finding("size.contradiction", {
                "declared": declared.value, "figures": figures,
                "classes": [p.value for p in possible]}), Finding("hint.size_correct")
        if len(possible) > 1:
            possible = (declared,)
            figures["stated"] = declared.value
    elif f.employees is None and f.revenue_bn_vnd is None and f.capital_bn_vnd is None:
        return UNKNOWN, Finding("size.missing"), Finding("hint.size")
    classes = [p.value for p in possible]
    params = {"classes": classes, "allowed": names, "figures": figures}
    if all(p in allowed for p in possible):
        return YES, Finding("size.met", params), None
    if not any(p in allowed for p in possible):
        return NO, Finding("size.not_met", params), None
    missing = [k for k in ("employees", "revenue_bn_vnd", "capital_bn_vnd") if figures[k] is None]
    return UNKNOWN, Finding("size.open", params), Finding("hint.size_missing",
                                                          {"missing": missing})


def _ownership(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    allowed = list(c.params["allowed"])
    if f.ownership is None:
        return UNKNOWN, Finding("ownership.missing"), Finding("hint.ownership")
    key = vocab.lookup(f.ownership, vocab.OWNERSHIPS)
    if key is None:
        return UNKNOWN, Finding("ownership.unrecognised", {"given": f.ownership}), \
            Finding("hint.ownership")
    if key == "domestic" and f.foreign_parent:
        return UNKNOWN, Finding("ownership.contradiction"), Finding("hint.ownership_correct")
    params = {"ownership": key, "allowed": allowed}
    if key in allowed:
        return YES, Finding("ownership.met", params), None
    return NO, Finding("ownership.not_met", params), None


def _location(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    known_park = f.park if f.park in vocab.PARK_NAMES else (
        vocab.lookup(f.park, vocab.PARKS) if f.park else None)
    if c.params["scope"] == "industrial_park":
        if f.in_park is False:
            return NO, Finding("location.outside_parks"), None
        if known_park:
            return YES, Finding("location.park", {"park": known_park}), None
        if f.park:
            return YES, Finding("location.park_unlisted", {"park": f.park}), None
        return UNKNOWN, Finding("location.no_park"), Finding("hint.park")
    if known_park:
        return YES, Finding("location.park_in_hcmc", {"park": known_park}), None
    if f.province:
        folded = " ".join(fold(f.province).replace("–", "-").split())
        if folded in _HCMC_NAMES:
            return YES, Finding("location.in_hcmc"), None
        if folded in _MERGED_INTO_HCMC:
            params = {"province": f.province, "since": HCMC_MERGER.isoformat()}
            if as_of >= HCMC_MERGER:
                return YES, Finding("location.merged", params), None
            return NO, Finding("location.not_yet_merged", params), None
        return NO, Finding("location.outside_hcmc", {"province": f.province}), None
    if f.park:
        return UNKNOWN, Finding("location.park_not_listed", {"park": f.park}), \
            Finding("hint.place")
    return UNKNOWN, Finding("location.missing"), Finding("hint.place")


def _activity(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    wanted = list(c.params["any_of"])
    if f.activities is None:
        return UNKNOWN, Finding("activity.missing", {"wanted": wanted}), \
            Finding("hint.plans", {"wanted": wanted})
    hit = [a for a in wanted if a in f.activities]
    if hit:
        return YES, Finding("activity.met", {"plans": hit}), None
    if "activities" in f.problems:
        return UNKNOWN, Finding("activity.unreadable", {"problem": f.problems["activities"]}), \
            Finding("hint.plans", {"wanted": wanted})
    return NO, Finding("activity.not_met", {"plans": sorted(f.activities), "wanted": wanted}), \
        None


def _age(c: Criterion, f: FirmFacts, as_of: date) -> Outcome:
    limit = c.params["max_years"]
    if "registered_on" in f.problems:
        return UNKNOWN, Finding("age.unreadable", {"problem": f.problems["registered_on"]}), \
            Finding("hint.registration")
    if f.registered_on is None:
        return UNKNOWN, Finding("age.missing", {"years": limit}), Finding("hint.registration")
    params = {"registered": f.registered_on.isoformat(), "as_of": as_of.isoformat(),
              "years": limit}
    if f.registered_on > as_of:
        return UNKNOWN, Finding("age.future", params), Finding("hint.registration")
    try:
        end = f.registered_on.replace(year=f.registered_on.year + int(limit))
    except ValueError:  # 29 February
        end = date(f.registered_on.year + int(limit), 3, 1)
    if as_of < end:
        return YES, Finding("age.met", params), None
    return NO, Finding("age.not_met", params), None


_RULES = {"sector": _sector, "size_class": _size, "ownership": _ownership,
          "location": _location, "activity": _activity, "enterprise_age": _age}


def check_criterion(c: Criterion, facts: FirmFacts, as_of: date) -> CriterionResult:
    """Check one criterion against one firm on ``as_of``."""
    outcome, why, hint = _RULES[c.kind](c, facts, as_of)
    if outcome == NO and not c.decisive:
        outcome = UNKNOWN
        why = Finding("doubt", {"inner": why.code, "inner_params": dict(why.params)})
        hint = Finding("hint.ask_office")
    return CriterionResult(id=c.id, kind=c.kind, outcome=outcome, why=why, source=c.clause,
                           source_vi=c.clause_vi or c.clause, hint=hint)

"""Support-policy recommender: which programmes a firm may use, and why.

The catalogue (``corpora/policies.jsonl``, one programme a line) holds each
programme's legal basis, validity dates, benefits and its eligibility as
*data*: a list of criteria of a few kinds (``sector``, ``size_class``,
``ownership``, ``location``, ``activity``, ``enterprise_age``), each with the
clause of the legal text it comes from. This module holds the *rules*: one
small evaluator per kind, three-valued (``yes`` / ``no`` / ``unknown``).

* A criterion the profile cannot decide (missing figures, contradictory
  facts, a sector outside the vocabulary) is ``unknown`` with a reason and
  what to add to the profile to find out, never a silent ``no``.
* A criterion marked ``"decisive": false`` in the catalogue (a restriction
  believed but not verified) can raise a doubt but never excludes: its
  ``no`` becomes ``unknown``.
* A programme is ``yes`` when every criterion is met, ``no`` when any is
  not, otherwise ``unknown``. Every criterion result carries a reason that
  names the clause it was checked against, so staff can check it in the
  cited instrument.
* Programmes whose ``valid_until`` is before the day of the question are
  shown as expired and never recommended.

Relevance (semantic similarity between the firm's profile and plans and the
programme summaries) is computed only when an encoder is passed, so the rules
alone stay fast. Size classes come from :mod:`recommender.store.sizes`
(Decree 80/2021/ND-CP). No Flask and no database here: :mod:`.store.policies`
stores the catalogue, ``webapp/policies.py`` serves it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from .embed.text import fold, normalize
from .resources import corpus_file
from .store import vocab
from .store.sizes import SizeClass, possible_size_classes
from .store.vocab import Term

DEFAULT_CATALOGUE = corpus_file("policies.jsonl")
DEFAULT_CASES = corpus_file("policy_cases.jsonl")

YES, NO, UNKNOWN = "yes", "no", "unknown"
ACTIVE, EXPIRED, NOT_YET = "active", "expired", "not_yet_in_force"

ACTIVITIES: tuple[Term, ...] = (
    Term("r_and_d", "nghiên cứu và phát triển (R&D)", "research and development (R&D)"),
    Term("technology_transfer", "chuyển giao, đổi mới công nghệ",
         "technology transfer or upgrading"),
    Term("digital_transformation", "chuyển đổi số", "digital transformation"),
    Term("green_production", "sản xuất xanh, sạch hơn, tuần hoàn (ESG)",
         "green, cleaner or circular production (ESG)"),
    Term("certification_testing", "thử nghiệm, chứng nhận (ISO, IATF...)",
         "testing and certification (ISO, IATF, ...)"),
    Term("training", "đào tạo nhân lực, chuyên gia", "training staff and experts"),
    Term("investment_project", "dự án đầu tư mới hoặc mở rộng",
         "a new or expansion investment project"),
    Term("trade_promotion", "xúc tiến thương mại, hội chợ", "trade promotion and fairs"),
)
"""What a firm plans to do; programmes support some of these."""
ACTIVITY_KEYS = frozenset(t.key for t in ACTIVITIES)

BUSINESS_FORMS: tuple[Term, ...] = (
    Term("enterprise", "doanh nghiệp", "enterprise"),
    Term("cooperative", "hợp tác xã", "cooperative"),
    Term("household_business", "hộ kinh doanh", "household business"),
)
BUSINESS_FORM_KEYS = frozenset(t.key for t in BUSINESS_FORMS)
OWNERSHIP_KEYS = frozenset(t.key for t in vocab.OWNERSHIPS)

CRITERION_KINDS = ("sector", "size_class", "ownership", "location", "activity",
                   "enterprise_age")

_HCMC_NAMES = {"ho chi minh", "tp ho chi minh", "thanh pho ho chi minh", "tp. ho chi minh",
               "tp hcm", "tp.hcm", "tphcm", "hcm", "hcmc", "ho chi minh city", "sai gon",
               "saigon"}
_MERGED_INTO_HCMC = {"binh duong", "ba ria vung tau", "ba ria - vung tau", "ba ria – vung tau",
                     "ba ria-vung tau"}
HCMC_MERGER = date(2025, 7, 1)
"""Bình Dương and Bà Rịa–Vũng Tàu became part of Ho Chi Minh City (2025 provincial merger)."""

PROFILE_TEXT_FIELDS = ("name", "description", "plans")


class CatalogueError(ValueError):
    """The policy catalogue (or a labelled-case file) is malformed."""


# --- the catalogue -----------------------------------------------------------------------

@dataclass(frozen=True)
class Criterion:
    """One eligibility condition of a programme, as the catalogue states it."""

    id: str
    kind: str
    clause: str
    """The legal text it comes from: instrument number and, where verified, article."""
    params: Mapping[str, Any]
    verified: bool = False
    decisive: bool = True
    """False: a believed but unverified restriction, which never excludes a firm."""
    note: str = ""


@dataclass(frozen=True)
class Program:
    """A support programme from the catalogue (:data:`DEFAULT_CATALOGUE`)."""

    code: str
    title_vi: str
    title_en: str
    legal_basis: str
    issuer: str
    valid_from: date | None
    valid_until: date | None
    criteria: tuple[Criterion, ...]
    summary_vi: str
    summary_en: str
    record: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)
    """The catalogue line it was read from (benefits, sources, notes, ...)."""

    @property
    def verified(self) -> bool:
        return bool(self.record.get("verified", False))

    @property
    def buyer_linkage(self) -> Mapping[str, Any] | None:
        return self.record.get("buyer_linkage")

    @property
    def priorities(self) -> list[Mapping[str, Any]]:
        return list(self.record.get("eligibility", {}).get("priorities", []))

    @property
    def confirm(self) -> str:
        return self.record.get("eligibility", {}).get("confirm", "")

    def status(self, as_of: date) -> str:
        """``active``, ``expired`` (valid_until before ``as_of``) or ``not_yet_in_force``."""
        if self.valid_until is not None and self.valid_until < as_of:
            return EXPIRED
        if self.valid_from is not None and self.valid_from > as_of:
            return NOT_YET
        return ACTIVE

    def passages(self) -> list[str]:
        """The texts relevance is measured against, one per language."""
        return [f"{self.title_vi}. {self.summary_vi}", f"{self.title_en}. {self.summary_en}"]


def _date(value: Any, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CatalogueError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


REQUIRED_KEYS = ("code", "title_vi", "title_en", "legal_basis", "issuer", "valid_from",
                 "valid_until", "benefits", "eligibility", "summary_vi", "summary_en",
                 "verified", "sources", "instruments")


def _check_criterion(raw: Mapping[str, Any], where: str) -> Criterion:
    for key in ("id", "kind", "clause"):
        if not raw.get(key):
            raise CatalogueError(f"{where}: a criterion needs {key!r}")
    kind = raw["kind"]
    where = f"{where}, criterion {raw['id']!r}"
    if kind not in CRITERION_KINDS:
        raise CatalogueError(f"{where}: unknown kind {kind!r} ({', '.join(CRITERION_KINDS)})")
    if kind == "sector":
        named = set(raw.get("eligible", {})) | set(raw.get("possible", {}))
        if not named or named - vocab.SECTOR_KEYS:
            raise CatalogueError(f"{where}: sector keys must be from recommender.store.vocab, "
                                 f"got {sorted(named - vocab.SECTOR_KEYS) or 'none'}")
    elif kind == "size_class":
        allowed = set(raw.get("allowed", ()))
        if not allowed or allowed - set(SizeClass):
            raise CatalogueError(f"{where}: 'allowed' must list size classes")
        if set(raw.get("also_business_forms", ())) - BUSINESS_FORM_KEYS:
            raise CatalogueError(f"{where}: unknown business form")
    elif kind == "ownership":
        allowed = set(raw.get("allowed", ()))
        if not allowed or allowed - OWNERSHIP_KEYS:
            raise CatalogueError(f"{where}: 'allowed' must list ownership keys")
    elif kind == "location":
        if raw.get("scope") not in ("hcmc", "industrial_park"):
            raise CatalogueError(f"{where}: scope must be 'hcmc' or 'industrial_park'")
    elif kind == "activity":
        wanted = set(raw.get("any_of", ()))
        if not wanted or wanted - ACTIVITY_KEYS:
            raise CatalogueError(f"{where}: 'any_of' must list activity keys")
    elif kind == "enterprise_age":
        if not isinstance(raw.get("max_years"), int | float) or raw["max_years"] <= 0:
            raise CatalogueError(f"{where}: 'max_years' must be a positive number")
    params = {k: v for k, v in raw.items()
              if k not in ("id", "kind", "clause", "verified", "decisive", "note", "basis")}
    return Criterion(id=raw["id"], kind=kind, clause=raw["clause"], params=params,
                     verified=bool(raw.get("verified", False)),
                     decisive=bool(raw.get("decisive", True)), note=raw.get("note", ""))


def program_from_record(record: Mapping[str, Any], where: str = "programme") -> Program:
    """A :class:`Program` from one catalogue line; raises CatalogueError if malformed."""
    missing = [k for k in REQUIRED_KEYS if k not in record]
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    code = record["code"]
    where = f"{where} {code}"
    criteria = tuple(_check_criterion(c, where)
                     for c in record["eligibility"].get("criteria", ()))
    if not criteria:
        raise CatalogueError(f"{where}: no eligibility criteria")
    if len({c.id for c in criteria}) != len(criteria):
        raise CatalogueError(f"{where}: criterion ids must be unique")
    valid_from = _date(record["valid_from"], f"{where}: valid_from")
    valid_until = _date(record["valid_until"], f"{where}: valid_until")
    if valid_from and valid_until and valid_from > valid_until:
        raise CatalogueError(f"{where}: valid_from is after valid_until")
    for key in ("title_vi", "title_en", "summary_vi", "summary_en"):
        if not isinstance(record[key], str) or not record[key].strip():
            raise CatalogueError(f"{where}: {key} must be non-empty text")
    return Program(code=code, title_vi=normalize(record["title_vi"]),
                   title_en=normalize(record["title_en"]), legal_basis=record["legal_basis"],
                   issuer=record["issuer"], valid_from=valid_from, valid_until=valid_until,
                   criteria=criteria, summary_vi=normalize(record["summary_vi"]),
                   summary_en=normalize(record["summary_en"]), record=dict(record))


def load_catalogue(path: str | Path | None = None) -> list[Program]:
    """Every programme in the catalogue file (JSON lines), checked."""
    path = Path(path or DEFAULT_CATALOGUE)
    programs: list[Program] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CatalogueError(f"{path}:{lineno}: not JSON ({exc})") from None
            programs.append(program_from_record(record, f"{path.name}:{lineno}"))
    codes = [p.code for p in programs]
    if len(set(codes)) != len(codes):
        raise CatalogueError(f"{path}: programme codes must be unique")
    return programs


# --- the firm ----------------------------------------------------------------------------

def _location_facts(profile: Any) -> dict[str, Any]:
    """The province (the former one, for the merged city) and whether the firm is in a park,
    from a stored profile's resolved location."""
    from .places import OUTSIDE

    region = getattr(profile, "region", None)
    out: dict[str, Any] = {}
    if region and region != OUTSIDE:
        out["province"] = region
    if profile.park is None and (region or getattr(profile, "ward", None)):
        out["in_park"] = False  # the location is known and lies in no park
    return out


@dataclass(frozen=True)
class FirmFacts:
    """What the rules look at, from a supplier profile or given directly.

    ``None`` always means "not stated". ``problems`` records values that were
    given but could not be read (the criteria that need them answer unknown).
    """

    external_id: str | None = None
    name: str = ""
    description: str = ""
    sector: str | None = None
    processes: tuple[str, ...] = ()
    ownership: str | None = None
    foreign_parent: bool | None = None
    """Owned or controlled by a foreign company (contradicts ``domestic``)."""
    employees: int | None = None
    revenue_bn_vnd: float | None = None
    capital_bn_vnd: float | None = None
    size_class: str | None = None
    """The class the firm states; checked against the figures."""
    park: str | None = None
    in_park: bool | None = None
    province: str | None = None
    business_form: str | None = None
    registered_on: date | None = None
    """Date of the first business registration."""
    activities: frozenset[str] | None = None
    """What the firm plans (keys of :data:`ACTIVITIES`); None: not stated."""
    women_owned: bool | None = None
    plans: str = ""
    """The firm's plans in its own words (used for relevance only)."""
    problems: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FirmFacts:
        """Facts from loose data (a labelled case, an API request); never raises on values.

        Unreadable values are kept out and recorded in ``problems``.
        """
        problems: dict[str, str] = {}

        def number(key: str, integer: bool = False) -> float | int | None:
            value = data.get(key)
            if value is None or value == "":
                return None
            try:
                out = float(value)
            except (TypeError, ValueError):
                problems[key] = f"{value!r} is not a number"
                return None
            if not math.isfinite(out) or out < 0 or (integer and out != int(out)):
                problems[key] = f"{value!r} is not a valid {key.replace('_', ' ')}"
                return None
            return int(out) if integer else out

        def flag(key: str) -> bool | None:
            value = data.get(key)
            if value is None or isinstance(value, bool):
                return value
            problems[key] = f"{value!r} is not true or false"
            return None

        def text(key: str) -> str | None:
            value = data.get(key)
            if value is None:
                return None
            value = normalize(str(value))
            return value or None

        registered = None
        if data.get("registered_on"):
            try:
                registered = date.fromisoformat(str(data["registered_on"]))
            except ValueError:
                problems["registered_on"] = f"{data['registered_on']!r} is not a date"
        activities = data.get("activities")
        if activities is not None:
            if isinstance(activities, str):
                activities = [a for a in activities.replace(";", ",").split(",") if a.strip()]
            activities = [str(a).strip() for a in activities]
            strange = sorted(set(activities) - ACTIVITY_KEYS)
            if strange:
                problems["activities"] = (f"{', '.join(strange)} not among the known plans "
                                          f"({', '.join(sorted(ACTIVITY_KEYS))})")
            activities = frozenset(a for a in activities if a in ACTIVITY_KEYS)
        location = data.get("location") if isinstance(data.get("location"), Mapping) else {}
        park = text("park") or (normalize(location["park"]) if location.get("park") else None)
        return cls(
            external_id=text("external_id"), name=text("name") or "",
            description=text("description") or "", sector=text("sector"),
            processes=tuple(data.get("processes") or ()), ownership=text("ownership"),
            foreign_parent=flag("foreign_parent"),
            employees=number("employees", integer=True),
            revenue_bn_vnd=number("revenue_bn_vnd"), capital_bn_vnd=number("capital_bn_vnd"),
            size_class=text("size_class"), park=park,
            in_park=flag("in_park") if "in_park" in data else (True if park else None),
            province=text("province"), business_form=text("business_form"),
            registered_on=registered, activities=activities,
            women_owned=flag("women_owned"), plans=text("plans") or "", problems=problems,
        )

    @classmethod
    def from_profile(cls, profile: Any, *, activities: Iterable[str] | None = None,
                     plans: str = "") -> FirmFacts:
        """Facts from a stored :class:`~recommender.store.models.SupplierProfile`.

        The store has no fields (yet) for plans, parent company, business form,
        registration date or women ownership: those stay unknown unless given.
        """
        def value(x: Any) -> Any:
            return getattr(x, "value", x)

        return cls.from_mapping({
            "external_id": profile.external_id, "name": profile.name,
            "description": profile.description, "sector": profile.sector,
            "processes": list(profile.processes or ()), "ownership": value(profile.ownership),
            "employees": profile.employees, "revenue_bn_vnd": profile.revenue_bn_vnd,
            "capital_bn_vnd": profile.capital_bn_vnd, "size_class": value(profile.size_class),
            "park": profile.park, **_location_facts(profile),
            "activities": None if activities is None else list(activities), "plans": plans,
        })

    def text(self) -> str:
        """What the firm is (name, description, sector, processes), for relevance."""
        parts = [self.name, self.description]
        if self.sector:
            parts.append(vocab.label(self.sector, vocab.SECTORS))
        parts += [vocab.label(p, vocab.PROCESSES) for p in self.processes]
        return normalize(". ".join(p for p in parts if p))

    def plans_text(self) -> str:
        """What the firm plans (stated plans and its own words), for relevance."""
        parts = [vocab.label(a, ACTIVITIES) for a in sorted(self.activities or ())]
        parts.append(self.plans)
        return normalize(". ".join(p for p in parts if p))


# --- evaluating criteria -----------------------------------------------------------------

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


# --- matching ----------------------------------------------------------------------------

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


# --- labelled cases ----------------------------------------------------------------------

@dataclass(frozen=True)
class PolicyCase:
    """A labelled (profile, programme, expected decision) case written from the texts."""

    case_id: str
    program: str
    profile: Mapping[str, Any]
    expected: str
    clause: str
    as_of: date
    expected_status: str | None = None


@dataclass
class CaseReport:
    """How the rules fare on the labelled cases."""

    cases: int = 0
    decided: int = 0
    """Cases labelled yes or no."""
    correct: int = 0
    """Of those, decided as labelled."""
    unknown_cases: int = 0
    unknown_agree: int = 0
    status_cases: int = 0
    status_agree: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.decided if self.decided else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"cases": self.cases, "yes_no_cases": self.decided, "yes_no_correct": self.correct,
                "yes_no_accuracy": round(100 * self.accuracy, 2),
                "unknown_cases": self.unknown_cases, "unknown_agree": self.unknown_agree,
                "status_cases": self.status_cases, "status_agree": self.status_agree,
                "failures": self.failures}


def load_cases(path: str | Path | None = None) -> list[PolicyCase]:
    path = Path(path or DEFAULT_CASES)
    cases = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                expected = raw["expected"]
                if expected not in (YES, NO, UNKNOWN):
                    raise ValueError(f"expected must be yes, no or unknown, got {expected!r}")
                cases.append(PolicyCase(
                    case_id=raw["case_id"], program=raw["program"], profile=raw["profile"],
                    expected=expected, clause=raw["clause"],
                    as_of=date.fromisoformat(raw["as_of"]),
                    expected_status=raw.get("expected_status")))
            except (KeyError, ValueError, TypeError) as exc:
                raise CatalogueError(f"{path}:{lineno}: {exc}") from None
    return cases


def evaluate_cases(cases: Iterable[PolicyCase], programs: Sequence[Program]) -> CaseReport:
    """Decide every case and compare with its label."""
    by_code = {p.code: p for p in programs}
    report = CaseReport()
    for case in cases:
        if case.program not in by_code:
            raise CatalogueError(f"case {case.case_id}: unknown programme {case.program!r}")
        m = evaluate(by_code[case.program], FirmFacts.from_mapping(case.profile), case.as_of)
        report.cases += 1
        ok = m.eligible == case.expected
        if case.expected in (YES, NO):
            report.decided += 1
            report.correct += ok
        else:
            report.unknown_cases += 1
            report.unknown_agree += ok
        if case.expected_status is not None:
            report.status_cases += 1
            report.status_agree += m.status == case.expected_status
            ok = ok and m.status == case.expected_status
        if not ok:
            report.failures.append({"case_id": case.case_id, "program": case.program,
                                    "expected": case.expected, "got": m.eligible,
                                    "status": m.status, "reason": m.reason})
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m recommender.policy``: score the rules on the labelled cases."""
    parser = argparse.ArgumentParser(
        prog="python -m recommender.policy",
        description="Decide every labelled policy case (corpora/policy_cases.jsonl) with the "
                    "rules and print one JSON line: accuracy on the yes/no cases, agreement "
                    "on the unknown ones, and every disagreement.")
    parser.add_argument("--cases", default=str(DEFAULT_CASES))
    parser.add_argument("--catalogue", default=str(DEFAULT_CATALOGUE))
    args = parser.parse_args(argv)
    try:
        report = evaluate_cases(load_cases(args.cases), load_catalogue(args.catalogue))
    except (CatalogueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_dict(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

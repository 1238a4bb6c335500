"""The programme catalogue: programmes and their criteria, read and checked.

The catalogue (``corpora/policies.jsonl``, one programme a line) holds each
programme's legal basis, validity dates, benefits and its eligibility as
*data*: a list of criteria of a few kinds (``sector``, ``size_class``,
``ownership``, ``location``, ``activity``, ``enterprise_age``), each with the
clause of the legal text it comes from. A malformed line is a
:class:`CatalogueError` naming the line, never a programme silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import vocab
from ..resources import corpus_file
from ..sizes import SizeClass
from ..text import normalize
from .facts import ACTIVITY_KEYS, BUSINESS_FORM_KEYS, OWNERSHIP_KEYS

DEFAULT_CATALOGUE = corpus_file("policies.jsonl")

ACTIVE, EXPIRED, NOT_YET = "active", "expired", "not_yet_in_force"

CRITERION_KINDS = ("sector", "size_class", "ownership", "location", "activity",
                   "enterprise_age")


class CatalogueError(ValueError):
    """The policy catalogue (or a labelled-case file) is malformed."""


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
    clause_vi: str = ""
    """The clause in Vietnamese (``clause`` is English)."""


VERIFICATION_STATUSES = ("verified", "partly_verified", "not_verified")


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
    def verification(self) -> dict[str, Any]:
        """Whether the programme was checked against the published legal text, once for the
        programme: ``status`` (:data:`VERIFICATION_STATUSES`), ``checked_on``, the
        ``sources`` read (title and address) and a note in each language."""
        found = self.record.get("verification")
        if found:
            return dict(found)
        return {"status": "not_verified", "checked_on": None, "sources": [],
                "note_en": "", "note_vi": ""}

    @property
    def ended_on(self) -> date | None:
        return self.valid_until

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
            raise CatalogueError(f"{where}: sector keys must be from recommender.vocab, "
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
    for key, note in raw.get("possible", {}).items():
        if isinstance(note, Mapping) and not (note.get("vi") and note.get("en")):
            raise CatalogueError(f"{where}: possible[{key!r}] needs 'vi' and 'en' text")
    params = {k: v for k, v in raw.items()
              if k not in ("id", "kind", "clause", "clause_vi", "verified", "decisive", "note",
                           "basis")}
    return Criterion(id=raw["id"], kind=kind, clause=raw["clause"], params=params,
                     verified=bool(raw.get("verified", False)),
                     decisive=bool(raw.get("decisive", True)), note=raw.get("note", ""),
                     clause_vi=raw.get("clause_vi", ""))


def _check_verification(raw: Any, where: str) -> None:
    if raw is None:
        return
    if not isinstance(raw, Mapping) or raw.get("status") not in VERIFICATION_STATUSES:
        raise CatalogueError(f"{where}: verification.status must be one of "
                             f"{', '.join(VERIFICATION_STATUSES)}")
    _date(raw.get("checked_on"), f"{where}: verification.checked_on")
    for source in raw.get("sources", ()):
        if not source.get("title") or not str(source.get("url", "")).startswith("http"):
            raise CatalogueError(f"{where}: a verification source needs a title and an url")
    if raw["status"] != "not_verified" and not (raw.get("checked_on") and raw.get("sources")):
        raise CatalogueError(f"{where}: a checked programme names the day and the sources")


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
    _check_verification(record.get("verification"), where)
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

"""Final ranking: text relevance adjusted by the buyer's stated requirements.

Hybrid search ranks by how well a profile's text matches the query. A buyer
who writes "phải có IATF 16949" or "100% vốn Việt Nam" also states hard
facts; each is checked against the profile's structured data and reported as
met, missing, expired or unknown. Met requirements raise a supplier, unmet
ones lower it, unknown ones (the profile does not say) leave it where it is
— a profile is never punished for data it lacks. The checks double as the
explanation shown beside every result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .embed.text import fold
from .requirements import BuyerRequirements
from .search import SearchHit

MET, MISSING, EXPIRED, UNKNOWN = "met", "missing", "expired", "unknown"
REQUIREMENT_WEIGHT = 1.0
"""Score added per unit of (met - unmet) / stated requirements; fused scores are z-scores."""


@dataclass(frozen=True)
class CertificateFact:
    """A certificate a profile lists."""

    name: str
    valid_until: date | None = None


@dataclass(frozen=True)
class ProfileFacts:
    """The structured facts of a profile that requirements are checked against."""

    certifications: tuple[CertificateFact, ...] = ()
    park: str | None = None
    ownership: str | None = None
    employees: int | None = None


@dataclass(frozen=True)
class RequirementCheck:
    """One stated requirement and whether a profile meets it."""

    kind: str
    """``certification``, ``park``, ``ownership`` or ``employees``."""
    wanted: str
    status: str
    detail: str = ""


@dataclass(frozen=True)
class RankedSupplier:
    """A search hit after requirement checks."""

    hit: SearchHit
    score: float
    checks: tuple[RequirementCheck, ...] = field(default_factory=tuple)

    @property
    def doc_id(self) -> int:
        return self.hit.doc_id


def _same_cert(a: str, b: str) -> bool:
    return fold(a).replace("-", " ").split() == fold(b).replace("-", " ").split()


def check_requirements(
    req: BuyerRequirements, facts: ProfileFacts | None, today: date
) -> list[RequirementCheck]:
    """Check each stated requirement against a profile's facts."""
    facts = facts or ProfileFacts()
    checks = []
    for name in req.certifications:
        held = [c for c in facts.certifications if _same_cert(c.name, name)]
        if not held:
            checks.append(RequirementCheck("certification", name, MISSING))
            continue
        valid = [c for c in held if c.valid_until is None or c.valid_until >= today]
        if valid:
            until = max((c.valid_until for c in valid if c.valid_until), default=None)
            checks.append(RequirementCheck("certification", name, MET,
                                           f"valid until {until.isoformat()}" if until else ""))
        else:
            last = max(c.valid_until for c in held if c.valid_until)
            checks.append(RequirementCheck("certification", name, EXPIRED,
                                           f"expired on {last.isoformat()}"))
    if req.parks:
        wanted = " / ".join(req.parks)
        if facts.park is None:
            checks.append(RequirementCheck("park", wanted, UNKNOWN))
        else:
            ok = any(fold(facts.park) == fold(p) for p in req.parks)
            checks.append(RequirementCheck("park", wanted, MET if ok else MISSING, facts.park))
    if req.ownership:
        wanted = " / ".join(req.ownership)
        if facts.ownership is None:
            checks.append(RequirementCheck("ownership", wanted, UNKNOWN))
        else:
            ok = facts.ownership in req.ownership
            checks.append(RequirementCheck("ownership", wanted, MET if ok else MISSING,
                                           facts.ownership))
    if req.min_employees:
        wanted = f">= {req.min_employees}"
        if facts.employees is None:
            checks.append(RequirementCheck("employees", wanted, UNKNOWN))
        else:
            ok = facts.employees >= req.min_employees
            checks.append(RequirementCheck("employees", wanted, MET if ok else MISSING,
                                           str(facts.employees)))
    return checks


def requirement_score(checks: Sequence[RequirementCheck]) -> float:
    """(met - unmet) / stated, in [-1, 1]; 0 when nothing was stated."""
    if not checks:
        return 0.0
    met = sum(c.status == MET for c in checks)
    unmet = sum(c.status in (MISSING, EXPIRED) for c in checks)
    return (met - unmet) / len(checks)


def rank(
    hits: Sequence[SearchHit],
    req: BuyerRequirements,
    facts: Mapping[int, ProfileFacts],
    *,
    today: date | None = None,
    weight: float = REQUIREMENT_WEIGHT,
) -> list[RankedSupplier]:
    """Re-rank hits by text score plus ``weight`` times the requirement score."""
    today = today or date.today()
    ranked = []
    for hit in hits:
        checks = tuple(check_requirements(req, facts.get(hit.doc_id), today))
        ranked.append(RankedSupplier(hit, hit.score + weight * requirement_score(checks), checks))
    ranked.sort(key=lambda r: -r.score)
    return ranked

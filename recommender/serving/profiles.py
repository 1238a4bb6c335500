"""The supplier profiles as search reads and shows them.

A :class:`CatalogProfile` is the part of a stored
:class:`~recommender.store.models.SupplierProfile` that the index holds (its
search text, keyed by the database primary key) and that results show; the
:func:`fingerprint` of all of them tells whether an index version still
matches the profiles.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..rank import CertificateFact, ProfileFacts
from ..requirements import certificates_in
from ..sizes import size_class
from ..store.models import ProfileChange, SupplierProfile
from ..taxonomy import load_taxonomy
from ..text.negation import affirmed, denied


@dataclass
class CatalogProfile:
    """The fields of a profile the search results show."""

    doc_id: int
    external_id: str
    name: str
    description: str
    sector: str | None = None
    processes: list[str] = field(default_factory=list)
    certifications: list[dict] = field(default_factory=list)
    location: dict | None = None
    ownership: str | None = None
    employees: int | None = None
    verified: bool = False
    size_class: str | None = None
    """Decree 80/2021 class: stored, else computed from the figures when they decide it."""
    sample: bool = False
    """Invented sample data (shown as such)."""
    phrases: tuple[str, ...] = ()
    """Process and product phrases as the firm wrote them (searchable, mapped or not)."""

    @classmethod
    def from_row(cls, row: SupplierProfile) -> CatalogProfile:
        """The fields of a stored profile that search reads and results show."""
        return cls(
            doc_id=row.id, external_id=row.external_id, name=row.name,
            description=row.description, sector=row.sector, processes=list(row.processes or []),
            certifications=[{"name": c.name, "issuer": c.issuer,
                             "valid_until": c.valid_until.isoformat() if c.valid_until else None}
                            for c in row.certifications],
            location={"park": row.park, "ward": row.ward, "area": row.area,
                      "region": row.region, "address": row.address},
            ownership=row.ownership, employees=row.employees, verified=bool(row.verified),
            size_class=profile_size_class(row), sample=bool(row.sample),
            phrases=written_phrases(row.capabilities),
        )

    @property
    def search_text(self) -> str:
        text = f"{self.name}. {self.description}"
        if self.phrases:  # what the firm listed in its own words, mapped or not
            text += "\n" + "; ".join(self.phrases)
        return text

    def facts(self) -> ProfileFacts:
        """What stated requirements and the query's capabilities are checked against."""
        certs = tuple(
            CertificateFact(c["name"], date.fromisoformat(c["valid_until"])
                            if c.get("valid_until") else None)
            for c in self.certifications
        )
        location = self.location or {}
        stated = frozenset(self.processes)
        mentioned = _described(self.description) - stated
        return ProfileFacts(certifications=certs, park=location.get("park"),
                            ownership=self.ownership, employees=self.employees,
                            capabilities=stated, mentioned=mentioned,
                            excluded=(_denied(self.description)
                                      | _denied("\n".join(self.phrases))) - stated - mentioned,
                            ward=location.get("ward"), area=location.get("area"),
                            region=location.get("region"),
                            described_certifications=_described_certificates(
                                self.description))


def written_phrases(capabilities: list[dict] | None) -> tuple[str, ...]:
    """The phrases a firm wrote, leaving out bare taxonomy keys (files that list keys)."""
    taxonomy = load_taxonomy()
    return tuple(c["text"] for c in capabilities or () if c.get("text") not in taxonomy)


@lru_cache(maxsize=65536)
def _described_certificates(description: str) -> frozenset[str]:
    return certificates_in(description)


@lru_cache(maxsize=65536)
def _described(description: str) -> frozenset[str]:
    """Taxonomy keys a description names, leaving out what it says the firm does not do."""
    return frozenset(load_taxonomy().find(affirmed(description)))


@lru_cache(maxsize=65536)
def _denied(text: str) -> frozenset[str]:
    """Taxonomy keys ``text`` names only to exclude them ("Không có dây chuyền sơn tĩnh
    điện", "không nhận anodize", "no powder coating line")."""
    taxonomy = load_taxonomy()
    return frozenset(k for part in denied(text) for k in taxonomy.find(part))


def read_profiles(sessions: sessionmaker[Session]) -> list[CatalogProfile]:
    """Every stored profile, by primary key."""
    query = (select(SupplierProfile).order_by(SupplierProfile.id)
             .options(selectinload(SupplierProfile.certifications)))
    with sessions() as session:
        return [CatalogProfile.from_row(p) for p in session.scalars(query)]


def profile_size_class(p: SupplierProfile) -> str | None:
    """The stored size class, else the one the employee and money figures decide."""
    if p.size_class is not None:
        return str(p.size_class)
    found = size_class(p.employees, p.revenue_bn_vnd, p.capital_bn_vnd)
    return None if found is None else str(found)


def snapshot_profiles(sessions: sessionmaker[Session]) -> tuple[list[CatalogProfile], int]:
    """Every stored profile plus the profile-change sequence number read just before them.

    Changes with a higher sequence number may or may not be in the profiles; replaying
    them onto an index built from this snapshot is safe (re-indexing reads the row).
    """
    with sessions() as session:
        seq = session.scalar(select(func.max(ProfileChange.id))) or 0
    return read_profiles(sessions), seq


def fingerprint(profiles: list[CatalogProfile]) -> str:
    """A digest of what the index holds: every document id and its text."""
    digest = hashlib.sha256()
    for p in profiles:
        digest.update(f"{p.doc_id}\t{p.search_text}\n".encode())
    return digest.hexdigest()

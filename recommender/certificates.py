"""Certificate validity, named once: valid, expiring soon, expired, or without a date.

Buyers check the dates on certificates, so every page that shows one (search
results, the supplier page, the enterprise dashboard, the staff profile list)
reads its state from :func:`certificate_state` and lists the ones that need
attention with :func:`certificate_warnings`. A certificate name as a person
writes it ("iso-9001", "IATF16949") is read by :func:`canonical_certification`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from .rank import _same_cert
from .requirements import CERTIFICATIONS

EXPIRY_WARNING_DAYS = 90
"""A certificate expiring within this many days is flagged to its holder and to staff."""


def canonical_certification(value: str) -> str | None:
    """The listed certificate (:data:`~recommender.requirements.CERTIFICATIONS`) that
    ``value`` names, ignoring case, diacritics and hyphens; None when none is."""
    for name in CERTIFICATIONS:
        if _same_cert(name, value):
            return name
    return None


class CertificateState(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    """Valid today, expires within the warning window."""
    EXPIRED = "expired"
    NO_DATE = "no_date"
    """No expiry date recorded: buyers cannot tell whether it is valid."""


class _Certificate(Protocol):
    name: str
    issuer: str | None
    valid_until: date | None


def certificate_state(valid_until: date | None, today: date,
                      warn_days: int = EXPIRY_WARNING_DAYS) -> tuple[CertificateState, int | None]:
    """The state of a certificate valid until ``valid_until`` on ``today``, and the days
    to its expiry (expiring, valid) or since it (expired); ``warn_days=0`` never says
    expiring."""
    if valid_until is None:
        return CertificateState.NO_DATE, None
    if valid_until < today:
        return CertificateState.EXPIRED, (today - valid_until).days
    days = (valid_until - today).days
    if days <= warn_days:
        return CertificateState.EXPIRING, days
    return CertificateState.VALID, days


@dataclass(frozen=True)
class CertificateWarning:
    """A certificate that needs attention: expired, expiring soon, or without a date."""

    name: str
    issuer: str | None
    state: CertificateState
    days: int | None
    valid_until: date | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "issuer": self.issuer, "state": str(self.state),
                "days": self.days,
                "valid_until": self.valid_until.isoformat() if self.valid_until else None}


_ORDER = {CertificateState.EXPIRED: 0, CertificateState.EXPIRING: 1, CertificateState.NO_DATE: 2}


def certificate_warnings(certificates: Iterable[_Certificate], today: date,
                         warn_days: int = EXPIRY_WARNING_DAYS) -> list[CertificateWarning]:
    """The certificates that are expired, expire within ``warn_days`` or have no date:
    expired first, then expiring, then undated; by date within each."""
    out = []
    for c in certificates:
        state, days = certificate_state(c.valid_until, today, warn_days)
        if state is not CertificateState.VALID:
            out.append(CertificateWarning(c.name, c.issuer, state, days, c.valid_until))
    return sorted(out, key=lambda w: (_ORDER[w.state], w.valid_until or date.max))

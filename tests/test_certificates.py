"""Certificate states, named once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from recommender.certificates import CertificateState, certificate_state, certificate_warnings

TODAY = date(2026, 12, 6)


@dataclass
class Cert:
    name: str
    valid_until: date | None
    issuer: str | None = None


def test_states_and_days() -> None:
    assert certificate_state(None, TODAY) == (CertificateState.NO_DATE, None)
    assert certificate_state(date(2026, 12, 1), TODAY) == (CertificateState.EXPIRED, 5)
    assert certificate_state(TODAY, TODAY) == (CertificateState.EXPIRING, 0)
    assert certificate_state(date(2027, 3, 6), TODAY) == (CertificateState.EXPIRING, 90)
    assert certificate_state(date(2027, 3, 7), TODAY) == (CertificateState.VALID, 91)
    assert certificate_state(date(2027, 1, 1), TODAY, warn_days=0)[0] == CertificateState.VALID


def test_warnings_list_what_needs_attention_in_order() -> None:
    warnings = certificate_warnings([
        Cert("ISO 9001", date(2028, 1, 1)), Cert("RoHS", None),
        Cert("IATF 16949", date(2027, 1, 10)), Cert("ISO 14001", date(2026, 1, 1), "BV")],
        TODAY)
    assert [(w.name, str(w.state)) for w in warnings] == [
        ("ISO 14001", "expired"), ("IATF 16949", "expiring"), ("RoHS", "no_date")]
    assert warnings[0].to_dict() == {"name": "ISO 14001", "issuer": "BV", "state": "expired",
                                     "days": 339, "valid_until": "2026-01-01"}

from __future__ import annotations

from datetime import date

from recommender.rank import (
    EXPIRED,
    MET,
    MISSING,
    UNKNOWN,
    CertificateFact,
    ProfileFacts,
    check_requirements,
    rank,
    requirement_score,
)
from recommender.requirements import BuyerRequirements
from recommender.search import SearchHit

TODAY = date(2026, 11, 1)


def hit(doc_id: int, score: float) -> SearchHit:
    return SearchHit(doc_id, score, None, None, None)


def test_certificate_validity_is_checked_on_the_day() -> None:
    req = BuyerRequirements(certifications=("IATF 16949", "ISO 9001"))
    facts = ProfileFacts(certifications=(
        CertificateFact("IATF 16949", date(2026, 10, 31)),
        CertificateFact("iso-9001", date(2026, 11, 1)),
    ))
    checks = {c.wanted: c for c in check_requirements(req, facts, TODAY)}
    assert checks["IATF 16949"].status == EXPIRED
    assert "2026-10-31" in checks["IATF 16949"].detail
    assert checks["ISO 9001"].status == MET


def test_unknown_facts_are_unknown_not_missing() -> None:
    req = BuyerRequirements(parks=("KCX Tân Thuận",), ownership=("domestic",), min_employees=100)
    checks = check_requirements(req, ProfileFacts(), TODAY)
    assert [c.status for c in checks] == [UNKNOWN, UNKNOWN, UNKNOWN]
    assert requirement_score(checks) == 0.0


def test_requirements_reorder_close_hits() -> None:
    req = BuyerRequirements(ownership=("domestic",), min_employees=100)
    facts = {
        1: ProfileFacts(ownership="fdi", employees=500),
        2: ProfileFacts(ownership="domestic", employees=150),
        3: ProfileFacts(),
    }
    ranked = rank([hit(1, 1.2), hit(2, 1.0), hit(3, 0.9)], req, facts, today=TODAY)
    assert [r.doc_id for r in ranked] == [2, 1, 3] or [r.doc_id for r in ranked] == [2, 3, 1]
    assert ranked[0].checks[0].status == MET
    by_id = {r.doc_id: r for r in ranked}
    assert by_id[1].checks[0].status == MISSING and by_id[3].score == 0.9


def test_no_requirements_keeps_the_text_order() -> None:
    ranked = rank([hit(1, 2.0), hit(2, 1.0)], BuyerRequirements(), {}, today=TODAY)
    assert [r.doc_id for r in ranked] == [1, 2] and ranked[0].checks == ()

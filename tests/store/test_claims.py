"""Claims on existing profiles, on SQLite and PostgreSQL: proof or staff, never by themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from recommender.store.claims import (
    MAX_ATTEMPTS,
    ClaimError,
    confirm_code,
    decide,
    new_code,
    open_claim,
    pending,
)
from recommender.store.models import AccountRole, ClaimStatus, EnterpriseAccount, SupplierProfile


def _setup(session: Session, email: str | None = "giamdoc@congty.vn"):
    profile = SupplierProfile(external_id="SUP-09999", name="Công ty Cơ khí Chín", sector=None,
                              description="Gia công CNC.", processes=[], email=email)
    claimant = EnterpriseAccount(email="nguoi@example.vn", password_hash="x",
                                 role=AccountRole.ENTERPRISE)
    session.add_all([profile, claimant])
    session.commit()
    return profile, claimant


def test_the_code_proves_the_claim_and_nothing_else_does(session: Session) -> None:
    profile, claimant = _setup(session)
    claim, code = open_claim(session, claimant, profile, {"phone": "0909", "junk": "x"})
    assert claim.status == ClaimStatus.PENDING and claimant.profile_id is None
    assert claim.code_sent_to == "giamdoc@congty.vn" and claim.submitted == {"phone": "0909"}
    assert code not in (claim.code_hash or "")  # only a digest is stored
    with pytest.raises(ClaimError, match="Mã không đúng"):
        confirm_code(session, claim, "000000" if code != "000000" else "111111")
    assert claimant.profile_id is None
    confirm_code(session, claim, f" {code} ")
    assert claim.status == ClaimStatus.APPROVED and claimant.profile_id == profile.id
    with pytest.raises(ClaimError):
        confirm_code(session, claim, code)  # used


def test_guessing_stops_after_the_attempts_of_a_claim_even_with_new_codes(
        session: Session) -> None:
    profile, claimant = _setup(session)
    claim, code = open_claim(session, claimant, profile)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(ClaimError):
            confirm_code(session, claim, wrong)
    claim.code_expires_at -= timedelta(minutes=5)  # long enough ago to ask for a new one
    session.commit()
    assert new_code(session, claim) is None  # no new code: staff decide now
    with pytest.raises(ClaimError, match="cán bộ"):
        confirm_code(session, claim, code)
    assert claimant.profile_id is None and claim in pending(session)


def test_codes_expire_and_are_not_resent_within_a_minute(session: Session) -> None:
    profile, claimant = _setup(session)
    claim, code = open_claim(session, claimant, profile)
    with pytest.raises(ClaimError, match="một phút"):
        new_code(session, claim)
    claim.code_expires_at -= timedelta(hours=25)
    session.commit()
    with pytest.raises(ClaimError, match="hết hạn"):
        confirm_code(session, claim, code)
    assert new_code(session, claim) is not None


def test_without_an_email_on_file_only_staff_decide(session: Session) -> None:
    profile, claimant = _setup(session, email=None)
    claim, code = open_claim(session, claimant, profile, {"message": "Tôi là giám đốc"})
    assert code is None and claim.code_hash is None
    with pytest.raises(ClaimError, match="cán bộ"):
        confirm_code(session, claim, "123456")
    decide(session, claim, False, staff_id=7, note="không có giấy tờ")
    assert claim.status == ClaimStatus.REJECTED and claim.decided_by == 7
    assert "không có giấy tờ" in claim.decision and claimant.profile_id is None
    with pytest.raises(ClaimError):
        decide(session, claim, True, staff_id=7)

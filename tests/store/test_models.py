"""The domain model on both backends: UTC times, cascades, constraints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from recommender.sizes import SizeClass
from recommender.store.models import (
    AccountRole,
    Buyer,
    BuyerRequest,
    Certification,
    EnterpriseAccount,
    Interaction,
    InteractionKind,
    Ownership,
    PolicyProgram,
    RequestStatus,
    SearchLog,
    SupplierProfile,
)


def _profile(**kw) -> SupplierProfile:
    values = dict(external_id="SUP-1", name="Công ty Mẫu", description="Gia công CNC",
                  sector="mechanical", processes=["cnc_machining"])
    values.update(kw)
    return SupplierProfile(**values)


def test_certificate_validity_is_inclusive_and_needs_a_date() -> None:
    cert = Certification(name="ISO 9001", valid_until=date(2026, 11, 1))
    assert cert.is_valid(date(2026, 11, 1))
    assert not cert.is_valid(date(2026, 11, 2))
    assert not Certification(name="ISO 9001").is_valid(date(2000, 1, 1))


def test_profile_round_trip_with_utc_times(session) -> None:
    vn = timezone(timedelta(hours=7))
    stamp = datetime(2026, 5, 1, 9, 30, tzinfo=vn)
    profile = _profile(tax_code="0399215323", ownership=Ownership.FDI,
                       size_class=SizeClass.SMALL, employees=50, revenue_bn_vnd=12.5,
                       materials=["SUS304"], park="KCN Tân Tạo", updated_at=stamp,
                       certifications=[Certification(name="ISO 9001", issuer="SGS",
                                                     valid_until=date(2027, 5, 31))])
    session.add(profile)
    session.commit()
    session.expire_all()
    loaded = session.scalars(select(SupplierProfile)).one()
    assert loaded.updated_at == stamp and loaded.updated_at.tzinfo == UTC
    assert loaded.created_at.tzinfo == UTC
    assert loaded.ownership is Ownership.FDI and loaded.size_class is SizeClass.SMALL
    assert loaded.processes == ["cnc_machining"] and loaded.materials == ["SUS304"]
    assert loaded.certifications[0].valid_until == date(2027, 5, 31)
    assert loaded.sample is False and loaded.verified is False


def test_naive_datetimes_are_refused(session) -> None:
    session.add(_profile(updated_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_deleting_a_profile_deletes_its_certificates_in_the_database(session) -> None:
    session.add(_profile(certifications=[Certification(name="ISO 9001")]))
    session.commit()
    # a bulk delete bypasses the ORM: only the foreign key's ON DELETE CASCADE acts
    session.execute(SupplierProfile.__table__.delete())
    session.commit()
    assert session.scalar(select(func.count()).select_from(Certification)) == 0


@pytest.mark.parametrize("field", ["external_id", "tax_code"])
def test_external_id_and_tax_code_are_unique(session, field) -> None:
    session.add(_profile(external_id="SUP-1", tax_code="0399215323"))
    other = _profile(external_id="SUP-2", tax_code="0399089527")
    setattr(other, field, "SUP-1" if field == "external_id" else "0399215323")
    session.add(other)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_two_profiles_without_tax_code_are_allowed(session) -> None:
    session.add_all([_profile(external_id="A"), _profile(external_id="B")])
    session.commit()


def test_enum_values_are_checked_by_the_database(session) -> None:
    session.add(_profile())
    session.commit()
    # raw SQL: the ORM would refuse the value before the database sees it
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE supplier_profile SET ownership = 'state'"))
    session.rollback()


def test_buyers_accounts_requests_policies_and_logs(session) -> None:
    profile = _profile()
    buyer = Buyer(company="Acme Vietnam", email="buy@example.com")
    request = BuyerRequest(buyer=buyer, title="Vỏ nhôm", text="Cần gia công CNC vỏ nhôm",
                           processes=["cnc_machining"], certifications=["ISO 9001"],
                           due_date=date(2026, 12, 1))
    account = EnterpriseAccount(email="staff@example.com", password_hash="x",
                                role=AccountRole.STAFF)
    log = SearchLog(query="gia công CNC", lang="vi", filters={"park": ["KCN Tân Tạo"]},
                    result_external_ids=["SUP-1"], account_id=None)
    policy = PolicyProgram(code="ND-111-2015", title_vi="Nghị định 111/2015/NĐ-CP",
                           title_en="Decree 111/2015/ND-CP", legal_basis="Decree 111/2015/ND-CP",
                           issuer="Government", valid_from=date(2016, 1, 1),
                           benefits=[{"kind": "tax"}], eligibility={"sectors": ["mechanical"]})
    session.add_all([profile, request, account, log, policy])
    session.flush()
    session.add(Interaction(search_log_id=log.id, profile_id=profile.id,
                            kind=InteractionKind.CLICK))
    session.commit()
    assert request.status is RequestStatus.OPEN
    session.delete(buyer)
    session.delete(profile)
    session.commit()
    assert session.scalar(select(func.count()).select_from(BuyerRequest)) == 0
    assert session.scalar(select(func.count()).select_from(Interaction)) == 0
    assert session.scalar(select(func.count()).select_from(SearchLog)) == 1


def test_profile_ids_are_never_reused(session) -> None:
    """Profile ids are search-index document ids: a new profile never takes an old one's."""
    session.add(_profile(external_id="A"))
    session.commit()
    first = session.scalars(select(SupplierProfile.id)).one()
    session.execute(SupplierProfile.__table__.delete())
    session.commit()
    session.add(_profile(external_id="B"))
    session.commit()
    assert session.scalars(select(SupplierProfile.id)).one() > first

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
from recommender.requirements import BuyerRequirements, parse_requirements
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


def test_a_certificate_is_the_same_whatever_its_edition_or_spacing() -> None:
    req = BuyerRequirements(certifications=("ISO 9001", "IATF 16949", "ISO 14001"))
    facts = ProfileFacts(certifications=(CertificateFact("ISO 9001:2015", None),
                                         CertificateFact("IATF16949", None),
                                         CertificateFact("ISO 45001:2018", None)))
    checks = {c.wanted: c.status for c in check_requirements(req, facts, TODAY)}
    assert checks == {"ISO 9001": MET, "IATF 16949": MET, "ISO 14001": MISSING}


def test_either_certificate_meets_an_either_or_requirement() -> None:
    req = BuyerRequirements(certifications=("ISO 22000 / FSSC 22000", "IPC-A-610"))
    facts = ProfileFacts(certifications=(CertificateFact("FSSC 22000", None),),
                         described_certifications=frozenset({"IPC-A-610"}))
    checks = {c.wanted: c for c in check_requirements(req, facts, TODAY)}
    assert checks["ISO 22000 / FSSC 22000"].status == MET
    # named in the description, not listed: not known to be held, not known to be missing
    assert checks["IPC-A-610"].status == UNKNOWN
    assert check_requirements(req, ProfileFacts(), TODAY)[1].status == MISSING


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


def test_capability_score_reads_the_taxonomy_tree() -> None:
    from recommender.rank import capability_score

    swiss = ProfileFacts(capabilities=frozenset({"swiss_turning"}))
    machining = ProfileFacts(capabilities=frozenset({"cnc_machining"}))
    described = ProfileFacts(mentioned=frozenset({"swiss_turning"}))
    assert capability_score(["cnc_machining"], swiss) == 1.0  # a child of what was asked
    assert capability_score(["swiss_turning"], machining) == 0.5  # only the parent
    assert capability_score(["swiss_turning"], described) == 0.5  # only in the text
    assert capability_score(["wire_harness"], swiss) == 0.0
    assert capability_score([], swiss) == 0.0


def test_a_place_is_checked_against_the_stored_location() -> None:
    from recommender.requirements import parse_requirements

    req = parse_requirements("ron cao su ở Bình Dương, KCN Tân Tạo")
    in_bd = ProfileFacts(park="KCN Sóng Thần 2", area="Dĩ An", region="Bình Dương")
    checks = {c.kind: c.status for c in check_requirements(req, in_bd, date(2026, 12, 6))}
    assert checks == {"place": "met", "park": "missing"}
    outside_parks = ProfileFacts(ward="Xã Bà Điểm", area="Hóc Môn", region="Hồ Chí Minh")
    checks = {c.kind: c.status for c in check_requirements(req, outside_parks,
                                                           date(2026, 12, 6))}
    assert checks == {"place": "missing", "park": "missing"}
    assert {c.status for c in check_requirements(req, ProfileFacts(), date(2026, 12, 6))} == {
        "unknown"}


def test_a_process_the_profile_says_it_does_not_do_is_missing() -> None:
    from recommender.serving.profiles import CatalogProfile

    painter = CatalogProfile(1, "X", "Sơn Phủ", "Phun cát làm sạch bề mặt; sơn ướt epoxy cho "
                             "kết cấu thép. Không có dây chuyền sơn tĩnh điện.").facts()
    assert "powder_coating" in painter.excluded and "powder_coating" not in painter.mentioned
    for query in ("sơn tĩnh điện", "son tinh dien", "powder coating"):
        checks = check_requirements(parse_requirements(query), painter, TODAY)
        assert [(c.kind, c.wanted, c.status) for c in checks] == [
            ("capability", "powder_coating", MISSING)], query
    assert check_requirements(BuyerRequirements(capabilities=("wet_painting",)), painter,
                              TODAY) == []
    # said elsewhere that it does it: the firm's own word for it wins
    both = CatalogProfile(2, "Y", "Sơn", "Không có dây chuyền sơn tĩnh điện tại xưởng 1.",
                          processes=["powder_coating"]).facts()
    assert not both.excluded
    assert check_requirements(BuyerRequirements(capabilities=("powder_coating",)), both,
                              TODAY) == []


def test_a_named_kind_of_a_certificate_meets_the_certificate_asked_for() -> None:
    facts = ProfileFacts(certifications=(CertificateFact("OEKO-TEX Standard 100", None),
                                         CertificateFact("ISO 9001:2015", None)))
    checks = {c.wanted: c.status for c in check_requirements(
        BuyerRequirements(certifications=("OEKO-TEX", "ISO 9001", "ISO 14001")), facts, TODAY)}
    assert checks == {"OEKO-TEX": MET, "ISO 9001": MET, "ISO 14001": MISSING}
    # the reverse does not hold: a buyer asking for a named kind is not met by the family
    plain = ProfileFacts(certifications=(CertificateFact("OEKO-TEX", None),))
    assert check_requirements(BuyerRequirements(certifications=("OEKO-TEX Standard 100",)),
                              plain, TODAY)[0].status == MISSING


def test_places_a_query_names_are_alternatives() -> None:
    from recommender.requirements import parse_requirements

    req = parse_requirements("xưởng may đồng phục ở quận 7 hoặc Nhà Bè")
    assert len(req.places) == 2
    in_q7 = ProfileFacts(park="KCX Tân Thuận", area="Quận 7", region="TP. Hồ Chí Minh (cũ)")
    checks = [c for c in check_requirements(req, in_q7, TODAY) if c.kind == "place"]
    assert [c.status for c in checks] == [MET]
    elsewhere = ProfileFacts(area="Dĩ An", region="Bình Dương (cũ)")
    assert [c.status for c in check_requirements(req, elsewhere, TODAY)
            if c.kind == "place"] == [MISSING]

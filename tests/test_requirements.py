from __future__ import annotations

import pytest

from recommender.requirements import BuyerRequirements, certificates_in, parse_requirements


@pytest.mark.parametrize(
    ("query", "certs", "parks", "ownership", "minimum"),
    [
        ("Cần xưởng ép nhựa, phải có IATF 16949", ("IATF 16949",), (), (), None),
        ("can xuong ep nhua co iso 9001:2015 va iso-14001", ("ISO 9001", "ISO 14001"), (),
         (), None),
        ("ưu tiên trong KCX Tân Thuận", (), ("KCX Tân Thuận",), (), None),
        ("o khu che xuat linh trung 2", (), ("KCX Linh Trung II",), (), None),
        ("Linh Trung I export processing zone", (), ("KCX Linh Trung I",), (), None),
        ("KCN Vĩnh Lộc 3", (), ("KCN Vĩnh Lộc 3",), (), None),
        ("doanh nghiệp 100% vốn Việt Nam", (), (), ("domestic",), None),
        ("cty viet nam, khong phai FDI", (), (), ("domestic",), None),
        ("foreign-invested or joint venture supplier", (), (), ("fdi", "joint_venture"), None),
        ("ít nhất 200 công nhân", (), (), (), 200),
        ("quy mo tu 1.500 nguoi tro len", (), (), (), 1500),
        ("workforce of 150+", (), (), (), 150),
        ("at least 50 employees", (), (), (), 50),
        ("gia công CNC nhôm", (), (), (), None),
    ],
)
def test_parse_requirements(query, certs, parks, ownership, minimum) -> None:
    req = parse_requirements(query)
    assert set(req.certifications) == set(certs)
    assert req.parks == parks
    assert set(req.ownership) == set(ownership)
    assert req.min_employees == minimum


def test_vinh_loc_is_not_vinh_loc_3() -> None:
    assert parse_requirements("KCN Vĩnh Lộc").parks == ("KCN Vĩnh Lộc",)


def test_empty_requirements_are_falsy() -> None:
    assert not BuyerRequirements()
    assert parse_requirements("có UL")


def test_places_of_the_merged_city_are_understood() -> None:
    req = parse_requirements("ép nhựa ISO 9001 Bình Dương")
    assert req.certifications == ("ISO 9001",) and req.parks == ()
    assert [m.place.region for m in req.places] == ["Bình Dương"]
    assert req.place_text() == "Bình Dương (cũ)"
    near = parse_requirements("gia công CNC gần VSIP")
    assert near.places[0].near and near.place_text().startswith("gần")
    assert parse_requirements("KCN Phú Mỹ I can ncc son tinh dien").parks == ("KCN Phú Mỹ I",)
    assert [m.place.area for m in parse_requirements("ncc ron cao su Thu Duc").places] == [
        "Thủ Đức"]
    # capability words and foreign markets are not places
    assert not parse_requirements("bình chứa khí nén xuất khẩu Mỹ").places


def test_processes_and_products_named_in_a_query() -> None:
    assert "wire_harness" in parse_requirements("bó dây điện cho xe máy").capabilities
    assert "cnc_turning" in parse_requirements("gc tien CNC inox").capabilities
    assert parse_requirements("công ty Nhật gia công cơ khí").ownership == ("fdi",)
    assert parse_requirements("xuất khẩu sang Nhật Bản").ownership == ()


def test_places_are_not_highlighted_as_words() -> None:
    from recommender.places import without_places
    from recommender.recommend import matched_terms

    query = "ép nhựa ISO 9001 Bình Dương"
    text = "Công ty ép nhựa ở phường Tam Bình, đường số 5"
    assert "bình" in matched_terms(query, text)  # what the highlighter did before
    words = matched_terms(without_places(query), text)
    assert "bình" not in words and "dương" not in words and "nhựa" in words


@pytest.mark.parametrize("query, keys", [
    ("Looking for forged gear blanks supplier", {"forging"}),
    ("RFQ: mould repair and maintenance service", {"mold_making"}),
    ("Sourcing case hardening for shafts", {"carburizing"}),
    ("printed carton boxes", {"printing", "carton_packaging"}),
])
def test_english_inflections_name_taxonomy_nodes(query, keys) -> None:
    assert keys <= set(parse_requirements(query).capabilities)


@pytest.mark.parametrize(("query", "wanted"), [
    ("hương liệu thực phẩm có ISO 22000 hoặc FSSC 22000", ("ISO 22000 / FSSC 22000",)),
    ("need ISO 13485 or ISO 9001", ("ISO 13485 / ISO 9001",)),
    ("ISO 9001/IATF 16949", ("ISO 9001 / IATF 16949",)),
    ("cần ISO 9001 và ISO 14001", ("ISO 9001", "ISO 14001")),
    ("ISO 9001, IATF 16949", ("ISO 9001", "IATF 16949")),
])
def test_certificates_a_query_accepts_in_place_of_each_other_are_one_requirement(
        query, wanted) -> None:
    assert parse_requirements(query).certifications == wanted


def test_certificates_named_in_free_text() -> None:
    assert certificates_in("Sản xuất theo IPC-A-610 class 2, đạt ISO 9001:2015") == {
        "IPC-A-610", "ISO 9001"}
    assert certificates_in("gia công CNC") == frozenset()

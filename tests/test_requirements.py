from __future__ import annotations

import pytest

from recommender.requirements import BuyerRequirements, parse_requirements


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

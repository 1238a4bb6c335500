"""What a clause excludes: after a negation word, unless the words name a thing."""

from __future__ import annotations

import pytest

from recommender.text.negation import affirmed, denied, negation_start


@pytest.mark.parametrize("clause, excluded", [
    ("Không có dây chuyền sơn tĩnh điện", "Không có dây chuyền sơn tĩnh điện"),
    ("xưởng ép nhựa, không nhận anodize", "không nhận anodize"),
    ("Khong nhan in offset", "Khong nhan in offset"),
    ("we do not offer powder coating", "do not offer powder coating"),
    ("all metals except titanium", "except titanium"),
    ("chưa có máy EDM", "chưa có máy EDM"),
])
def test_what_follows_a_negation_is_excluded(clause: str, excluded: str) -> None:
    assert denied(clause)[-1] == excluded
    assert excluded not in affirmed(clause)


@pytest.mark.parametrize("clause", [
    "gia công thép không gỉ SUS304",  # stainless steel
    "vải không dệt PP",  # non-woven
    "hàn không chì theo RoHS",  # lead-free
    "kiểm tra không phá hủy (NDT)",  # non-destructive testing
    "không chỉ làm khuôn mà còn ép nhựa",  # not only ... but also
    "máy nén không khí",  # air
    "phuy chưa súc rửa",  # how a drum is, not what is excluded
    "Empty drums not washed",
    "no-sew bonding for uppers",
    "thep khong gi 316L",
    "tôi chân không trong lò Ipsen",  # vacuum hardening
    "khách hàng ngành hàng không và thiết bị y tế",  # aviation
    "thụ động không crom VI",  # chrome-free passivation
])
def test_words_built_on_a_negation_name_a_thing(clause: str) -> None:
    assert negation_start(clause) is None
    assert denied(clause) == []


def test_a_negation_reaches_the_end_of_its_clause_only() -> None:
    text = "Không nhận anodize; nhận mạ kẽm. Tiện CNC (không làm phay)"
    assert denied(text) == ["Không nhận anodize", "không làm phay"]
    assert "mạ kẽm" in affirmed(text) and "Tiện CNC" in affirmed(text)
    assert "anodize" not in affirmed(text) and "phay" not in affirmed(text)


def test_no_typed_without_marks_may_be_vietnamese() -> None:
    assert denied("chung toi luon no luc gia cong cnc chinh xac") == []  # nỗ lực: effort
    assert denied("no powder coating line") == ["no powder coating line"]

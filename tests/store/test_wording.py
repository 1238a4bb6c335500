"""Free wording of profile values: headcount, ownership, certificates, phrases, ids."""

from __future__ import annotations

from datetime import date

import pytest

from recommender.store.wording import (
    derived_external_id,
    read_capabilities,
    read_certificates,
    read_headcount,
    read_ownership,
    split_phrases,
)


@pytest.mark.parametrize("text, value", [
    ("120", 120), ("~150", 150), ("khoảng 80 người", 80), ("200-250", 200), ("45 CN", 45),
    ("350 employees", 350), ("1.200 lao động", 1200),
])
def test_headcount_as_written(text: str, value: int) -> None:
    assert read_headcount(text).value == value


def test_headcount_without_a_number_is_kept_not_guessed() -> None:
    reading = read_headcount("đang cập nhật")
    assert reading.value is None and reading.kept == "đang cập nhật"


@pytest.mark.parametrize("text, key", [
    ("100% vốn Việt Nam", "domestic"), ("Doanh nghiệp trong nước", "domestic"),
    ("FDI (Nhật Bản)", "fdi"), ("100% vốn Hàn Quốc", "fdi"), ("Liên doanh", "joint_venture"),
    ("JV Vietnam-Taiwan", "joint_venture"), ("fdi", "fdi"), ("domestic", "domestic"),
])
def test_ownership_as_written(text: str, key: str) -> None:
    assert read_ownership(text).value == key


def test_a_legal_form_is_not_an_ownership_and_is_kept() -> None:
    reading = read_ownership("TNHH")
    assert reading.value is None and reading.kept == "TNHH" and reading.notes


def test_certificates_as_written() -> None:
    certs, notes = read_certificates(
        "ISO 9001:2015, IATF16949; ISO 13485:2016 (TÜV) – hiệu lực đến 12/2027, "
        "Đang xây dựng ISO 14001")
    by_name = {c["name"]: c for c in certs}
    assert set(by_name) == {"ISO 9001", "IATF 16949", "ISO 13485"}
    assert by_name["ISO 9001"]["scope"] == "ISO 9001:2015"
    assert by_name["ISO 13485"]["issuer"] == "TÜV"
    assert by_name["ISO 13485"]["valid_until"] == date(2027, 12, 31)
    assert any("ISO 14001" in n for n in notes)  # working towards: not held


def test_phrases_split_on_what_people_use() -> None:
    assert split_phrases("Tiện CNC; phay, EDM / mài\n- hàn TIG") == [
        "Tiện CNC", "phay", "EDM", "mài", "hàn TIG"]


def test_derived_ids_are_stable() -> None:
    assert derived_external_id("Cty A", "0312345678") == "MST-0312345678"
    one = derived_external_id("Công ty TNHH Cơ khí Minh Phát", None)
    assert one == derived_external_id("Công ty TNHH Cơ khí Minh Phát", None)
    assert one.startswith("DN-cong-ty-tnhh-co-khi-minh-phat-")


def test_phrases_are_mapped_or_kept_as_text() -> None:
    reading = read_capabilities(["cnc_milling", "swiss_turning", "laser_cutting", "edm",
                                 "coil_winding", "conformal_coating", "cable_assembly",
                                 "foundry", "dập tấm kim loại", "ron cao su", "zebraquartz"])
    mapped = {c["text"]: c["keys"] for c in reading.capabilities}
    assert all(mapped[t] for t in mapped if t != "zebraquartz")
    assert mapped["zebraquartz"] == [] and reading.unmapped == ["zebraquartz"]
    assert any("zebraquartz" in n for n in reading.notes)


def test_with_no_phrase_the_description_names_the_processes() -> None:
    reading = read_capabilities([], "Chuyên gia công tiện CNC và hàn TIG khung thép.")
    assert reading.processes and not reading.capabilities

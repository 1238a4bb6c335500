"""Places of the merged city: parks.tsv, resolve, find_in_query, parks_in and matches.

The 2025 wards and the old→new mapping are the real ``vietnamadminunits`` data; nothing is
faked. The cross-checks call the library's own ``convert_address`` with addresses that have
no street, the case it answers without geocoding.
"""

from __future__ import annotations

import socket
import unicodedata

import pytest

from recommender import places
from recommender.places import (
    BA_RIA_VUNG_TAU,
    BINH_DUONG,
    HCMC,
    PARK_BY_NAME,
    PARKS,
    Place,
    find_in_query,
    matches,
    parks_in,
    resolve,
)

CONTEXT_OPERATING = (
    "KCX Tân Thuận", "KCX Linh Trung I", "KCX Linh Trung II", "KCN Hiệp Phước", "KCN Tân Bình",
    "KCN Cát Lái", "KCN Bình Chiểu", "KCN Vĩnh Lộc", "KCN Tân Tạo", "KCN Lê Minh Xuân",
    "KCN Tây Bắc Củ Chi", "KCN Tân Phú Trung", "KCN Đông Nam", "KCN Tân Thới Hiệp", "KCN An Hạ",
    "KCN Phong Phú",
)
CONTEXT_PLANNED = ("KCN Phạm Văn Hai", "KCN Vĩnh Lộc 3", "KCN Nhị Xuân")
PILOTS = {"KCX Tân Thuận", "KCN Tân Bình", "KCN Hiệp Phước", "KCN Cát Lái", "KCN Bình Chiểu"}


# --- the library and parks.tsv ----------------------------------------------------------


def test_library_has_the_168_units_of_todays_city():
    names = places.ward_names()
    assert len(names) == len(set(names)) == 168
    kinds = [n.split()[0] for n in names]
    assert kinds.count("Phường") == 113 and kinds.count("Xã") == 54
    assert "Đặc khu Côn Đảo" in names


def test_old_wards_map_like_the_library_converter():
    from vietnamadminunits import convert_address  # the library's public API, no street

    for old in ("Phường Tân Thuận Đông, Quận 7, Hồ Chí Minh",
                "Phường An Lạc, Quận Bình Tân, Hồ Chí Minh",
                "Xã Tân Thạnh Đông, Huyện Củ Chi, Hồ Chí Minh",
                "Phường 12, Quận Tân Bình, Hồ Chí Minh",
                "Phường Mỹ Phước, Thị xã Bến Cát, Bình Dương",
                "Phường Mỹ Xuân, Thị xã Phú Mỹ, Bà Rịa - Vũng Tàu"):
        assert resolve(old).ward == convert_address(old).ward, old


def test_parks_tsv_has_the_context_zones_and_both_former_provinces():
    names = [p.name for p in PARKS]
    assert names[:19] == [*CONTEXT_OPERATING, *CONTEXT_PLANNED]
    assert {p.name for p in PARKS if p.pilot_green} == PILOTS
    planned = {p.name for p in PARKS if p.former_province == HCMC and p.planned}
    assert planned == set(CONTEXT_PLANNED)
    by_region = {r: [p for p in PARKS if p.former_province == r] for r in places.REGIONS}
    assert len(by_region[BINH_DUONG]) >= 20 and len(by_region[BA_RIA_VUNG_TAU]) >= 10
    for wanted in ("KCN VSIP I", "KCN VSIP II", "KCN VSIP II-A", "KCN Mỹ Phước 3",
                   "KCN Sóng Thần 1", "KCN Đồng An 2", "KCN Việt Hương", "KCN Bàu Bàng",
                   "KCN Nam Tân Uyên", "KCN Tân Đông Hiệp B", "KCN Đất Cuốc", "KCN Rạch Bắp",
                   "KCN Phú Mỹ I", "KCN Phú Mỹ III", "KCN Cái Mép", "KCN Mỹ Xuân A2",
                   "KCN Đông Xuyên", "KCN Châu Đức", "KCN Long Hương"):
        assert wanted in PARK_BY_NAME
    assert all(p.source for p in PARKS)


def test_park_districts_and_wards_agree_with_the_library():
    wards = set(places.ward_names())
    for park in PARKS:
        districts = places.former_districts(park.former_province)
        assert set(park.areas) <= set(districts), park.name
        if park.ward:
            assert park.ward in wards, park.name
            ward_areas = {a for _, a in places._ward_areas(places._new_ward(park.ward).key)}
            assert ward_areas & set(park.areas), park.name


def test_every_park_name_and_alias_resolves_to_its_park():
    for park in PARKS:
        for spelling in (park.name, *park.aliases):
            place = resolve(spelling)
            assert park.name in place.parks, (spelling, place)
        assert resolve(park.name).park == park.name
        assert resolve(park.name).region == park.former_province


# --- resolve -------------------------------------------------------------------------------


def test_address_with_park_district_and_province():
    place = resolve("Lô C5, KCN Sóng Thần 2, Dĩ An, Bình Dương")
    assert (place.park, place.area, place.region) == ("KCN Sóng Thần 2", "Dĩ An", BINH_DUONG)
    assert "Bình Dương (cũ) nay thuộc TP.HCM" in place.notes


def test_old_ward_and_district_become_the_2025_ward_despite_a_street_name():
    place = resolve("123 Kinh Dương Vương, P. An Lạc, Q. Bình Tân, TP.HCM")
    assert (place.ward, place.area, place.region) == ("Phường An Lạc", "Bình Tân", HCMC)
    assert place.park is None


def test_park_without_diacritics_fills_ward_and_area():
    place = resolve("Đường số 8, KCX Linh Trung 1, Thu Duc")
    assert place.park == "KCX Linh Trung I"
    assert (place.ward, place.area, place.region) == ("Phường Linh Xuân", "Thủ Đức", HCMC)


def test_commune_in_a_former_district():
    place = resolve("Ấp 3, xã Tân Thạnh Đông, Củ Chi")
    assert place.area == "Củ Chi" and place.region == HCMC
    assert place.ward == "Xã Phú Hòa Đông"
    assert any("Tân Thạnh Đông" in note for note in place.notes)


@pytest.mark.parametrize(("text", "area", "region"), [
    ("Quận 7", "Quận 7", HCMC),
    ("Q.7", "Quận 7", HCMC),
    ("q7", "Quận 7", HCMC),
    ("District 7, HCMC", "Quận 7", HCMC),
    ("Thủ Đức", "Thủ Đức", HCMC),
    ("TP Thủ Đức", "Thủ Đức", HCMC),
    ("thu duc", "Thủ Đức", HCMC),
    ("Quận 9", "Thủ Đức", HCMC),
    ("Bình Tân", "Bình Tân", HCMC),
    ("H. Củ Chi", "Củ Chi", HCMC),
    ("Nhà Bè", "Nhà Bè", HCMC),
    ("Dĩ An", "Dĩ An", BINH_DUONG),
    ("Thuận An, BD", "Thuận An", BINH_DUONG),
    ("Tân Uyên", "Tân Uyên", BINH_DUONG),
    ("TX. Bến Cát", "Bến Cát", BINH_DUONG),
    ("Bàu Bàng", "Bàu Bàng", BINH_DUONG),
    ("Phú Mỹ", "Phú Mỹ", BA_RIA_VUNG_TAU),
    ("Phu My, Ba Ria Vung Tau", "Phú Mỹ", BA_RIA_VUNG_TAU),
    ("huyện Tân Thành, BRVT", "Phú Mỹ", BA_RIA_VUNG_TAU),
    ("Vũng Tàu", "Vũng Tàu", BA_RIA_VUNG_TAU),
])
def test_former_districts_of_the_three_provinces(text, area, region):
    place = resolve(text)
    assert (place.area, place.region, place.outside_hcmc) == (area, region, False)
    assert place.notes and "(cũ) → khu vực" in place.notes[0]


def test_district_note_says_the_ward_is_unknown():
    assert resolve("Quận 7").notes == ("Quận 7 (cũ) → khu vực Quận 7; phường mới chưa xác định",)


@pytest.mark.parametrize(("text", "park"), [
    ("KCX Linh Trung I", "KCX Linh Trung I"),
    ("kcx linh trung 1", "KCX Linh Trung I"),
    ("KCX LINH TRUNG II", "KCX Linh Trung II"),
    ("Linh Trung 2 EPZ", "KCX Linh Trung II"),
    ("VSIP 1", "KCN VSIP I"),
    ("Vietnam Singapore Industrial Park", "KCN VSIP I"),
    ("vsip iia", "KCN VSIP II-A"),
    ("VSIP 2A", "KCN VSIP II-A"),
    ("Song Than II", "KCN Sóng Thần 2"),
    ("Tan Thuan EPZ", "KCX Tân Thuận"),
    ("Kcn Tân Tạo", "KCN Tân Tạo"),
    ("KCN Phu My 3", "KCN Phú Mỹ III"),
    ("kcn my xuan a2", "KCN Mỹ Xuân A2"),
])
def test_park_spellings_and_numerals(text, park):
    assert resolve(text).park == park


def test_park_name_shared_by_two_former_provinces_follows_the_context():
    assert resolve("KCN Tân Bình").park == "KCN Tân Bình"
    assert resolve("KCN Tân Bình, Bình Dương").park == "KCN Tân Bình (Bình Dương)"


def test_a_park_group_without_its_number():
    place = resolve("VSIP")
    assert place.park is None and place.region == BINH_DUONG
    assert set(place.parks) == {"KCN VSIP I", "KCN VSIP II", "KCN VSIP II-A", "KCN VSIP III"}


def test_unaccented_text_does_not_pick_a_park_named_like_a_province():
    assert resolve("KCN Binh Duong").park is None  # Bình Dương, not KCN Bình Đường
    assert resolve("KCN Bình Đường").park == "KCN Bình Đường"


@pytest.mark.parametrize("text", ["KCN Amata, Biên Hòa, Đồng Nai", "Long An", "Hà Nội"])
def test_other_provinces_are_outside(text):
    place = resolve(text)
    assert place.outside_hcmc and place.park is None and place.region is None


@pytest.mark.parametrize("text", [
    "Kinh Dương Vương", "bình chứa khí", "xuất khẩu sang Mỹ", "Đại lộ Bình Dương",
    "gia công đường ống", "", "   ", "!!!", "12345", "😀 ✓", "x" * 5000, "nhà xưởng 5² 300 m²",
])
def test_no_place_and_no_exception(text):
    assert resolve(text) == Place()


def test_a_street_named_after_a_province_is_not_the_province():
    place = resolve("đường Bình Dương, Thuận An")
    assert place.area == "Thuận An"
    place = resolve("P. Tam Bình, Thủ Đức")  # Tam Bình is a ward, not Bình Dương
    assert (place.ward, place.region) == ("Phường Tam Bình", HCMC)


def test_decomposed_text_and_new_style_tone_marks():
    assert resolve(unicodedata.normalize("NFD", "Quận Bình Tân")).area == "Bình Tân"
    assert resolve("phường Bình Hưng Hoà").ward == resolve("phường Bình Hưng Hòa").ward
    assert resolve("phường Bình Hưng Hòa").ward is not None


def test_type_error_for_non_text():
    with pytest.raises(TypeError):
        resolve(None)  # type: ignore[arg-type]


def test_no_network_at_run_time(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    for cache in (places._admin, places._index, places._new_ward_index, places._resolve):
        cache.cache_clear()
    assert resolve("P. Tân Thuận Đông, Q.7").ward == "Phường Tân Thuận"
    assert find_in_query("ép nhựa gần VSIP")[0].near


# --- find_in_query --------------------------------------------------------------------------


def _one(query: str):
    found = find_in_query(query)
    assert len(found) == 1, found
    mention = found[0]
    assert query[mention.start:mention.end] == mention.text
    return mention


def test_query_province_at_the_end():
    m = _one("ép nhựa ISO 9001 Bình Dương")
    assert (m.text, m.place.region, m.near) == ("Bình Dương", BINH_DUONG, False)


def test_query_near_a_park_group():
    m = _one("gia công CNC gần VSIP")
    assert m.text == "gần VSIP" and m.near
    assert {"KCN VSIP I", "KCN VSIP III"} <= set(parks_in(m.place, near=True))


@pytest.mark.parametrize(("query", "text", "near"), [
    ("nhà cung cấp ở Bình Dương", "ở Bình Dương", False),
    ("in Binh Duong", "in Binh Duong", False),
    ("supplier near Tan Thuan EPZ", "near Tan Thuan EPZ", True),
    ("may mặc xung quanh Thủ Đức", "xung quanh Thủ Đức", True),
    ("Thu Duc", "Thu Duc", False),
])
def test_query_spans_and_near(query, text, near):
    m = _one(query)
    assert (m.text, m.near) == (text, near)


def test_query_park_group_by_place_name():
    m = _one("KCN Phú Mỹ")
    assert m.place.region == BA_RIA_VUNG_TAU and "KCN Phú Mỹ I" in m.place.parks


def test_query_address_is_one_mention_but_two_districts_are_two():
    m = _one("khuôn ép nhựa ở KCN Sóng Thần 2, Dĩ An, Bình Dương")
    assert m.place.park == "KCN Sóng Thần 2"
    assert [f.place.area for f in find_in_query("bao bì Thuận An, Dĩ An")] == ["Thuận An", "Dĩ An"]


@pytest.mark.parametrize("query", [
    "bình chứa khí nén", "xuất khẩu sang Mỹ", "thị trường Mỹ và EU", "đường ống inox",
    "tân trang máy cũ", "an toàn lao động", "phú", "sản phẩm phong phú",
    "xuất khẩu Đông Nam Á", "ép nhựa ISO 9001", "hàng Bắc Mỹ",
])
def test_capability_words_are_not_places(query):
    assert find_in_query(query) == []


def test_bare_ward_needs_a_preposition_in_a_query():
    assert find_in_query("gia công Tân Thuận")[0].place.park == "KCX Tân Thuận"
    assert _one("gia công tại Tân Thuận").place.ward == "Phường Tân Thuận"


# --- parks_in and matches -------------------------------------------------------------------


def test_parks_in_a_district_a_ward_a_province_and_nowhere():
    di_an = set(parks_in(resolve("Dĩ An")))
    assert {"KCN Sóng Thần 1", "KCN Sóng Thần 2", "KCN Tân Đông Hiệp B"} <= di_an
    assert "KCN VSIP I" not in di_an
    assert len(parks_in(resolve("phường Bình Dương"))) == 7
    assert len(parks_in(resolve("Bình Dương"))) == sum(p.former_province == BINH_DUONG
                                                       for p in PARKS)
    assert parks_in(resolve("Hà Nội")) == () == parks_in(Place()) == parks_in(resolve("TP.HCM"))


def test_parks_in_near_a_park_widens_to_its_district_or_province():
    tan_thuan = resolve("KCX Tân Thuận")
    assert parks_in(tan_thuan) == ("KCX Tân Thuận",)
    around = parks_in(tan_thuan, near=True)
    assert around[0] == "KCX Tân Thuận" and "KCN Hiệp Phước" in around  # alone in Quận 7
    around = parks_in(resolve("KCN Sóng Thần 2"), near=True)
    assert around[0] == "KCN Sóng Thần 2" and "KCN Sóng Thần 1" in around
    assert "KCN Phú Mỹ I" not in around


def test_matches_at_the_level_the_place_was_stated():
    binh_tan = resolve("Bình Tân")
    assert matches(binh_tan, "KCN Tân Tạo", "phường Tân Tạo", None, None)
    assert matches(binh_tan, "KCN Tân Bình", None, None, None)  # straddles Tân Phú/Bình Tân
    assert not matches(binh_tan, "KCX Tân Thuận", "phường Tân Thuận", None, None)
    binh_duong = resolve("Bình Dương")
    assert matches(binh_duong, "VSIP 1", None, None, None)
    assert matches(binh_duong, None, "Phường Dĩ An", None, None)
    assert not matches(binh_duong, "KCN Tân Tạo", None, None, None)
    song_than = resolve("KCN Sóng Thần 2")
    assert matches(song_than, "KCN Sóng Thần II", None, None, None)
    assert not matches(song_than, "KCN Sóng Thần 1", None, "Dĩ An", None)
    assert matches(resolve("Phường Tân Thuận"), None, "P. Tân Thuận Đông, Q.7", None, None)
    assert matches(resolve("Quận 7"), None, None, "Q.7", None)
    assert matches(Place(), "KCN Tân Tạo", None, None, None)
    assert not matches(resolve("Đồng Nai"), "KCN Tân Tạo", None, None, None)


def test_con_dao_and_historical_district_names():
    place = resolve("Côn Đảo")
    assert (place.area, place.region) == ("Côn Đảo", BA_RIA_VUNG_TAU)
    assert places._ward_areas(places._new_ward("Đặc khu Côn Đảo").key) == (
        (BA_RIA_VUNG_TAU, "Côn Đảo"),)
    note = resolve("Quận 2").notes[0]
    assert note.startswith("Quận 2 (cũ) → khu vực Thủ Đức") and "Thành phố Thủ Đức" in note


@pytest.mark.parametrize(("query", "region"), [
    ("ép nhựa BD", BINH_DUONG), ("gia công ở BD", BINH_DUONG), ("dịch vụ BD máy nén khí", None),
])
def test_bd_means_binh_duong_only_where_a_place_would_be(query, region):
    found = find_in_query(query)
    assert [m.place.region for m in found] == ([region] if region else [])


@pytest.mark.parametrize("query", ["giao hàng Q1/2026", "linh kiện P3"])
def test_codes_that_are_not_places(query):
    assert find_in_query(query) == []

"""The resource taxonomy and the law on hazardous waste."""

from __future__ import annotations

import pytest

from recommender.exchange.streams import (
    HAZARDOUS,
    ORDINARY,
    classify,
    co2e_factor,
    composed,
    facts_of,
    licensed_handler,
    load_streams,
    restricted,
)
from recommender.text import fold_phrase


def test_the_resource_tree_is_sound_and_names_are_not_shared() -> None:
    streams = load_streams()
    assert len(streams.nodes) >= 90
    owners: dict[str, set[str]] = {}
    for node in streams.nodes.values():
        for term in (node.vi, node.en, *node.vi_terms, *node.en_terms):
            owners.setdefault(fold_phrase(term), set()).add(node.key)
    assert not {t: k for t, k in owners.items() if len(k) > 1}
    assert streams.nodes["fluorescent_tubes"].attr("hazard") == HAZARDOUS


@pytest.mark.parametrize(("what", "details", "key"), [
    ("thu mua nhớt thải", "", "used_engine_oil"),
    ("nhua PP vun tu ep phun, da nghien, sach", "", "pp_regrind"),
    ("Hơi nước dư 2 tấn/giờ từ lò hơi", "", "steam"),
])
def test_what_firms_write_names_a_node(what: str, details: str, key: str) -> None:
    assert key in classify(what, details)


def test_hazard_from_the_node_or_from_what_the_firm_says() -> None:
    assert restricted(facts_of("nhớt thải từ bảo dưỡng xe nâng"))
    assert restricted(facts_of("Li-ion cells rejected from assembly", ""))
    assert restricted(facts_of("cặn sơn", "bên thu gom phải có giấy phép xử lý"))
    clean = facts_of("nhua PP vun tu ep phun, da nghien, sach")
    assert not restricted(clean) and clean.hazard is None
    analysed = facts_of("bùn thải hệ thống xử lý nước thải thực phẩm",
                        "có phiếu phân tích, không phải CTNH")
    assert analysed.hazard in (ORDINARY, None)
    assert facts_of("Hơi nước dư 2 tấn/giờ").local


@pytest.mark.parametrize(("licence", "licensed"), [
    ("Giấy phép xử lý CTNH mã số QLCTNH 1-2-3-4-5-6.112.VX do Bộ TN&MT cấp", True),
    ("GPMT số 89/GPMT-BNNMT ngày 18/8/2025 (thu gom, vận chuyển, xử lý CTNH)", True),
    ("GPMT so 215/GPMT-BTNMT ngay 12/9/2023, co hang muc tai che dung moi thai", True),
    ("GPMT số 152/GPMT-UBND do UBND huyện Hóc Môn cấp (tái chế nhựa thông thường)", False),
    ("", False),
])
def test_a_licence_that_lets_a_firm_receive_hazardous_waste(licence: str, licensed: bool) -> None:
    assert licensed_handler(licence) is licensed


def test_co2e_factor_only_where_one_is_cited() -> None:
    assert co2e_factor("aluminium_scrap") and co2e_factor("aluminium_scrap") > 1000
    assert co2e_factor("steam") is None


@pytest.mark.parametrize(("text", "key"), [
    ("Aluminium 7075 and 6061 chips from CNC milling, dry", "aluminium_scrap"),
    ("Stainless 316L sheet scrap and pipe ends from laser cutting", "stainless_scrap"),
    ("Phoi đồng đỏ C1100 từ tiện CNC", "copper_scrap"),
    ("Phoi nhom 6061, 7075 tu phay CNC, kho", "aluminium_scrap"),
    ("EVA and phylon foam off-cuts from sole cutting", "eva_scrap"),
    ("Dư 6 máy ép phun 180–350 tấn ở ca 2 và ca 3", "spare_moulding"),
    ("Con trong may tien CNC va may phay dung", "spare_machining"),
    ("We have free capacity on our lathes", "spare_machining"),
    ("Thue kho lanh 200 m2", "cold_store"),
])
def test_a_material_near_a_form_names_its_node(text: str, key: str) -> None:
    assert key in composed(text) and key in classify(text)


@pytest.mark.parametrize(("text", "key"), [
    ("Tôn vụn và xương dập, đã đóng kiện", "copper_scrap"),  # "đóng" is not "đồng"
    ("dau thai trong may CNC", "spare_machining"),  # "trong" (in) is not "trống" (idle)
    ("Cần thuê gia công tiện CNC chi tiết trục, bạc đồng", "copper_scrap"),  # a part
    ("Cần hơi nước cấp cho máy in", "spare_printing"),
])
def test_words_that_only_look_alike_name_nothing(text: str, key: str) -> None:
    assert key not in composed(text)


def test_what_a_listing_excludes_is_not_what_it_names() -> None:
    keys = classify("Cần mua phế liệu nhôm sạch", "Không nhận inox, không lẫn nhựa.")
    assert keys == ("aluminium_scrap",)
    assert "stainless_scrap" not in classify("Want steel scrap", "no stainless please")
    # a word after the name does not take it back
    assert classify("Old lamps", "Fluorescent tubes not broken") == ("fluorescent_tubes",)


@pytest.mark.parametrize(("text", "key"), [
    ("Spent non-halogenated solvents taken for distillation", "spent_solvents"),
    ("Nhot den thay ra tu xe nang, may nen khi", "used_engine_oil"),
    ("Oily wipes, gloves and absorbent pads", "oily_rags"),
    ("NG PCBAs and rejected boards from SMT/THT", "pcb_scrap"),
    ("Spent hydraulic & gearbox oil from press line", "used_hydraulic_oil"),
])
def test_a_substance_near_a_waste_word_names_its_waste_stream(text: str, key: str) -> None:
    assert key in classify(text)
    assert restricted(facts_of(text))


def test_what_is_not_a_waste_word_names_no_waste() -> None:
    assert "paint_waste" not in classify("nước thải xưởng sơn")  # a paint shop's effluent
    # "dau rot" is đậu rót (a casting's riser), not dầu (oil)
    assert classify("Can mua nhom phe lieu sach (phoi nhom ep banh, dau rot ADC12)") == (
        "aluminium_scrap",)
    # details say how a thing is packed: not what is offered
    assert classify("Phoi đồng đỏ C1100 từ tiện", "đóng bao jumbo, để trong kho") == (
        "copper_scrap",)


def test_a_hazard_named_in_the_details_still_counts() -> None:
    facts = facts_of("Thùng phuy sắt 200 lít", "còn dính nhớt thải, chưa súc rửa")
    assert facts.keys == ("drums_clean",) and restricted(facts)


@pytest.mark.parametrize(("text", "key"), [
    ("Pa-let thong da qua su dung, con chac", "used_pallets"),
    ("Empty 200 L steel barrels ex-palm olein, open-top", "drums_clean"),
    ("Pallet hư, gãy nan, không sửa được", "broken_pallets"),
    ("Thùng carton 5 lớp đã qua sử dụng (đựng linh kiện nhập)", "reusable_cartons"),
    ("Đầu mẩu thanh định hình 6063 sau cắt cửa", "aluminium_scrap"),
])
def test_packaging_for_reuse_and_far_apart_words(text: str, key: str) -> None:
    assert key in classify(text)


def test_a_form_belongs_to_the_nearer_material_and_negation_needs_its_word() -> None:
    # "vụn" is the film's, not the pallet's: stretch film is no broken pallet
    assert "broken_pallets" not in classify("Thu mua màng PE vụn, màng quấn pallet")
    # "chứa" (holds) is not "chưa" (not yet): the drum holds used oil
    assert restricted(facts_of("Thùng phuy chứa dầu thải"))
    assert "spent_solvents" in classify("Spent non-halogenated solvents")


def test_packaging_that_held_chemicals_is_hazardous_until_washed() -> None:
    assert restricted(facts_of("Empty IBC (resin, solvent) not washed",
                               "Residue of acrylic resin and xylene inside."))
    assert restricted(facts_of("Phuy sắt 200L, can nhựa đựng hóa chất nhuộm (chưa súc rửa)"))
    assert not restricted(facts_of("Reconditioned IBC totes 1000 L, ex-chemical, washed"))
    assert not restricted(facts_of("HDPE drums 220 L, triple rinsed"))


def test_an_analysis_below_the_thresholds_makes_a_sludge_ordinary() -> None:
    facts = facts_of("Bùn thải sinh học từ HTXLNT nhà máy sữa",
                     "Có kết quả phân tích không vượt ngưỡng CTNH. Chất thải rắn thông thường.")
    assert facts.hazard == ORDINARY and not restricted(facts)
    assert restricted(facts_of("Bùn thải từ HTXLNT xi mạ"))


def test_a_generic_word_between_does_not_take_the_form() -> None:
    assert "cotton_offcuts" in classify("100% cotton knit fabric ends (roll ends)")
    assert "wwtp_service" in classify("WWTP spare capacity ~50 m3/day (biological)")
    assert "copper_scrap" in classify("Ống đồng điều hòa thừa, đầu ống đồng")


@pytest.mark.parametrize(("text", "key"), [
    ("Kính tấm vỡ, kính cắt thừa (trắng 5-10 mm)", "glass_cullet"),
    ("Thùng thép 200 lít đựng siro, nắp mở", "drums_clean"),
    ("Nhận cắt plasma CNC thép tấm dày tới 25 mm", "spare_machining"),
    ("Xe 15 tấn chiều về trống: Bàu Bàng → Cát Lái", "spare_trucks"),
    ("Magnet (winding) wire pulled from burnt motors", "copper_scrap"),
])
def test_the_trade_words_of_the_development_sets(text: str, key: str) -> None:
    assert key in classify(text)
    assert "glass_cullet" not in classify("Aramid and glass fibre fabric cut-offs")

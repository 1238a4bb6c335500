"""The capability taxonomy: a sound tree, names that do not collide, lookups people need."""

from __future__ import annotations

from collections import Counter

import pytest

from recommender.taxonomy import CAPABILITY_KINDS, load_taxonomy, read_taxonomy
from recommender.text import fold_phrase

LEGACY = ("cnc_machining mold_making plastic_injection die_casting sheet_metal_stamping forging "
          "heat_treatment electroplating powder_coating welding pcb_assembly_smt wire_harness "
          "rubber_molding silicone_molding carton_packaging offset_printing label_printing dyeing "
          "technical_textiles sole_molding garment_sewing plastic_bag_film spring_making "
          "fasteners").split()


def test_the_tree_is_sound_and_large_enough() -> None:
    taxonomy = load_taxonomy()
    capabilities = [n for n in taxonomy.nodes.values() if n.kind in ("group", "process",
                                                                       "product")]
    assert len(capabilities) >= 150
    assert set(LEGACY) <= set(taxonomy.nodes)
    for node in capabilities:
        assert taxonomy.sector_of(node.key), node.key  # every capability sits under a sector
        assert node.vi and node.en
    assert all(n.parent is None for n in taxonomy.sectors)


def test_no_name_belongs_to_two_nodes() -> None:
    taxonomy = load_taxonomy()
    owners: dict[str, set[str]] = {}
    for node in taxonomy.nodes.values():
        for term in (*node.vi_terms, *node.en_terms, *node.cell_terms, node.vi, node.en):
            owners.setdefault(fold_phrase(term), set()).add(node.key)
    shared = {t: keys for t, keys in owners.items() if len(keys) > 1}
    assert not shared, shared


@pytest.mark.parametrize(("written", "key"), [
    ("cnc_milling", "cnc_milling"), ("swiss_turning", "swiss_turning"), ("edm", "edm"),
    ("laser_cutting", "laser_cutting"), ("coil_winding", "coil_winding"),
    ("conformal_coating", "conformal_coating"), ("cable_assembly", "cable_assembly"),
    ("ron", "rubber_seals"), ("gioăng", "rubber_seals"), ("bó dây", "wire_harness"),
    ("wire harness", "wire_harness"), ("dập tấm kim loại", "sheet_metal_stamping"),
    ("dập", "sheet_metal_stamping"), ("Dap", "sheet_metal_stamping"), ("phay", "cnc_milling"),
    ("mài", "grinding"), ("mạ quay", "electroplating"),
])
def test_what_firms_write_maps_to_a_node(written: str, key: str) -> None:
    assert key in load_taxonomy().map_phrase(written).keys


@pytest.mark.parametrize(("written", "sector"), [
    ("bao_bi", "packaging_printing"), ("nhua_cao_su", "rubber_plastics"), ("co khi", "mechanical"),
    ("Plastic & Rubber", "rubber_plastics"), ("2592", "mechanical"), ("Ô tô - xe máy",
                                                                      "automotive_parts"),
    ("Thực phẩm", "food_processing"), ("Dệt may", "textile_garment"),
])
def test_sectors_as_staff_write_them(written: str, sector: str) -> None:
    assert load_taxonomy().sector(written) == sector


def test_a_parent_includes_its_children_and_labels_are_in_both_languages() -> None:
    taxonomy = load_taxonomy()
    assert {"cnc_turning", "swiss_turning"} <= taxonomy.descendants("cnc_machining")
    assert taxonomy.path("swiss_turning").startswith("cơ khí › ")
    assert taxonomy.label("wire_harness", "en").lower().startswith("wire harness")
    assert [n.key for n in taxonomy.suggest("ron", "vi", 3)][:1] == ["rubber_seals"]


def test_a_broken_file_is_refused(tmp_path) -> None:
    bad = tmp_path / "t.tsv"
    bad.write_text("key\tparent\tkind\tvi\ten\na\tmissing\tprocess\tx\ty\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown parent"):
        read_taxonomy(bad)
    bad.write_text("key\tparent\tkind\tvi\ten\na\t\tnonsense\tx\ty\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind"):
        read_taxonomy(bad)
    assert Counter(n.kind for n in load_taxonomy().nodes.values()).keys() <= set(
        (*CAPABILITY_KINDS, "material", "industry", "ignore"))


def test_a_bare_word_names_a_node_only_as_a_whole_phrase() -> None:
    """"dập" listed alone is stamping; in running text "dap" is also "đáp" (đáp ứng)."""
    taxonomy = load_taxonomy()
    assert taxonomy.map_phrase("dập").keys == ("sheet_metal_stamping",)
    assert taxonomy.find("đáp ứng tiêu chuẩn, giao ngày mai, điều khoản thanh toán") == []
    assert "sheet_metal_stamping" not in taxonomy.find("nhận dập theo bản vẽ")

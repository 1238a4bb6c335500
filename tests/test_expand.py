from __future__ import annotations

from pathlib import Path

import pytest

from recommender.expand import Glossary
from recommender.taxonomy import load_glossary


def test_bundled_glossary_links_both_languages() -> None:
    g = load_glossary()
    for query in ("bó dây điện cho ô tô", "bo day dien cho o to", "automotive wire harness"):
        assert "wire_harness" in g.expand(query).concepts
    assert "plastic_injection" in g.expand("injection molding of housings").concepts


def test_expansion_adds_the_other_language_and_skips_present_terms() -> None:
    e = load_glossary().expand("gia công CNC nhôm")
    assert "machining" in e.terms and "aluminium" in e.terms
    assert "gia công cnc" not in [t.lower() for t in e.terms]


def test_longest_term_wins() -> None:
    g = load_glossary()
    found = [c.key for c, _ in g.find("khuôn ép nhựa")]
    assert found[0] == "mold_making"


@pytest.mark.parametrize(("text", "keys"), [
    ("can xuong in 3D kim loai SLM", ["additive_manufacturing"]),  # not a print shop
    ("xưởng in offset", ["offset_printing"]),
    ("tim nha may san xuat tam pin mat troi", ["solar_panels"]),  # not washers and pins
    ("xuong lam nem mut cao su non", ["foam_products"]),  # foam, not rubber
    ("vỏ tủ điện sơn tĩnh điện", ["enclosures", "powder_coating"]),
])
def test_a_term_gives_way_to_a_longer_one_starting_inside_it(text, keys) -> None:
    assert [c.key for c, _ in load_glossary().find(text)] == keys


def test_no_concept_no_expansion() -> None:
    e = load_glossary().expand("điều kiện nghỉ phép năm")
    assert e.concepts == () and e.text == ""


def test_malformed_glossary_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "g.tsv"
    bad.write_text("key\tvi\n")
    with pytest.raises(ValueError, match="columns"):
        Glossary.load(bad)
    bad.write_text("concept\tvi\ten\nx\t\t\n")
    with pytest.raises(ValueError, match=":2"):
        Glossary.load(bad)


def test_a_concept_tsv_still_works_and_ignore_phrases_consume_their_words(
        tmp_path: Path) -> None:
    plain = tmp_path / "g.tsv"
    plain.write_text("concept\tvi\ten\nwelding\thàn\twelding\n", encoding="utf-8")
    g = load_glossary(str(plain))
    assert [c.key for c, _ in g.find("hàn robot")] == ["welding"]
    bundled = load_glossary()
    # "Hàn Quốc" is Korea, not welding ("hàn")
    assert "welding" not in bundled.expand("khách hàng Hàn Quốc").concepts
    assert "welding" in bundled.expand("hàn MIG khung thép").concepts


def test_a_term_written_so_wins_where_stems_make_two_concepts_one() -> None:
    from recommender.taxonomy import load_glossary

    glossary = load_glossary()
    # "blow molding" (the process) and "blow mold" (the tool) share their stems
    assert [c.key for c, _ in glossary.find("blow molding HDPE bottle")] == ["blow_moulding"]
    assert [c.key for c, _ in glossary.find("blow mould for PET bottles")][0] == "blow_mould"
    assert "mold_making" not in [c.key for c, _ in glossary.find("injection moulding")]

"""Vietnamese syllable shape and English stems."""

from __future__ import annotations

import pytest

from recommender.text.words import english_stem, vietnamese_syllable


def test_vietnamese_syllables() -> None:
    assert all(vietnamese_syllable(w) for w in
               "nghiêng khuỷu nhựa gia công quạt tuyển trường ngoài khuyên tiet nhua".split())
    assert not any(vietnamese_syllable(w) for w in
                   "assembly parts stamping supplier fabric zebra inox".split())


@pytest.mark.parametrize("words, stem", [
    ("forged forging forgings forge", "forg"),
    ("stamping stamped stamps stamp", "stamp"),
    ("machined machining machine machines", "machin"),
    ("moulded moulding mould molds molded", "mold"),
    ("cutting cuts cut", "cut"),
    ("drilling drilled drill", "drill"),
    ("boxes box", "box"),
    ("galvanised galvanized galvanizing", "galvaniz"),
    ("assemblies assembly", "assembly"),
])
def test_inflections_share_a_stem(words, stem) -> None:
    assert {english_stem(w) for w in words.split()} == {stem}


def test_vietnamese_and_short_words_are_left_alone() -> None:
    assert [english_stem(w) for w in ["nhung", "tiet", "inox", "pcb", "die", "iso9001"]] == [
        "nhung", "tiet", "inox", "pcb", "die", "iso9001"]

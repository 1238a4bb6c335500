"""Telling a query's language: Vietnamese, Vietnamese without marks, English."""

from __future__ import annotations

import json

import pytest

from recommender.language import query_language
from recommender.resources import corpus_file


@pytest.mark.parametrize("name", ["buyer_queries.jsonl", "handwritten/queries.jsonl",
                                  "handwritten2/queries.jsonl"])
def test_every_labelled_query_gets_its_language(name) -> None:
    rows = [json.loads(line) for line in
            corpus_file(name).read_text(encoding="utf-8").splitlines() if line.strip()]
    wrong = [(r["lang"], query_language(r["text"]), r["text"]) for r in rows
             if query_language(r["text"]) != r["lang"]]
    assert not wrong and len(rows) > 60


@pytest.mark.parametrize("text, lang", [
    ("ép nhựa ISO 9001 Bình Dương", "vi"),
    ("ep nhua ISO 9001 Binh Duong", "vi_nodiac"),
    ("PCB assembly SMT RoHS", "en"),
    ("stamped steel brackets, preferably located in KCX Tân Thuận", "en"),
    ("conformal coating service near Linh Trung EPZ, Thu Duc", "en"),
    ("cắt laser fiber inox tấm dày 20mm", "vi"),
    ("ISO 9001", "vi_nodiac"),  # nothing to tell by: not English
])
def test_language_of_queries(text, lang) -> None:
    assert query_language(text) == lang


@pytest.mark.parametrize("text, lang", [
    ("ep nhua insert molding / overmolding", "vi_nodiac"),
    ("gia cong CNC 5-axis machining titanium parts", "vi_nodiac"),
    ("stainless steel sheet metal enclosure, inox 304 preferred, nhua ok", "en"),
    ("Please introduce supplier can do blow molding HDPE bottle", "en"),
])
def test_vietnamese_naming_its_trade_in_english(text, lang) -> None:
    assert query_language(text) == lang

"""Queries that look a company up by its name."""

from __future__ import annotations

import csv
import json

import pytest

from recommender.names import NameIndex
from recommender.resources import corpus_file


def _labelled_queries() -> list[str]:
    return [json.loads(line)["text"] for name in ("buyer_queries.jsonl",
                                                  "handwritten/queries.jsonl",
                                                  "handwritten2/queries.jsonl")
            for line in corpus_file(name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_every_sample_name_is_found_and_no_labelled_query_is_a_lookup() -> None:
    rows = [json.loads(line) for line in corpus_file("sample_suppliers.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    index = NameIndex({i: r["name"] for i, r in enumerate(rows)})
    assert all(i in index.lookup(r["name"]) for i, r in enumerate(rows))
    assert [q for q in _labelled_queries() if index.lookup(q)] == []


@pytest.mark.parametrize("name", ["handwritten", "handwritten2"])
def test_hand_written_names_are_found_written_any_way(name) -> None:
    with open(corpus_file(f"{name}/suppliers.csv"), encoding="utf-8") as fh:
        names = {i: r["Tên doanh nghiệp"] for i, r in enumerate(csv.DictReader(fh))}
    index = NameIndex(names)
    assert all(i in index.lookup(n) for i, n in names.items())
    lookups = [q for q in _labelled_queries() if index.lookup(q)]
    assert len(lookups) <= 1  # of 402 capability queries


def test_lookups_and_not_lookups() -> None:
    index = NameIndex({1: "Công ty TNHH Cơ khí Sao Mai", 2: "Kryotek Vietnam Co., Ltd.",
                       3: "Công ty TNHH Nhựa Tân Tạo", 4: "Công ty CP Cơ khí Chính xác Việt",
                       5: "Công ty TNHH Cơ khí Hòa Bình", 6: "Cty Mạ Kẽm Phú Mỹ"})
    assert index.lookup("cong ty sao mai") == {1}
    assert index.lookup("KRYOTEK") == {2}
    assert index.lookup("Mạ kẽm Phú Mỹ") == {6}  # written out whole, place and all
    assert index.lookup("ép nhựa trong KCN Tân Tạo") == set()  # a place, not a name
    assert index.lookup("gia công cơ khí chính xác") == set()  # words of the trade
    assert index.lookup("zebraquartz") == set()


def test_an_index_kept_current_by_sync_equals_one_built_afresh() -> None:
    index = NameIndex({1: "Công ty TNHH Kryotek", 2: "Cty Mạ Kẽm Phú Mỹ"})
    assert index.lookup("kryotek") == {1}
    assert index.sync({1: "Công ty TNHH Kryotek", 2: "Cty Mạ Kẽm Phú Mỹ"}) == 0
    assert index.sync({1: "Công ty TNHH Zelvorix", 3: "Kryotek Vina"}) == 3
    assert index.lookup("kryotek") == {3} and index.lookup("Zelvorix") == {1}
    assert index.lookup("Mạ kẽm Phú Mỹ") == set()
    # a part held by more than MAX_NAMES names stops counting, and counts again when fewer
    names = {i: f"Công ty Bexorat {i}" for i in range(1, 6)}
    index.sync(names)
    assert index.lookup("bexorat") == set()
    index.sync({1: "Công ty Bexorat 1"})
    assert index.lookup("bexorat") == {1}

"""Grouping the search log's queries for the staff analytics (no database needed)."""

from __future__ import annotations

from datetime import datetime

import pytest

from recommender.analytics import group_queries, query_key, search_analytics


def test_queries_differing_in_case_spacing_or_diacritics_are_one() -> None:
    assert query_key("  Gia công   CNC ") == query_key("gia cong cnc") == "gia cong cnc"
    assert query_key("   ") == ""


def test_grouped_queries_sum_searches_and_keep_the_most_searched_spelling() -> None:
    early, late = datetime(2025, 3, 1, 8, 0), datetime(2025, 3, 2, 9, 30)
    grouped = group_queries([
        ("gia cong CNC", 1, 4.0, late),
        ("Gia công CNC", 3, 8.0, early),
        ("ép nhựa", 2, None, early),
        ("  ", 5, 1.0, late),
    ])
    assert [g["query"] for g in grouped] == ["Gia công CNC", "ép nhựa"]
    cnc = grouped[0]
    assert cnc["searches"] == 4 and cnc["mean_results"] == 7.0
    assert cnc["last"] == "2025-03-02T09:30"
    assert grouped[1]["mean_results"] == 0.0


def test_a_period_must_be_at_least_a_day() -> None:
    with pytest.raises(ValueError, match="days"):
        search_analytics(None, 0)  # type: ignore[arg-type]


def test_supply_gaps_are_counted_by_capability() -> None:
    from recommender.analytics import gap_capabilities

    found = gap_capabilities([
        {"query": "anod nhôm màu đen", "searches": 7},
        {"query": "anodizing aluminium housings", "searches": 5},
        {"query": "xi mạ kẽm và anod nhôm", "searches": 2},
        {"query": "Fenelanix", "searches": 40},  # names no capability: not listed
    ])
    assert found[0]["key"] == "anodizing" and (found[0]["searches"], found[0]["queries"]) == (
        14, 3)
    assert found[0]["label_vi"] and found[0]["label_en"]
    assert {f["key"] for f in found} >= {"anodizing"} and all(f["searches"] < 40 for f in found)

"""Premises for SMEs: every stated condition checked, explained, and unmet demand named."""

from __future__ import annotations

from datetime import date

import pytest

from recommender.premises import (
    MISSING,
    UNKNOWN,
    PremisesNeed,
    PremisesOffer,
    match_premises,
    unmet,
)
from recommender.store.listings import ListingErrors
from recommender.store.premises import read_need, read_premises

OFFERS = [
    PremisesOffer(1, "ready_built_factory", "KCN Tân Tạo", 600, 3.0, 250, 3.8, 4.2,
                  available_from=date(2027, 1, 1)),
    PremisesOffer(2, "high_rise_floor", "KCN Tân Tạo", 700, 1.0, None, 3.0, 3.5),
    PremisesOffer(3, "ready_built_factory", "KCN Hiệp Phước", 650, 3.0, 400, 3.2, 3.6),
    PremisesOffer(4, "ready_built_factory", "KCN Tân Tạo", 5000, 5.0, 1000, 3.5, 4.0),
    PremisesOffer(5, "land_plot", "KCN Vĩnh Lộc", 8000, None, None, 120, 135, "usd_m2_term"),
]


def test_a_need_is_checked_condition_by_condition() -> None:
    need = PremisesNeed(1, ("ready_built_factory", "high_rise_floor"), 500, 800,
                        "gần KCN Tân Tạo", 2.0, 200, 4.0, date(2027, 6, 30))
    fits, near = match_premises(need, OFFERS)
    assert [m.premises_id for m in fits] == [1]
    floor = next(m for m in near if m.premises_id == 2)
    assert {c.kind for c in floor.checks if c.status == MISSING} == {"floor_load"}
    assert next(c for c in floor.checks if c.kind == "power").status == UNKNOWN
    far = next(m for m in near if m.premises_id == 3)
    assert {c.kind for c in far.checks if c.status == MISSING} == {"place"}
    big = next(m for m in near if m.premises_id == 4)
    assert {c.kind for c in big.checks if c.status == MISSING} == {"area"}


def test_unmet_demand_names_what_stopped_it() -> None:
    heavy = PremisesNeed(2, ("high_rise_floor",), 600, 900, "Tân Tạo", floor_load_min=3.0)
    assert unmet(heavy, OFFERS)["floor_load"] >= 1
    assert not unmet(PremisesNeed(3, (), 500, 800, "Tân Tạo"), OFFERS)


def test_what_people_write_is_read_and_bad_input_named() -> None:
    values = read_premises({"park": "Tan Tao", "kind": "ready_built_factory",
                            "title": "Xưởng 600 m²", "area_m2": "1.200 m²",
                            "floor_load_t_m2": "3,5", "available_from": "01/03/2027"})
    assert values["park"] == "KCN Tân Tạo" and values["area_m2"] == 1200.0
    assert values["floor_load_t_m2"] == 3.5 and values["available_from"] == date(2027, 3, 1)
    with pytest.raises(ListingErrors) as exc:
        read_premises({"park": "Sao Hỏa", "kind": "castle", "area_m2": "nhiều"})
    assert {k: c for k, (c, _) in exc.value.problems.items()} == {
        "park": "unknown_park", "kind": "bad_premises_kind", "area_m2": "not_number",
        "title": "required"}
    free = read_premises({"park": "KCN Hiệp Phước", "kind": "warehouse", "title": "Kho",
                          "area_m2": "khoảng 1.500m2", "power_kva": "400 kVA",
                          "available_from": "từ tháng 3/2027"})
    assert free["area_m2"] == 1500.0 and free["power_kva"] == 400.0
    assert free["available_from"] == date(2027, 3, 31)
    need = read_need({"kinds": ["high_rise_floor"], "area_min": "400", "area_max": 800,
                      "places": "gần Tân Tạo", "needed_by": "2027-06-30"})
    assert need["area_min"] == 400 and need["needed_by"] == date(2027, 6, 30)
    with pytest.raises(ListingErrors) as exc:
        read_need({"area_min": 900, "area_max": 300, "kinds": ["palace"]})
    assert set(exc.value.problems) == {"area_max", "kinds"}
    with pytest.raises(ListingErrors):
        read_need({"places": "Tân Tạo"})

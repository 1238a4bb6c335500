"""Quantities and frequencies read from what firms write."""

from __future__ import annotations

import pytest

from recommender.exchange.quantities import (
    Quantity,
    parse_frequency,
    parse_quantity,
    quantity_fit,
)


@pytest.mark.parametrize(("quantity", "frequency", "expected"), [
    ("~5 tấn/tháng", "", Quantity(5.0, "t", "month")),
    ("200 kg/tuần", "", Quantity(0.2, "t", "week")),
    ("1,5 tấn", "mỗi tuần", Quantity(1.5, "t", "week")),
    ("2.000 tan/thang", "", Quantity(2000.0, "t", "month")),
    ("5–10 tấn/tháng", "hàng tháng", Quantity(7.5, "t", "month")),
    ("25-30 ton/month", "2 times per week", Quantity(27.5, "t", "month")),
    ("từ 200 lít trở lên", "hàng tháng", Quantity(0.2, "m3", "month")),
    ("1.5 t/h", "24h", Quantity(1.5, "t", "hour")),
    ("~300 kW", "liên tục", Quantity(300.0, "kW", None)),
    ("50 pallets", "", Quantity(50.0, "pallet", None)),
    ("300 h/month", "monthly", Quantity(300.0, "hour", "month")),
])
def test_amounts_as_written(quantity: str, frequency: str, expected: Quantity) -> None:
    assert parse_quantity(quantity, frequency) == expected


@pytest.mark.parametrize("written", ["", "n/a", "không giới hạn", "bao nhieu cung lay", "any"])
def test_what_gives_no_amount_is_not_an_error(written: str) -> None:
    assert parse_quantity(written) is None


def test_frequencies_and_fit() -> None:
    assert parse_frequency("hàng tháng") == parse_frequency("monthly") == "monthly"
    assert parse_frequency("lien tuc") == "continuous"
    assert parse_frequency("theo đợt") == "batches" and parse_frequency("") is None
    assert parse_frequency("2 tuan 1 lan") == "weekly" and parse_frequency("một lần") == "once"
    assert parse_quantity("3 m3/phút") == Quantity(3.0, "m3", "minute")
    weekly = Quantity(1.0, "t", "week")
    assert quantity_fit(weekly, Quantity(4.0, "t", "month")) == pytest.approx(52 / 48)
    assert quantity_fit(weekly, Quantity(4.0, "m3", "month")) is None
    assert quantity_fit(Quantity(3.0, "t"), Quantity(1.0, "t", "month")) is None
    assert str(weekly) == "1 t/week"

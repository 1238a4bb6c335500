"""Quantities and frequencies as firms write them: "~5 tấn/tháng", "200 kg/tuần",
"2 containers a month", "1,5 tấn mỗi tuần", "hàng tháng", "weekly", "liên tục".

A listing keeps what was written; :func:`parse_quantity` reads an amount, a unit and a
period from it where it can, so that an offer and a need can be compared (both as
tonnes a month, or in the same other unit). What cannot be read is not an error: the
listing stays as written and the comparison is simply not made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import fold

# unit words (folded) → (canonical unit, factor to it)
_UNITS: dict[str, tuple[str, float]] = {
    "tan": ("t", 1.0), "t": ("t", 1.0), "ton": ("t", 1.0), "tons": ("t", 1.0),
    "tonne": ("t", 1.0), "tonnes": ("t", 1.0), "mt": ("t", 1.0),
    "kg": ("t", 0.001), "kgs": ("t", 0.001), "ky": ("t", 0.001), "ki lo": ("t", 0.001),
    "ta": ("t", 0.1), "yen": ("t", 0.01),
    "m3": ("m3", 1.0), "khoi": ("m3", 1.0), "cbm": ("m3", 1.0),
    "lit": ("m3", 0.001), "l": ("m3", 0.001), "liters": ("m3", 0.001),
    "litres": ("m3", 0.001), "litre": ("m3", 0.001), "liter": ("m3", 0.001),
    "kwh": ("kWh", 1.0), "mwh": ("kWh", 1000.0), "kw": ("kW", 1.0), "kwp": ("kW", 1.0),
    "mw": ("kW", 1000.0), "mwp": ("kW", 1000.0),
    "pallet": ("pallet", 1.0), "pallets": ("pallet", 1.0),
    "container": ("container", 1.0), "containers": ("container", 1.0), "cont": ("container", 1.0),
    "phuy": ("drum", 1.0), "drum": ("drum", 1.0), "drums": ("drum", 1.0),
    "thung phuy": ("drum", 1.0),
    "cai": ("piece", 1.0), "chiec": ("piece", 1.0), "pcs": ("piece", 1.0),
    "pieces": ("piece", 1.0), "bo": ("piece", 1.0), "units": ("piece", 1.0),
    "gio may": ("machine hour", 1.0), "machine hours": ("machine hour", 1.0),
    "m2": ("m2", 1.0),
    "h": ("hour", 1.0), "gio": ("hour", 1.0), "hrs": ("hour", 1.0),
    "sp": ("piece", 1.0), "san pham": ("piece", 1.0), "hop": ("piece", 1.0),
    "mau": ("sample", 1.0), "samples": ("sample", 1.0), "suat": ("meal", 1.0),
    "meals": ("meal", 1.0), "chuyen": ("trip", 1.0), "trips": ("trip", 1.0),
    "bon": ("tank", 1.0), "tanks": ("tank", 1.0),
}
# period words (folded) → canonical period
_PERIODS: dict[str, str] = {
    "thang": "month", "month": "month", "months": "month", "monthly": "month",
    "tuan": "week", "week": "week", "weeks": "week", "weekly": "week",
    "ngay": "day", "day": "day", "days": "day", "daily": "day",
    "gio": "hour", "h": "hour", "hour": "hour", "hr": "hour", "hours": "hour",
    "nam": "year", "year": "year", "years": "year", "yearly": "year", "annually": "year",
    "quy": "quarter", "quarter": "quarter", "quarterly": "quarter",
    "ca": "shift", "shift": "shift", "phut": "minute", "min": "minute", "minute": "minute",
}
PER_MONTH = {"month": 1.0, "week": 52 / 12, "day": 30.0, "hour": 720.0, "year": 1 / 12,
             "quarter": 1 / 3, "shift": 26.0, "minute": 43_200.0}
"""How many of each period make a month (a day 30, an hour of a running plant 720)."""

FREQUENCIES = ("continuous", "daily", "weekly", "monthly", "batches", "once")
_FREQUENCY_WORDS: tuple[tuple[str, str], ...] = (
    ("lien tuc", "continuous"), ("continuous", "continuous"), ("24/7", "continuous"),
    ("thuong xuyen", "continuous"), ("hang ngay", "daily"), ("moi ngay", "daily"),
    ("daily", "daily"), ("every day", "daily"), ("hang tuan", "weekly"),
    ("moi tuan", "weekly"), ("weekly", "weekly"), ("per week", "weekly"),
    ("a week", "weekly"), ("lan/tuan", "weekly"), ("hang thang", "monthly"),
    ("moi thang", "monthly"), ("monthly", "monthly"), ("per month", "monthly"),
    ("a month", "monthly"), ("theo dot", "batches"), ("theo lo", "batches"),
    ("tung dot", "batches"), ("batch", "batches"), ("irregular", "batches"),
    ("theo hop dong", "batches"), ("mot lan", "once"), ("1 lan", "once"),
    ("one-off", "once"), ("one off", "once"), ("once", "once"),
)

_NUMBER = r"(\d+(?:[.,]\d+)*)"
_AMOUNT = re.compile(
    _NUMBER + r"(?:\s*(?:-|–|den|to)\s*" + _NUMBER + r")?\s*"
    r"(" + "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True)) + r")\b"
    r"(?:\s*(?:/|moi|per|a|an|each|mot)\s*(?:1\s*)?("
    + "|".join(sorted(_PERIODS, key=len, reverse=True)) + r")\b)?")


@dataclass(frozen=True)
class Quantity:
    """An amount read from a listing: ``amount`` of ``unit`` per ``period`` (None: a
    total, not a rate)."""

    amount: float
    unit: str
    period: str | None = None

    def per_month(self) -> float | None:
        """The amount a month, for a rate; None for a total."""
        return None if self.period is None else self.amount * PER_MONTH[self.period]

    def __str__(self) -> str:
        amount = f"{self.amount:g}"
        return f"{amount} {self.unit}/{self.period}" if self.period else f"{amount} {self.unit}"


def read_number(text: str) -> float | None:
    """"1,5" and "1.5" are 1.5; "2.000" and "2,000" are 2000 (a group of three digits)."""
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        return float(re.sub(r"[.,]", "", text))
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def parse_quantity(*texts: str | None) -> Quantity | None:
    """The first amount with a unit in ``texts`` (a quantity cell, then a frequency
    cell that may carry the period: "2 tấn" + "mỗi tuần"); a range gives its middle."""
    folded = [fold(t or "").lower() for t in texts]
    for i, text in enumerate(folded):
        m = _AMOUNT.search(text)
        if not m:
            continue
        low = read_number(m.group(1))
        high = read_number(m.group(2)) if m.group(2) else None
        if low is None:
            continue
        amount = (low + high) / 2 if high is not None else low
        unit, factor = _UNITS[m.group(3)]
        period = _PERIODS.get(m.group(4)) if m.group(4) else None
        if period is None:
            period = next((PERIOD_OF[f] for f in (parse_frequency(t) for t in folded[i + 1:])
                           if f in PERIOD_OF), None)
        return Quantity(round(amount * factor, 6), unit, period)
    return None


PERIOD_OF = {"daily": "day", "weekly": "week", "monthly": "month"}


_EVERY_N = re.compile(r"\b(\d+)\s*(ngay|tuan|thang)\s*(?:1|mot)\s*lan\b")
""""2 tuần 1 lần" (once every two weeks): a period, not "một lần" (once)."""


def parse_frequency(text: str | None) -> str | None:
    """One of :data:`FREQUENCIES` for a frequency written freely, or None."""
    folded = fold(text or "").lower()
    every = _EVERY_N.search(folded)
    if every:
        return {"ngay": "daily", "tuan": "weekly", "thang": "monthly"}[every.group(2)]
    for words, frequency in _FREQUENCY_WORDS:
        if words in folded:
            return frequency
    return None


def quantity_fit(offer: Quantity | None, need: Quantity | None) -> float | None:
    """How the offered amount compares with the needed one, as offer/need, when both are
    rates (or both totals) of one unit; None when they cannot be compared."""
    if offer is None or need is None or offer.unit != need.unit or need.amount <= 0:
        return None
    if (offer.period is None) != (need.period is None):
        return None
    if offer.period is None:
        return offer.amount / need.amount
    need_month = need.per_month()
    return (offer.per_month() or 0.0) / need_month if need_month else None

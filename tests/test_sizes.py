"""Decree 80/2021/ND-CP size classes (industry and construction), at the boundaries."""

from __future__ import annotations

import pytest

from recommender.sizes import SizeClass, possible_size_classes, size_class

MICRO, SMALL, MEDIUM, LARGE = SizeClass


@pytest.mark.parametrize(
    ("employees", "revenue", "capital", "expected"),
    [
        # micro: <= 10 employees and (revenue <= 3 or capital <= 3)
        (10, 3.0, None, MICRO),
        (10, None, 3.0, MICRO),
        (10, 3.01, 3.0, MICRO),
        (10, 3.0, 500.0, MICRO),
        (0, 0.0, 0.0, MICRO),
        (11, 3.0, 3.0, SMALL),
        (10, 3.01, 3.01, SMALL),
        # small: <= 100 and (revenue <= 50 or capital <= 20)
        (100, 50.0, None, SMALL),
        (100, 50.01, 20.0, SMALL),
        (100, 50.01, 20.01, MEDIUM),
        (101, 1.0, 1.0, MEDIUM),
        # medium: <= 200 and (revenue <= 200 or capital <= 100)
        (200, 200.0, None, MEDIUM),
        (200, 500.0, 100.0, MEDIUM),
        (200, 200.01, 100.01, LARGE),
        (201, 0.5, 0.5, LARGE),
        (201, None, None, LARGE),
    ],
)
def test_size_class_boundaries(employees, revenue, capital, expected) -> None:
    assert size_class(employees, revenue, capital) == expected


@pytest.mark.parametrize(
    ("employees", "revenue", "capital", "possible"),
    [
        (None, 1.0, 1.0, (MICRO, SMALL, MEDIUM, LARGE)),
        (10, None, None, (MICRO, SMALL, MEDIUM, LARGE)),
        (50, 100.0, None, (SMALL, MEDIUM)),  # capital would decide between them
        (150, None, None, (MEDIUM, LARGE)),
        (5, 3.5, None, (MICRO, SMALL)),
    ],
)
def test_unknown_figures_leave_the_class_open(employees, revenue, capital, possible) -> None:
    assert possible_size_classes(employees, revenue, capital) == possible
    assert size_class(employees, revenue, capital) is None


def test_negative_figures_are_refused() -> None:
    with pytest.raises(ValueError, match="employees"):
        size_class(-1, 1.0, 1.0)

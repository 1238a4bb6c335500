"""Enterprise size class under Decree 80/2021/ND-CP (industry and construction).

Article 5 of the decree: an enterprise is

* micro: ≤ 10 insured employees and (revenue ≤ VND 3 bn or capital ≤ 3 bn);
* small: ≤ 100 employees and (revenue ≤ 50 bn or capital ≤ 20 bn), and not micro;
* medium: ≤ 200 employees and (revenue ≤ 200 bn or capital ≤ 100 bn), and not
  smaller;
* otherwise large (not an SME).

Figures may be unknown (``None``). A class is decided only when the known
figures decide it: :func:`possible_size_classes` lists every class the known
figures allow, and :func:`size_class` answers only when exactly one remains.
"""

from __future__ import annotations

from enum import StrEnum


class SizeClass(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


# (class, max employees, max revenue bn VND, max capital bn VND)
LIMITS: tuple[tuple[SizeClass, int, float, float], ...] = (
    (SizeClass.MICRO, 10, 3.0, 3.0),
    (SizeClass.SMALL, 100, 50.0, 20.0),
    (SizeClass.MEDIUM, 200, 200.0, 100.0),
)


def _within(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _meets(employees: int | None, revenue: float | None, capital: float | None,
           limits: tuple[int, float, float]) -> bool | None:
    """Three-valued: does the firm meet one class's limits (None: unknown)?"""
    max_emp, max_rev, max_cap = limits
    emp = _within(employees, max_emp)
    money = (_within(revenue, max_rev), _within(capital, max_cap))
    money_ok = True if True in money else (None if None in money else False)
    if emp is False or money_ok is False:
        return False
    if emp and money_ok:
        return True
    return None


def possible_size_classes(
    employees: int | None, revenue_bn_vnd: float | None, capital_bn_vnd: float | None,
) -> tuple[SizeClass, ...]:
    """Every size class consistent with the known figures, smallest first."""
    for name, value in (("employees", employees), ("revenue_bn_vnd", revenue_bn_vnd),
                        ("capital_bn_vnd", capital_bn_vnd)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    possible: list[SizeClass] = []
    for cls, *limits in LIMITS:
        meets = _meets(employees, revenue_bn_vnd, capital_bn_vnd, tuple(limits))
        if meets is not False:
            possible.append(cls)
        if meets is True:  # the smallest class it certainly meets: larger ones are out
            return tuple(possible)
    possible.append(SizeClass.LARGE)
    return tuple(possible)


def size_class(
    employees: int | None, revenue_bn_vnd: float | None, capital_bn_vnd: float | None,
) -> SizeClass | None:
    """The Decree 80/2021 size class, or None when the known figures leave it open."""
    possible = possible_size_classes(employees, revenue_bn_vnd, capital_bn_vnd)
    return possible[0] if len(possible) == 1 else None

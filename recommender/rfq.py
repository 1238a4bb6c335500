"""A buyer's request for quotation (RFQ): its fields read and checked, its matches explained.

An RFQ (:class:`~recommender.store.models.BuyerRequest`) arrives from a form or
a JSON object. :func:`read_request` turns it into stored values (processes and
the park as vocabulary keys, certificates by their listed names, a due date)
or raises :class:`RequestErrors` naming what is wrong with each field; the
web layer words those problems in the user's language. The request becomes
one query through :func:`~recommender.requirements.rfq_query`, and each of its
top :data:`MATCHES` suppliers is stored with :func:`match_explanation`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import vocab
from .certificates import canonical_certification
from .recommend import Recommendation
from .store.models import MAX_LEN
from .text import plain_text

TITLE_MAX = 200
TEXT_MAX = 5_000
QUANTITY_MAX = MAX_LEN.get("quantity", 120)
MATCHES = 10
"""Suppliers matched to a new RFQ (each gets a ``RequestMatch`` row)."""
FIELDS = ("title", "text", "processes", "certifications", "park", "quantity", "due_date")
"""What an RFQ is created with."""


class Problem(enum.StrEnum):
    """What is wrong with one field of an RFQ."""

    TOO_LONG = "too_long"
    REQUIRED = "required"
    NOT_A_LIST = "not_a_list"
    NOT_LISTED = "not_listed"
    """A process or certificate that is not in the vocabulary."""
    UNKNOWN_PARK = "unknown_park"
    NOT_A_DATE = "not_a_date"
    PAST_DUE = "past_due"


@dataclass(frozen=True)
class FieldProblem:
    problem: Problem
    limit: int | None = None
    """The longest allowed (``TOO_LONG``)."""
    value: str | None = None
    """The value not found (``NOT_LISTED``)."""


class RequestErrors(ValueError):
    """Field → problem for every invalid field of an RFQ, in field order."""

    def __init__(self, fields: dict[str, FieldProblem]) -> None:
        super().__init__("; ".join(f"{k}: {v.problem}" for k, v in fields.items()))
        self.fields = fields


def _list_value(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[;,\n]", value) if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise ValueError("list")


def read_request(data: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    """Checked RFQ fields (:data:`FIELDS`) from a form or JSON object.

    Raises:
        RequestErrors: what is wrong with each invalid field.
    """
    today = today or date.today()
    errors: dict[str, FieldProblem] = {}
    values: dict[str, Any] = {}
    for name, limit, multiline in (("title", TITLE_MAX, False), ("text", TEXT_MAX, True)):
        try:
            values[name] = plain_text(data.get(name) or "", limit, multiline=multiline)
        except ValueError:
            errors[name] = FieldProblem(Problem.TOO_LONG, limit=limit)
            continue
        if not values[name]:
            errors[name] = FieldProblem(Problem.REQUIRED)
    try:
        values["quantity"] = plain_text(data.get("quantity") or "", QUANTITY_MAX) or None
    except ValueError:
        errors["quantity"] = FieldProblem(Problem.TOO_LONG, limit=QUANTITY_MAX)
    for name, vocabulary in (("processes", vocab.PROCESSES), ("certifications", None)):
        try:
            raw = _list_value(data.get(name))
        except ValueError:
            errors[name] = FieldProblem(Problem.NOT_A_LIST)
            continue
        keys: list[str] = []
        for item in raw:
            key = (vocab.lookup(item, vocabulary) if vocabulary is not None
                   else canonical_certification(item))
            if key is None:
                errors[name] = FieldProblem(Problem.NOT_LISTED, value=item.strip())
                break
            if key not in keys:
                keys.append(key)
        values[name] = keys
    park = data.get("park") or None
    values["park"] = None
    if park is not None:
        key = vocab.lookup(park, vocab.PARKS) if isinstance(park, str) else None
        if key is None:
            errors["park"] = FieldProblem(Problem.UNKNOWN_PARK)
        values["park"] = key
    due = data.get("due_date") or None
    values["due_date"] = None
    if due is not None:
        try:
            values["due_date"] = date.fromisoformat(str(due).strip())
        except ValueError:
            errors["due_date"] = FieldProblem(Problem.NOT_A_DATE)
        else:
            if values["due_date"] < today:
                errors["due_date"] = FieldProblem(Problem.PAST_DUE)
    if errors:
        raise RequestErrors(errors)
    return values


def match_explanation(recommendation: Recommendation, wanted: Sequence[str],
                      offered: Sequence[str]) -> dict[str, Any]:
    """Why a supplier offering the processes ``offered`` matches an RFQ that asks for
    ``wanted``, as a ``RequestMatch`` stores it."""
    explained = recommendation.to_dict()
    return {"matched_terms": explained["matched_terms"], "concepts": explained["concepts"],
            "requirements": explained["requirements"],
            "processes_met": [p for p in wanted if p in offered],
            "processes_missing": [p for p in wanted if p not in offered],
            "dense": explained["dense"]}

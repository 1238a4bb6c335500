from __future__ import annotations

from datetime import date

import pytest

from recommender.rfq import FieldProblem, Problem, RequestErrors, read_request
from recommender.text import plain_text

TODAY = date(2025, 6, 1)


def test_a_request_is_read_into_vocabulary_keys() -> None:
    values = read_request({"title": "  Gia công\x07 trục ", "text": "Nhôm 6061\r\nSố lượng lớn",
                           "processes": "tiện CNC; phay CNC", "certifications": ["iso-9001"],
                           "quantity": "", "due_date": "2025-06-30"}, TODAY)
    assert values["title"] == "Gia công trục"
    assert values["text"] == "Nhôm 6061\nSố lượng lớn"
    assert values["processes"] and all(isinstance(k, str) for k in values["processes"])
    assert values["certifications"] == ["ISO 9001"]
    assert values["quantity"] is None and values["park"] is None
    assert values["due_date"] == date(2025, 6, 30)


def test_every_invalid_field_is_named_in_field_order() -> None:
    with pytest.raises(RequestErrors) as caught:
        read_request({"title": "x" * 201, "text": " ", "processes": 3,
                      "certifications": ["ISO 9001", "Không có"], "park": "KCN Không Có",
                      "due_date": "2025-05-31"}, TODAY)
    assert caught.value.fields == {
        "title": FieldProblem(Problem.TOO_LONG, limit=200),
        "text": FieldProblem(Problem.REQUIRED),
        "processes": FieldProblem(Problem.NOT_A_LIST),
        "certifications": FieldProblem(Problem.NOT_LISTED, value="Không có"),
        "park": FieldProblem(Problem.UNKNOWN_PARK),
        "due_date": FieldProblem(Problem.PAST_DUE)}


def test_plain_text_refuses_what_is_not_text_or_too_long() -> None:
    with pytest.raises(ValueError):
        plain_text(5, 10)
    with pytest.raises(ValueError):
        plain_text("a" * 11, 10)
    assert plain_text("a  b\n c", 10) == "a b c"
    assert plain_text("a  b\n c ", 10, multiline=True) == "a b\nc"

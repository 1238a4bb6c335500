"""Notes: the importer's and the wording readers' English text, with a code and parameters a
web page can word in another language."""

from __future__ import annotations

import pickle

from recommender.store.importer import import_profiles
from recommender.store.notes import TEMPLATES, Note, note_of
from recommender.store.profiles import FieldError, ProfileErrors, check_tax_code

from .files import profile_row, write_jsonl


def test_a_note_is_its_english_text_and_survives_pickling() -> None:
    note = Note("item", n=2, problem=Note("too_long", length=300, limit=255))
    assert note == "item 2 is too long (300 characters; at most 255)"
    assert isinstance(note, str) and note.code == "item"
    again = pickle.loads(pickle.dumps(note))
    assert again == note and again.code == "item" and again.params["problem"].code == "too_long"
    assert note_of(ValueError(note)) is note


def test_every_row_problem_and_note_of_the_importer_has_a_code(session, tmp_path) -> None:
    rows = [profile_row(1, tax_code="12345", employees="many"),
            profile_row(2, certifications=[{"issuer": "SGS"}], website="ftp://x.vn"),
            profile_row(3, sector="co khi", ownership="state", processes=["zebraquartz"]),
            profile_row(4, employees="khoảng 80 người", proceses=["welding"]),
            profile_row(4)]
    report = import_profiles(session, write_jsonl(tmp_path / "p.jsonl", rows), dry_run=True,
                             valid_only=True)
    problems = report.errors + report.warnings
    assert len(problems) >= 8
    for problem in problems:
        if problem.field == "location" and not isinstance(problem.message, Note):
            continue  # the gazetteer's place notes, written in Vietnamese (recommender.places)
        assert isinstance(problem.message, Note), problem
        assert problem.message.code in TEMPLATES


def test_profile_field_errors_carry_their_code() -> None:
    error = FieldError("too_long", label="cert_name", n=2, length=300, limit=255)
    assert str(error) == "Chứng chỉ 2: tên quá dài (300 ký tự; tối đa 255)."
    assert ProfileErrors({"certifications": error}).fields == {"certifications": str(error)}
    try:
        check_tax_code("12345")
    except ValueError as exc:
        assert note_of(exc).code == "not_tax_code"

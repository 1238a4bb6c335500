"""Import reports in the user's language: every note the importer writes has a code the web
app words in Vietnamese and English, and a messy file's report shows no English sentence on
a Vietnamese page."""

from __future__ import annotations

import re

from flask_babel import force_locale

from recommender.language import query_language
from recommender.store.importer import import_profiles
from recommender.store.notes import TEMPLATES, Note
from tests.store.files import profile_row, write_csv, write_jsonl
from webapp.staff.report_text import NOTES, note_text, row_problem

LONG = "x" * 300
MESSY = [  # one problem or one free wording per row (as tests/store/test_importer.py)
    {"name": None}, {"employees": -3}, {"revenue_bn_vnd": "1,5"}, {"processes": 5},
    {"name": 123}, {"verified": "maybe"}, {"tax_code": "12345"},
    {"tax_code": "0399215324"}, {"tax_code": "0399215323-000"},
    {"location": {"park": "KCN Tân Tạo", "city": "HCMC"}}, {"name": LONG},
    {"materials": ["ok", LONG]},
    {"certifications": [{"name": "ISO 9001", "valid_until": "2027-13-01"}]},
    {"certifications": [{"name": "ISO 9001", "expires": "2027-01-01"}]},
    {"certifications": [{"issuer": "SGS"}]}, {"email": "not-an-address"},
    {"website": "javascript:alert(1)"}, {"website": "ftp://example.com"},
    {"updated_at": "2999-01-01"}, {"size_class": "micro"}, {"external_id": "SUP 1"},
]
FREE = [
    {"processes": []}, {"employees": "many"}, {"employees": "khoảng 80 người"},
    {"sector": "mechancial"}, {"sector": "co khi"}, {"processes": ["welding", "cnc_machinig"]},
    {"processes": ["welding", "zebraquartz"]}, {"location": {"park": "KCN Tan Tao 2"}},
    {"ownership": "state"}, {"ownership": "100% vốn Hàn Quốc"}, {"proceses": ["welding"]},
    {"certifications": "ISO 9001:2015, đang xây dựng ISO 14001, Chứng nhận Xanh"},
    {"ownership": "Công ty TNHH"}, {"external_id": None},
]


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)", text)) | set(re.findall(r"\{(\w+)(?:!r)?\}", text))


def test_every_note_code_is_worded_with_the_same_parameters() -> None:
    assert set(NOTES) == set(TEMPLATES)
    for code, template in TEMPLATES.items():
        english = _placeholders(template.replace("{path}", "{name}"))
        assert _placeholders(NOTES[code]._args[0]) == english, code



def _report_texts(app, tmp_path):
    rows = [profile_row(i + 1, **o) for i, o in enumerate(MESSY + FREE)]
    rows.append(profile_row(1))  # the same id twice
    with app.app_context():
        with app.extensions["ketnoi_db"].sessions() as session:
            report = import_profiles(session, write_jsonl(tmp_path / "p.jsonl", rows),
                                     dry_run=True, valid_only=True)
            header = import_profiles(session, write_csv(
                tmp_path / "p.csv", ["Tên", "Mo ta nang luc", "mau sac"], [["A", "B", "C"]]),
                dry_run=True)
    return report.errors + report.warnings + header.errors + header.warnings


def test_a_messy_import_reads_in_vietnamese_and_in_english(app, tmp_path) -> None:
    problems = _report_texts(app, tmp_path)
    assert len(problems) > len(MESSY) + len(FREE)
    coded = set()
    for problem in problems:
        message = problem.message
        if isinstance(message, Note):
            coded.add(message.code)
        else:  # only the place notes, which the gazetteer writes in Vietnamese
            assert query_language(message) != "en", message
        with app.test_request_context(), force_locale("vi"):
            vi = row_problem(problem)
        with app.test_request_context(), force_locale("en"):
            en = row_problem(problem)
        assert "%(" not in vi and "{" not in vi, vi
        assert query_language(vi) != "en", (vi, str(problem))
        assert en.startswith("Row ") and en[4:].lower() == str(problem)[4:].lower() or \
            not isinstance(message, Note), (en, str(problem))
    assert len(coded) >= 30, sorted(coded)


def test_notes_that_are_not_coded_are_shown_as_written(app) -> None:
    with app.test_request_context(), force_locale("vi"):
        assert note_text("KCN Tân Tạo → phường Tân Tạo") == "KCN Tân Tạo → phường Tân Tạo"

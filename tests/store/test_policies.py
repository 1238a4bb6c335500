"""The policy catalogue in the store: rows round-trip, upserts are idempotent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from recommender.policy import FirmFacts, evaluate, load_catalogue
from recommender.store.models import PolicyProgram
from recommender.store.policies import program_count, read_programs, upsert_programs


def test_upsert_is_idempotent_and_rows_round_trip(session) -> None:
    programs = load_catalogue()
    first = upsert_programs(session, programs)
    assert (first.created, first.updated, first.unchanged) == (len(programs), 0, 0)
    again = upsert_programs(session, programs)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(programs))
    assert program_count(session) == len(programs)

    stored = {p.code: p for p in read_programs(session)}
    facts = FirmFacts.from_mapping({"sector": "mechanical", "employees": 50,
                                    "revenue_bn_vnd": 30, "ownership": "domestic"})
    for p in programs:
        back = stored[p.code]
        assert back.record == p.record
        assert (back.valid_from, back.valid_until, back.criteria) == \
            (p.valid_from, p.valid_until, p.criteria)
        assert evaluate(back, facts, date(2026, 11, 1)).reason == \
            evaluate(p, facts, date(2026, 11, 1)).reason


def test_changed_programme_is_updated(session) -> None:
    programs = load_catalogue()
    upsert_programs(session, programs)
    changed = replace(programs[0], record={**programs[0].record, "summary_en": "New text."},
                      summary_en="New text.")
    report = upsert_programs(session, [changed])
    assert (report.created, report.updated) == (0, 1)
    row = session.scalar(select(PolicyProgram).where(PolicyProgram.code == changed.code))
    assert row.summary_en == "New text." and row.eligibility["catalogue"]["instruments"]

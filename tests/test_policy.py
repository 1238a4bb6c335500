"""Policy recommender: the catalogue, the three-valued rules, the labelled cases, relevance."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from recommender.policy import (
    ACTIVE,
    DEFAULT_CASES,
    DEFAULT_CATALOGUE,
    EXPIRED,
    NO,
    NOT_YET,
    STANDINGS,
    UNKNOWN,
    YES,
    CatalogueError,
    FirmFacts,
    english,
    evaluate,
    evaluate_cases,
    load_cases,
    load_catalogue,
    main,
    match_buyer,
    match_supplier,
)
from recommender.text import fold, normalize

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def programs():
    return load_catalogue()


@pytest.fixture(scope="module")
def by_code(programs):
    return {p.code: p for p in programs}


def _refs(program) -> list[str]:
    """How a clause names the programme's instruments: number up to the second '/'."""
    out = []
    for inst in program.record["instruments"]:
        parts = inst["number"].split("/")
        out.append(fold("/".join(parts[:2])))
    return out


def _names_source(text: str, program) -> bool:
    folded = fold(text)
    return any(ref in folded for ref in _refs(program))


# --- the catalogue -----------------------------------------------------------------------

def test_catalogue_has_the_programmes_the_issue_names(programs) -> None:
    bases = " ".join(p.legal_basis for p in programs)
    for number in ("111/2015", "205/2025", "68/QĐ-TTg", "71/QĐ-TTg", "04/2017/QH14",
                   "80/2021", "42/2024/QĐ-UBND", "35/2022", "235/2025", "198/2025", "SMEdx"):
        assert number in bases, number


def test_every_programme_is_complete_and_marks_what_is_unverified(programs) -> None:
    for p in programs:
        r = p.record
        assert p.title_vi and p.title_en and p.summary_vi and p.summary_en and p.issuer
        assert r["benefits"] and r["sources"] and r["instruments"]
        assert "validity_note" in r, p.code
        for inst in r["instruments"]:
            assert {"number", "issuer", "signed", "in_force", "published_in", "verified"} <= \
                set(inst)
            if not inst["verified"]:
                assert inst["note"], (p.code, inst["number"])
        for b in r["benefits"]:
            assert b["vi"] and b["en"] and "verified" in b and b["basis"]
        if not p.verified:
            assert r["unverified"], p.code
        for c in r["eligibility"]["criteria"]:
            assert c["clause_vi"], (p.code, c["id"])
        for c in p.criteria:
            # every clause names one of the programme's own instruments
            assert _names_source(c.clause, p), (p.code, c.id, c.clause)


def test_catalogue_text_is_normalised(programs) -> None:
    def walk(value):
        if isinstance(value, str):
            assert normalize(value) == value, value
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for p in programs:
        walk(p.record)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.pop("summary_vi"), "missing summary_vi"),
        (lambda r: r["eligibility"]["criteria"][0].update(kind="astrology"), "unknown kind"),
        (lambda r: r["eligibility"]["criteria"][0].update(eligible={"pharma": "x"}),
         "sector keys"),
        (lambda r: r.update(valid_from="2030-01-01", valid_until="2020-01-01"), "after"),
        (lambda r: r.update(valid_until="31/12/2025"), "not a date"),
        (lambda r: r["eligibility"].update(criteria=[]), "no eligibility criteria"),
    ],
)
def test_malformed_catalogue_lines_are_refused(tmp_path: Path, change, message) -> None:
    record = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8").splitlines()[0])
    change(record)
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_duplicate_codes_are_refused(tmp_path: Path) -> None:
    line = DEFAULT_CATALOGUE.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "dup.jsonl"
    path.write_text(f"{line}\n{line}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="unique"):
        load_catalogue(path)


# --- the labelled cases ------------------------------------------------------------------

def test_labelled_cases_cover_every_programme_and_every_kind_of_bad_input(programs) -> None:
    cases = load_cases()
    assert len(cases) >= 60
    per_program = Counter(c.program for c in cases)
    assert set(per_program) == {p.code for p in programs}
    assert min(per_program.values()) >= 3
    assert {c.expected for c in cases} == {YES, NO, UNKNOWN}
    notes = " ".join(json.loads(line).get("note", "")
                     for line in DEFAULT_CASES.read_text(encoding="utf-8").splitlines())
    for kind in ("missing", "contradictory", "unknown sector", "expired", "upper bound"):
        assert kind in notes, kind
    assert any(c.expected_status == EXPIRED for c in cases)
    # each Decree 80/2021 limit appears at and just past its value
    sizes = [(c.profile.get("employees"), c.profile.get("revenue_bn_vnd"),
              c.profile.get("capital_bn_vnd")) for c in cases]
    for emp in (10, 11, 100, 101, 200, 201):
        assert any(s[0] == emp for s in sizes), emp
    for money in (3.0, 3.01, 50.0, 200.0, 200.01, 100.0, 100.01):
        assert any(money in s[1:] for s in sizes), money


def test_accuracy_on_the_labelled_cases(programs) -> None:
    report = evaluate_cases(load_cases(), programs)
    print(f"\npolicy cases: {report.cases}; yes/no accuracy {100 * report.accuracy:.2f}% "
          f"({report.correct}/{report.decided}); unknown agreement "
          f"{report.unknown_agree}/{report.unknown_cases}; status {report.status_agree}/"
          f"{report.status_cases}")
    assert report.decided >= 40
    assert report.accuracy >= 0.95, report.failures
    # "unknown" must stay unknown: a wrong yes/no on those is a silent answer
    assert report.unknown_agree == report.unknown_cases, report.failures
    assert report.status_agree == report.status_cases


def test_every_decision_carries_a_checkable_reason(by_code) -> None:
    for case in load_cases():
        program = by_code[case.program]
        m = evaluate(program, FirmFacts.from_mapping(case.profile), case.as_of)
        assert m.reason and _names_source(m.reason, program), (case.case_id, m.reason)
        for r in m.criteria:
            assert r.reason and r.source and r.source in r.reason, (case.case_id, r)
            assert _names_source(r.source, program), (case.case_id, r.source)
            # verification is said once per programme, never in each reason
            assert "not verified" not in r.reason, (case.case_id, r.reason)
            assert r.why.code and r.source_vi
            if r.outcome == UNKNOWN:
                assert r.to_find_out and r.hint, (case.case_id, r)
        if m.outcome == UNKNOWN:
            assert m.reason.startswith(("unknown, because", "ended")) and m.to_find_out


def test_module_command_prints_the_accuracy(capsys) -> None:
    assert main([]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["yes_no_accuracy"] >= 95 and report["cases"] >= 60


# --- rules -------------------------------------------------------------------------------

def _size_check(by_code, **facts):
    m = evaluate(by_code["VN-SME-SUPPORT"], FirmFacts.from_mapping(facts), TODAY)
    return m.criteria[0]


@pytest.mark.parametrize(
    ("employees", "revenue", "capital", "cls", "outcome"),
    [
        (10, 3.0, None, "micro", YES), (10, None, 3.0, "micro", YES),
        (11, 3.0, 3.0, "small", YES), (10, 3.01, 3.01, "small", YES),
        (100, 50.0, None, "small", YES), (100, 50.01, 20.0, "small", YES),
        (100, 50.01, 20.01, "medium", YES), (101, 1.0, 1.0, "medium", YES),
        (200, 200.0, None, "medium", YES), (200, 500.0, 100.0, "medium", YES),
        (200, 200.01, 100.01, "large", NO), (201, 0.5, 0.5, "large", NO),
    ],
)
def test_size_classes_follow_decree_80_at_each_boundary(by_code, employees, revenue, capital,
                                                        cls, outcome) -> None:
    r = _size_check(by_code, employees=employees, revenue_bn_vnd=revenue,
                    capital_bn_vnd=capital)
    assert r.outcome == outcome
    assert r.reason.startswith(f"size class {cls} ("), r.reason


@pytest.mark.parametrize(
    ("facts", "hint"),
    [
        ({}, "add insured employees and annual revenue or capital"),
        ({"employees": 200, "revenue_bn_vnd": 200.01}, "add capital"),
        ({"employees": 150}, "add annual revenue or capital"),
        ({"revenue_bn_vnd": 1.0, "capital_bn_vnd": 1.0}, "add insured employees"),
        ({"employees": -3}, "correct the figures"),
        ({"employees": "many"}, "correct the figures"),
        ({"size_class": "micro", "employees": 150, "revenue_bn_vnd": 100},
         "correct the size class or the figures"),
        ({"size_class": "tiny"}, "state micro, small, medium or large"),
    ],
)
def test_missing_or_bad_size_data_is_unknown_never_no(by_code, facts, hint) -> None:
    r = _size_check(by_code, **facts)
    assert r.outcome == UNKNOWN
    assert hint in r.to_find_out, r.to_find_out


def test_an_sme_either_way_is_a_yes_even_when_the_class_is_open(by_code) -> None:
    r = _size_check(by_code, employees=50, revenue_bn_vnd=100.0)
    assert r.outcome == YES and "small or medium (either way)" in r.reason


def test_contradictory_ownership_is_unknown(by_code) -> None:
    program = by_code["HCM-QD42-2024-INTEREST"]
    base = {"sector": "mechanical", "park": "KCN Tân Tạo", "activities": ["investment_project"]}
    domestic = evaluate(program, FirmFacts.from_mapping({**base, "ownership": "domestic"}), TODAY)
    assert domestic.eligible == YES and domestic.recommended
    both = evaluate(program, FirmFacts.from_mapping(
        {**base, "ownership": "domestic", "foreign_parent": True}), TODAY)
    assert both.eligible == UNKNOWN
    assert "contradictory" in both.reason and "parent company" in both.to_find_out[0]
    odd = evaluate(program, FirmFacts.from_mapping({**base, "ownership": "state-ish"}), TODAY)
    assert odd.eligible == UNKNOWN and "not one we know" in odd.reason


def test_unknown_sector_is_unknown_with_a_hint(by_code) -> None:
    m = evaluate(by_code["VN-ND111-INCENTIVES"], FirmFacts.from_mapping({"sector": "pharma"}),
                 TODAY)
    assert m.eligible == UNKNOWN
    assert "'pharma' is not one of the sectors we know" in m.reason
    assert "choose the closest sector" in m.to_find_out[0]


def test_an_unverified_restriction_never_excludes(by_code) -> None:
    m = evaluate(by_code["VN-NQ198-GREEN-INTEREST"], FirmFacts.from_mapping(
        {"ownership": "fdi", "activities": ["green_production", "investment_project"]}), TODAY)
    assert m.eligible == UNKNOWN
    assert "probably not" in m.reason and "does not exclude" in m.reason


def test_province_merged_into_hcmc_counts_from_july_2025(by_code) -> None:
    program = by_code["HCM-QD42-2024-INTEREST"]
    facts = FirmFacts.from_mapping({"sector": "electronics", "province": "Bình Dương",
                                    "ownership": "domestic",
                                    "activities": ["investment_project"]})
    assert evaluate(program, facts, date(2025, 7, 1)).eligible == YES
    assert evaluate(program, facts, date(2025, 6, 30)).eligible == NO


def test_from_mapping_never_raises_on_bad_values() -> None:
    facts = FirmFacts.from_mapping({"employees": "x", "revenue_bn_vnd": float("nan"),
                                    "foreign_parent": "maybe", "registered_on": "soon",
                                    "activities": "r_and_d, time_travel", "in_park": 1})
    assert facts.employees is None and facts.revenue_bn_vnd is None
    assert facts.activities == frozenset({"r_and_d"})
    assert set(facts.problems) == {"employees", "revenue_bn_vnd", "foreign_parent",
                                   "registered_on", "activities", "in_park"}


def test_women_owned_priority_is_noted_not_decided(by_code) -> None:
    program = by_code["VN-SME-SUPPORT"]
    unknown = evaluate(program, FirmFacts.from_mapping({"size_class": "small"}), TODAY)
    assert unknown.eligible == YES and unknown.priorities[0].code == "priority.ask"
    assert "say so when you apply" in english(unknown.priorities[0])
    yes = evaluate(program, FirmFacts.from_mapping({"size_class": "small", "women_owned": True}),
                   TODAY)
    assert "priority applies" in english(yes.priorities[0])
    assert "04/2017/QH14" in english(yes.priorities[0])


# --- ranking, expiry, buyers ------------------------------------------------------------

def test_ranking_puts_yes_then_unknown_then_no_and_expired_last(programs) -> None:
    # superseded in part by test_programmes_are_ordered_by_what_a_firm_can_act_on
    facts = FirmFacts.from_mapping({"sector": "mechanical", "employees": 50,
                                    "revenue_bn_vnd": 30, "ownership": "domestic",
                                    "park": "KCN Tân Tạo",
                                    "activities": ["digital_transformation"]})
    matches = match_supplier(facts, programs, as_of=TODAY)
    assert len(matches) == len(programs)
    statuses = [m.status for m in matches]
    assert statuses.index(EXPIRED) > max(i for i, s in enumerate(statuses) if s == ACTIVE)
    active = [m.standing for m in matches if m.status == ACTIVE]
    assert active == sorted(active, key=STANDINGS.index)
    assert {m.program.code for m in matches if m.recommended} >= {
        "VN-ND111-INCENTIVES", "VN-SME-SUPPORT", "VN-SME-DIGITAL", "VN-ND235-KHUYEN-CONG"}
    sidp = next(m for m in matches if m.program.code == "VN-SIDP-2016-2025")
    # an expired programme is never "yes", whatever its criteria say
    assert sidp.outcome == YES and sidp.eligible == NO and not sidp.recommended
    assert sidp.standing == EXPIRED and sidp.to_dict()["ended_on"] == "2025-12-31"
    assert sidp.reason.startswith("ended on 2025-12-31")
    assert sidp.to_dict()["status"] == EXPIRED


def test_not_yet_in_force(by_code) -> None:
    m = evaluate(by_code["VN-SIDP-2016-2025"], FirmFacts.from_mapping({"sector": "mechanical"}),
                 date(2016, 6, 1))
    assert m.status == NOT_YET and not m.recommended and "not yet in force" in m.reason


def test_buyer_side_lists_programmes_rewarding_domestic_linkage(programs) -> None:
    now = match_buyer(programs, as_of=TODAY)
    codes = [m.program.code for m in now]
    assert "VN-SIDP-2016-2025" in codes
    assert all(m.program.buyer_linkage for m in now)
    sidp = now[codes.index("VN-SIDP-2016-2025")]
    assert sidp.status == EXPIRED and not sidp.recommended and codes[-1] == sidp.program.code
    assert "ended on 2025-12-31" in sidp.reason and "68/QD-TTg" in sidp.reason
    assert "not verified" not in sidp.reason
    then = match_buyer(programs, as_of=date(2024, 6, 1))
    assert then[0].program.code == "VN-SIDP-2016-2025" and then[0].recommended
    assert then[0].beneficiary == "buyer_and_suppliers"


# --- relevance (real model) -------------------------------------------------------------

def test_relevance_follows_the_firms_plans(programs, encoder) -> None:
    base = {"sector": "mechanical", "employees": 40, "revenue_bn_vnd": 20,
            "name": "Công ty TNHH Cơ khí Mẫu", "description": "Gia công CNC chi tiết nhôm."}
    digital = FirmFacts.from_mapping({**base, "plans": "Triển khai phần mềm ERP, quản lý sản "
                                      "xuất MES và chuyển đổi số toàn nhà máy."})
    green = FirmFacts.from_mapping({**base, "plans": "Lắp điện mặt trời áp mái, tiết kiệm "
                                    "năng lượng và tái chế phế liệu kim loại."})
    d = {m.program.code: m.relevance for m in match_supplier(digital, programs, as_of=TODAY,
                                                             encoder=encoder)}
    g = {m.program.code: m.relevance for m in match_supplier(green, programs, as_of=TODAY,
                                                             encoder=encoder)}
    assert all(isinstance(v, float) and -1.0 <= v <= 1.0 for v in d.values())
    assert max(d, key=d.get) == "VN-SME-DIGITAL", d
    assert max(g, key=g.get) in {"VN-NQ198-GREEN-INTEREST", "VN-ND35-ECO-IP"}, g
    # without an encoder there is no relevance (rules only)
    assert all(m.relevance is None for m in match_supplier(digital, programs, as_of=TODAY))


@pytest.mark.parametrize(("region", "park", "expected"), [
    ("Bà Rịa–Vũng Tàu", None, "yes"), ("Bình Dương", "KCN VSIP I", "yes"),
    ("Hồ Chí Minh", None, "yes"), ("ngoài TP.HCM", None, "unknown"),
])
def test_a_stored_location_of_the_merged_city_counts_as_hcmc(region, park, expected) -> None:
    from types import SimpleNamespace

    from recommender.policy.rules import _location

    profile = SimpleNamespace(external_id="X", name="X", description="", sector=None,
                              processes=[], ownership=None, employees=None,
                              revenue_bn_vnd=None, capital_bn_vnd=None, size_class=None,
                              park=park, region=region, ward=None)
    facts = FirmFacts.from_profile(profile)
    criterion = SimpleNamespace(params={"scope": "hcmc"})
    assert _location(criterion, facts, date(2026, 12, 6))[0] == expected


# --- order, verification ----------------------------------------------------------------

def test_programmes_are_ordered_by_what_a_firm_can_act_on(programs) -> None:
    # a small domestic mechanical firm in a park that has stated no plans: the SME
    # programmes without a plan are eligible, those asking for a plan are nearly
    # eligible, a fact the profile lacks makes one unknown, expired ones come last
    facts = FirmFacts.from_mapping({"sector": "mechanical", "employees": 50,
                                    "revenue_bn_vnd": 30, "ownership": "domestic",
                                    "park": "KCN Tân Tạo", "activities": []})
    matches = match_supplier(facts, programs, as_of=date(2026, 12, 7))
    standings = [m.standing for m in matches]
    assert standings == sorted(standings, key=STANDINGS.index), standings
    by = {m.program.code: m for m in matches}
    assert by["VN-SME-SUPPORT"].standing == "eligible"
    assert by["VN-SME-DIGITAL"].standing == "nearly"  # only the digital plan is missing
    assert [r.id for r in by["VN-SME-DIGITAL"].missing] == ["digital_plan"]
    assert by["VN-NQ198-NEW-SME-CIT"].standing == UNKNOWN  # registration date unknown
    assert standings[-1] == EXPIRED and by["VN-SIDP-2016-2025"].standing == EXPIRED
    assert by["VN-SIDP-2016-2025"].eligible == NO
    # a programme that fails on a fact of the firm comes after the unknown ones
    fdi = FirmFacts.from_mapping({"sector": "mechanical", "ownership": "fdi",
                                  "activities": ["investment_project"]})
    order = [m.standing for m in match_supplier(fdi, programs, as_of=date(2026, 12, 7))]
    assert order.index("not_eligible") > max(i for i, s in enumerate(order) if s == UNKNOWN)


def test_every_programme_says_once_whether_it_was_checked_against_the_law(programs) -> None:
    for p in programs:
        v = p.verification
        assert v["status"] in ("verified", "partly_verified", "not_verified"), p.code
        assert p.verified == (v["status"] == "verified")
        if v["status"] != "not_verified":
            assert v["checked_on"] == "2026-12-07" and v["note_vi"] and v["note_en"]
            assert v["sources"] and all(s["url"].startswith("http") and s["title"]
                                        for s in v["sources"]), p.code


def test_a_verification_without_sources_is_refused(tmp_path: Path) -> None:
    record = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8").splitlines()[0])
    record["verification"] = {"status": "verified", "checked_on": "2026-12-07", "sources": []}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="names the day and the sources"):
        load_catalogue(path)


def test_corrections_from_the_legal_texts(by_code) -> None:
    # Decree 235/2025/ND-CP amends Decree 45/2012/ND-CP (it does not replace it) and is in
    # force from 2025-10-15; Decree 205/2025/ND-CP was signed on 2025-07-14
    k = by_code["VN-ND235-KHUYEN-CONG"].record
    assert "45/2012" in k["legal_basis"]
    assert {"number": "235/2025/NĐ-CP", "in_force": "2025-10-15"}.items() <= \
        next(i for i in k["instruments"] if i["number"] == "235/2025/NĐ-CP").items()
    d205 = next(i for i in by_code["VN-ND111-INCENTIVES"].record["instruments"]
                if i["number"] == "205/2025/NĐ-CP")
    assert d205["signed"] == "2025-07-14" and d205["verified"]
    # a large firm applying cleaner production is covered (group b): size alone never excludes
    big_green = FirmFacts.from_mapping({"employees": 800, "revenue_bn_vnd": 1200,
                                        "activities": ["green_production"]})
    assert evaluate(by_code["VN-ND235-KHUYEN-CONG"], big_green, TODAY).outcome == UNKNOWN

"""Recommendations and domain evaluation over the small supplier set, real model."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from recommender.domain_eval import evaluate_domain, load_labelled
from recommender.rank import MET, MISSING, CertificateFact, ProfileFacts
from recommender.recommend import SupplierRecommender, matched_terms
from recommender.search import HybridIndex

TODAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def recommender(encoder, config, suppliers) -> SupplierRecommender:
    index = HybridIndex.build(encoder, list(suppliers), list(suppliers.values()), config)
    facts = {i: ProfileFacts(ownership="domestic", employees=50) for i in suppliers}
    facts[6] = ProfileFacts(certifications=(CertificateFact("IATF 16949", date(2027, 1, 1)),),
                            ownership="fdi", employees=800)
    facts[1] = ProfileFacts(certifications=(CertificateFact("ISO 9001", date(2025, 1, 1)),),
                            park="KCN Tân Tạo", ownership="domestic", employees=120)
    facts[11] = ProfileFacts(certifications=(CertificateFact("ISO 9001", None),),
                             park="KCX Tân Thuận", ownership="domestic", employees=40)
    return SupplierRecommender(index, facts, suppliers)


def test_matched_terms_ignore_diacritics() -> None:
    assert matched_terms("bo day dien", "Bó dây điện cho ô tô") == ("bo", "day", "dien")


def test_recommendation_explains_itself(recommender) -> None:
    result = recommender.recommend("cần bó dây điện ô tô, phải có IATF 16949", 3, today=TODAY)
    top = result.items[0]
    assert top.doc_id == 6
    assert result.requirements.certifications == ("IATF 16949",)
    assert top.checks[0].status == MET and "2027-01-01" in top.checks[0].detail
    assert "dây" in top.matched_terms and "wire_harness" in top.concepts


def test_coverage_weighs_the_query_words_a_profile_holds(recommender) -> None:
    # "bó dây điện" is all in profile 6; a word no profile uses weighs the most
    full, none = recommender.coverage("bo day dien", [6, 8])
    assert full == 1.0 and none == 0.0
    harness, rare = recommender.coverage("bó dây điện zebraquartz", [6, 6])
    assert harness == rare and 0.0 < harness < 0.65  # one word of four, but the heaviest
    # places are checked against the location, not looked for in the text
    assert recommender.coverage("bó dây điện ở Bình Dương", [6])[0] == 1.0
    assert recommender.coverage("", [6]).tolist() == [0.0]
    # across languages through the glossary: profile 11 writes "CNC machining", which
    # covers "gia công CNC" (not "chính xác": "precision" is no glossary concept)
    english, none = recommender.coverage("gia công CNC chính xác", [11, 8])
    assert 0.4 < english < 1.0 and none == 0.0
    assert recommender.coverage("gia công CNC", [11])[0] == 1.0


def test_explaining_a_page_later_equals_explaining_everything(recommender) -> None:
    query = "cần bó dây điện ô tô, phải có IATF 16949"
    full = recommender.recommend(query, 8, today=TODAY).items
    bare = recommender.recommend(query, 8, today=TODAY, explain=False).items
    assert [r.doc_id for r in bare] == [r.doc_id for r in full]
    assert all(r.matched_terms == () and r.concepts == () for r in bare)
    assert any(r.matched_terms for r in full) and any(r.concepts for r in full)
    # one page of the unexplained ranking, explained afterwards: the same results
    assert recommender.explain(query, bare[3:6]) == full[3:6]
    assert recommender.explain(query, bare) == full
    assert recommender.explain(query, []) == []


def test_explanation_data_is_derived_once_per_text(recommender) -> None:
    query = "cần bó dây điện ô tô, phải có IATF 16949"
    fresh = SupplierRecommender(recommender.index, recommender.facts, dict(recommender.texts))
    before = fresh.recommend(query, 8, today=TODAY).items
    assert 0 < len(fresh.views()) < len(fresh.texts)  # derived on first sight
    assert fresh.prepare() == len(fresh.texts) - len(before) and fresh.prepare() == 0
    assert fresh.recommend(query, 8, today=TODAY).items == before
    # an edited text is derived again; a replacing recommender keeps the unchanged ones
    fresh.texts[6] = "Xưởng may mặc áo sơ mi xuất khẩu."
    edited = fresh.explain(query, [r for r in before if r.doc_id == 6])[0]
    assert "wire_harness" not in edited.concepts and "dây" not in edited.matched_terms
    after = SupplierRecommender(recommender.index, recommender.facts, fresh.texts,
                                views=fresh.views())
    assert after.prepare() == 0 and after.views()[6].text == fresh.texts[6]


def test_requirements_lift_the_supplier_that_meets_them(recommender) -> None:
    query = "gia công CNC nhôm, có ISO 9001, ở KCX Tân Thuận"
    result = recommender.recommend(query, 2, today=TODAY)
    assert result.items[0].doc_id == 11
    by_id = {r.doc_id: r for r in result.items}
    if 1 in by_id:
        statuses = {c.kind: c.status for c in by_id[1].checks}
        assert statuses["park"] == MISSING


def test_domain_evaluation_reports_every_variant_and_language(recommender, tmp_path: Path):
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"query_id": "a", "text": "bó dây điện ô tô", "lang": "vi"}\n'
        '{"query_id": "b", "text": "de giay cao su", "lang": "vi_nodiac"}\n'
        '{"query_id": "c", "text": "corrugated carton boxes", "lang": "en"}\n'
        '{"query_id": "unjudged", "text": "x", "lang": "en"}\n', encoding="utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query_id\texternal_id\tgrade\na\tS6\t2\nb\tS8\t2\nc\tS10\t2\nc\tS9\t1\n")
    labelled, judged = load_labelled(queries, qrels)
    assert [q.query_id for q in labelled] == ["a", "b", "c"]
    ids = {i: f"S{i}" for i in recommender.texts}
    result = evaluate_domain(recommender, labelled, judged, ids, today=TODAY)
    assert set(result) == {"hybrid", "bm25", "dense", "bm25+", "dense+"}
    assert set(result["hybrid"]) == {"all", "vi", "vi_nodiac", "en"}
    assert result["hybrid"]["all"]["queries"] == 3
    assert result["hybrid"]["vi"]["nDCG@10"] == 100.0


def test_bad_label_files(tmp_path: Path) -> None:
    (tmp_path / "q.jsonl").write_text('{"query_id": "a"}\n')
    (tmp_path / "r.tsv").write_text("a\tS1\t2\n")
    with pytest.raises(ValueError, match="missing field"):
        load_labelled(tmp_path / "q.jsonl", tmp_path / "r.tsv")
    (tmp_path / "q.jsonl").write_text('{"query_id": "a", "text": "x", "lang": "vi"}\n')
    (tmp_path / "r.tsv").write_text("query_id\texternal_id\tgrade\na\tS1\n")
    with pytest.raises(ValueError, match="expected"):
        load_labelled(tmp_path / "q.jsonl", tmp_path / "r.tsv")


def test_similar_profiles_by_a_profiles_own_vector(recommender) -> None:
    index = recommender.index
    vector = index.vector(1)
    assert vector.shape == (index.encoder.dim,)
    assert abs(float((vector ** 2).sum()) - 1.0) < 1e-5
    ids = [h.doc_id for h in recommender.similar(12, 3)]
    assert 12 not in ids and len(ids) == 3
    assert ids[0] == 2  # the mould maker's nearest: the plastic injection shop
    with pytest.raises(KeyError):
        recommender.similar(999)


def test_requirement_checks_and_recommendations_serialise_one_way(recommender) -> None:
    result = recommender.recommend("bó dây điện ô tô, phải có IATF 16949", 1, today=TODAY)
    body = result.items[0].to_dict()
    assert body["requirements"] == [{"kind": "certification", "wanted": "IATF 16949",
                                     "status": MET, "detail": "valid until 2027-01-01",
                                     "until": "2027-01-01"}]
    assert set(body) == {"score", "text_score", "dense", "lexical", "matched_terms",
                         "concepts", "requirements"}


def test_an_rfq_becomes_one_query_that_reads_back_its_requirements() -> None:
    from recommender.requirements import parse_requirements, rfq_query

    query = rfq_query("Vỏ nhôm", "Cần gia công 2.000 vỏ nhôm mỗi tháng", ["cnc_machining"],
                      ["ISO 9001", "IATF 16949"], "KCN Tân Tạo")
    assert query.startswith("Vỏ nhôm. Cần gia công 2.000 vỏ nhôm mỗi tháng.")
    req = parse_requirements(query)
    assert req.certifications == ("ISO 9001", "IATF 16949") and req.parks == ("KCN Tân Tạo",)
    assert len(rfq_query("x", "y" * 5000, [], ["ISO 9001"], None)) <= 1900

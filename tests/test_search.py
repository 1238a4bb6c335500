"""Hybrid search with the real bundled model over a small supplier set."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from recommender.index import ManifestMismatchError
from recommender.search import HybridIndex, SearchError


@pytest.fixture()
def index(encoder, config, suppliers) -> HybridIndex:
    return HybridIndex.build(encoder, list(suppliers), list(suppliers.values()), config)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nhà cung cấp ép nhựa vỏ thiết bị điện", 2),
        ("can nha cung cap ep nhua vo thiet bi dien", 2),
        ("bó dây điện ô tô IATF 16949", 6),
        ("bo day dien cho o to", 6),
        ("gioăng phớt cao su", 7),
        ("de giay cao su", 8),
        ("thùng carton 5 lớp", 10),
    ],
)
def test_queries_in_three_forms_find_the_right_supplier(index, query, expected) -> None:
    hits = index.search(query, 3)
    assert hits[0].doc_id == expected, [(h.doc_id, round(h.score, 2)) for h in hits]


def test_english_query_finds_the_english_profile(index) -> None:
    assert index.search("precision machining of aluminium parts", 1)[0].doc_id == 11


def test_hits_carry_their_evidence(index) -> None:
    hits = index.search("gia công CNC nhôm", 5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.dense is not None and h.lexical is not None for h in hits)
    assert hits[0].doc_id in (1, 11) and hits[0].lexical > 0


@pytest.mark.parametrize("method", ["hybrid", "dense", "bm25"])
def test_filters_do_not_starve_the_top_k(index, method) -> None:
    # allow only the suppliers least related to the query: results still fill k
    allowed = [3, 5, 8, 9, 10]
    hits = index.search("gia công CNC chính xác", 3, method=method, allowed_ids=allowed)
    assert {h.doc_id for h in hits} <= set(allowed)
    if method != "bm25":  # BM25 only returns documents sharing a term
        assert len(hits) == 3
    assert index.search("CNC", 3, allowed_ids=[]) == []
    assert index.search("CNC", 3, allowed_ids=[999]) == []


def test_live_update_and_remove(index) -> None:
    index.upsert([3], ["Xi mạ kẽm nhúng nóng và sơn tĩnh điện cho kết cấu thép."])
    assert index.search("mạ kẽm nhúng nóng", 1)[0].doc_id == 3
    # the old words no longer index it (its dense score is only the collection's floor)
    old = [h for h in index.search("túi nhựa PE màng co", 12) if h.doc_id == 3]
    assert old and not old[0].lexical
    assert index.search("túi nhựa PE màng co", 1)[0].doc_id != 3
    index.upsert([100], ["Rèn nóng và nhiệt luyện bánh răng."])
    assert index.search("ren nong nhiet luyen", 1)[0].doc_id == 100
    assert index.remove([100]) == 1
    assert all(h.doc_id != 100 for h in index.search("rèn nóng", 5))


def test_removing_unknown_id_loses_nothing(index) -> None:
    before = [h.doc_id for h in index.search("ép nhựa", 12)]
    with pytest.raises(KeyError):
        index.remove([2, 12345])
    assert [h.doc_id for h in index.search("ép nhựa", 12)] == before
    assert len(index) == 12


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "empty"), ("   ", "empty"), ("nhựa " * 20_000, "too long"),
     (b"\xff\xfe", "UTF-8")],
)
def test_bad_queries_are_clear_errors(index, query, message) -> None:
    with pytest.raises(SearchError, match=message):
        index.search(query, 5)


def test_bad_k_and_method(index) -> None:
    with pytest.raises(SearchError):
        index.search("nhựa", 0)
    with pytest.raises(SearchError):
        index.search("nhựa", 5, method="magic")


def test_save_and_load(index, encoder, config, tmp_path: Path) -> None:
    index.save(tmp_path)
    loaded = HybridIndex.load(tmp_path, encoder, config)
    for q in ("ép nhựa", "wire harness", "in offset nhãn"):
        assert [h.doc_id for h in loaded.search(q, 5)] == [h.doc_id for h in index.search(q, 5)]


def test_load_refuses_an_index_of_another_model(index, encoder, config, tmp_path) -> None:
    index.save(tmp_path)

    class OtherModel:
        model_id = "another-model"
        dim = encoder.dim

    with pytest.raises(ManifestMismatchError):
        HybridIndex.load(tmp_path, OtherModel(), config)  # type: ignore[arg-type]


def test_approximate_backend_is_chosen_for_large_collections(encoder, config, suppliers):
    small = replace(config, ann_threshold=1)
    index = HybridIndex.build(encoder, list(suppliers), list(suppliers.values()), small)
    assert type(index.vectors).__name__ == "IVFIndex"
    assert index.search("ép nhựa vỏ thiết bị điện", 1)[0].doc_id == 2


def test_ids_are_validated(encoder, config) -> None:
    with pytest.raises(ValueError):
        HybridIndex.build(encoder, [1, 1], ["a", "b"], config)
    with pytest.raises(ValueError):
        HybridIndex.build(encoder, [-1], ["a"], config)
    with pytest.raises(ValueError):
        HybridIndex.build(encoder, [1, 2], ["a"], config)


def test_precomputed_query_vector_gives_same_ranking(index, encoder) -> None:
    q = "lắp ráp SMT bo mạch"
    vec = encoder.encode_queries([q])[0]
    a = [h.doc_id for h in index.search(q, 5)]
    b = [h.doc_id for h in index.search(q, 5, query_vector=vec)]
    assert a == b
    assert np.isclose(np.linalg.norm(vec), 1.0, atol=1e-5)


def test_searches_run_while_profiles_change(index) -> None:
    import threading

    errors: list[BaseException] = []
    stop = threading.Event()

    def searcher() -> None:
        try:
            while not stop.is_set():
                hits = index.search("ép nhựa vỏ thiết bị điện", 5)
                assert hits and len({h.doc_id for h in hits}) == len(hits)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(20):
            index.upsert([200 + i % 3], [f"Xưởng ép nhựa số {i}, vỏ nhựa cho thiết bị điện."])
            if i % 5 == 4:
                index.remove([200 + i % 3])
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors[0]
    assert len(index) == 12 + len([d for d in (200, 201, 202) if d in index.windows])

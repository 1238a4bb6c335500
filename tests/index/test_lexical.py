from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.index.lexical import (
    CorruptLexicalIndexError,
    LexicalIndex,
    UnknownDocumentError,
    ngrams,
)

DOCS = {
    1: "Gia công CNC chính xác, tiện phay linh kiện nhôm.",
    2: "Ép phun nhựa kỹ thuật, vỏ nhựa cho thiết bị điện.",
    3: "Sản xuất túi nhựa PE và màng co.",
    4: "Lắp ráp bo mạch điện tử SMT.",
    5: "Đế giày cao su cho ngành da giày.",
}


@pytest.fixture()
def index() -> LexicalIndex:
    idx = LexicalIndex()
    idx.upsert(list(DOCS), list(DOCS.values()))
    return idx


def test_ngrams_add_adjacent_bigrams() -> None:
    assert ngrams(["linh", "kiện", "nhựa"]) == ["linh", "kiện", "nhựa", "linh|kiện", "kiện|nhựa"]


def test_accented_query_ranks_the_matching_profile_first(index: LexicalIndex) -> None:
    ids, scores = index.search("ép phun nhựa", 3)
    assert ids[0] == 2 and scores[0] > 0
    assert list(scores) == sorted(scores, reverse=True)


def test_query_without_diacritics_finds_accented_profiles(index: LexicalIndex) -> None:
    ids, _ = index.search("ep phun nhua", 3)
    assert ids[0] == 2
    ids, _ = index.search("de giay cao su", 1)
    assert ids[0] == 5


def test_bigrams_separate_near_misses(index: LexicalIndex) -> None:
    # both 2 and 3 contain "nhựa"; only 2 contains the phrase "vỏ nhựa"
    ids, _ = index.search("vỏ nhựa", 2)
    assert ids[0] == 2


def test_allowed_ids_filter_before_top_k(index: LexicalIndex) -> None:
    ids, _ = index.search("nhựa", 5, allowed_ids=np.array([3]))
    assert ids.tolist() == [3]


def test_no_match_returns_nothing(index: LexicalIndex) -> None:
    ids, scores = index.search("xyzzy", 5)
    assert len(ids) == 0 and len(scores) == 0


def test_update_replaces_text(index: LexicalIndex) -> None:
    index.upsert([3], ["Xi mạ kẽm và sơn tĩnh điện."])
    assert 3 not in index.search("túi nhựa", 5)[0].tolist()
    assert index.search("sơn tĩnh điện", 1)[0].tolist() == [3]
    assert len(index) == 5


def test_remove_unknown_id_removes_nothing(index: LexicalIndex) -> None:
    with pytest.raises(UnknownDocumentError):
        index.remove([1, 999])
    assert len(index) == 5
    assert index.search("CNC", 1)[0].tolist() == [1]
    assert index.remove([1]) == 1
    assert 1 not in index.search("CNC", 5)[0].tolist()


def test_save_load_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    for q in ("ép nhựa", "lap rap SMT", "CNC"):
        a, sa = index.search(q, 5)
        b, sb = loaded.search(q, 5)
        assert a.tolist() == b.tolist()
        np.testing.assert_allclose(sa, sb)


def test_corrupted_file_is_detected(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path)
    data = tmp_path / "lexical.jsonl.gz"
    data.write_bytes(data.read_bytes()[:-10])
    with pytest.raises(CorruptLexicalIndexError, match="checksum"):
        LexicalIndex.load(tmp_path)
    with pytest.raises(CorruptLexicalIndexError, match="no lexical index"):
        LexicalIndex.load(tmp_path / "missing")


def test_empty_index_searches_to_nothing() -> None:
    assert len(LexicalIndex().search("nhựa", 3)[0]) == 0


def test_bm25_matrix_and_scores_equal_bm25s() -> None:
    """The numpy-built BM25 matrix is bm25s's (Lucene variant), value for value, on the
    sample profiles (an empty document included); the posting gather summed in one
    bincount gives bm25s's query scores within float32 rounding, on the labelled buyer
    queries (repeated terms included), and the same documents score zero."""
    import json

    import bm25s
    from bm25s.tokenization import Tokenized

    from recommender.resources import corpus_file

    rows = [json.loads(line) for line in corpus_file("sample_suppliers.jsonl")
            .read_text(encoding="utf-8").splitlines()[:400]]
    idx = LexicalIndex()
    idx.upsert(list(range(len(rows))) + [len(rows)], [r["description"] for r in rows] + [""])
    idx.score_all("khởi tạo")  # the main segment is built on first use
    queries = [json.loads(line)["text"] for line in corpus_file("buyer_queries.jsonl")
               .read_text(encoding="utf-8").splitlines()]
    compared = 0
    for name, field in idx._fields.items():
        docs = [idx._main_terms[int(i)][name] for i in idx._main_ids]
        ref = bm25s.BM25(k1=field.k1, b=field.b, method="lucene")
        ref.index(Tokenized(ids=[d.tolist() if len(d) else [0] for d in docs],
                            vocab=dict(field.vocab)), show_progress=False)
        assert np.array_equal(field.matrix.indptr, ref.scores["indptr"])
        assert np.array_equal(field.matrix.indices, ref.scores["indices"])
        assert np.array_equal(field.matrix.data, ref.scores["data"])
        for query in queries:
            terms, _ = idx.query_terms(query)
            ids = np.array([field.vocab[t] for t in terms[name] if t in field.vocab and t] * 2,
                           dtype=np.int64)
            known = ids[(ids > 0) & (ids < field.n_terms)]
            if not len(known):
                continue
            expected = ref.get_scores_from_ids(known.tolist())
            got = field.scores(ids, len(expected))
            assert got.dtype == np.float32 and got.shape == expected.shape
            assert np.allclose(got, expected, rtol=1e-6, atol=1e-6)
            assert np.array_equal(got > 0, expected > 0)
            compared += 1
    assert compared > len(queries)

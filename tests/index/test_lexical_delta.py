"""Live edits of the lexical index: the delta segment against a fresh build."""

from __future__ import annotations

import random

import numpy as np
import pytest

from corpora.build_samples import make_suppliers
from recommender.index.lexical import LexicalIndex

QUERIES = [
    "gia công cnc nhôm", "ép phun nhựa", "bo mạch điện tử smt", "thùng carton",
    "in offset", "gia cong co khi chinh xac", "đế giày cao su", "dập kim loại tấm",
    "sơn tĩnh điện", "khuôn mẫu", "ISO 9001", "may mặc xuất khẩu", "wire harness",
    "túi nhựa PE", "plastic injection moulding", "hàn laser", "xi mạ", "bao bì giấy",
    "linh kiện ô tô", "đúc nhôm áp lực",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [f"{r['name']}. {r['description']}" for r in make_suppliers(random.Random(11), 700)]


def _fresh(docs: dict[int, str]) -> LexicalIndex:
    index = LexicalIndex()
    index.upsert(list(docs), list(docs.values()))
    index.refresh()
    return index


def _scores(index: LexicalIndex, query: str) -> dict[int, float]:
    ids, scores = index.score_all(query)
    return {int(d): float(s) for d, s in zip(ids.tolist(), scores.tolist(), strict=True)}


def _edit(index: LexicalIndex, docs: dict[int, str], texts: list[str], rng, n: int) -> None:
    """``n`` edits: changed texts, new documents and removals, mirrored into ``docs``."""
    for step in range(n):
        kind = step % 5
        if kind == 4:
            victim = rng.choice(sorted(docs))
            index.remove([victim])
            del docs[victim]
        elif kind == 3:
            new_id = 10_000 + step
            docs[new_id] = texts[500 + step % 200]
            index.upsert([new_id], [docs[new_id]])
        else:
            target = rng.choice(sorted(docs))
            docs[target] = texts[500 + (step * 7) % 200] + " Cập nhật " + str(step)
            index.upsert([target], [docs[target]])
        index.refresh()


def test_ranking_after_edits_is_near_a_fresh_build(texts) -> None:
    docs = {i: texts[i] for i in range(500)}
    live = _fresh(docs)
    _edit(live, docs, texts, random.Random(3), 120)
    assert live.delta_size > 0, "the edits should sit in the delta segment"
    fresh = _fresh(docs)
    assert sorted(live.ids().tolist()) == sorted(fresh.ids().tolist())
    overlaps, top1 = [], 0
    for query in QUERIES:
        got = [int(d) for d in live.search(query, 10)[0]]
        want = [int(d) for d in fresh.search(query, 10)[0]]
        assert set(got) <= set(docs)  # removed and replaced versions never come back
        overlaps.append(len(set(got) & set(want)) / max(len(want), 1))
        top1 += bool(want) and got[:1] == want[:1]
        live_s, fresh_s = _scores(live, query), _scores(fresh, query)
        for d, s in fresh_s.items():
            assert live_s[d] == pytest.approx(s, rel=0.1, abs=0.05)
    assert np.mean(overlaps) >= 0.9 and top1 >= 0.9 * len(QUERIES)
    # a merge gives exactly the fresh build's scores
    live.merge()
    assert live.delta_size == 0
    for query in QUERIES:
        live_s, fresh_s = _scores(live, query), _scores(fresh, query)
        assert live_s.keys() == fresh_s.keys()
        for d, s in fresh_s.items():
            assert live_s[d] == pytest.approx(s, rel=1e-5, abs=1e-6)


def test_delta_merges_once_it_grows(texts) -> None:
    docs = {i: texts[i] for i in range(300)}
    index = _fresh(docs)
    index.min_merge, index.merge_fraction = 10, 0.0
    for step in range(10):
        docs[step] = texts[600 + step]
        index.upsert([step], [docs[step]])
        index.refresh()
    assert index.delta_size == 10
    docs[50] = texts[650]
    index.upsert([50], [docs[50]])
    index.refresh()
    assert index.delta_size == 0
    fresh = _fresh(docs)
    for query in QUERIES[:8]:
        assert _scores(index, query) == pytest.approx(_scores(fresh, query), rel=1e-5)


def test_edits_made_during_a_merge_are_kept(texts, monkeypatch) -> None:
    docs = {i: texts[i] for i in range(200)}
    index = _fresh(docs)
    index.min_merge, index.merge_fraction = 2, 0.0
    build = index._build_main

    def build_then_edit(snapshot):
        built = build(snapshot)
        # an edit that arrives while the new main segment is being built (outside the lock)
        index.upsert([7], ["Xi mạ kẽm nhúng nóng cho kết cấu thép ngoài trời."])
        index.remove([8])
        return built

    for d in (1, 2):
        index.upsert([d], [texts[600 + d]])
    monkeypatch.setattr(index, "_build_main", build_then_edit)
    index.upsert([3], [texts[603]])
    index.refresh()  # merges, and the edit lands meanwhile
    assert index.delta_size == 1  # doc 7, edited after the snapshot
    assert int(index.search("mạ kẽm nhúng nóng", 1)[0][0]) == 7
    assert 8 not in index.search(texts[8][:60], 20)[0].tolist() and 8 not in index


def test_one_edit_is_cheap_at_scale(texts) -> None:
    import time

    index = _fresh({i: texts[i % 700] + f" {i}" for i in range(3000)})
    started = time.perf_counter()
    for step in range(20):
        index.upsert([step], [texts[step + 100]])
        index.refresh()
    per_edit = (time.perf_counter() - started) / 20
    assert per_edit < 0.1, f"{per_edit * 1000:.0f} ms per edit"

"""The hand-written set, end to end: imported as written, searched through the API.

The bars of the open-world issue: nDCG@10 at least 90 overall and 85 in each
language group, beside BM25-only and dense-only in the same run (slow: it
imports 130 profiles, encodes them with the real model and runs 68 queries).
"""

from __future__ import annotations

import pytest

from recommender.resources import corpus_file
from webapp import create_app
from webapp.commands import HANDWRITTEN_AS_OF
from webapp.evaluate import evaluate_files


@pytest.mark.slow
def test_handwritten_set_through_import_and_the_search_api(config, monkeypatch) -> None:
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    found = evaluate_files(corpus_file("handwritten/suppliers.csv"),
                           corpus_file("handwritten/queries.jsonl"),
                           corpus_file("handwritten/qrels.tsv"), today=HANDWRITTEN_AS_OF,
                           create_app=create_app)
    assert "130 created" in found["import"] and "0 rejected" in found["import"]
    api = found["results"]["api"]
    assert api["all"]["queries"] == 68
    assert api["all"]["nDCG@10"] >= 90.0, api
    for lang in ("vi", "vi_nodiac", "en"):
        assert api[lang]["nDCG@10"] >= 85.0, (lang, api)
    for baseline in ("bm25", "dense"):
        assert api["all"]["nDCG@10"] > found["results"][baseline]["all"]["nDCG@10"]

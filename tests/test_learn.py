"""Learning the ranking weights from the interaction log, and its use by a rebuild.

The log is synthetic but written through the real models into a real SQLite
store over 200 of the sample suppliers: buyers run the labelled buyer queries and
consistently contact (and shortlist) the suppliers a dense-heavy ranking
(``alpha`` 0.9) puts first, while the configured ranking uses 0.5. Clicks and
impressions on the configured ranking's results are logged too, as noise the
default grades ignore.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from sqlalchemy import select

from recommender.learn import (
    LearnSettings,
    learn_weights,
    make_learner,
    query_key,
    read_implicit_judgements,
    split_queries,
)
from recommender.recommend import SupplierRecommender
from recommender.search import HybridIndex
from recommender.store.models import (
    Interaction,
    InteractionKind,
    SearchLog,
    SupplierProfile,
)
from recommender.versions import IndexStore, labelled_evaluator, rebuild

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
PLANTED_ALPHA = 0.9
N_PROFILES, N_QUERIES = 200, 120
# a small grid keeps the test quick; the planted alpha is on it, the configured one too
GRID = LearnSettings(alphas=(0.1, 0.3, 0.5, 0.7, 0.9), expansion_weights=(0.4,),
                     requirement_weights=(0.0, 1.0))


@pytest.fixture(scope="module")
def world(tmp_path_factory, encoder, config):
    """A profile store, its index, and a logged history of buyers' searches and actions."""
    from recommender.store.db import make_engine, session_factory, sqlite_url, upgrade
    from recommender.store.sample import load_sample

    root = tmp_path_factory.mktemp("learn")
    lines = (CORPORA / "sample_suppliers.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = root / "suppliers.jsonl"
    corpus.write_text("\n".join(lines[:N_PROFILES]) + "\n", encoding="utf-8")
    url = sqlite_url(root)
    upgrade(url)
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        load_sample(session, corpus)
        rows = list(session.scalars(select(SupplierProfile).order_by(SupplierProfile.id)))
        docs = {p.id: f"{p.name}. {p.description}" for p in rows}
        external = {p.id: p.external_id for p in rows}
    ids = sorted(docs)
    index = HybridIndex.build(encoder, ids, [docs[i] for i in ids], config, show_progress=False)
    queries = [json.loads(line)["text"] for line in
               (CORPORA / "buyer_queries.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()][:N_QUERIES]
    planted = index.with_config(config.with_weights({"alpha": PLANTED_ALPHA}))
    rng = random.Random(3)
    vectors = encoder.encode_queries([index.dense_query(t) for t in queries])  # one batch
    with sessions() as session:
        for n, (text, vec) in enumerate(zip(queries, vectors, strict=True)):
            shown = [h.doc_id for h in index.search(text, 10, query_vector=vec)]
            liked = [h.doc_id for h in planted.search(text, 3, query_vector=vec)]
            for repeat in range(1 + n % 2):  # some queries were searched twice
                log = SearchLog(query=text if repeat == 0 else f"  {text.upper()} ",
                                result_external_ids=[external[d] for d in shown],
                                result_count=len(shown))
                session.add(log)
                session.flush()
                for rank_, doc in enumerate(shown, 1):
                    session.add(Interaction(search_log_id=log.id, profile_id=doc, rank=rank_,
                                            kind=InteractionKind.IMPRESSION))
                session.add(Interaction(search_log_id=log.id, profile_id=rng.choice(shown),
                                        kind=InteractionKind.CLICK))
                session.add(Interaction(search_log_id=log.id, profile_id=liked[0],
                                        kind=InteractionKind.CONTACT))
                for doc in liked[1:]:
                    session.add(Interaction(search_log_id=log.id, profile_id=doc,
                                            kind=InteractionKind.SHORTLIST))
                # a buyer who shortlists and then contacts: the contact's grade counts
                session.add(Interaction(search_log_id=log.id, profile_id=liked[0],
                                        kind=InteractionKind.SHORTLIST))
        session.add(Interaction(search_log_id=None, profile_id=ids[0],
                                kind=InteractionKind.CONTACT))  # no search: no query
        session.commit()
    return {"sessions": sessions, "index": index, "ids": ids, "docs": docs,
            "external": external, "queries": queries, "root": root, "planted": planted}


def _logged(world, **kw):
    with world["sessions"]() as session:
        return read_implicit_judgements(session, **kw)


def test_judgements_are_graded_pooled_per_query_and_ignore_weak_signals(world) -> None:
    logged = _logged(world)
    texts = world["queries"]
    assert len(logged) == len({query_key(t) for t in texts})
    by_key = {q.key: q for q in logged}
    first = by_key[query_key(texts[1])]  # searched twice, in two spellings
    assert first.searches == 2
    liked = [h.doc_id for h in world["planted"].search(texts[1], 3)]
    assert first.judgements == {liked[0]: 2, liked[1]: 1, liked[2]: 1}
    assert logged[0].searches >= logged[-1].searches  # most searched first
    with_clicks = _logged(world, grades={InteractionKind.CONTACT: 3,
                                         InteractionKind.SHORTLIST: 2,
                                         InteractionKind.CLICK: 1})
    assert sum(len(q.judgements) for q in with_clicks) >= sum(len(q.judgements) for q in logged)
    assert max(g for q in with_clicks for g in q.judgements.values()) == 3
    with pytest.raises(ValueError, match="grade"):
        _logged(world, grades={InteractionKind.CONTACT: 0})


def test_split_is_by_query_deterministic_and_seeded(world) -> None:
    logged = _logged(world)
    tuning, held = split_queries(logged, 0.3, seed=13)
    assert not {q.key for q in tuning} & {q.key for q in held}
    assert len(tuning) + len(held) == len(logged) and 0.15 < len(held) / len(logged) < 0.45
    again = split_queries(list(reversed(logged)), 0.3, seed=13)[1]
    assert {q.key for q in again} == {q.key for q in held}
    assert {q.key for q in split_queries(logged, 0.3, seed=14)[1]} != {q.key for q in held}


def test_tuning_finds_the_buyers_alpha_and_the_held_apart_part_improves(world) -> None:
    outcome = learn_weights(world["index"], {}, _logged(world), GRID)
    assert outcome.accepted, outcome.reason
    assert outcome.weights["alpha"] >= 0.7, outcome.weights
    assert outcome.defaults["alpha"] == 0.5
    assert outcome.held["learned"] - outcome.held["defaults"] >= GRID.margin
    assert outcome.tuning["learned"] > outcome.tuning["defaults"]
    assert outcome.tuning_queries + outcome.held_queries == outcome.queries == N_QUERIES
    assert "improve held-apart nDCG@10" in outcome.reason


def test_too_few_judged_queries_keep_the_defaults_and_say_why(world) -> None:
    few = _logged(world)[:12]
    outcome = learn_weights(world["index"], {}, few, GRID)
    assert not outcome.accepted and outcome.weights is None
    assert "only 12 judged queries" in outcome.reason and "at least 40" in outcome.reason
    # judgements of suppliers no longer indexed do not count
    gone = HybridIndex.build(world["index"].encoder, [world["ids"][0]],
                             [world["docs"][world["ids"][0]]], world["index"].config,
                             show_progress=False)
    assert learn_weights(gone, {}, _logged(world), GRID).queries < N_QUERIES


def test_held_apart_margin_refuses_a_gain_too_small(world) -> None:
    outcome = learn_weights(world["index"], {}, _logged(world),
                            LearnSettings(**{**GRID.__dict__, "margin": 100.0}))
    assert not outcome.accepted and "less than the margin of 100.00" in outcome.reason
    assert outcome.best["alpha"] >= 0.7  # found, but not trusted


def _labels(world, tmp_path, ranking):
    """Labelled queries judged by ``ranking``'s top three (the labels' view of relevance)."""
    qfile, rfile = tmp_path / "q.jsonl", tmp_path / "qrels.tsv"
    with open(qfile, "w", encoding="utf-8") as qf, open(rfile, "w", encoding="utf-8") as rf:
        rf.write("query_id\texternal_id\tgrade\n")
        for n, text in enumerate(world["queries"][:40]):
            qf.write(json.dumps({"query_id": f"L{n}", "text": text, "lang": "vi"},
                                ensure_ascii=False) + "\n")
            for hit in ranking.search(text, 3):
                rf.write(f"L{n}\t{world['external'][hit.doc_id]}\t2\n")
    docs = world["docs"]
    return labelled_evaluator({}, docs, world["external"], qfile, rfile)


def _rebuild(world, store, encoder, config, evaluate):
    ids = world["ids"]
    return rebuild(store, encoder, ids, [world["docs"][i] for i in ids], "fp", config,
                   evaluate=evaluate, learn=make_learner(_logged(world), {}, GRID),
                   show_progress=False)


def test_rebuild_records_and_serves_the_learned_weights(world, tmp_path, encoder,
                                                        config) -> None:
    store = IndexStore(tmp_path / "index")
    evaluate = _labels(world, tmp_path, world["planted"])  # the labels agree with buyers
    result = _rebuild(world, store, encoder, config, evaluate)
    assert result.promoted
    version = store.get(result.version.version_id)
    assert version.weights and version.weights["alpha"] >= 0.7
    info = json.loads((version.path / "version.json").read_text(encoding="utf-8"))
    learning = info["learning"]
    assert learning["used"] is True and learning["queries"] == N_QUERIES
    assert learning["held"]["learned"] - learning["held"]["defaults"] >= 1.0
    assert learning["labelled"]["learned"] >= learning["labelled"]["defaults"]
    assert info["metrics"]["nDCG@10"] == learning["labelled"]["learned"]  # gate saw learned
    index, served = store.load_current(encoder, config)
    assert served.version_id == version.version_id
    assert index.config.weights() == {**config.weights(), **version.weights}
    rec = SupplierRecommender(index, {}, world["docs"])
    assert rec.requirement_weight == version.weights["requirement_weight"]
    text = world["queries"][5]
    assert [h.doc_id for h in index.search(text, 5)] == [
        h.doc_id for h in world["index"].with_config(index.config).search(text, 5)]


def test_labelled_queries_veto_learned_weights(world, tmp_path, encoder, config) -> None:
    store = IndexStore(tmp_path / "index")
    # labels that prefer a lexical-heavy ranking: the buyers' dense-heavy weights hurt them
    lexical = world["index"].with_config(config.with_weights({"alpha": 0.1}))
    result = _rebuild(world, store, encoder, config, _labels(world, tmp_path, lexical))
    version = store.get(result.version.version_id)
    assert version.weights is None
    learning = version.learning
    assert learning["used"] is False and learning["labelled"]["learned"] < \
        learning["labelled"]["defaults"]
    assert "not used, the version keeps the configured weights" in learning["decision"]
    assert version.metrics["nDCG@10"] == learning["labelled"]["defaults"]
    index, _ = store.load_current(encoder, config)
    assert index.config.alpha == config.alpha


def test_settings_are_checked() -> None:
    for bad in ({"held_fraction": 1.0}, {"margin": -1}, {"min_queries": 1},
                {"alphas": ()}):
        with pytest.raises(ValueError):
            LearnSettings(**bad)


def test_weights_of_another_name_are_refused(config) -> None:
    with pytest.raises(ValueError, match="not ranking weights"):
        config.with_weights({"candidates": 5})
    assert config.with_weights(None) is config
    assert list(itertools.islice(config.weights(), 3)) == ["alpha", "expansion_weight",
                                                            "requirement_weight"]

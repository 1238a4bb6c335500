"""`flask index ...`: rebuild with the quality gate, status, list, rollback, prune."""

from __future__ import annotations

import os

import pytest

QUERIES = (
    '{"query_id": "a", "text": "bó dây điện ô tô", "lang": "vi"}\n'
    '{"query_id": "b", "text": "de giay cao su", "lang": "vi_nodiac"}\n'
    '{"query_id": "c", "text": "corrugated carton boxes", "lang": "en"}\n'
)
QRELS = "query_id\texternal_id\tgrade\na\tSUP-00006\t2\nb\tSUP-00008\t2\nc\tSUP-00010\t2\n"


@pytest.fixture(scope="module")
def labels(tmp_path_factory):
    root = tmp_path_factory.mktemp("labels")
    (root / "q.jsonl").write_text(QUERIES, encoding="utf-8")
    (root / "qrels.tsv").write_text(QRELS, encoding="utf-8")
    return ["--queries", str(root / "q.jsonl"), "--qrels", str(root / "qrels.tsv")]


def _index(app, *args):
    return app.test_cli_runner().invoke(args=["index", *args])


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        ("rebuild", ["--tolerance", "--force", "nDCG@10", "Only one rebuild runs at a time",
                     "index rollback VERSION", "swap the new version in", "--no-learn",
                     "held-apart searches improve", "prints what was learned"]),
        ("status", ["CURRENT", "newest older valid version", "--verify"]),
        ("list", ["'*' marks the current", "previous"]),
        ("rollback", ["by default the one promoted before the current one", "VERSION",
                      "failed to load, fails verification or was never checked", "--force",
                      "pinned", "index unpin"]),
        ("unpin", ["rollback", "next scheduled or staff rebuild"]),
        ("prune", ["--keep", "always the current and the previous"]),
    ],
)
def test_index_help_texts(app, command, phrases) -> None:
    result = _index(app, command, "--help")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for phrase in phrases:
        assert phrase in text, phrase


def test_rebuild_quality_gate_and_force(app, labels) -> None:
    catalog = app.extensions["ketnoi_catalog"]
    store = catalog.store
    first = store.current()
    assert first is not None and first.gate.startswith("promoted on start")
    half = store.versions_dir / "29990101T000000000000Z-0badf00d"  # a build killed mid-way
    (half / "vectors").mkdir(parents=True)
    assert "unfinished builds" in _index(app, "status").output

    result = _index(app, "rebuild", *labels)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("promoted ") and not half.exists()
    assert store.get(first.version_id).metrics["nDCG@10"] == 100.0  # baseline scored too
    assert catalog.version == store.current().version_id  # this process serves it at once

    serving = store.current()
    serving.metrics["nDCG@10"] = 150.0  # pretend the served version was much better
    store.write(serving)
    refused = _index(app, "rebuild", *labels)
    assert refused.exit_code == 1
    assert "nDCG@10 fell by 50.00 points (nDCG@10 150.00 -> 100.00)" in refused.output
    assert f"still serving {serving.version_id}" in refused.output and "--force" in refused.output
    assert store.current().version_id == serving.version_id
    listing = _index(app, "list").output
    assert "refused: nDCG@10 fell by 50.00" in listing

    loose = _index(app, "rebuild", "--tolerance", "60", *labels)
    assert loose.exit_code == 0 and "(tolerance 60.00)" in loose.output
    top = store.current()
    top.metrics = {"nDCG@10": 150.0}
    store.write(top)
    forced = _index(app, "rebuild", "--force", *labels)
    assert forced.exit_code == 0 and "by force" in store.current().gate
    assert _index(app, "rebuild", "--tolerance", "-1", *labels).exit_code == 2


def test_second_rebuild_is_refused_with_a_reason(app, labels) -> None:
    store = app.extensions["ketnoi_catalog"].store
    before = len(store.list())
    with store.rebuild_lock():
        assert f"rebuild running: process {os.getpid()}" in _index(app, "status").output
        result = _index(app, "rebuild", *labels)
    assert result.exit_code == 1
    assert f"rebuild did not start: another index build is running (process {os.getpid()}" \
        in result.output
    assert len(store.list()) == before


def test_list_rollback_and_prune(app, labels) -> None:
    store = app.extensions["ketnoi_catalog"].store
    for _ in range(2):
        assert _index(app, "rebuild", "--force", *labels).exit_code == 0
    current, previous = store.current(), store.previous()
    listing = _index(app, "list").output.splitlines()
    assert any(line.startswith(f"* {current.version_id}") for line in listing)
    assert any(line.startswith(f"- {previous.version_id}") for line in listing)
    result = _index(app, "rollback")
    assert result.exit_code == 0 and f"now serving {previous.version_id}" in result.output
    assert app.extensions["ketnoi_catalog"].version == previous.version_id
    assert _index(app, "rollback", current.version_id).exit_code == 0
    bad = _index(app, "rollback", "no-such-version")
    assert bad.exit_code == 1 and "no ready index version 'no-such-version'" in bad.output
    result = _index(app, "prune", "--keep", "0")
    assert result.exit_code == 0 and "removed" in result.output
    assert {v.version_id for v in store.list()} == {current.version_id, previous.version_id}


def test_rollback_refuses_damaged_versions_and_a_pin_holds_until_unpinned(
        app, labels) -> None:
    from recommender.config import RetrievalConfig

    catalog = app.extensions["ketnoi_catalog"]
    store = catalog.store
    assert _index(app, "rebuild", "--force", *labels).exit_code == 0
    promoted = store.current()
    # a rebuild killed during its evaluation leaves a complete version never gated
    config = RetrievalConfig.from_env()
    with store.rebuild_lock():
        _, leftover = store.build(catalog.encoder(config), [1, 2], ["ép nhựa", "in offset"],
                                  "x", config, show_progress=False)
    listing = _index(app, "list").output
    assert f"{leftover.version_id}" in listing and "left by a stopped rebuild" in listing
    assert leftover.version_id in _index(app, "status").output  # "unfinished builds"
    refused = _index(app, "rollback", leftover.version_id)
    assert refused.exit_code == 1
    assert (f"will not serve index version {leftover.version_id}: it was never checked by "
            f"the quality gate") in refused.output
    assert store.current().version_id == promoted.version_id and not store.pinned()

    # a version whose files are damaged: verified, refused, and the error is recorded
    previous = store.previous()
    data = next((previous.path / "vectors").glob("index-*"))
    saved = data.read_bytes()
    data.write_bytes(saved[:-16])
    damaged = _index(app, "rollback")
    assert damaged.exit_code == 1 and "its files failed verification" in damaged.output
    data.write_bytes(saved)  # even repaired, a version that failed to load stays refused
    again = _index(app, "rollback", previous.version_id)
    assert again.exit_code == 1 and "it failed to load on " in again.output
    status = _index(app, "status").output
    assert store.current().version_id == promoted.version_id
    assert f"current: {promoted.version_id}" in status and "pinned" not in status

    # a good version: pinned; an unforced rebuild builds and checks but does not promote
    assert _index(app, "rebuild", "--force", *labels).exit_code == 0
    assert not (store.versions_dir / leftover.version_id).exists()  # cleaned by the rebuild
    result = _index(app, "rollback")
    assert result.exit_code == 0 and "pinned" in result.output
    assert "pinned by a rollback" in _index(app, "status").output
    held = _index(app, "rebuild", "--tolerance", "100", *labels)
    assert held.exit_code == 1
    assert f"skipped promotion because staff pinned {promoted.version_id}" in held.output
    assert store.current().version_id == promoted.version_id
    status = _index(app, "status").output
    assert "refused " in status and "skipped promotion because staff pinned" in status
    assert "passed, not promoted (pinned)" in _index(app, "list").output
    unpinned = _index(app, "unpin")
    assert unpinned.exit_code == 0 and f"unpinned {promoted.version_id}" in unpinned.output
    assert "nothing to unpin" in _index(app, "unpin").output
    assert _index(app, "rebuild", "--tolerance", "100", *labels).exit_code == 0
    assert store.current().version_id != promoted.version_id


def test_corrupt_current_version_is_replaced_and_shown_in_status(app, labels) -> None:
    from recommender.serving.catalog import Catalog

    catalog = app.extensions["ketnoi_catalog"]
    assert _index(app, "rebuild", "--force", *labels).exit_code == 0
    current, previous = catalog.store.current(), catalog.store.previous()
    data = next((current.path / "lexical").glob("*.npz"), None) or next(
        p for p in (current.path / "lexical").iterdir() if p.name != "manifest.json")
    data.write_bytes(b"\0" + data.read_bytes()[1:])  # one flipped byte
    again = Catalog(app.extensions["ketnoi_db"].sessions, app.config["INDEX_DIR"])
    again.load_or_build()
    assert again.ready and again.version == previous.version_id
    assert again.recommender.recommend("bó dây điện ô tô", 1).items[0].doc_id
    status = _index(app, "status", "--verify").output
    assert f"SERVING INSTEAD: {previous.version_id}" in status
    assert "load errors" in status and f"{current.version_id}: " in status
    assert "checksum" in status


def test_rolled_back_version_survives_a_restart_after_profile_edits(
        tmp_path, config, monkeypatch) -> None:
    from recommender.serving.catalog import Catalog
    from webapp import create_app

    from ..store.files import profile_row, write_jsonl

    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    corpus = write_jsonl(tmp_path / "sample.jsonl",
                         [profile_row(n, sample=True) for n in (1, 2, 3)])
    small = create_app({"TESTING": True, "SAMPLE_CORPUS": str(corpus),
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'ketnoi.sqlite3'}",
                        "INDEX_DIR": str(tmp_path / "index"), "BUILD_INDEX_ON_START": False})
    runner = small.test_cli_runner()
    assert runner.invoke(args=["build-index"]).exit_code == 0
    first = small.extensions["ketnoi_catalog"].store.current()
    edit = write_jsonl(tmp_path / "edit.jsonl", [profile_row(2, description="Ép nhựa ABS")])
    assert runner.invoke(args=["import-profiles", str(edit)]).exit_code == 0

    def restart() -> Catalog:
        catalog = Catalog(small.extensions["ketnoi_db"].sessions, small.config["INDEX_DIR"])
        catalog.load_or_build()
        return catalog

    second = restart().index_version  # profiles changed: a new version on start
    assert second.version_id != first.version_id
    assert runner.invoke(args=["index", "rollback"]).exit_code == 0
    assert restart().version == first.version_id  # staff's choice is kept
    assert runner.invoke(args=["index", "rollback", second.version_id]).exit_code == 0
    assert restart().version == second.version_id


def test_unversioned_index_of_an_earlier_release_is_adopted(
        tmp_path, config, encoder, monkeypatch) -> None:
    from recommender.search import HybridIndex
    from recommender.serving.catalog import Catalog
    from recommender.serving.profiles import fingerprint, read_profiles
    from webapp import create_app

    from ..store.files import profile_row, write_jsonl

    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    corpus = write_jsonl(tmp_path / "sample.jsonl",
                         [profile_row(n, sample=True) for n in (1, 2, 3)])
    small = create_app({"TESTING": True, "SAMPLE_CORPUS": str(corpus),
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'ketnoi.sqlite3'}",
                        "INDEX_DIR": str(tmp_path / "index"), "BUILD_INDEX_ON_START": False})
    sessions, root = small.extensions["ketnoi_db"].sessions, tmp_path / "index"
    profiles = read_profiles(sessions)
    old = HybridIndex.build(encoder, [p.doc_id for p in profiles],
                            [p.search_text for p in profiles], config, show_progress=False)
    old.save(root)
    (root / "catalog.sha256").write_text(fingerprint(profiles) + "\n")

    def no_build(*_args, **_kwargs):
        raise AssertionError("the earlier index should have been reused")

    with monkeypatch.context() as patch:
        patch.setattr(HybridIndex, "build", no_build)
        catalog = Catalog(sessions, str(root))
        catalog.load_or_build()
    assert catalog.ready and catalog.index_version.gate.startswith("adopted")
    assert len(catalog.profiles) == 3 and catalog.store.current().profile_count == 3
    assert sorted(p.name for p in root.iterdir()) == ["CURRENT", "versions"]

    # a stale one (the profiles changed since) is removed and a version is built
    old.save(tmp_path / "index2")
    (tmp_path / "index2" / "catalog.sha256").write_text("something else\n")
    fresh = Catalog(sessions, str(tmp_path / "index2"))
    fresh.load_or_build()
    assert fresh.ready and not (fresh.index_version.gate or "").startswith("adopted")
    assert sorted(p.name for p in (tmp_path / "index2").iterdir()) == ["CURRENT", "versions"]


def test_rebuild_prints_what_was_learned_and_a_version_is_served_with_its_weights(
        app, labels) -> None:
    from recommender.serving.catalog import Catalog

    catalog = app.extensions["ketnoi_catalog"]
    store = catalog.store
    result = _index(app, "rebuild", "--force", *labels)
    assert result.exit_code == 0, result.output
    assert "learning from use: 0 judged queries" in result.output
    assert "kept the configured weights: only 0 judged queries" in result.output
    current = store.current()
    assert current.learning["accepted"] is False and current.weights is None
    # a version that carries learned weights is searched with them wherever it is served
    current.weights = {"alpha": 0.8, "requirement_weight": 2.0}
    store.write(current)
    again = Catalog(app.extensions["ketnoi_db"].sessions, app.config["INDEX_DIR"])
    again.load_or_build()
    assert again.version == current.version_id
    assert again.index.config.alpha == 0.8 and again.recommender.requirement_weight == 2.0
    assert again.index.config.expansion_weight == catalog.index.config.expansion_weight
    status = _index(app, "status").output
    assert "learned ranking weights: alpha 0.80, requirement_weight 2.00" in status
    # profiles edited, the app restarts: its build on start keeps the learned weights
    from recommender.store.models import SupplierProfile

    with app.extensions["ketnoi_db"].sessions() as session:
        session.get(SupplierProfile, 3).description += " Màng PE in logo."
        session.commit()
    restarted = Catalog(app.extensions["ketnoi_db"].sessions, app.config["INDEX_DIR"])
    restarted.load_or_build()
    assert restarted.version != current.version_id
    assert restarted.index_version.weights == current.weights
    assert restarted.index_version.learning["carried_from"] == current.version_id
    assert restarted.index.config.alpha == 0.8
    assert restarted.recommender.requirement_weight == 2.0
    quiet = _index(app, "rebuild", "--force", "--no-learn", *labels)
    assert quiet.exit_code == 0 and "learning from use" not in quiet.output
    assert store.current().learning is None and store.current().weights is None

"""Live index updates in every serving process: the change log, the follower, promotions.

A second :class:`~webapp.catalog.Catalog` on the same database and index directory
stands for another web worker (it shares nothing in memory but the encoder, to save
loading the model twice); tests/webapp/test_multiprocess.py runs real server processes.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from sqlalchemy import func, select

from recommender.index.lexical import FIELDS, document_terms
from recommender.serving.catalog import Catalog
from recommender.serving.follower import wait_until
from recommender.serving.profiles import fingerprint, snapshot_profiles
from recommender.store.changes import record_change
from recommender.store.models import ChangeOp, ProfileChange, SupplierProfile
from recommender.text import syllables

from .conftest import add_account, login, make_app

VISIBLE_S = 2.0


@pytest.fixture()
def live_app(tmp_path, config, suppliers, monkeypatch):
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    monkeypatch.setenv("KETNOI_CHANGE_POLL_S", "0.1")
    app = make_app(tmp_path, suppliers, WTF_CSRF_ENABLED=False)
    catalog = app.extensions["ketnoi_catalog"]
    assert catalog.wait(300)
    assert wait_until(lambda: catalog.follower is not None, 10)
    yield app
    catalog.follower.stop()


def _worker(app) -> Catalog:
    """Another serving process's catalog on the same database and index directory."""
    main = app.extensions["ketnoi_catalog"]
    other = Catalog(main.sessions, app.config["INDEX_DIR"])
    other._encoder = main._encoder
    other.load_or_build()
    other.follow(poll_s=0.1)
    return other


def _top(catalog: Catalog, query: str, k: int = 3) -> list[str]:
    found = catalog.recommender.recommend(query, k, explain=False).items
    return [catalog.profiles[r.doc_id].external_id for r in found]


def _edit(sessions, external_id: str, description: str) -> None:
    """What any writer does: the row and its change-log entry in one transaction."""
    with sessions() as session:
        profile = session.scalar(select(SupplierProfile)
                                 .where(SupplierProfile.external_id == external_id))
        profile.description = description
        record_change(session, profile.id, ChangeOp.UPSERT)
        session.commit()


def test_edit_through_the_api_reaches_another_worker(live_app) -> None:
    other = _worker(live_app)
    try:
        add_account(live_app, "live@example.vn", "enterprise", "SUP-00003")
        client = live_app.test_client()
        login(client, "live@example.vn")
        query = "mạ kẽm nhúng nóng kết cấu thép"
        assert _top(other, query, 1) != ["SUP-00003"]
        started = time.monotonic()
        res = client.patch("/api/v1/suppliers/SUP-00003",
                           json={"description": "Xi mạ kẽm nhúng nóng cho kết cấu thép."})
        assert res.status_code == 200
        # this worker at once, the other within the target
        assert _top(live_app.extensions["ketnoi_catalog"], query, 1) == ["SUP-00003"]
        assert wait_until(lambda: _top(other, query, 1) == ["SUP-00003"], VISIBLE_S)
        assert time.monotonic() - started < VISIBLE_S
        assert other.profiles[3].description.startswith("Xi mạ kẽm")
        assert other.applied_seq >= 1 and other.follower.applied >= 1
    finally:
        other.follower.stop()


def test_deleted_profile_leaves_every_worker(live_app) -> None:
    other = _worker(live_app)
    try:
        query = "bó dây điện ô tô wire harness"
        assert _top(other, query, 1) == ["SUP-00006"]
        result = live_app.test_cli_runner().invoke(args=["delete-profile", "SUP-00006",
                                                         "--yes"])
        assert result.exit_code == 0, result.output
        for catalog in (other, live_app.extensions["ketnoi_catalog"]):
            assert wait_until(lambda c=catalog: "SUP-00006" not in _top(c, query, 12),
                              VISIBLE_S)
            assert 6 not in catalog.index.windows and 6 not in catalog.index.lexical
        res = live_app.test_cli_runner().invoke(args=["delete-profile", "SUP-00006", "--yes"])
        assert res.exit_code != 0 and "no supplier profile" in res.output
    finally:
        other.follower.stop()


def test_import_reaches_the_serving_index(live_app, tmp_path) -> None:
    from ..store.files import profile_row, write_jsonl

    catalog = live_app.extensions["ketnoi_catalog"]
    rows = [profile_row(900, external_id="SUP-00900",
                        description="Đúc áp lực hợp kim kẽm cho tay nắm cửa.")]
    path = write_jsonl(tmp_path / "new.jsonl", rows)
    result = live_app.test_cli_runner().invoke(args=["import-profiles", str(path)])
    assert result.exit_code == 0, result.output
    assert wait_until(lambda: _top(catalog, "đúc áp lực hợp kim kẽm", 1) == ["SUP-00900"],
                      VISIBLE_S)


def _indexed_text(index, doc_id: int) -> dict[str, list[str]]:
    lex = index.lexical
    return {f: lex._fields[f].strings(lex._terms[doc_id][f]) for f in FIELDS}


@pytest.mark.slow
def test_edits_during_a_rebuild_are_all_served_after_promotion(live_app, suppliers) -> None:
    """1,000 profile changes (new profiles, edits, deletions) arrive while another process
    rebuilds from an earlier snapshot; after its promotion this worker swaps the new version
    in, replays them, and serves every one."""
    from recommender.config import RetrievalConfig
    from recommender.versions import rebuild

    catalog = live_app.extensions["ketnoi_catalog"]
    sessions = catalog.sessions
    pool = list(suppliers.values())
    rng = random.Random(5)
    profiles, seq = snapshot_profiles(sessions)
    errors: list[BaseException] = []
    searching = threading.Event()
    seen_versions: set[str] = set()
    expected: dict[int, str | None] = {}
    """What the writer left each profile it touched as: its description, None if deleted."""

    def edits() -> None:
        created: list[int] = []
        try:
            with sessions() as session:
                for n in range(1000):
                    if n % 5 == 0 or not created:  # a new profile
                        p = SupplierProfile(external_id=f"LIVE-{n:04d}", name=f"Xưởng {n}",
                                            description=rng.choice(pool), sector="mechanical",
                                            processes=["cnc_machining"])
                        session.add(p)
                        session.flush()
                        created.append(p.id)
                        record_change(session, p.id, ChangeOp.UPSERT)
                        expected[p.id] = p.description
                    elif n % 9 == 0:  # a deletion
                        victim = created.pop(rng.randrange(len(created)))
                        session.delete(session.get(SupplierProfile, victim))
                        record_change(session, victim, ChangeOp.DELETE)
                        expected[victim] = None
                    else:
                        target = rng.choice(created + [1, 2, 4, 5])
                        session.get(SupplierProfile, target).description = (
                            rng.choice(pool))
                        record_change(session, target, ChangeOp.UPSERT)
                        expected[target] = session.get(SupplierProfile, target).description
                    session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def searches() -> None:
        try:
            while not searching.is_set():
                assert _top(catalog, "ép phun nhựa", 5)
                seen_versions.add(catalog.version)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    writer, reader = threading.Thread(target=edits), threading.Thread(target=searches)
    writer.start()
    reader.start()
    try:
        config = RetrievalConfig.from_env()
        # "another process" rebuilds from the snapshot taken before the edits began
        result = rebuild(catalog.store, catalog.encoder(config),
                         [p.doc_id for p in profiles], [p.search_text for p in profiles],
                         fingerprint(profiles), config, change_seq=seq, show_progress=False)
        assert result.promoted
        writer.join(600)
        assert not writer.is_alive(), "the 1,000 edits did not finish"
        assert not errors, errors[0]
        with sessions() as session:  # every one of the 1,000 edits was committed and logged
            logged = session.scalar(select(func.count(ProfileChange.id))
                                    .where(ProfileChange.id > seq))
        assert logged == 1000
        new = result.version.version_id
        assert wait_until(lambda: catalog.version == new, 120), "new version not swapped in"
        with sessions() as session:
            stored = {p.id: f"{p.name}. {p.description}"
                      for p in session.scalars(select(SupplierProfile))}
        assert wait_until(lambda: set(catalog.index.windows) == set(stored), 60)
    finally:
        searching.set()
        writer.join(600)
        reader.join(60)
    assert not errors, errors[0]
    assert len(stored) > 12 + 100
    # the writer's own view of its 1,000 edits: deletions gone, everything else as last written
    assert expected and any(v is None for v in expected.values())
    for doc_id, description in expected.items():
        if description is None:
            assert doc_id not in stored and doc_id not in catalog.index.windows, doc_id
        else:
            assert stored[doc_id].endswith(". " + description), doc_id
    for doc_id, text in stored.items():
        want = document_terms(syllables(text))
        assert _indexed_text(catalog.index, doc_id) == {f: want[f] for f in FIELDS}, doc_id
        assert catalog.profiles[doc_id].search_text == text
    assert new in seen_versions  # searches ran across the swap without an error

"""Contract tests of the vector index backends, against the numpy brute-force reference.

Synthetic unit vectors stand in for embeddings: the index only sees float32
rows, so no model is needed to pin its behaviour.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import faiss
import numpy as np
import pytest

from recommender.index import (
    INDEX_KINDS,
    CorruptIndexError,
    DimensionMismatchError,
    DuplicateIdError,
    FlatIndex,
    IVFIndex,
    ManifestMismatchError,
    NumpyIndex,
    UnknownIdError,
    VectorIndex,
    VectorIndexError,
    choose_kind,
    choose_nlist,
    create_index,
    default_nprobe,
    load_index,
    read_manifest,
    set_threads,
)
from recommender.index.base import ReadWriteLock

DIM = 16
N = 600
KINDS = ["numpy", "flat", "ivf"]


def unit_vectors(rng: np.random.Generator, n: int, dim: int = DIM) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def clustered_vectors(
    rng: np.random.Generator, n: int, centres: np.ndarray, sigma: float
) -> np.ndarray:
    """Unit vectors scattered around random centres, like embeddings of topical texts."""
    dim = centres.shape[1]
    labels = rng.integers(0, len(centres), n)
    x = centres[labels] + sigma * rng.standard_normal((n, dim)).astype(np.float32) / np.sqrt(dim)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def snapshot(index: VectorIndex, queries: np.ndarray, k: int = 10) -> tuple:
    scores, ids = index.search(queries, k)
    return len(index), index.ids().tolist(), ids.tolist(), scores.tolist()


@pytest.fixture(scope="module", autouse=True)
def one_faiss_thread():
    # OpenMP threads spin at barriers: on a busy machine the many small k-means runs
    # here slow down a hundredfold with 2+ threads. One thread keeps the suite fast.
    set_threads(1)
    yield
    set_threads(0)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids (not contiguous, to catch row/id confusion), vectors and queries."""
    rng = np.random.default_rng(7)
    ids = np.arange(N, dtype=np.int64) * 7 + 3
    return ids, unit_vectors(rng, N), unit_vectors(rng, 25)


@pytest.fixture
def filled(kind: str, data: tuple) -> VectorIndex:
    ids, vectors, _ = data
    index = create_index(kind, DIM)
    index.add(ids, vectors)
    return index


@pytest.fixture
def reference(data: tuple) -> NumpyIndex:
    ids, vectors, _ = data
    index = NumpyIndex(DIM)
    index.add(ids, vectors)
    return index


# -- search against the reference ------------------------------------------------------


def test_search_matches_numpy_reference(filled: VectorIndex, reference: NumpyIndex, data) -> None:
    # IVF on 600 vectors gets 15 lists and probes them all, so it too must be exact here.
    _, _, queries = data
    if isinstance(filled, IVFIndex):
        assert filled.nprobe == filled.nlist
    for k in (1, 10, 50):
        scores, ids = filled.search(queries, k)
        ref_scores, ref_ids = reference.search(queries, k)
        assert scores.dtype == np.float32 and ids.dtype == np.int64
        assert scores.shape == ids.shape == (len(queries), k)
        np.testing.assert_array_equal(ids, ref_ids)
        np.testing.assert_allclose(scores, ref_scores, atol=1e-5)
        assert (np.diff(scores, axis=1) <= 1e-6).all()


def test_fewer_than_k_results_are_padded(kind: str) -> None:
    rng = np.random.default_rng(1)
    index = create_index(kind, DIM)
    empty_scores, empty_ids = index.search(unit_vectors(rng, 2), 4)
    assert (empty_ids == -1).all() and np.isneginf(empty_scores).all()
    index.add([5, 6, 9], unit_vectors(rng, 3))
    scores, ids = index.search(unit_vectors(rng, 2), 5)
    assert sorted(ids[0, :3].tolist()) == [5, 6, 9]
    assert (ids[:, 3:] == -1).all() and np.isneginf(scores[:, 3:]).all()
    assert np.isfinite(scores[:, :3]).all()


@pytest.fixture(scope="module")
def clustered_collection() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2024)
    centres = unit_vectors(rng, 100, 64)
    vectors = clustered_vectors(rng, 20_000, centres, sigma=1.0)
    queries = clustered_vectors(rng, 300, centres, sigma=1.0)
    return np.arange(20_000, dtype=np.int64), vectors, queries


def test_ivf_recall_at_10_on_clustered_data(clustered_collection) -> None:
    ids, vectors, queries = clustered_collection
    ivf = IVFIndex.build(ids, vectors)
    assert ivf.nlist == choose_nlist(len(ids)) and ivf.nprobe == default_nprobe(ivf.nlist)
    assert ivf.nprobe < ivf.nlist  # really approximate
    exact = FlatIndex(64)
    exact.add(ids, vectors)
    _, found = ivf.search(queries, 10)
    _, truth = exact.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
    assert recall >= 0.95, f"recall@10 {recall:.3f} with nlist={ivf.nlist}, nprobe={ivf.nprobe}"


# -- mutations ----------------------------------------------------------------------------


def test_update_replaces_vector_and_adds_new_ids(filled: VectorIndex, data) -> None:
    ids, vectors, _ = data
    rng = np.random.default_rng(3)
    new = unit_vectors(rng, 2)
    target = int(ids[10])
    filled.update([target, 999_999], new)
    assert len(filled) == N + 1
    np.testing.assert_allclose(filled.reconstruct(target), new[0], atol=1e-6)
    np.testing.assert_allclose(filled.reconstruct(999_999), new[1], atol=1e-6)
    scores, found = filled.search(new, 1)
    assert found[:, 0].tolist() == [target, 999_999]
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)
    # The old vector is gone: searching with it no longer finds the id with score 1.
    old_scores, old_ids = filled.search(vectors[10:11], 1)
    assert old_ids[0, 0] != target or old_scores[0, 0] < 0.999


def test_removed_ids_never_come_back(filled: VectorIndex, data) -> None:
    ids, vectors, queries = data
    gone = ids[:50]
    assert filled.remove(gone) == 50
    assert len(filled) == N - 50
    _, found = filled.search(np.vstack([queries, vectors[:50]]), N)
    assert not np.isin(found, gone).any()
    assert set(found[0][found[0] >= 0].tolist()) == set(ids[50:].tolist())
    assert int(gone[0]) not in filled
    with pytest.raises(UnknownIdError):
        filled.reconstruct(int(gone[0]))
    np.testing.assert_array_equal(filled.ids(), np.sort(ids[50:]))


def test_remove_unknown_id_raises_and_loses_nothing(filled: VectorIndex, data) -> None:
    ids, _, queries = data
    before = snapshot(filled, queries)
    with pytest.raises(UnknownIdError, match="424242") as info:
        filled.remove([int(ids[0]), 424242, int(ids[1])])
    assert info.value.ids.tolist() == [424242]
    assert isinstance(info.value, KeyError) and isinstance(info.value, VectorIndexError)
    assert snapshot(filled, queries) == before


def test_duplicate_add_raises_and_adds_nothing(filled: VectorIndex, data) -> None:
    ids, _, queries = data
    before = snapshot(filled, queries)
    rng = np.random.default_rng(4)
    with pytest.raises(DuplicateIdError, match=str(ids[3])):
        filled.add([777_777, int(ids[3])], unit_vectors(rng, 2))
    with pytest.raises(DuplicateIdError, match="repeated"):
        filled.add([888_888, 888_888], unit_vectors(rng, 2))
    with pytest.raises(DuplicateIdError, match="repeated"):
        filled.update([int(ids[0]), int(ids[0])], unit_vectors(rng, 2))
    assert snapshot(filled, queries) == before
    assert 777_777 not in filled


def test_bad_arguments_raise_before_any_change(filled: VectorIndex, data) -> None:
    ids, vectors, queries = data
    before = snapshot(filled, queries)
    rng = np.random.default_rng(5)
    with pytest.raises(DimensionMismatchError, match=f"expects {DIM}"):
        filled.add([1_000_001], unit_vectors(rng, 1, DIM + 1))
    with pytest.raises(DimensionMismatchError):
        filled.update([int(ids[0])], unit_vectors(rng, 1, DIM - 1))
    with pytest.raises(DimensionMismatchError):
        filled.search(unit_vectors(rng, 1, DIM + 1), 5)
    nan = unit_vectors(rng, 2)
    nan[1, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        filled.update([int(ids[0]), 1_000_002], nan)
    with pytest.raises(ValueError, match="NaN"):
        filled.search(np.full((1, DIM), np.inf, dtype=np.float32), 5)
    with pytest.raises(ValueError, match="2 ids but 1 vectors"):
        filled.add([1_000_003, 1_000_004], unit_vectors(rng, 1))
    with pytest.raises(ValueError, match="non-negative"):
        filled.add([-1], unit_vectors(rng, 1))
    with pytest.raises(TypeError, match="integers"):
        filled.add(np.array([1.5]), unit_vectors(rng, 1))
    with pytest.raises(ValueError, match="2-D"):
        filled.search(queries[0], 5)
    for bad_k in (0, -3):
        with pytest.raises(ValueError, match="k must be at least 1"):
            filled.search(queries, bad_k)
    assert snapshot(filled, queries) == before
    assert issubclass(DimensionMismatchError, ValueError)


# -- filters ------------------------------------------------------------------------------


def test_allowed_ids_restrict_results(filled: VectorIndex, reference: NumpyIndex, data) -> None:
    ids, _, queries = data
    allowed = ids[::3]
    scores, found = filled.search(queries, 10, allowed_ids=np.append(allowed, 123_456_789))
    assert np.isin(found, allowed).all()
    ref_scores, ref_ids = reference.search(queries, 10, allowed_ids=allowed)
    np.testing.assert_array_equal(found, ref_ids)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-5)
    none_scores, none_ids = filled.search(queries, 3, allowed_ids=np.array([], dtype=np.int64))
    assert (none_ids == -1).all() and np.isneginf(none_scores).all()
    _, few = filled.search(queries[:1], 10, allowed_ids=ids[:4])
    assert sorted(few[0, :4].tolist()) == sorted(ids[:4].tolist()) and (few[0, 4:] == -1).all()


@pytest.mark.parametrize("n_allowed", [20, 100])
def test_filter_on_least_similar_ids_still_fills_k(
    filled: VectorIndex, reference: NumpyIndex, data, n_allowed: int
) -> None:
    # The allowed ids are the ones least like the query: a filter applied after a
    # top-k (or an IVF probe of the nearest list only) would return few or none.
    # For IVF with nprobe=1, 20 allowed takes the exact path over the allowed
    # vectors; 100 the probe path, whose nearest list holds fewer than k of them.
    _, _, queries = data
    if isinstance(filled, IVFIndex):
        filled.nprobe = 1
    query = queries[:1]
    _, ranked = reference.search(query, N)
    allowed = ranked[0, -n_allowed:]
    k = 10
    scores, found = filled.search(query, k, allowed_ids=allowed)
    assert (found >= 0).all() and np.isfinite(scores).all()
    assert np.isin(found, allowed).all() and len(set(found[0].tolist())) == k
    ref_scores, ref_ids = reference.search(query, k, allowed_ids=allowed)
    np.testing.assert_array_equal(found, ref_ids)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-5)


def test_ivf_probes_all_lists_when_the_nearest_hold_fewer_than_k(
    reference: NumpyIndex, data
) -> None:
    ids, vectors, queries = data
    ivf = IVFIndex.build(ids, vectors, nprobe=1)
    assert ivf.nlist is not None and ivf.nlist > 1 and N / ivf.nlist < 100
    scores, found = ivf.search(queries, 100)
    ref_scores, ref_ids = reference.search(queries, 100)
    np.testing.assert_array_equal(found, ref_ids)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-5)


# -- persistence --------------------------------------------------------------------------


def test_save_load_round_trip(filled: VectorIndex, data, tmp_path: Path) -> None:
    ids, _, queries = data
    if isinstance(filled, IVFIndex):
        filled.nprobe = 3
    filled.save(tmp_path, model_id="test-model")
    filled.remove(ids[:5])
    filled.save(tmp_path, model_id="test-model")  # overwrites, leaving one data file

    record = read_manifest(tmp_path)
    assert record.kind == filled.kind and record.model_id == "test-model"
    assert record.dimension == DIM and record.count == N - 5
    assert record.created_at.endswith("+00:00")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["manifest.json", record.data_file])
    on_disk = json.loads((tmp_path / "manifest.json").read_text())
    for key in ("format_version", "kind", "model_id", "dimension", "count", "checksum"):
        assert key in on_disk

    loaded = load_index(tmp_path, expected_model_id="test-model", expected_dim=DIM)
    assert type(loaded) is type(filled)
    assert snapshot(loaded, queries) == snapshot(filled, queries)
    np.testing.assert_array_equal(loaded.reconstruct(int(ids[9])), filled.reconstruct(int(ids[9])))
    if isinstance(filled, IVFIndex):
        assert (loaded.nlist, loaded.nprobe) == (filled.nlist, 3)
    again = type(filled).load(tmp_path)
    assert len(again) == N - 5
    # A loaded index stays live.
    loaded.update([int(ids[9])], queries[:1])
    loaded.remove([int(ids[10])])
    assert int(loaded.search(queries[:1], 1)[1][0, 0]) == int(ids[9])


def test_untrained_ivf_saves_and_loads(tmp_path: Path) -> None:
    with pytest.raises(VectorIndexError, match="nothing to save"):
        IVFIndex(DIM).save(tmp_path / "a", model_id="m")
    IVFIndex(DIM, nlist=4).save(tmp_path / "b", model_id="m")
    loaded = load_index(tmp_path / "b")
    assert isinstance(loaded, IVFIndex) and len(loaded) == 0 and not loaded.is_trained
    loaded.add(np.arange(200), unit_vectors(np.random.default_rng(6), 200))
    assert loaded.nlist == 4 and len(loaded) == 200


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_damaged_data_file_raises_corrupt(filled: VectorIndex, tmp_path: Path, damage: str) -> None:
    filled.save(tmp_path, model_id="m")
    data_file = tmp_path / read_manifest(tmp_path).data_file
    raw = data_file.read_bytes()
    if damage == "truncate":
        data_file.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        middle = len(raw) // 2
        data_file.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1 :])
    else:
        data_file.unlink()
    with pytest.raises(CorruptIndexError, match=data_file.name):
        load_index(tmp_path)


def test_missing_or_broken_manifest(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no index manifest"):
        load_index(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(CorruptIndexError, match="not valid JSON"):
        load_index(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "flat"}))
    with pytest.raises(CorruptIndexError, match="lacks"):
        load_index(tmp_path)


def test_manifest_mismatch(filled: VectorIndex, tmp_path: Path) -> None:
    filled.save(tmp_path, model_id="model-a")
    with pytest.raises(ManifestMismatchError, match="'model-a', expected 'model-b'"):
        load_index(tmp_path, expected_model_id="model-b")
    with pytest.raises(ManifestMismatchError, match=f"dimension {DIM}, expected 384"):
        load_index(tmp_path, expected_dim=384)
    other = next(cls for name, cls in INDEX_KINDS.items() if name != filled.kind)
    with pytest.raises(ManifestMismatchError, match="load_index"):
        other.load(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["format_version"] = 99
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ManifestMismatchError, match="format_version 99"):
        load_index(tmp_path)


# -- concurrency --------------------------------------------------------------------------


def test_concurrent_searches_during_updates(kind: str) -> None:
    rng = np.random.default_rng(8)
    stable_ids = np.arange(1000, dtype=np.int64)
    stable = unit_vectors(rng, 1000)
    churn_ids = np.arange(10_000, 10_100, dtype=np.int64)
    index = create_index(kind, DIM)
    index.add(stable_ids, stable)
    index.add(churn_ids, unit_vectors(rng, 100))
    errors: list[BaseException] = []
    done = threading.Event()
    latest: dict[int, np.ndarray] = {}

    def search_loop(seed: int) -> None:
        local = np.random.default_rng(seed)
        try:
            while not done.is_set():
                rows = local.integers(0, 1000, 8)
                scores, found = index.search(stable[rows], 10)
                # A stable vector always finds itself first, whatever the churn.
                assert (found[:, 0] == stable_ids[rows]).all()
                np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)
                assert (found >= 0).all() and (np.diff(scores, axis=1) <= 1e-6).all()
                for row in found:
                    assert len(set(row.tolist())) == len(row)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    def update_loop() -> None:
        local = np.random.default_rng(9)
        try:
            for step in range(150):
                batch = local.choice(churn_ids, 10, replace=False)
                vectors = unit_vectors(local, 10)
                if step % 3 == 2:
                    index.remove(batch)
                    index.add(batch, vectors)
                else:
                    index.update(batch, vectors)
                latest.update(zip(batch.tolist(), vectors, strict=True))
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    threads = [threading.Thread(target=search_loop, args=(s,)) for s in range(4)]
    threads.append(threading.Thread(target=update_loop))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(index) == 1100
    for profile_id, vector in latest.items():
        np.testing.assert_allclose(index.reconstruct(profile_id), vector, atol=1e-6)


def test_read_write_lock_shares_reads_and_excludes_writes() -> None:
    lock = ReadWriteLock()
    both_in = threading.Barrier(2, timeout=5)

    def reader() -> None:
        with lock.read():
            both_in.wait()  # times out if readers were serialised

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()

    entered = threading.Event()

    def late_reader() -> None:
        with lock.read():
            entered.set()

    with lock.write():
        thread = threading.Thread(target=late_reader)
        thread.start()
        assert not entered.wait(0.05)
    assert entered.wait(5)
    thread.join()


def test_set_threads_applies_in_searching_threads(data) -> None:
    ids, vectors, queries = data
    index = FlatIndex(DIM)
    index.add(ids, vectors)
    seen: list[int] = []

    def search() -> None:
        index.search(queries, 5)
        seen.append(faiss.omp_get_max_threads())

    try:
        set_threads(2)  # the module runs with 1 (see one_faiss_thread)
        thread = threading.Thread(target=search)
        thread.start()
        thread.join()
        assert seen == [2]
    finally:
        set_threads(1)
    with pytest.raises(ValueError):
        set_threads(-1)


# -- factory ------------------------------------------------------------------------------


def test_create_index_and_choose_kind() -> None:
    assert isinstance(create_index("numpy", 8), NumpyIndex)
    assert isinstance(create_index("flat", 8), FlatIndex)
    ivf = create_index("ivf", 8)
    assert isinstance(ivf, IVFIndex) and not ivf.is_trained and ivf.dim == 8
    with pytest.raises(ValueError, match="'numpy', 'flat', 'ivf'"):
        create_index("hnsw", 8)
    with pytest.raises(ValueError, match="dim"):
        create_index("flat", 0)
    assert choose_kind(49_999, 50_000) == "flat"
    assert choose_kind(50_000, 50_000) == "ivf"
    with pytest.raises(ValueError):
        choose_kind(-1, 10)


@pytest.mark.parametrize("n", [1, 38, 39, 500, 20_000, 1_000_000])
def test_choose_nlist_keeps_39_points_per_list(n: int) -> None:
    nlist = choose_nlist(n)
    assert nlist >= 1
    assert nlist == 1 or n // nlist >= 39
    assert nlist <= max(1, round(4 * np.sqrt(n)))


def test_ivf_build_trains_on_a_bounded_sample() -> None:
    rng = np.random.default_rng(10)
    vectors = unit_vectors(rng, 3000)
    a = IVFIndex.build(np.arange(3000), vectors, nlist=8, nprobe=2)
    b = IVFIndex.build(np.arange(3000), vectors, nlist=8, nprobe=2)
    assert (a.nlist, a.nprobe) == (8, 2)
    queries = unit_vectors(rng, 20)
    assert snapshot(a, queries) == snapshot(b, queries)  # fixed seed: reproducible
    with pytest.raises(ValueError, match="at least 50 vectors"):
        IVFIndex.build(np.arange(10), vectors[:10], nlist=50)
    with pytest.raises(ValueError, match="nprobe"):
        a.nprobe = 0
    start = time.perf_counter()
    a.nprobe = 100
    assert a.nprobe == 8 and time.perf_counter() - start < 1

"""The vector index interface every backend implements, and its lock.

Vectors are float32 and L2-normalised upstream, so similarity is the inner
product. Ids are int64 external profile ids. The base class checks every
argument and takes the lock; a backend only implements the underscored
primitives, which run on arguments already checked.
"""

from __future__ import annotations

import operator
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from recommender.index import manifest as manifest_io
from recommender.index.errors import (
    CorruptIndexError,
    DimensionMismatchError,
    DuplicateIdError,
    ManifestMismatchError,
    UnknownIdError,
    format_ids,
)
from recommender.index.manifest import IndexManifest

#: Id written where a search found fewer than k results; real ids are never negative.
PAD_ID = -1
#: Score written where a search found fewer than k results.
PAD_SCORE = -np.inf


class ReadWriteLock:
    """Many readers or one writer; a waiting writer stops new readers from entering.

    Writer preference keeps a stream of searches from starving an update. The
    lock is not reentrant: a thread must not take it again while holding it.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        """Holds the lock shared, alongside other readers."""
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        """Holds the lock exclusively."""
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


def exact_search(
    queries: NDArray[np.float32],
    vectors: NDArray[np.float32],
    ids: NDArray[np.int64],
    k: int,
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Exact top-k by inner product over ``vectors``, padded to k columns.

    Ties are broken by the smaller id so that results are deterministic.
    """
    n = queries.shape[0]
    scores_out = np.full((n, k), PAD_SCORE, dtype=np.float32)
    ids_out = np.full((n, k), PAD_ID, dtype=np.int64)
    m = vectors.shape[0]
    if n == 0 or m == 0:
        return scores_out, ids_out
    scores = queries @ vectors.T
    take = min(k, m)
    if take < m:
        cand = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    else:
        cand = np.broadcast_to(np.arange(m), (n, m))
    cand_scores = np.take_along_axis(scores, cand, axis=1)
    cand_ids = ids[cand]
    order = np.lexsort((cand_ids, -cand_scores), axis=-1)
    scores_out[:, :take] = np.take_along_axis(cand_scores, order, axis=1)
    ids_out[:, :take] = np.take_along_axis(cand_ids, order, axis=1)
    return scores_out, ids_out


class VectorIndex(ABC):
    """An index of profile vectors searched by inner product, txtai-style.

    Searches may run concurrently from many threads; add, update and remove
    take an exclusive lock. Every mutation checks all of its arguments first,
    so a call that raises leaves the index as it was.
    """

    #: Name of the backend, as written in the manifest and given to ``create_index``.
    kind: ClassVar[str]
    #: File name suffix of the backend's data file.
    data_suffix: ClassVar[str]

    def __init__(self, dim: int) -> None:
        dim = _as_int(dim, "dim")
        if dim < 1:
            raise ValueError(f"dim must be at least 1, not {dim}")
        self._dim = dim
        self._lock = ReadWriteLock()

    # -- public API -------------------------------------------------------------------

    @property
    def dim(self) -> int:
        """Width of the vectors this index holds."""
        return self._dim

    def __len__(self) -> int:
        with self._lock.read():
            return self._count()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dim={self._dim}, count={len(self)})"

    def ids(self) -> NDArray[np.int64]:
        """The ids the index holds, sorted ascending (a copy)."""
        with self._lock.read():
            return np.sort(self._all_ids())

    def __contains__(self, profile_id: object) -> bool:
        try:
            key = np.array([_as_int(profile_id, "id")], dtype=np.int64)
        except (TypeError, ValueError):
            return False
        with self._lock.read():
            return bool(self._contains(key)[0])

    def add(self, ids: ArrayLike, vectors: ArrayLike) -> None:
        """Adds new vectors; raises ``DuplicateIdError`` if any id is already present.

        Args:
            ids: n distinct non-negative integer ids.
            vectors: (n, dim) float array, L2-normalised by the caller.
        """
        ids_arr, vecs = self._check_batch(ids, vectors)
        _reject_repeats(ids_arr)
        with self._lock.write():
            present = self._contains(ids_arr)
            if present.any():
                raise DuplicateIdError(ids_arr[present])
            if len(ids_arr):
                self._add(ids_arr, vecs)

    def update(self, ids: ArrayLike, vectors: ArrayLike) -> None:
        """Upserts: replaces the vectors of present ids and adds the others.

        Args:
            ids: n distinct non-negative integer ids.
            vectors: (n, dim) float array, L2-normalised by the caller.
        """
        ids_arr, vecs = self._check_batch(ids, vectors)
        _reject_repeats(ids_arr)
        with self._lock.write():
            present = self._contains(ids_arr)
            if present.any():
                self._remove(ids_arr[present])
            if len(ids_arr):
                self._add(ids_arr, vecs)

    def remove(self, ids: ArrayLike) -> int:
        """Removes ids and returns how many were removed.

        Raises ``UnknownIdError`` naming the ids that are absent, and then
        removes nothing, so a bad call loses no vectors. Repeated ids count once.
        """
        ids_arr = np.unique(_check_ids(ids))
        with self._lock.write():
            present = self._contains(ids_arr)
            if not present.all():
                raise UnknownIdError(ids_arr[~present])
            if len(ids_arr):
                self._remove(ids_arr)
            return len(ids_arr)

    def search(
        self,
        queries: ArrayLike,
        k: int,
        allowed_ids: ArrayLike | None = None,
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """Finds the k most similar vectors for each query.

        Args:
            queries: (n, dim) float array, L2-normalised by the caller.
            k: results per query, at least 1.
            allowed_ids: if given, only these ids may be returned; the filter is
                applied before the top k is taken, so it never starves the results.
                Ids the index does not hold are ignored.

        Returns:
            scores (n, k) float32, descending, and ids (n, k) int64; rows with
            fewer than k results are padded with score -inf and id -1.
        """
        q = _check_vectors(queries, self._dim, "queries")
        k = _as_int(k, "k")
        if k < 1:
            raise ValueError(f"k must be at least 1, not {k}")
        allowed = None if allowed_ids is None else np.unique(_check_ids(allowed_ids))
        with self._lock.read():
            if allowed is not None:
                allowed = allowed[self._contains(allowed)]
                if len(allowed) == 0:
                    return _padded(q.shape[0], k)
            if q.shape[0] == 0 or self._count() == 0:
                return _padded(q.shape[0], k)
            scores, found = self._search(q, k, allowed)
        scores[found < 0] = PAD_SCORE
        return scores, found

    def reconstruct(self, profile_id: int) -> NDArray[np.float32]:
        """The stored vector of one id, as a (dim,) float32 array."""
        key = np.array([_as_int(profile_id, "id")], dtype=np.int64)
        with self._lock.read():
            if not self._contains(key)[0]:
                raise UnknownIdError(key)
            return self._reconstruct(int(key[0]))

    def save(self, directory: str | os.PathLike[str], *, model_id: str) -> Path:
        """Writes the index and its manifest to ``directory`` atomically.

        The data file is written first under a name carrying its checksum and the
        manifest last, so a crash mid-save leaves the previous index loadable.
        Searches may go on during a save; mutations wait. One writer per directory.

        Args:
            directory: created if missing.
            model_id: the encoder that made the vectors; checked again on load.

        Returns:
            The path of the manifest.
        """
        if not isinstance(model_id, str) or not model_id.strip():
            raise ValueError("model_id must be a non-empty string naming the encoder")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock.read():
            data_file, checksum = manifest_io.write_data_file(
                directory, self.data_suffix, self._write_data
            )
            record = manifest_io.IndexManifest(
                format_version=manifest_io.FORMAT_VERSION,
                kind=self.kind,
                model_id=model_id,
                dimension=self._dim,
                count=self._count(),
                checksum=checksum,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                data_file=data_file,
                params=self._params(),
            )
        path = manifest_io.write_manifest(directory, record)
        manifest_io.remove_stale_files(directory, keep=data_file)
        return path

    @classmethod
    def load(
        cls,
        directory: str | os.PathLike[str],
        *,
        expected_model_id: str | None = None,
        expected_dim: int | None = None,
    ) -> Self:
        """Reads an index saved by ``save``, verifying its manifest and checksum.

        Raises:
            FileNotFoundError: no manifest in ``directory``.
            CorruptIndexError: the data file is missing, damaged or disagrees
                with the manifest.
            ManifestMismatchError: the index was built for another model,
                dimension or backend than expected.
        """
        kind = getattr(cls, "kind", None)
        if kind is None:
            raise TypeError("call load on a backend class, or use recommender.index.load_index")
        directory = Path(directory)
        record = manifest_io.read_manifest(directory)
        if record.kind != kind:
            raise ManifestMismatchError(
                f"{directory} holds a {record.kind!r} index, not {kind!r}; "
                "use recommender.index.load_index to load whatever kind it is"
            )
        record.check_expected(model_id=expected_model_id, dim=expected_dim)
        data_path = manifest_io.verify_data_file(directory, record)
        try:
            index = cls._read_data(data_path, record)
        except CorruptIndexError:
            raise
        except Exception as exc:  # the checksum matched, so the file was bad when written
            raise CorruptIndexError(f"cannot read index data file {data_path}: {exc}") from exc
        if index.dim != record.dimension or len(index) != record.count:
            raise CorruptIndexError(
                f"index data file {data_path} holds {len(index)} vectors of dimension "
                f"{index.dim}; the manifest says {record.count} of dimension {record.dimension}"
            )
        return index

    # -- backend primitives, called under the lock with checked arguments -------------

    @abstractmethod
    def _count(self) -> int:
        """Number of vectors held."""

    @abstractmethod
    def _all_ids(self) -> NDArray[np.int64]:
        """Ids held, in any order."""

    @abstractmethod
    def _contains(self, ids: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Which of ``ids`` are held."""

    @abstractmethod
    def _add(self, ids: NDArray[np.int64], vectors: NDArray[np.float32]) -> None:
        """Adds vectors whose ids are new and distinct."""

    @abstractmethod
    def _remove(self, ids: NDArray[np.int64]) -> None:
        """Removes ids that are all present and distinct."""

    @abstractmethod
    def _search(
        self,
        queries: NDArray[np.float32],
        k: int,
        allowed: NDArray[np.int64] | None,
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """Top-k of a non-empty index; ``allowed`` is non-empty, sorted and all present."""

    @abstractmethod
    def _reconstruct(self, profile_id: int) -> NDArray[np.float32]:
        """Vector of a present id."""

    @abstractmethod
    def _write_data(self, path: Path) -> None:
        """Writes the data file to ``path``."""

    @classmethod
    @abstractmethod
    def _read_data(cls, path: Path, record: IndexManifest) -> Self:
        """Builds an index from a verified data file."""

    def _params(self) -> dict[str, Any]:
        """Backend parameters recorded in the manifest."""
        return {"metric": "inner_product"}

    # -- argument checks --------------------------------------------------------------

    def _check_batch(
        self, ids: ArrayLike, vectors: ArrayLike
    ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        ids_arr = _check_ids(ids)
        vecs = _check_vectors(vectors, self._dim, "vectors")
        if len(ids_arr) != vecs.shape[0]:
            raise ValueError(f"got {len(ids_arr)} ids but {vecs.shape[0]} vectors")
        if len(ids_arr) and ids_arr.min() < 0:
            raise ValueError(
                f"ids must be non-negative ({PAD_ID} marks a missing result), "
                f"got {format_ids(ids_arr[ids_arr < 0])}"
            )
        return ids_arr, vecs


def _as_int(value: object, name: str) -> int:
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be an integer, not a bool")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None


def _check_ids(ids: ArrayLike) -> NDArray[np.int64]:
    arr = np.asarray(ids)
    if arr.ndim != 1:
        raise ValueError(f"ids must be a 1-D array, got shape {arr.shape}")
    if arr.size == 0:
        return np.empty(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"ids must be integers, got dtype {arr.dtype}")
    if arr.dtype.kind == "u" and arr.max() > np.iinfo(np.int64).max:
        raise ValueError("ids must fit in int64")
    return np.ascontiguousarray(arr, dtype=np.int64)


def _check_vectors(vectors: ArrayLike, dim: int, what: str) -> NDArray[np.float32]:
    arr = np.asarray(vectors)
    if arr.ndim != 2:
        raise ValueError(f"{what} must be a 2-D array (n, {dim}), got shape {arr.shape}")
    if arr.shape[1] != dim:
        raise DimensionMismatchError(dim, arr.shape[1], what)
    if arr.size and arr.dtype.kind not in "fiu":
        raise TypeError(f"{what} must be numeric, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        rows = np.flatnonzero(~np.isfinite(arr).all(axis=1))
        raise ValueError(f"{what} contain NaN or infinite values in rows {rows[:10].tolist()}")
    return arr


def _reject_repeats(ids: NDArray[np.int64]) -> None:
    uniq, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        raise DuplicateIdError(uniq[counts > 1], reason="repeated within the call")


def _padded(n: int, k: int) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    return (
        np.full((n, k), PAD_SCORE, dtype=np.float32),
        np.full((n, k), PAD_ID, dtype=np.int64),
    )

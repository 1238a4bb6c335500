"""Brute-force vector index in plain numpy: the reference the FAISS backends are tested against."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Self

import numpy as np
from numpy.typing import NDArray

from recommender.index.base import VectorIndex, exact_search

if TYPE_CHECKING:
    from recommender.index.manifest import IndexManifest


class NumpyIndex(VectorIndex):
    """Exact search over a dense matrix, one row per id.

    Simple enough to trust by reading; removal copies the matrix, so it suits
    tests and small collections rather than a large live index.
    """

    kind = "numpy"
    data_suffix = ".npz"

    def __init__(self, dim: int) -> None:
        super().__init__(dim)
        self._vectors = np.empty((0, dim), dtype=np.float32)
        self._row_ids = np.empty(0, dtype=np.int64)
        self._rows: dict[int, int] = {}

    def _count(self) -> int:
        return len(self._row_ids)

    def _all_ids(self) -> NDArray[np.int64]:
        return self._row_ids.copy()

    def _contains(self, ids: NDArray[np.int64]) -> NDArray[np.bool_]:
        return np.fromiter((int(i) in self._rows for i in ids), dtype=bool, count=len(ids))

    def _add(self, ids: NDArray[np.int64], vectors: NDArray[np.float32]) -> None:
        start = len(self._row_ids)
        self._vectors = np.concatenate([self._vectors, vectors])
        self._row_ids = np.concatenate([self._row_ids, ids])
        self._rows.update((int(i), start + n) for n, i in enumerate(ids))

    def _remove(self, ids: NDArray[np.int64]) -> None:
        keep = ~np.isin(self._row_ids, ids)
        self._vectors = self._vectors[keep]
        self._row_ids = self._row_ids[keep]
        self._rows = {int(i): n for n, i in enumerate(self._row_ids)}

    def _search(
        self,
        queries: NDArray[np.float32],
        k: int,
        allowed: NDArray[np.int64] | None,
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        vectors, ids = self._vectors, self._row_ids
        if allowed is not None:
            rows = np.array([self._rows[int(i)] for i in allowed], dtype=np.int64)
            vectors, ids = vectors[rows], ids[rows]
        return exact_search(queries, vectors, ids, k)

    def _reconstruct(self, profile_id: int) -> NDArray[np.float32]:
        return self._vectors[self._rows[profile_id]].copy()

    def _write_data(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez(fh, ids=self._row_ids, vectors=self._vectors)

    @classmethod
    def _read_data(cls, path: Path, record: IndexManifest) -> Self:
        with np.load(path, allow_pickle=False) as data:
            ids = data["ids"].astype(np.int64, copy=False)
            vectors = data["vectors"].astype(np.float32, copy=False)
        index = cls(record.dimension)
        index.add(ids, vectors)
        return index

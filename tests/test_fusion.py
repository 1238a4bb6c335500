from __future__ import annotations

import numpy as np
import pytest

from recommender.fusion import fuse, ranks, zscore


def test_zscore_of_constant_list_is_zero() -> None:
    assert zscore(np.array([3.0, 3.0, 3.0])).tolist() == [0.0, 0.0, 0.0]
    z = zscore(np.array([1.0, 2.0, 3.0]))
    assert abs(z.mean()) < 1e-12 and abs(z.std() - 1) < 1e-12


def test_ranks_best_first() -> None:
    assert ranks(np.array([0.1, 0.9, 0.5])).tolist() == [3, 1, 2]


def test_score_fusion_weights_the_lists() -> None:
    dense = np.array([1.0, 0.0, 0.5])
    lexical = np.array([0.0, 1.0, 0.5])
    assert np.argmax(fuse(dense, lexical, alpha=0.9)) == 0
    assert np.argmax(fuse(dense, lexical, alpha=0.1)) == 1


def test_uninformative_lexical_list_leaves_dense_order() -> None:
    dense = np.array([0.2, 0.9, 0.5])
    fused = fuse(dense, np.zeros(3), alpha=0.5)
    assert np.argsort(-fused).tolist() == [1, 2, 0]
    fused = fuse(dense, np.zeros(3), method="rrf")
    assert np.argsort(-fused).tolist() == [1, 2, 0]


def test_rrf_rewards_agreement() -> None:
    fused = fuse(np.array([0.9, 0.8, 0.1]), np.array([5.0, 0.0, 4.0]), method="rrf")
    assert np.argmax(fused) == 0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="shape"):
        fuse(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="method"):
        fuse(np.zeros(2), np.zeros(2), method="max")

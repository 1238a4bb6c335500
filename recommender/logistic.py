"""Logistic regression over standardised features: the form every fitted decision here
takes (the match decision and supply-gap banner of :mod:`~recommender.matching`, the
order of the resource exchange in :mod:`~recommender.exchange.rerank`). The fitted
numbers are kept as plain tuples in JSON, so applying a model needs only numpy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def standardisation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and standard deviation (1 for a constant column)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def logistic(x: np.ndarray, mean: Sequence[float], scale: Sequence[float],
             coef: Sequence[float], intercept: float) -> np.ndarray:
    """The fitted probability of each row of ``x`` (or of one row)."""
    z = (np.asarray(x, dtype=float) - np.asarray(mean)) / np.asarray(scale)
    logits = np.clip(z @ np.asarray(coef) + intercept, -30, 30)
    return 1.0 / (1.0 + np.exp(-logits))

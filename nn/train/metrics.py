"""Metrics for ``fit(..., metrics=[...])``: functions ``fn(scores, target) -> float``
on NumPy arrays (the model's raw output and the batch's target)."""
from __future__ import annotations

import numpy as np

__all__ = ["accuracy"]


def accuracy(scores: np.ndarray, target: np.ndarray) -> float:
    """Share of correct predictions: argmax over the last axis for (N, C) scores, the
    sign of the logit (score > 0, i.e. p > 0.5) for one output unit."""
    scores, target = np.asarray(scores), np.asarray(target)
    if scores.ndim >= 2 and scores.shape[-1] > 1:
        predicted = scores.argmax(axis=-1)
    else:
        predicted = (scores.reshape(target.shape) > 0).astype(target.dtype)
    return float(np.mean(predicted == target)) if target.size else float("nan")

"""Metrics for ``fit(..., metrics=[...])``: functions ``fn(scores, target) -> float``
on NumPy arrays (the model's raw output and the batch's target)."""
from __future__ import annotations

import numpy as np

from autograd.errors import ShapeError

__all__ = ["accuracy"]


def accuracy(scores: np.ndarray, target: np.ndarray) -> float:
    """Share of correct predictions. Several scores per sample, (N, C): the argmax over
    the last axis against integer labels (N,), or against the argmax of one-hot or
    probability targets of the scores' shape (Keras's categorical accuracy). One score
    per sample: the sign of the logit (score > 0, i.e. p > 0.5) against 0/1 labels of
    shape (N,) or (N, 1). Targets of any other shape raise ``ShapeError`` (they are
    never broadcast against the predictions)."""
    scores, target = np.asarray(scores), np.asarray(target)
    if scores.ndim >= 2 and scores.shape[-1] > 1:
        predicted = scores.argmax(axis=-1)
        if target.shape == scores.shape:
            target = target.argmax(axis=-1)
    else:
        predicted = scores > 0
        if predicted.size == target.size:
            predicted = predicted.reshape(target.shape).astype(target.dtype)
    if predicted.shape != target.shape:
        raise ShapeError(
            f"accuracy: scores of shape {scores.shape} give predictions of shape "
            f"{predicted.shape}, but the targets have shape {target.shape}. Give one integer "
            f"label per sample (shape {predicted.shape}) or one-hot targets of the scores' "
            f"shape.")
    return float(np.mean(predicted == target)) if target.size else float("nan")

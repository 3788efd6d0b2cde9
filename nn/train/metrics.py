"""Metrics for ``fit(..., metrics=[...])``: functions ``fn(scores, target) -> float``
on NumPy arrays (the model's raw output and the batch's target)."""
from __future__ import annotations

import numpy as np

from autograd.errors import DataError, ShapeError

__all__ = ["accuracy"]


def accuracy(scores: np.ndarray, target: np.ndarray) -> float:
    """Share of correct predictions. Several scores per sample, (N, C): the argmax over
    the last axis against integer labels (N,), or against the argmax of one-hot or
    probability targets of the scores' shape (Keras's categorical accuracy). One score
    per sample: the sign of the logit (score > 0, i.e. p > 0.5) against 0/1 labels of
    shape (N,) or (N, 1). Targets of any other shape raise ``ShapeError`` (they are
    never broadcast against the predictions). Multi-hot targets of the scores' shape
    (0/1 rows that do not sum to 1: multi-label data, e.g. an ``MLP(output="sigmoid")``
    with several units) raise ``DataError``: categorical accuracy would compare argmaxes
    only; measure them with a metric of your own (see the message)."""
    scores, target = np.asarray(scores), np.asarray(target)
    if scores.ndim >= 2 and scores.shape[-1] > 1:
        predicted = scores.argmax(axis=-1)
        if target.shape == scores.shape:
            _check_not_multi_hot(target)
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


def _check_not_multi_hot(target: np.ndarray) -> None:
    """One-hot or probability rows (each sums to 1) pass; 0/1 rows that do not sum to 1
    are multi-label targets, which categorical accuracy cannot score."""
    if target.dtype.kind not in "biuf" or not np.isin(target, (0, 1)).all():
        return
    sums = target.sum(axis=-1)
    if np.all(sums == 1):
        return
    row = tuple(int(i) for i in np.unravel_index(int(np.argmax(sums != 1)), sums.shape))
    raise DataError(
        f"accuracy: the targets are multi-hot (0/1 rows of {target.shape[-1]} labels, "
        f"row {row[0] if len(row) == 1 else row} has {int(sums[row])} ones), but accuracy is "
        f"categorical accuracy: the argmax of the scores against the one label of each "
        f"one-hot row, which means nothing for multi-label data. Measure multi-label "
        f"accuracy with a metric of your own on the logits, e.g. metrics={{'label_accuracy': "
        f"lambda s, t: float(((s > 0) == t).mean())}} (per label), or "
        f"lambda s, t: float(((s > 0) == t).all(axis=-1).mean()) (whole rows, "
        f"scikit-learn's accuracy_score)")

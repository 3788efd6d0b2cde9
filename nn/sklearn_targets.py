"""What the ``nn.sklearn`` estimators train on: the labels of a classifier, sample
weights packed with the targets, and the per-sample losses averaged with them."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd.errors import DataError, ShapeError

from . import functional as F
from .errors import ArgumentTypeError

__all__ = ["weighted_loss", "sample_weights", "class_losses", "squared_errors",
           "two_or_more_classes", "given_classes"]


def weighted_loss(per_sample: Callable[[Any, np.ndarray], Any]
                  ) -> Callable[[Any, np.ndarray], Any]:
    """A loss on targets packed with a last column of sample weights: the per-sample
    losses averaged with those weights in each mini-batch, as scikit-learn's MLPs do."""
    def loss(output: Any, packed: np.ndarray) -> Any:
        target, weight = packed[:, :-1], packed[:, -1]
        total = float(weight.sum())
        return (per_sample(output, target) * weight).sum() / (total if total > 0 else 1.0)
    return loss


def sample_weights(sample_weight: Any, n_samples: int, owner: str) -> np.ndarray:
    """``sample_weight`` as n_samples finite numbers >= 0, not all 0 (a number is given
    to every sample, as scikit-learn does)."""
    try:
        weight = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{owner}: sample_weight must be numbers, one per sample; got "
                        f"{type(sample_weight).__name__} {sample_weight!r:.80}") from None
    if weight.ndim == 0:
        weight = np.full(n_samples, float(weight))
    if weight.shape != (n_samples,):
        raise ShapeError(f"{owner}: sample_weight has shape {weight.shape}; expected "
                         f"({n_samples},), one weight per sample of X")
    if not np.isfinite(weight).all() or (weight < 0).any() or not weight.any():
        raise DataError(f"{owner}: sample_weight must be finite and >= 0, not all zero "
                        f"(nothing to learn from); got values from {weight.min()} to "
                        f"{weight.max()}")
    return weight


def class_losses(scores: Any, target: np.ndarray) -> Any:
    """Each sample's cross-entropy; ``target[:, 0]`` holds the class indices."""
    return F.cross_entropy(scores, target[:, 0].astype(np.int64), reduction="none")


def squared_errors(output: Any, target: np.ndarray) -> Any:
    """Each sample's squared error, averaged over the target columns."""
    return F.mse_loss(output, target, reduction="none").mean(axis=1)


def two_or_more_classes(classes: np.ndarray) -> np.ndarray:
    """``classes``, unless there is just one (``DataError``)."""
    if len(classes) < 2:
        found = (f"a single class ({np.asarray(classes[0]).tolist()!r})" if len(classes)
                 else "no class")
        raise DataError(
            f"NeuralNetClassifier: y holds {found}; a classifier needs at least 2 classes to "
            f"learn from (softmax over one class has loss 0 and no gradient), as scikit-learn's "
            f"LogisticRegression and SVC say. Check the labels, or split with StratifiedKFold "
            f"/ stratify=y.")
    return classes


def given_classes(classes: Any) -> np.ndarray:
    """``partial_fit``'s ``classes``: a list or array of labels, as ``np.unique`` of
    them. A set or dict (unordered; NumPy makes one object of it) or a single value is
    an ``ArgumentTypeError``."""
    values = None if isinstance(classes, (set, frozenset, Mapping)) else np.asarray(classes)
    if values is None or values.ndim != 1:
        advice = (f" Pass sorted({classes!r:.60})."
                  if isinstance(classes, (set, frozenset)) else "")
        raise ArgumentTypeError(f"NeuralNetClassifier.partial_fit: classes must be a list or "
                                f"1-D array of every label, e.g. classes=np.unique(y_all); "
                                f"got {type(classes).__name__} {classes!r:.60}.{advice}")
    return np.unique(values)

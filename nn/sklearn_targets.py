"""What the ``nn.sklearn`` estimators train on: the labels of a classifier, the numbers
of a regressor, sample weights packed with the targets, and the per-sample losses
averaged with them."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd.errors import DataError, ShapeError

from . import functional as F
from .errors import ArgumentTypeError

__all__ = ["weighted_loss", "sample_weights", "class_losses", "squared_errors",
           "two_or_more_classes", "given_classes", "numeric_targets"]


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
    problem = _weight_problem(weight)
    if problem:
        raise DataError(f"{owner}: sample_weight must be finite and >= 0, not all zero "
                        f"(nothing to learn from); it {problem}")
    return weight


def _weight_problem(weight: np.ndarray) -> str:
    """What is wrong with the (N,) ``weight`` (NaN, inf, negative or all zero), or ''."""
    for name, wrong in (("NaN", np.isnan(weight)), ("infinite", np.isinf(weight)),
                        ("negative", weight < 0)):
        if wrong.any():
            where = np.flatnonzero(wrong)
            return (f"holds {where.size} {name} value(s), the first at index {where[0]} "
                    f"({weight[where[0]]})")
    return "" if weight.any() else "is all zero"


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
    if _holds_non_finite(values):
        raise DataError(f"NeuralNetClassifier.partial_fit: classes must be labels; got "
                        f"{values.tolist()!r:.80}, which holds NaN or inf (fit refuses them "
                        f"in y too, as scikit-learn's 'Input contains NaN'). Leave them out")
    return np.unique(values)


def _holds_non_finite(values: np.ndarray) -> bool:
    """Whether the 1-D ``values`` (numbers, or objects of any kind) hold a NaN or inf."""
    if values.dtype.kind in "fc":
        return not np.isfinite(values).all()
    if values.dtype.kind == "O":
        return any(isinstance(v, (float, complex, np.inexact)) and not np.isfinite(v)
                   for v in values)
    return False


def numeric_targets(y: Any, owner: str) -> Any:
    """The regressor's ``y``, numbers as scikit-learn's MLPRegressor takes them: text
    (a str or bytes array, numbers written as text too) is a ``DataError``, not read
    as numbers; an object array becomes float64, as scikit-learn's ``y_numeric`` makes
    it, and one holding a value that is no number is a ``DataError``. Anything else is
    given back as it is, for ``validate_data`` to check."""
    try:
        values = np.asarray(y)
    except (TypeError, ValueError):  # ragged: validate_data says so
        return y
    if values.ndim == 0:
        return y
    if values.dtype.kind in "SU":
        raise DataError(f"{owner}: y must hold numbers, the values to predict; got text "
                        f"(dtype {values.dtype}, e.g. {values.flat[0]!r}). Convert numbers "
                        f"written as text with y.astype(float); to predict labels, use "
                        f"NeuralNetClassifier")
    if values.dtype.kind != "O":
        return y
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{owner}: y must hold numbers, the values to predict; the object "
                        f"array y holds a value that is none ({exc}). Convert y to numbers; "
                        f"to predict labels, use NeuralNetClassifier") from None

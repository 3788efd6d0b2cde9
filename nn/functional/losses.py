"""Loss functions: regression (MSE, L1, Huber) and classification (BCE, BCE on logits,
softmax cross-entropy, NLL).

Every loss takes ``reduction``: ``"mean"`` (the default, over all elements or samples),
``"sum"`` or ``"none"`` (per element / per sample, unreduced). Shapes are checked, never
broadcast: an input of shape (N, 1) against a target of shape (N,) would silently
compare every prediction with every target, so it raises ``ShapeError`` instead.
A NumPy or list target takes the input's float dtype, so float32 stays float32; a float
Tensor target (or ``weight``) of another float dtype promotes where PyTorch's does: float32
input and a float64 Tensor give a float64 loss (mse, l1, smooth L1, BCE on logits,
cross-entropy's probability targets, kl_div, Poisson and Gaussian NLL, the triplet
losses, mse/l1/huber's ``weight``, cross-entropy's class weights with probability
targets...); huber's target, BCE's target and weights, and class weights with integer
labels keep the input's dtype, as there.
Targets are checked as inputs are: ragged lists, None, strings, objects and complex
numbers raise a named error (``DataError`` or ``DTypeError``), never a NumPy error from
deep inside or a silently dropped imaginary part. "mean" over an empty batch is NaN
(0 / 0), as in PyTorch, for every loss.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DTypeError, ShapeError
from autograd import log_softmax as _log_softmax

from .._checks import refuse_bool
from .fused import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, SoftmaxCrossEntropy
from .regression_ops import Huber, SquaredError
from .loss_base import (REDUCTIONS, check_number, check_reduction, common_float, fused_loss,
                        legacy_reduction, reduce_loss, same_shape_pair, target_array,
                        target_like)
from .weighted import (check_ignore_index, check_label_smoothing, loss_weight,
                       soft_cross_entropy, weight_tensor, weighted_bce_with_logits,
                       weighted_nll)
from ..errors import ConfigError

__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
           # re-exported from loss_base, where they live
           "REDUCTIONS", "check_reduction", "check_number", "reduce_loss", "target_array",
           "target_like"]


# ------------------------------------------------------------------ regression
def mse_loss(input: Any, target: Any, reduction: str = "mean", *, weight: Any = None,
             size_average: bool | None = None, reduce: bool | None = None) -> Tensor:
    """Mean squared error: (input - target)^2 per element, then reduced.
    d/dinput = 2 (input - target) / n for "mean". ``size_average`` / ``reduce``: PyTorch's
    deprecated stand-ins for ``reduction`` (see ``loss_base``), as in every loss.
    ``weight`` (keyword-only, see :func:`_elementwise_weighted`): "mean" is then
    sum(w l) / sum(w)."""
    reduction = legacy_reduction("mse_loss", reduction, size_average, reduce)
    check_reduction("mse_loss", reduction)
    input, target = same_shape_pair("mse_loss", input, target, promote=True)
    if weight is not None:
        losses = fused_loss(SquaredError, "none", input, target)
        return _elementwise_weighted("mse_loss", losses, weight, reduction, by_weight=True)
    return fused_loss(SquaredError, reduction, input, target)


def l1_loss(input: Any, target: Any, reduction: str = "mean", *, weight: Any = None,
            size_average: bool | None = None, reduce: bool | None = None) -> Tensor:
    """Mean absolute error (MAE): |input - target| per element, then reduced.
    d/dinput = sign(input - target) / n, with 0 where input = target (abs'(0) = 0).
    ``weight`` (keyword-only, see :func:`_elementwise_weighted`): "mean" is then
    sum(w l) / sum(w)."""
    reduction = legacy_reduction("l1_loss", reduction, size_average, reduce)
    check_reduction("l1_loss", reduction)
    input, target = same_shape_pair("l1_loss", input, target, promote=True)
    if weight is not None:
        return _elementwise_weighted("l1_loss", (input - target).abs(), weight, reduction,
                                     by_weight=True)
    return reduce_loss((input - target).abs(), reduction)


def huber_loss(input: Any, target: Any, delta: float = 1.0,
               reduction: str = "mean", *, weight: Any = None) -> Tensor:
    """Huber loss with d = input - target: d^2 / 2 where |d| <= delta, else
    delta (|d| - delta / 2). Quadratic near 0, linear (slope +-delta) far away: the
    gradient is d clipped to [-delta, delta], so outliers pull no harder than delta (an
    infinite residual too, as PyTorch). ``weight`` (keyword-only, see
    :func:`_elementwise_weighted`): "mean" is then mean(w l), over the elements."""
    delta = check_number("huber_loss", "delta", delta, minimum=0, open_min=True,
                         finite=False)  # first: a reduction here has the better hint
    check_reduction("huber_loss", reduction)
    input, target = same_shape_pair("huber_loss", input, target)
    if weight is not None:
        losses = fused_loss(Huber, "none", input, target, delta=delta)
        return _elementwise_weighted("huber_loss", losses, weight, reduction, by_weight=False)
    return fused_loss(Huber, reduction, input, target, delta=delta)


def _elementwise_weighted(name: str, losses: Tensor, weight: Any, reduction: str, *,
                          by_weight: bool) -> Tensor:
    """PyTorch 2.13's ``weight`` of mse_loss, l1_loss and huber_loss: w l per element,
    w of the input's shape (not broadcast, as in PyTorch), then reduced; "mean" is
    sum(w l) / sum(w) when ``by_weight`` (mse, l1), else mean(w l) (huber): PyTorch's
    two rules. A weight that requires grad gets its gradient, as in PyTorch."""
    weight = weight_tensor(name, "weight", weight, losses.shape, losses.dtype,
                           per="element", promote=True)
    weighted = losses * weight
    if reduction == "mean" and by_weight:
        return weighted.sum() / weight.sum()
    return reduce_loss(weighted, reduction)


def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean",
                   beta: float = 1.0, *, size_average: bool | None = None,
                   reduce: bool | None = None) -> Tensor:
    """PyTorch's smooth L1: d^2 / (2 beta) where |d| < beta, else |d| - beta / 2, i.e.
    ``huber_loss(delta=beta) / beta`` (and ``l1_loss`` for beta = 0)."""
    reduction = legacy_reduction("smooth_l1_loss", reduction, size_average, reduce)
    check_reduction("smooth_l1_loss", reduction)
    beta = check_number("smooth_l1_loss", "beta", beta, minimum=0, finite=False)
    # (checked here for errors in its own name, and promoted as PyTorch's)
    input, target = same_shape_pair("smooth_l1_loss", input, target, promote=True)
    if beta == 0:
        return l1_loss(input, target, reduction)
    return huber_loss(input, target, beta, reduction) / beta


# ------------------------------------------------------------------ binary classification
def binary_cross_entropy(input: Any, target: Any, reduction: str = "mean", *,
                         weight: Any = None, size_average: bool | None = None,
                         reduce: bool | None = None) -> Tensor:
    """BCE on probabilities p = input in [0, 1] and targets y in [0, 1]:
    -(y log p + (1 - y) log(1 - p)) per element, each log clamped at -100 (as PyTorch),
    so p = 0 or 1 gives a finite loss (at most 100). d/dp = (p - y) / (p (1 - p)), with
    the denominator floored at 1e-12. Prefer ``binary_cross_entropy_with_logits`` on
    the pre-sigmoid scores: it is exact for any logit. ``weight`` (keyword-only,
    broadcast to the input) scales each element's loss, as in PyTorch."""
    reduction = legacy_reduction("binary_cross_entropy", reduction, size_average, reduce)
    check_reduction("binary_cross_entropy", reduction)
    input, target = same_shape_pair("binary_cross_entropy", input, target)
    refuse_bool("binary_cross_entropy", input)  # (a bool target is 0/1 probabilities)
    _check_probabilities("input", input.data, "Apply sigmoid first, or pass the raw "
                         "scores to binary_cross_entropy_with_logits.")
    _check_probabilities("target", target.data, "Targets are probabilities too: 0 or 1 "
                         "for hard labels, values in between for soft ones.")
    if weight is None:
        return fused_loss(BinaryCrossEntropy, reduction, input, target)
    weight = loss_weight("binary_cross_entropy", "weight", weight, input.shape, input.dtype)
    return reduce_loss(BinaryCrossEntropy.apply(input, target) * weight, reduction)


def _check_probabilities(what: str, data: np.ndarray, advice: str) -> None:
    """ValueError unless every value lies in [0, 1] (NaN included: it is no probability)."""
    if data.size and not (np.min(data) >= 0 and np.max(data) <= 1):
        nans = int(np.count_nonzero(np.isnan(data)))
        found = (f"{nans} NaN value(s)" if nans else
                 f"values from {np.min(data):g} to {np.max(data):g}")
        raise ConfigError(f"binary_cross_entropy: {what} must hold probabilities in "
                          f"[0, 1]; found {found}. {advice}")


def binary_cross_entropy_with_logits(input: Any, target: Any, reduction: str = "mean", *,
                                     weight: Any = None, pos_weight: Any = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None) -> Tensor:
    """BCE of sigmoid(z) for logits z = input, fused and stable:
    max(z, 0) - z y + log(1 + e^{-|z|}) per element (finite with finite gradients even
    for |z| = 1e4); d/dz = sigmoid(z) - y. PyTorch's options, keyword-only:
    ``pos_weight`` p (e.g. one per class, the last axis) scales the positive term,
    -p y log sigmoid(z); ``weight`` (broadcast to the input) scales each element's loss."""
    name = "binary_cross_entropy_with_logits"
    reduction = legacy_reduction(name, reduction, size_average, reduce)
    check_reduction(name, reduction)
    input, target = same_shape_pair(name, input, target, promote=True)
    refuse_bool(name, input)
    if weight is not None or pos_weight is not None:
        weight, pos_weight = (
            None if w is None else loss_weight(name, label, w, input.shape, input.dtype)
            for label, w in (("weight", weight), ("pos_weight", pos_weight)))
        return weighted_bce_with_logits(input, target, weight, pos_weight, reduction)
    return fused_loss(BinaryCrossEntropyWithLogits, reduction, input, target)


# ------------------------------------------------------------------ multi-class
def _class_axis(name: str, scores: Tensor) -> int:
    if scores.ndim == 0:
        raise ShapeError(f"{name}: input must have a class axis (shape (C,) or (N, C)); "
                         f"got a 0-d tensor")
    return scores.shape[-1]


_UNSIGNED = {size: np.dtype(f"u{size}") for size in (1, 2, 4, 8)}  # same-size views
_max = np.maximum.reduce  # ndarray.max without its Python wrapper


def _classes_last(ndim: int) -> tuple[int, ...]:
    """The permutation moving PyTorch's class axis 1 to the end: (0, 2, ..., ndim-1, 1)."""
    return (0,) + tuple(range(2, ndim)) + (1,)


def _layout_hint(shape: tuple[int, ...], label_shape: tuple[int, ...]) -> str:
    """What to do about labels that do not fit scores of ``shape``."""
    if math.prod(label_shape) == math.prod(shape[:-1]):
        return " Flatten them, e.g. labels.reshape(-1)."
    return ""


def _classes_moved_last(scores: Tensor, target: Any) -> Tensor:
    """``scores`` with PyTorch's class axis 1 moved last when they are in its layout
    (N, C, d1, ...) and the labels, of shape (N, d1, ...), fit no other reading (not
    the classes-last (N, d1, ..., C)[:-1]); else ``scores`` unchanged."""
    shape = scores.shape
    if len(shape) < 3:
        return scores
    label_shape = getattr(target, "shape", None)
    label_shape = tuple(np.shape(target) if label_shape is None else label_shape)
    if label_shape == shape[:1] + shape[2:] and label_shape != shape[:-1]:
        return scores.permute(_classes_last(len(shape)))
    return scores


def _labels(name: str, scores: Tensor, target: Any,
            ignore_index: int = -100) -> tuple[np.ndarray, np.ndarray | None]:
    """Integer class labels of shape scores.shape[:-1], each in [0, C) or equal to
    ``ignore_index``, or an error (also when ``scores`` has no class axis); and the mask
    of the labels to keep, None when none is ignored. Runs on every training step: one
    NumPy reduction checks the range."""
    labels = (target if type(target) is np.ndarray and target.dtype.kind in "iu"
              else target_array(name, target))
    shape = scores.shape
    if not shape:
        _class_axis(name, scores)
    if labels.dtype.kind not in "iu":
        raise DTypeError(
            f"{name}: class labels must be integers; got dtype {labels.dtype} with shape "
            f"{labels.shape}. Convert them, e.g. labels.astype(np.int64)"
            + (", or give probability targets of the input's shape "
               f"{scores.shape}" if name == "cross_entropy" else "") + ".")
    wanted = shape[:-1]
    if labels.shape != wanted:
        raise ShapeError(
            f"{name}: input of shape {scores.shape} (classes on the last axis) needs one "
            f"label per sample, of shape {wanted}; got labels of shape {labels.shape}."
            + _layout_hint(shape, labels.shape))
    if len(shape) >= 3 and wanted == shape[:1] + shape[2:]:  # PyTorch's reading fits too
        raise ShapeError(
            f"{name}: input of shape {shape} with labels of shape {labels.shape} reads two "
            f"ways: here the classes are on the last axis, in PyTorch on axis 1, and both "
            f"fit when the axes after the first have one length. Flatten to say which: "
            f"input.reshape(-1, C) and labels.reshape(-1) for the classes last; "
            f"input.permute{_classes_last(len(shape))}.reshape(-1, C) and "
            f"labels.reshape(-1) for PyTorch's (N, C, d1, ...).")
    # one pass: read as unsigned, a negative label becomes huge (>= 2^(bits-1)), so max()
    # finds both ends; with more classes than that, negatives need their own check
    classes = shape[-1]
    keep = None
    if labels.size and (
            _max(labels.view(_UNSIGNED[labels.itemsize]), axis=None) >= classes
            or (labels.dtype.kind == "i" and classes > 1 << (8 * labels.itemsize - 1)
                and np.minimum.reduce(labels, axis=None) < 0)):
        keep = labels != ignore_index
        bad = ((labels < 0) | (labels >= classes)) & keep
        if bad.any():
            where_bad = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ConfigError(
                f"{name}: label {int(labels[where_bad])} at position {where_bad} is out of "
                f"range for {classes} classes (valid labels: 0..{classes - 1}) and is not "
                f"ignore_index={ignore_index}. Check the labels, or the number of outputs "
                f"of the model.")
    elif 0 <= ignore_index < classes and labels.size:
        hits = labels == ignore_index
        keep = ~hits if hits.any() else None
    return (labels if labels.dtype == np.intp else labels.astype(np.intp)), keep


def cross_entropy(input: Any, target: Any, reduction: str = "mean", *, weight: Any = None,
                  ignore_index: int = -100, label_smoothing: float = 0.0,
                  size_average: bool | None = None, reduce: bool | None = None) -> Tensor:
    """Softmax cross-entropy on logits z = input of shape (N, C) (or (C,), or (..., C):
    classes on the last axis), fused with a stable log-softmax.

    * integer labels t of shape (N,): loss_n = -log softmax(z_n)[t_n]
      = logsumexp(z_n) - z_n[t_n]; gradient softmax(z) - onehot(t) (divided by N for
      "mean");
    * probability targets q of shape (N, C): loss_n = -sum_c q_nc log softmax(z_n)_c;
      gradient softmax(z) sum_c q_nc - q (= softmax(z) - q when q sums to 1).

    "mean" averages over the samples (N), "none" returns the N per-sample losses.
    PyTorch's layout (N, C, d1, ...) with labels (N, d1, ...) that fit only it reads the
    classes on axis 1 as PyTorch ("none" gives the labels' shape); targets that both
    layouts read (probability targets of 3+ axes; labels when the axes after the first
    have one length) raise ShapeError.
    Finite for logits of any magnitude (1e4 included). PyTorch's options, keyword-only
    here (``reduction`` keeps the third place): ``weight`` (C,) scales each class's loss
    and makes "mean" divide by the sum of the weights picked; samples labelled
    ``ignore_index`` give 0 and are not counted; ``label_smoothing`` e trains against
    (1 - e) onehot(t) + e / C (see ``weighted.py``). As in PyTorch, class weights are a
    constant of the input's dtype with integer labels, and with probability targets a
    factor like any other: a weight that requires grad gets its gradient
    (d loss_n / d w_c = -q_nc logp_nc, q smoothed), a float Tensor promotes."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction("cross_entropy", reduction, size_average, reduce)
    if type(reduction) is not str or reduction not in REDUCTIONS:
        check_reduction("cross_entropy", reduction)
    if not isinstance(input, Tensor):
        input = as_tensor(input)
    refuse_bool("cross_entropy", input)
    if input.ndim >= 3:  # PyTorch's (N, C, d1, ...) when only it fits the labels
        input = _classes_moved_last(input, target)
    if type(ignore_index) is not int or ignore_index != -100:
        ignore_index = check_ignore_index("cross_entropy", ignore_index)
    if type(label_smoothing) is not float or label_smoothing:
        label_smoothing = check_label_smoothing("cross_entropy", label_smoothing)
    plain = weight is None and not label_smoothing
    if plain and type(target) is Tensor:  # a loader's labels: integer, so no grad to keep
        target = target.data if target.dtype.kind in "iu" else target
    if plain and type(target) is np.ndarray and target.dtype.kind in "iu" and target.size:
        labels, keep = _labels("cross_entropy", input, target, ignore_index)  # the common
        if keep is None:                                                      # case first
            return SoftmaxCrossEntropy.apply(input, labels=labels, reduction=reduction)
    classes = _class_axis("cross_entropy", input)
    given = target  # a float Tensor of probabilities keeps its dtype (promotes, as PyTorch)
    if not (isinstance(target, Tensor) and target.requires_grad):
        target = target_array("cross_entropy", target)
    soft = target.dtype.kind == "f" and target.shape == input.shape
    if soft:
        if input.ndim >= 3:
            raise ShapeError(
                f"cross_entropy: probability targets of shape {target.shape} read two ways: "
                f"here the classes are on the last axis, in PyTorch on axis 1 "
                f"(N, C, d1, ...). Flatten both to 2-d to say which: input.reshape(-1, C) "
                f"and target.reshape(-1, C) for the classes last; "
                f"input.permute{_classes_last(input.ndim)}.reshape(-1, C) and the same for "
                f"target for PyTorch's layout.")
        if ignore_index >= 0:
            raise ConfigError(f"cross_entropy: ignore_index={ignore_index} needs integer "
                              f"labels; probability targets have no label to ignore (as "
                              f"in PyTorch). Leave ignore_index at its default.")
        input, target = common_float(
            input, target_like(given, input, "cross_entropy", promote=True))
        if plain:
            losses = -(target * _log_softmax(input, axis=-1)).sum(axis=-1)
            return reduce_loss(losses, reduction)
        if weight is not None:  # a composition in PyTorch too: differentiable, promoting
            weight = weight_tensor("cross_entropy", "weight", weight, (classes,),
                                   input.dtype, per="class", promote=True)
        return soft_cross_entropy(_log_softmax(input, axis=-1), target, weight, reduction,
                                  label_smoothing)
    if weight is not None:  # integer labels: a constant of the input's dtype, as PyTorch
        weight = loss_weight("cross_entropy", "weight", weight, (classes,), input.dtype,
                             per="class")
    labels, keep = _labels("cross_entropy", input, target, ignore_index)
    if plain and keep is None:
        if reduction == "mean" and not labels.size:  # NaN, quietly (see reduce_loss)
            losses = SoftmaxCrossEntropy.apply(input, labels=labels, reduction="none")
            return reduce_loss(losses, reduction)
        return SoftmaxCrossEntropy.apply(input, labels=labels, reduction=reduction)
    keep = np.ones(labels.shape, dtype=bool) if keep is None else keep
    return weighted_nll(_log_softmax(input, axis=-1), labels, keep, weight, reduction,
                        label_smoothing)


def nll_loss(input: Any, target: Any, reduction: str = "mean", *, weight: Any = None,
             ignore_index: int = -100, size_average: bool | None = None,
             reduce: bool | None = None) -> Tensor:
    """Negative log-likelihood of integer labels t under log-probabilities input
    (shape (N, C), classes last, e.g. the output of log_softmax; PyTorch's (N, C, d1, ...)
    as in :func:`cross_entropy`): loss_n = -input[n, t_n],
    then reduced; d/dinput = -onehot(t) (/ N for "mean").
    ``nll_loss(log_softmax(z), t)`` equals ``cross_entropy(z, t)``. ``weight`` and
    ``ignore_index`` (keyword-only) as in :func:`cross_entropy`."""
    reduction = legacy_reduction("nll_loss", reduction, size_average, reduce)
    check_reduction("nll_loss", reduction)
    ignore_index = check_ignore_index("nll_loss", ignore_index)
    input = _classes_moved_last(as_tensor(input), target)
    classes = _class_axis("nll_loss", input)
    labels, keep = _labels("nll_loss", input, target, ignore_index)
    if weight is not None or keep is not None:
        if weight is not None:
            weight = loss_weight("nll_loss", "weight", weight, (classes,), input.dtype,
                                 per="class")
        keep = np.ones(labels.shape, dtype=bool) if keep is None else keep
        return weighted_nll(input, labels, keep, weight, reduction)
    rows = input.reshape(labels.size, classes)
    picked = rows[np.arange(rows.shape[0]), labels.reshape(-1)]
    return reduce_loss(-picked.reshape(labels.shape), reduction)

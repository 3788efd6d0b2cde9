"""PyTorch's optional loss arguments: class weights (``weight``), ignored labels
(``ignore_index``), label smoothing, and BCE's ``weight`` / ``pos_weight``.

``losses.py`` calls these only when such an argument is in use: the plain case keeps its
fused op. Here the losses are compositions of differentiable Tensor ops (log-softmax,
indexing, products, sums), so gradients, also of second order, come from the engine.
Weights are constants (no gradient flows to them), except in the losses PyTorch writes
as compositions of its own ops (``weight_tensor``), where a weight that requires grad
gets its gradient as there.

With class weights w and integer labels t, PyTorch's "mean" is a weighted mean:
sum_n w[t_n] loss_n / sum_n w[t_n], over the samples whose label is not ``ignore_index``;
ignored samples give 0 in "none" and count for nothing. With probability targets "mean"
divides by the number of samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, is_grad_enabled, where
from autograd.errors import DataError, DTypeError, ShapeError, UsageError

from .._checks import integer, real_number

__all__ = ["check_ignore_index", "check_label_smoothing", "weight_values", "loss_weight",
           "weight_tensor", "weighted_nll", "soft_cross_entropy", "weighted_bce_with_logits"]


def check_ignore_index(name: str, ignore_index: Any) -> int:
    """``ignore_index`` as an int, or ``ArgumentTypeError``."""
    return integer(name, "ignore_index", ignore_index,
                   advice="It is a label to skip; PyTorch's default is -100.")


def check_label_smoothing(name: str, label_smoothing: Any) -> float:
    """``label_smoothing`` as a float in [0, 1], or a named error."""
    return real_number(name, "label_smoothing", label_smoothing, minimum=0, maximum=1,
                       advice="0 is none, 0.1 is usual.")


def weight_values(name: str, label: str, weight: Any) -> np.ndarray:
    """``weight`` (a Tensor, array, list or number) as a float array (ints become
    float64), or a named error: ``DataError`` for ragged nesting or Python objects,
    ``DTypeError`` for anything but real numbers."""
    if isinstance(weight, Tensor):
        if weight.requires_grad and is_grad_enabled():  # it would silently get no gradient
            raise UsageError(f"{name}: {label} requires grad, but the loss is not "
                             f"differentiable with respect to it (a constant, as in "
                             f"PyTorch). Pass {label}.detach(), or write the weighting "
                             f"with Tensor ops if you need its gradient.")
        data = weight.data
    else:
        try:
            data = np.asarray(weight)
        except ValueError:  # NumPy refuses ragged nesting
            raise DataError(f"{name}: {label} is a ragged nested sequence (rows of "
                            f"different lengths); every row must have the same length. "
                            f"Give an array of numbers, e.g. np.array([1.0, 2.0]).") from None
    if data.dtype.kind == "O":
        raise DataError(f"{name}: {label} holds Python objects (None or mixed types), "
                        f"dtype object; expected real numbers, e.g. np.array([1.0, 2.0]).")
    if data.dtype.kind not in "biuf":
        raise DTypeError(f"{name}: {label} must hold real numbers; got dtype {data.dtype}. "
                         f"Convert it, e.g. np.asarray({label}, dtype=float).")
    return data.astype(data.dtype if data.dtype.kind == "f" else np.float64)


def loss_weight(name: str, label: str, weight: Any, shape: tuple, dtype: np.dtype,
                per: str = "", promote: bool = False) -> np.ndarray:
    """``weight`` as a constant array of ``dtype``: of exactly ``shape`` when ``per``
    names what each weight is for ("class", "element"), else broadcastable to it. A
    Tensor gives its values; with ``promote`` a float Tensor of a wider dtype keeps it
    (PyTorch's promotion in the losses that have it: float32 input, float64 weight give
    a float64 loss), while arrays and lists take ``dtype``."""
    data = weight_values(name, label, weight)
    _check_weight_shape(name, label, data.shape, shape, per)
    if dtype.kind != "f":
        return data.astype(np.float64)
    if promote and isinstance(weight, Tensor) and data.dtype.kind == "f":
        dtype = np.result_type(dtype, data.dtype)
    return data.astype(dtype)


def weight_tensor(name: str, label: str, weight: Any, shape: tuple, dtype: np.dtype,
                  per: str = "", promote: bool = False) -> Tensor:
    """``weight`` for a loss that PyTorch writes as a composition of its ops, so that it
    differentiates through the weight: a Tensor that requires grad is used as it is
    (its shape checked as in :func:`loss_weight`), anything else is ``loss_weight``'s
    constant (``promote`` as there)."""
    if isinstance(weight, Tensor) and weight.requires_grad:
        _check_weight_shape(name, label, weight.shape, shape, per)
        return weight
    return Tensor(loss_weight(name, label, weight, shape, dtype, per, promote))


def _check_weight_shape(name: str, label: str, given: tuple, shape: tuple,
                        per: str) -> None:
    """``ShapeError`` unless ``given`` is ``shape`` (when ``per`` is set) or broadcasts
    to it."""
    fits = given == shape
    if not per and not fits:
        try:
            fits = np.broadcast_shapes(given, shape) == shape
        except ValueError:
            fits = False
    if not fits:
        wanted = (f"one weight per {per}, shape {shape}" if per else
                  f"a shape that broadcasts to the input's {shape}")
        raise ShapeError(f"{name}: {label} has shape {given}; expected {wanted}.")


def _picked_weights(labels: np.ndarray, keep: np.ndarray, weight: np.ndarray | None,
                    dtype: np.dtype) -> np.ndarray:
    """w[t_n] for every kept sample, 0 for the ignored ones."""
    safe = np.where(keep, labels, 0)
    picked = weight[safe] if weight is not None else np.ones(labels.shape, dtype)
    return np.where(keep, picked, 0).astype(picked.dtype)


def _weighted_reduce(losses: Tensor, total_weight: float, reduction: str,
                     counted: bool = True) -> Tensor:
    """Sum, sum / total weight ("mean"), or the losses. When nothing is ``counted``
    (every label ignored) "mean" is 0 / 0, NaN, quietly, with a zero gradient as in
    PyTorch: a batch of padding must not turn the parameters' gradients into NaN. Kept
    labels whose weights sum to 0 give 0 / 0 too, with its NaN gradient (PyTorch's)."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    if not counted:
        return losses.sum() * 0.0 + float("nan")
    return losses.sum() / total_weight


def weighted_nll(logp: Tensor, labels: np.ndarray, keep: np.ndarray,
                 weight: np.ndarray | None, reduction: str,
                 label_smoothing: float = 0.0) -> Tensor:
    """NLL of labels t under log-probabilities ``logp`` (..., C), labels where ``keep``
    is False ignored (loss 0, no gradient): loss_n = -w[t_n] logp_n[t_n] (w = 1 without
    weights); with label smoothing e, (1 - e) loss_n - e / C sum_c w_c logp_nc, each of
    the two terms reduced on its own (PyTorch's definition: a zero total weight makes
    the "mean" NaN, smoothing or not)."""
    classes = logp.shape[-1]
    if not classes:  # every label is ignore_index (none lies in [0, 0)): each loss is 0
        return _weighted_reduce(logp.sum(axis=-1), 0.0, reduction, counted=False)
    picked_w = _picked_weights(labels, keep, weight, logp.dtype)
    total, counted = float(picked_w.sum()), bool(keep.any())
    rows = logp.reshape(labels.size, classes)
    safe = np.where(keep, labels, 0).reshape(-1)
    picked = rows[np.arange(rows.shape[0]), safe].reshape(labels.shape)
    loss = _weighted_reduce(where(keep, -picked, 0.0) * picked_w, total, reduction, counted)
    if not label_smoothing:
        return loss
    all_w = logp if weight is None else logp * weight
    smooth = _weighted_reduce(where(keep, -all_w.sum(axis=-1), 0.0), total, reduction,
                              counted)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def soft_cross_entropy(logp: Tensor, target: Tensor, weight: Tensor | None,
                       reduction: str, label_smoothing: float) -> Tensor:
    """-sum_c w_c q_c logp_c per sample for probability targets q, smoothed to
    (1 - e) q + e / C; "mean" divides by the number of samples (as PyTorch). The class
    weights w (``weight_tensor``'s) are a factor of the product, so a w that requires grad
    gets d loss_n / d w_c = -q_c logp_c, as in PyTorch."""
    if label_smoothing and logp.shape[-1]:  # smoothing over no classes changes nothing
        target = target * (1 - label_smoothing) + label_smoothing / logp.shape[-1]
    terms = target * logp if weight is None else target * logp * weight
    losses = -terms.sum(axis=-1)
    return _weighted_reduce(losses, losses.size, reduction, bool(losses.size))


def weighted_bce_with_logits(z: Tensor, y: Tensor, weight: np.ndarray | None,
                             pos_weight: np.ndarray | None, reduction: str) -> Tensor:
    """-w (p y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))) per element, with
    log sigmoid(z) = -softplus(-z) and log(1 - sigmoid(z)) = -softplus(z) (stable for
    any z); p = ``pos_weight`` scales the positive term, w = ``weight`` the whole loss.
    "mean" divides by the number of elements (as PyTorch)."""
    positive = (-z).softplus() * y
    if pos_weight is not None:
        positive = positive * pos_weight
    losses = positive + z.softplus() * (1 - y)
    if weight is not None:
        losses = losses * weight
    return _weighted_reduce(losses, losses.size, reduction, bool(losses.size))

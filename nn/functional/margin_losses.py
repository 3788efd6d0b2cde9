"""Margin (hinge) losses with PyTorch's names, argument order and defaults: ranking
(``margin_ranking_loss``), embeddings (``hinge_embedding_loss``,
``cosine_embedding_loss``, ``triplet_margin_loss``, ``triplet_margin_with_distance_loss``),
two-class and multi-label logistic (``soft_margin_loss``, ``multilabel_soft_margin_loss``),
the multi-class SVM hinge (``multi_margin_loss``) and its multi-label form
(``multilabel_margin_loss``).

Compositions of differentiable Tensor ops. At a hinge's kink the gradient is 0, as in
PyTorch (relu'(0) = 0). ``reduction`` is keyword-only (PyTorch has its deprecated
``size_average`` and ``reduce`` before it; keyword-only here too, with PyTorch's meaning:
see ``loss_base``). Stricter than PyTorch, as the other losses:
shapes must match exactly (no broadcasting), and a target of signs (-1 / 1) holding any
other value raises instead of silently giving a meaningless loss.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from autograd import Tensor, as_tensor, minimum, where
from autograd.errors import DTypeError, ShapeError

from .loss_base import (check_number, check_reduction, common_float, legacy_reduction,
                        reduce_loss, target_array, target_like)
from .vectors import pairwise_distance
from .weighted import loss_weight, weight_tensor
from .._checks import flag, integer
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "multi_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss",
           "cosine_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss"]


def _same_shape(name: str, labels: tuple[str, ...], first: Any,
                *others: Any, promote: bool = False) -> list[Tensor]:
    """``first`` as a Tensor and ``others`` like it (an untracked one takes its float
    dtype; with ``promote`` a float Tensor keeps its own and all are computed in the
    widest, PyTorch's promotion: ``common_float``), all of one shape, or a ShapeError
    naming them."""
    first = as_tensor(first)
    tensors = [first] + [target_like(other, first, name, promote) for other in others]
    if len({t.shape for t in tensors}) > 1:
        shapes = ", ".join(f"{label} {t.shape}" for label, t in zip(labels, tensors))
        raise ShapeError(f"{name}: the shapes differ ({shapes}); they must be equal (they "
                         f"are not broadcast). Reshape them, or use np.broadcast_to "
                         f"explicitly if repeating one is what you mean.")
    return common_float(*tensors) if promote else tensors


def _check_signs(name: str, target: Tensor) -> None:
    """ConfigError unless every target is 1 or -1."""
    data = target.data
    bad = (data != 1) & (data != -1)
    if bad.any():
        found = np.unique(data[bad])[:5].tolist()
        raise ConfigError(
            f"{name}: target must hold 1 or -1 in every place; found {found} in "
            f"{int(bad.sum())} place(s). For 0/1 labels pass 2 * y - 1.")


def _vectors(name: str, input1: Any, input2: Any, target: Any) -> list[Tensor]:
    """Two batches of vectors (..., D) and a target of their batch shape (...)."""
    input1, input2 = _same_shape(name, ("input1", "input2"), input1, input2, promote=True)
    if input1.ndim == 0:
        raise ShapeError(f"{name}: the inputs need a vector axis (shape (D,) or (N, D)); "
                         f"got 0-d tensors.")
    target = target_like(target, input1, name)
    if target.shape != input1.shape[:-1]:
        raise ShapeError(f"{name}: inputs of shape {input1.shape} (vectors on the last "
                         f"axis) need one target per vector, of shape {input1.shape[:-1]}; "
                         f"got a target of shape {target.shape}.")
    return [input1, input2, target]


# ------------------------------------------------------------------ elementwise
def margin_ranking_loss(input1: Any, input2: Any, target: Any, margin: float = 0, *,
                        reduction: str = "mean", size_average: bool | None = None,
                        reduce: bool | None = None) -> Tensor:
    """max(0, -y (x1 - x2) + margin) per element, y = ``target`` in {1, -1}: y = 1 asks
    x1 to rank above x2 by at least ``margin``, y = -1 the reverse."""
    margin = check_number("margin_ranking_loss", "margin", margin)
    reduction = legacy_reduction("margin_ranking_loss", reduction, size_average, reduce)
    check_reduction("margin_ranking_loss", reduction)
    input1, input2, target = _same_shape("margin_ranking_loss",
                                         ("input1", "input2", "target"),
                                         input1, input2, target, promote=True)
    _check_signs("margin_ranking_loss", target)
    return reduce_loss((-target * (input1 - input2) + margin).relu(), reduction)


def hinge_embedding_loss(input: Any, target: Any, margin: float = 1.0, *,
                         reduction: str = "mean", size_average: bool | None = None,
                         reduce: bool | None = None) -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1, per element, for x = ``input``
    (usually a distance) and y = ``target`` in {1, -1}: similar pairs pull x to 0,
    dissimilar ones push it beyond ``margin``."""
    margin = check_number("hinge_embedding_loss", "margin", margin)
    reduction = legacy_reduction("hinge_embedding_loss", reduction, size_average, reduce)
    check_reduction("hinge_embedding_loss", reduction)
    input, target = _same_shape("hinge_embedding_loss", ("input", "target"), input, target)
    _check_signs("hinge_embedding_loss", target)
    return reduce_loss(where(target.data == 1, input, (margin - input).relu()), reduction)


def soft_margin_loss(input: Any, target: Any, *, reduction: str = "mean",
                     size_average: bool | None = None, reduce: bool | None = None) -> Tensor:
    """The two-class logistic loss log(1 + e^{-y x}) per element, y = ``target`` in
    {1, -1}; computed as softplus(-y x), finite for any x (PyTorch's overflows to inf
    for -y x above about 710 in float64)."""
    reduction = legacy_reduction("soft_margin_loss", reduction, size_average, reduce)
    check_reduction("soft_margin_loss", reduction)
    input, target = _same_shape("soft_margin_loss", ("input", "target"), input, target)
    _check_signs("soft_margin_loss", target)
    return reduce_loss((-target * input).softplus(), reduction)


# ------------------------------------------------------------------ multi-class, multi-label
def _class_labels(name: str, input: Tensor, target: Any) -> np.ndarray:
    """Integer labels of shape input.shape[:-1], each in [0, C), or a named error."""
    if input.ndim == 0:
        raise ShapeError(f"{name}: input must have a class axis (shape (C,) or (N, C)); "
                         f"got a 0-d tensor.")
    labels = target_array(name, target)
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"{name}: class labels must be integers; got dtype "
                         f"{labels.dtype}. Convert them, e.g. labels.astype(np.int64).")
    if labels.shape != input.shape[:-1]:
        raise ShapeError(f"{name}: input of shape {input.shape} (classes on the last axis) "
                         f"needs one label per sample, of shape {input.shape[:-1]}; got "
                         f"labels of shape {labels.shape}.")
    classes = input.shape[-1]
    bad = (labels < 0) | (labels >= classes)
    if bad.any():
        raise ConfigError(f"{name}: label {int(labels[bad][0])} is out of range for "
                          f"{classes} classes (valid labels: 0..{classes - 1}).")
    return labels.astype(np.intp)


def multi_margin_loss(input: Any, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Any = None, *, reduction: str = "mean",
                      size_average: bool | None = None, reduce: bool | None = None) -> Tensor:
    """The multi-class SVM hinge on scores x (N, C) (or (C,)) and labels y (N,):
    loss_n = sum_{i != y_n} w[y_n] max(0, margin - x[n, y_n] + x[n, i])^p / C, with
    p = 1 or 2 and class weights ``weight`` (C,) (a constant), then reduced over the
    samples ("mean" divides by N, as PyTorch)."""
    p = integer("multi_margin_loss", "p", p, minimum=1, maximum=2,
                advice="Only 1 and 2 are supported, as in PyTorch.")
    margin = check_number("multi_margin_loss", "margin", margin)
    reduction = legacy_reduction("multi_margin_loss", reduction, size_average, reduce)
    check_reduction("multi_margin_loss", reduction)
    input = as_tensor(input)
    labels = _class_labels("multi_margin_loss", input, target)
    classes = input.shape[-1]
    picked = input.take_along_axis(labels[..., None], axis=-1)
    is_label = np.arange(classes) == labels[..., None]
    hinge = where(is_label, 0.0, (input - picked + margin).relu())
    if p == 2:
        hinge = hinge * hinge
    losses = hinge.sum(axis=-1) / classes
    if weight is not None:
        weight = loss_weight("multi_margin_loss", "weight", weight, (classes,), input.dtype,
                             per="class")
        losses = losses * weight[labels]
    return reduce_loss(losses, reduction)


def multilabel_soft_margin_loss(input: Any, target: Any, weight: Any = None, *,
                                reduction: str = "mean", size_average: bool | None = None,
                                reduce: bool | None = None) -> Tensor:
    """Binary cross-entropy on logits x (N, C) for each of C labels y (N, C) in [0, 1],
    averaged over the classes: loss_n = sum_c w_c (softplus(x_nc) - y_nc x_nc) / C
    (stable for any x), then reduced over the samples. ``weight`` broadcasts to the
    input; one that requires grad gets its gradient, as in PyTorch."""
    reduction = legacy_reduction("multilabel_soft_margin_loss", reduction, size_average, reduce)
    check_reduction("multilabel_soft_margin_loss", reduction)
    input, target = _same_shape("multilabel_soft_margin_loss", ("input", "target"),
                                input, target, promote=True)
    if input.ndim == 0:
        raise ShapeError("multilabel_soft_margin_loss: input must have a class axis "
                         "(shape (C,) or (N, C)); got a 0-d tensor.")
    losses = input.softplus() - target * input
    if weight is not None:  # PyTorch's is a composition: a weight gets its gradient
        losses = losses * weight_tensor("multilabel_soft_margin_loss", "weight", weight,
                                        input.shape, input.dtype, promote=True)
    return reduce_loss(losses.sum(axis=-1) / input.shape[-1], reduction)


def _target_counts(name: str, input: Tensor, target: Any) -> np.ndarray:
    """How often each class is named in each sample's target list, shape input.shape:
    the list is the target row up to its first -1 (PyTorch's convention)."""
    if input.ndim not in (1, 2):
        raise ShapeError(f"{name}: input must have shape (C,) or (N, C); got {input.shape}.")
    labels = target_array(name, target)
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"{name}: the target holds class indices, which must be integers; "
                         f"got dtype {labels.dtype}. Convert it, e.g. "
                         f"target.astype(np.int64).")
    if labels.shape != input.shape:
        raise ShapeError(f"{name}: the target (class indices, ended by -1) must have the "
                         f"input's shape {input.shape}; got {labels.shape}.")
    classes = input.shape[-1]
    bad = (labels < -1) | (labels >= classes)
    if bad.any():
        raise ConfigError(f"{name}: target index {int(labels[bad][0])} is out of range for "
                          f"{classes} classes (valid: 0..{classes - 1}, and -1 to end a "
                          f"sample's list).")
    rows = labels.reshape(-1, classes)
    listed = np.cumprod(rows != -1, axis=-1).astype(bool)  # the positions before the first -1
    counts = np.zeros(rows.shape, dtype=np.int64)
    sample = np.broadcast_to(np.arange(len(rows))[:, None], rows.shape)
    np.add.at(counts, (sample[listed], rows[listed]), 1)
    return counts.reshape(input.shape)


def multilabel_margin_loss(input: Any, target: Any, *, reduction: str = "mean",
                           size_average: bool | None = None,
                           reduce: bool | None = None) -> Tensor:
    """The multi-label hinge on scores x (C,) or (N, C) with ``target`` listing each
    sample's classes (integers, the list ended by the first -1, the rest ignored):
    loss_n = sum_{j listed} sum_{i not listed} max(0, 1 - (x[n, j] - x[n, i])) / C,
    then reduced over the samples."""
    name = "multilabel_margin_loss"
    reduction = legacy_reduction(name, reduction, size_average, reduce)
    check_reduction(name, reduction)
    input = as_tensor(input)
    counts = _target_counts(name, input, target)
    dtype = input.dtype if input.dtype.kind == "f" else np.dtype(np.float64)
    # weight[n, j, i] = (times j is listed) * (i is not listed)
    weight = counts[..., :, None] * (counts[..., None, :] == 0)
    hinge = (input[..., None, :] - input[..., :, None] + 1.0).relu()
    losses = (hinge * weight.astype(dtype)).sum(axis=(-2, -1)) / input.shape[-1]
    return reduce_loss(losses, reduction)


# ------------------------------------------------------------------ embeddings
def cosine_embedding_loss(input1: Any, input2: Any, target: Any, margin: float = 0, *,
                          reduction: str = "mean", size_average: bool | None = None,
                          reduce: bool | None = None) -> Tensor:
    """For vectors x1, x2 (last axis) with cosine c: 1 - c where y = 1,
    max(0, c - margin) where y = -1 (y = ``target`` in {1, -1}, one per pair).
    c = x1.x2 / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12)), as PyTorch computes it."""
    margin = check_number("cosine_embedding_loss", "margin", margin)
    reduction = legacy_reduction("cosine_embedding_loss", reduction, size_average, reduce)
    check_reduction("cosine_embedding_loss", reduction)
    input1, input2, target = _vectors("cosine_embedding_loss", input1, input2, target)
    _check_signs("cosine_embedding_loss", target)
    squares = ((input1 * input1).sum(axis=-1) + 1e-12) * ((input2 * input2).sum(axis=-1)
                                                           + 1e-12)
    cosine = (input1 * input2).sum(axis=-1) / squares.sqrt()
    return reduce_loss(where(target.data == 1, 1 - cosine, (cosine - margin).relu()),
                       reduction)


def _distance(x1: Tensor, x2: Tensor, p: float, eps: float) -> Tensor:
    """PyTorch's pairwise distance ||x1 - x2 + eps||_p along the last axis."""
    diff = x1 - x2 + eps
    if p in (1, 2, np.inf):
        return diff.norm(p, axis=-1)
    return (diff.abs() ** p).sum(axis=-1) ** (1 / p)


def triplet_margin_loss(anchor: Any, positive: Any, negative: Any, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, *,
                        reduction: str = "mean", size_average: bool | None = None,
                        reduce: bool | None = None) -> Tensor:
    """max(0, d(a, pos) - d(a, neg) + margin) per triplet of vectors (last axis), with
    d(x, y) = ||x - y + eps||_p; ``swap`` uses min(d(a, neg), d(pos, neg)) as the
    negative distance (ties split the gradient evenly, as PyTorch)."""
    name = "triplet_margin_loss"
    margin = check_number(name, "margin", margin, minimum=0, open_min=True)
    p = check_number(name, "p", p, minimum=0, open_min=True, finite=False)
    eps = check_number(name, "eps", eps, minimum=0)
    swap = flag(name, "swap", swap)
    reduction = legacy_reduction(name, reduction, size_average, reduce)
    check_reduction(name, reduction)
    anchor, positive, negative = _same_shape(name, ("anchor", "positive", "negative"),
                                             anchor, positive, negative, promote=True)
    if anchor.ndim == 0:
        raise ShapeError(f"{name}: anchor, positive and negative need a vector axis (shape "
                         f"(D,) or (N, D)); got 0-d tensors.")
    near = _distance(anchor, positive, p, eps)
    far = _distance(anchor, negative, p, eps)
    if swap:
        far = minimum(far, _distance(positive, negative, p, eps))
    return reduce_loss((near - far + margin).relu(), reduction)


def triplet_margin_with_distance_loss(anchor: Any, positive: Any, negative: Any, *,
                                      distance_function: Callable[..., Any] | None = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """max(0, d(a, pos) - d(a, neg) + margin) per triplet, with d = ``distance_function``
    (any callable of two tensors giving one distance per vector; ``pairwise_distance``
    when None); ``swap`` uses min(d(a, neg), d(pos, neg)) as the negative distance (ties
    split the gradient evenly). Keyword-only options, as PyTorch."""
    name = "triplet_margin_with_distance_loss"
    if distance_function is None:
        distance_function = pairwise_distance
    elif not callable(distance_function):
        raise ArgumentTypeError(f"{name}: distance_function must be a callable of two "
                                f"tensors, e.g. lambda x, y: 1 - F.cosine_similarity(x, y), "
                                f"or None; got {type(distance_function).__name__}.")
    margin = check_number(name, "margin", margin, minimum=0, open_min=True)
    swap = flag(name, "swap", swap)
    check_reduction(name, reduction)
    anchor, positive, negative = _same_shape(name, ("anchor", "positive", "negative"),
                                             anchor, positive, negative, promote=True)
    near = as_tensor(distance_function(anchor, positive))
    far = as_tensor(distance_function(anchor, negative))
    if swap:
        far = minimum(far, as_tensor(distance_function(positive, negative)))
    if near.shape != far.shape:
        raise ShapeError(f"{name}: distance_function gave distances of shapes {near.shape} "
                         f"and {far.shape} for inputs of one shape {anchor.shape}; it "
                         f"must give one distance per pair of vectors.")
    return reduce_loss((near - far + margin).relu(), reduction)

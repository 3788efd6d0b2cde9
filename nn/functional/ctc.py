"""Connectionist temporal classification (CTC): ``ctc_loss`` with PyTorch's arguments.

A CTC model emits, at each of T steps, log-probabilities over C classes, one of them the
``blank``. A path (one class per step) reads as a label sequence once repeated classes
are merged and blanks dropped; the loss is -log of the total probability of the paths
that read as the target. With the extended target l' = (blank, l_1, blank, ..., l_S,
blank) of length 2S + 1, the forward variables (log space)

    alpha_0(0) = y_0(blank),  alpha_0(1) = y_0(l_1),
    alpha_t(s) = y_t(l'_s) + logsumexp(alpha_{t-1}(s), alpha_{t-1}(s-1),
                                       alpha_{t-1}(s-2) if l'_s != blank, l'_s != l'_{s-2})

give -loss = logsumexp(alpha_{T-1}(2S), alpha_{T-1}(2S-1)). The backward variables beta
run the same recursion from the end; alpha_t(s) + beta_t(s) + loss is the log-posterior of
being at s at step t, and d loss / d y_t(c) = -(sum of those posteriors over the s with
l'_s = c).

The op is one ``autograd.extend`` Function with that alpha-beta gradient, in NumPy: its
T steps are T NumPy statements on (N, 2S + 1) arrays, where the same recursion written
with Tensor ops would record about eight graph nodes per step (and a logsumexp of three
-inf, which unreachable positions are, has a NaN gradient). Measured on T = 50, N = 16,
C = 20, S = 10, forward and backward: 50 ms here, 186 ms for the Tensor-op recursion.
It is differentiable once, as PyTorch's (a ``create_graph`` backward through it raises).

The gradient is the true derivative with respect to ``log_probs``. PyTorch's CPU kernel
returns exp(log_probs) - posterior instead, which is what reaches the logits through
``log_softmax`` (where the extra term sums to zero over the classes); both agree on any
``log_softmax(...)`` input, the case its documentation requires (pytorch/pytorch
issues 52241 and 82545: gradcheck fails on a leaf ``log_probs`` there, and passes here).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Function, Tensor, as_tensor
from autograd.errors import DataError, DTypeError, ShapeError, UsageError
from autograd.extend import is_tensor

from .loss_base import check_reduction
from .._checks import flag

__all__ = ["ctc_loss"]

_NAME = "ctc_loss"


def ctc_loss(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss -log p(target | log_probs), summed over the alignments (see the
    module docstring), then reduced: "none" gives one loss per sample, "sum" their sum,
    "mean" the mean of loss_n / max(target_length_n, 1) (PyTorch's).

    ``log_probs`` (T, N, C) (or (T, C) for one sample), not empty, e.g.
    ``log_softmax(out, 2)``; ``targets`` (N, S) padded (any value past each target's
    length, as PyTorch; (1, S) for one sample) or 1-d with all targets one after another
    (one sample: exactly its length), class indices other than ``blank``;
    ``input_lengths`` / ``target_lengths`` one integer per sample (tensors, lists, tuples
    or arrays, (N,), (1, N) or (N, 1)), at most T and at most S. A target that cannot be
    aligned in its input length has loss inf, or 0 with a zero gradient when
    ``zero_infinity``."""
    check_reduction(_NAME, reduction)
    zero_infinity = flag(_NAME, "zero_infinity", zero_infinity)
    log_probs = as_tensor(log_probs)
    if log_probs.dtype.kind != "f":
        raise DTypeError(f"{_NAME}: log_probs must be floating point (log_softmax of the "
                         f"model's output); got dtype {log_probs.dtype}.")
    given_shape, unbatched = log_probs.shape, log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.reshape(log_probs.shape[0], 1, log_probs.shape[1])
    if log_probs.ndim != 3:
        raise ShapeError(f"{_NAME}: log_probs must be (T, N, C), or (T, C) for one "
                         f"sample; got shape {log_probs.shape}.")
    steps, batch, classes = log_probs.shape
    if not log_probs.size:
        raise ShapeError(f"{_NAME}: log_probs must not be empty (as PyTorch); got shape "
                         f"{given_shape}. Leave out an empty batch or sequence before "
                         f"computing the loss.")
    blank = _check_blank(blank, classes)
    input_lengths = _lengths("input_lengths", input_lengths, batch)
    target_lengths = _lengths("target_lengths", target_lengths, batch)
    if input_lengths.size and input_lengths.max() > steps:
        raise DataError(f"{_NAME}: input_lengths must be at most T = {steps} (the length "
                        f"of log_probs); got {input_lengths.tolist()}.")
    labels = _checked_labels(_padded_targets(targets, target_lengths, batch, unbatched),
                             target_lengths, classes, blank)
    losses = CTCLossOp.apply(log_probs, labels=labels, input_lengths=input_lengths,
                             target_lengths=target_lengths, blank=blank,
                             zero_infinity=zero_infinity)
    if reduction == "none":
        return losses.reshape(()) if unbatched else losses
    if reduction == "sum":
        return losses.sum()
    per_label = np.maximum(target_lengths, 1).astype(losses.dtype)
    return (losses / per_label).mean()


# ------------------------------------------------------------------ argument checks
def _check_blank(blank: Any, classes: int) -> int:
    """``blank`` as an int in [0, C), else ``DataError`` (PyTorch: "blank must be in
    label range")."""
    if isinstance(blank, bool) or not isinstance(blank, (int, np.integer)):
        raise DTypeError(f"{_NAME}: blank must be an int class index; got "
                         f"{type(blank).__name__}.")
    if not 0 <= blank < classes:
        raise DataError(f"{_NAME}: blank must be in the label range [0, {classes}) of "
                        f"log_probs' last axis; got {blank}.")
    return int(blank)


def _integers(label: str, value: Any) -> np.ndarray:
    """``value`` (Tensor, list, tuple, array or int) as an int64 array, or a named error.
    Float targets of whole numbers are labels, as PyTorch reads them."""
    try:
        data = value.data if isinstance(value, Tensor) else np.asarray(value)
    except ValueError:  # NumPy's error for ragged nested lists
        raise DataError(f"{_NAME}: {label} is ragged (rows of different lengths). Give "
                        f"targets padded to (N, S) (nn.utils.rnn.pad_sequence(rows, "
                        f"batch_first=True)) or all concatenated in one 1-d array.") from None
    if label == "targets" and data.dtype.kind == "f":
        if not np.all(np.isfinite(data) & (data == np.round(data))):
            raise DataError(f"{_NAME}: float targets must hold whole numbers (class "
                            f"indices); got {data.tolist()}.")
        return data.astype(np.int64)
    if data.dtype.kind not in "iu":
        raise DTypeError(f"{_NAME}: {label} must hold integers; got dtype {data.dtype} "
                         f"(convert with .long()).")
    return data.astype(np.int64)


def _lengths(label: str, value: Any, batch: int) -> np.ndarray:
    """One length per sample, each >= 0, as an int64 array of shape (N,). As PyTorch
    flattens them, (1, N) and (N, 1) count too (and a single int for N = 1); any other
    layout (more than one axis longer than 1) is refused."""
    data = _integers(label, value)
    if data.size != batch or max(data.shape, default=1) != batch:
        raise ShapeError(f"{_NAME}: {label} must hold one length per sample, shape "
                         f"({batch},); got shape {data.shape}.")
    data = data.reshape(batch)
    if data.size and data.min() < 0:
        raise DataError(f"{_NAME}: {label} must be >= 0; got {data.tolist()}.")
    return data


def _padded_targets(targets: Any, target_lengths: np.ndarray, batch: int,
                    unbatched: bool) -> np.ndarray:
    """The targets as an (N, S) int64 array whatever their layout: padded (N, S) rows
    (each at least its length long; (1, S) for an unbatched sample, as PyTorch) or one
    1-d array of all targets end to end."""
    data = _integers("targets", targets)
    longest = int(target_lengths.max()) if target_lengths.size else 0
    if data.ndim == 2:
        if data.shape[0] != batch or data.shape[1] < longest:
            raise ShapeError(f"{_NAME}: padded targets must be (N, S) = ({batch}, S) with "
                             f"S >= the longest target length {longest}; got shape "
                             f"{data.shape}.")
        return data[:, :longest]
    if data.ndim != 1:
        raise ShapeError(f"{_NAME}: targets must be (N, S) padded or 1-d (all targets "
                         f"concatenated); got shape {data.shape}.")
    if unbatched:
        if data.shape[0] != longest:
            raise ShapeError(f"{_NAME}: an unbatched target must hold exactly its "
                             f"target_length = {longest} labels (as in PyTorch); got "
                             f"{data.shape[0]}. Give targets[:{longest}], or the right "
                             f"target_length.")
        return data[None]
    total = int(target_lengths.sum())
    if data.shape[0] != total:
        raise ShapeError(f"{_NAME}: concatenated targets must have sum(target_lengths) = "
                         f"{total} labels; got {data.shape[0]}. For padded rows give an "
                         f"(N, S) array.")
    padded = np.zeros((batch, longest), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
    for n, (start, length) in enumerate(zip(starts, target_lengths)):
        padded[n, :length] = data[start:start + length]
    return padded


def _checked_labels(labels: np.ndarray, target_lengths: np.ndarray, classes: int,
                    blank: int) -> np.ndarray:
    """``labels`` with the padding past each target's length set to ``blank``: any value
    may pad (PyTorch ignores it), the op reads only classes. Every label within its
    target's length must be a class other than ``blank`` (PyTorch does not check, and
    reads outside the array or scores the blank)."""
    used = np.arange(labels.shape[1]) < target_lengths[:, None]
    picked = labels[used]
    if picked.size and (picked.min() < 0 or picked.max() >= classes):
        raise DataError(f"{_NAME}: target labels must be class indices in [0, {classes}); "
                        f"got values from {picked.min()} to {picked.max()}.")
    if np.any(picked == blank):
        raise DataError(f"{_NAME}: the targets contain the blank class {blank}; a target "
                        f"lists real labels only (blank is what CTC inserts between them).")
    return np.where(used, labels, blank)


# ------------------------------------------------------------------ the op
class CTCLossOp(Function):
    """One CTC loss per sample from log_probs (T, N, C): out_n = -log p(target_n); the
    VJP is d out_n / d log_probs[t, n, c] = -(posterior of the positions s of the
    extended target with l'_s = c at step t), times g_n (0 for ``zero_infinity``'s
    zeroed losses). The forward keeps the alpha array for the backward pass."""
    __slots__ = ("labels", "input_lengths", "target_lengths", "blank", "zero_infinity",
                 "alpha")

    def __init__(self, labels: np.ndarray, input_lengths: np.ndarray,
                 target_lengths: np.ndarray, blank: int, zero_infinity: bool) -> None:
        self.labels, self.blank, self.zero_infinity = labels, blank, zero_infinity
        self.input_lengths, self.target_lengths = input_lengths, target_lengths
        self.alpha = None

    def forward(self, log_probs: np.ndarray) -> np.ndarray:
        extended, skip = self._extended()
        emit = _emissions(log_probs, extended)
        self.alpha = _log_alpha(emit, skip)
        return self._losses(self.alpha)

    def vjp(self, g: Any, out: Any, log_probs: Any) -> tuple:
        if is_tensor(g):
            raise UsageError(f"{_NAME} is differentiable once (as PyTorch's): its gradient "
                             f"is computed in NumPy, so backward(create_graph=True) through "
                             f"it cannot give a second derivative.")
        extended, skip = self._extended()
        emit = _emissions(log_probs, extended)
        alpha, self.alpha = self.alpha, None  # used once: a kept loss holds no (T, N, L)
        if alpha is None:  # a second backward through a retained graph
            alpha = _log_alpha(emit, skip)
        beta = _log_beta(emit, skip, self.input_lengths, 2 * self.target_lengths + 1)
        losses = self._losses(alpha, zeroed=False)
        with np.errstate(invalid="ignore"):  # inf loss: -inf + inf, NaN as PyTorch's
            posterior = np.exp(alpha + beta + losses[None, :, None])
        posterior[np.arange(len(alpha))[:, None] >= self.input_lengths] = 0.0  # past the end
        if self.zero_infinity:
            posterior[:, np.isinf(losses)] = 0.0
        onehot = np.zeros(extended.shape + (log_probs.shape[2],), dtype=log_probs.dtype)
        np.put_along_axis(onehot, extended[..., None], 1.0, axis=2)
        grad = -np.einsum("tns,nsc->tnc", posterior, onehot)
        return ((grad * g[None, :, None]).astype(log_probs.dtype, copy=False),)

    def _extended(self) -> tuple[np.ndarray, np.ndarray]:
        """l' (N, 2S + 1): blank, l_1, blank, ..., l_S, blank (blank past each target's
        end); and where the skip from s - 2 is allowed (a label unlike the one before)."""
        batch, longest = self.labels.shape
        extended = np.full((batch, 2 * longest + 1), self.blank, dtype=np.int64)
        extended[:, 1::2] = self.labels
        skip = np.zeros(extended.shape, dtype=bool)
        skip[:, 2:] = (extended[:, 2:] != self.blank) & (extended[:, 2:] != extended[:, :-2])
        return extended, skip

    def _losses(self, alpha: np.ndarray, zeroed: bool = True) -> np.ndarray:
        """-log p per sample from alpha at each sample's last step (0 steps: p = 1 for
        an empty target, else 0); with ``zero_infinity`` an infinite loss becomes 0."""
        batch = alpha.shape[1]
        log_p = np.full(batch, -np.inf, dtype=alpha.dtype)
        for n, (steps, length) in enumerate(zip(self.input_lengths, self.target_lengths)):
            if steps == 0:
                log_p[n] = 0.0 if length == 0 else -np.inf
                continue
            end = 2 * length  # the last blank of l'
            last = alpha[steps - 1, n, max(end - 1, 0):end + 1]
            log_p[n] = np.logaddexp.reduce(last)
        losses = -log_p
        if zeroed and self.zero_infinity:
            losses[np.isinf(losses)] = 0.0
        return losses


def _emissions(log_probs: np.ndarray, extended: np.ndarray) -> np.ndarray:
    """y_t(l'_s) for each sample: (T, N, 2S + 1)."""
    index = np.broadcast_to(extended[None], (log_probs.shape[0],) + extended.shape)
    return np.take_along_axis(log_probs, index, axis=2)


def _log_alpha(emit: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """The forward variables alpha (T, N, L) of every sample, run to step T - 1 (each
    sample reads its own last step)."""
    alpha = np.full(emit.shape, -np.inf, dtype=emit.dtype)
    if not emit.shape[0]:
        return alpha
    alpha[0, :, :2] = emit[0, :, :2]
    for t in range(1, emit.shape[0]):
        before = alpha[t - 1]
        paths = before.copy()  # stay at s
        np.logaddexp(paths[:, 1:], before[:, :-1], out=paths[:, 1:])  # from s - 1
        jump = np.where(skip[:, 2:], before[:, :-2], -np.inf)  # from s - 2
        np.logaddexp(paths[:, 2:], jump, out=paths[:, 2:])
        alpha[t] = paths + emit[t]
    return alpha


def _log_beta(emit: np.ndarray, skip: np.ndarray, input_lengths: np.ndarray,
              extended_lengths: np.ndarray) -> np.ndarray:
    """The backward variables beta (T, N, L): log p(the rest of the target after step t
    | at s at step t), 0 at the two last positions at each sample's last step, -inf
    past it."""
    beta = np.full(emit.shape, -np.inf, dtype=emit.dtype)
    samples = np.arange(emit.shape[1])
    for t in range(emit.shape[0] - 1, -1, -1):
        if t + 1 < emit.shape[0]:
            after = beta[t + 1] + emit[t + 1]
            paths = after.copy()  # stay at s
            np.logaddexp(paths[:, :-1], after[:, 1:], out=paths[:, :-1])  # to s + 1
            jump = np.where(skip[:, 2:], after[:, 2:], -np.inf)  # to s + 2
            np.logaddexp(paths[:, :-2], jump, out=paths[:, :-2])
            beta[t] = paths
        ends = samples[input_lengths - 1 == t]
        beta[t, ends] = -np.inf
        beta[t, ends, extended_lengths[ends] - 1] = 0.0
        longer = ends[extended_lengths[ends] > 1]
        beta[t, longer, extended_lengths[longer] - 2] = 0.0
    return beta

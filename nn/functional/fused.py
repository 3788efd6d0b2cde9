"""Fused ops: one ``Function`` each, with a hand-written vector-Jacobian product.

Fused where one op is faster or more stable than a chain of primitives: the exact GELU
(NumPy has no erf), the step (a documented zero gradient), ELU (``expm1`` and no
overflow in the branch not taken), binary cross-entropy on probabilities (PyTorch's
clamped logs), binary cross-entropy on logits and softmax cross-entropy on logits
(log-sum-exp tricks; gradients ``sigmoid(z) - y`` and ``softmax(z) - onehot``).

Every ``vjp`` is written with operators and the dispatching helpers below, so it runs on
NumPy arrays in an ordinary backward and on Tensors under ``create_graph=True`` (second
derivatives). The functions users call are in ``activations.py`` and ``losses.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Function, Tensor
from autograd import maximum as tensor_maximum
from autograd import softmax as tensor_softmax
from autograd.extend import constant, exp, is_tensor, masked, where

from .bce_second_order import BinaryCrossEntropyInputGrad
from .special import normal_cdf

_max, _sum = np.maximum.reduce, np.add.reduce  # ndarray.max/sum without their Python wrappers

__all__ = ["NormalCdf", "Gelu", "GeluTanh", "Heaviside", "Elu", "BinaryCrossEntropy",
           "BinaryCrossEntropyWithLogits", "SoftmaxCrossEntropy", "GaussianKL",
           "Reparameterize", "LOG_FLOOR", "BCE_GRAD_EPS", "reduce_losses"]

LOG_FLOOR = -100.0
"""Binary cross-entropy clamps its logs at -100 (as PyTorch): -log 0 costs 100, not inf."""

BCE_GRAD_EPS = 1e-12
"""The BCE gradient (p - y) / (p (1 - p)) has its denominator floored here (as PyTorch)."""

_ONE_OVER_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# ------------------------------------------------------------------ dispatching helpers
def _normal_pdf(x: Any) -> Any:
    """phi(x) = e^{-x^2/2} / sqrt(2 pi) on an array or (differentiably) a Tensor."""
    return exp(x * x * -0.5) * _ONE_OVER_SQRT_2PI


def _normal_cdf(x: Any) -> Any:
    """Phi(x) on an array, or as a differentiable op on a Tensor."""
    return NormalCdf.apply(x) if is_tensor(x) else normal_cdf(x)


def _sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x). For very negative x, e^-x overflows to inf and 1 / inf = 0, the
    right limit: only the warning is silenced. (exp(-logaddexp(0, -x)) was 5-7x slower,
    a where() over e^-|x| 2x slower.)"""
    if is_tensor(x):
        return x.sigmoid()
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def _softmax_last(x: Any) -> Any:
    """softmax over the last axis (array or differentiable Tensor): e^(x - max x) / sum.
    A row holding +inf (a float mask of +inf) is NaN, as PyTorch's; only NumPy's
    "invalid value" warning from inf - inf is silenced."""
    if is_tensor(x):
        return tensor_softmax(x, axis=-1)
    if x.shape[-1] == 0:  # no keys (an empty sequence): an empty result, as PyTorch's
        return np.exp(x)
    with np.errstate(invalid="ignore"):
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)


def _at_least(x: Any, floor: float) -> Any:
    """max(x, floor) elementwise (array or Tensor)."""
    return tensor_maximum(x, floor) if is_tensor(x) else np.maximum(x, floor)


def _clamped_log(x: Any) -> Any:
    """max(log x, -100): finite at x = 0; on Tensors with derivative 1 / x above the
    clamp and 0 on it (log never sees the x = 0 it would differentiate as 0 * inf)."""
    if is_tensor(x):
        with np.errstate(divide="ignore"):
            above = np.log(constant(x)) > LOG_FLOOR
        return where(above, where(above, x, 1.0).log(), LOG_FLOOR)
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), LOG_FLOOR)


def _zeros_like(g: Any) -> Any:
    zeros = np.zeros(constant(g).shape, dtype=constant(g).dtype)
    return Tensor(zeros) if is_tensor(g) else zeros


def reduce_losses(losses: np.ndarray, reduction: str) -> Any:
    """The losses themselves ("none"), their sum, their mean (the sum / count, as
    ``Tensor.mean``) or, for ``nn.models``' own losses, "batchmean": the sum / the length
    of the first axis (the loss per sample, PyTorch's kl_div's "batchmean")."""
    if reduction == "none":
        return losses
    total = _sum(losses, axis=None)
    if reduction == "mean":
        return total / losses.size
    return total / losses.shape[0] if reduction == "batchmean" else total


# ------------------------------------------------------------------ activations
class NormalCdf(Function):
    """out = Phi(x), the standard normal CDF;  dx = g phi(x)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return normal_cdf(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _normal_pdf(x),)


class Gelu(Function):
    """out = x Phi(x) (exact GELU);  dx = g (Phi(x) + x phi(x)).

    In an ordinary backward Phi(x) is read back from the output as out / x (exact to
    about one rounding; Phi(0) = 1/2 near 0) instead of evaluating erf a second time."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = normal_cdf(x)
        out *= x
        return out

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if is_tensor(x):
            cdf = _normal_cdf(x)
        else:
            tiny = np.sqrt(np.finfo(out.dtype).tiny)   # below: x Phi(x) may be subnormal
            readable = np.abs(x) > tiny
            with np.errstate(divide="ignore", invalid="ignore"):
                cdf = np.where(readable, out / np.where(readable, x, 1), 0.5)
        return (g * (cdf + x * _normal_pdf(x)),)


_GELU_TANH_SCALE = math.sqrt(2.0 / math.pi)
_GELU_TANH_CUBIC = 0.044715


class GeluTanh(Function):
    """GELU's tanh approximation, one node (as nine ops it was nine):
        out = x (1 + tanh u) / 2,  u = sqrt(2/pi) (x + 0.044715 x^3);
        dx = g ((1 + tanh u) / 2 + x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 0.044715 x^2) / 2).
    The VJP computes tanh u again (``np.tanh`` runs on Tensors too, for create_graph).
    From |x| = 10 on, tanh u is +-1 in every float dtype, so the second term is 0: its x
    is clipped there, whose x^2 would overflow (float16 from |x| = 256) and make 0 * inf."""
    __slots__ = ()
    _SATURATED = 10.0  # u(10) = 43.7: tanh u rounds to +-1 in float16, float32, float64

    @staticmethod
    def _inner(x: Any) -> Any:
        """u; x^3 overflows to +-inf for large |x| (float16 from 41), where tanh u = +-1
        is still right: NumPy's warning is silenced."""
        with np.errstate(over="ignore"):
            return (x + x * x * x * _GELU_TANH_CUBIC) * _GELU_TANH_SCALE

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x * 0.5 * (np.tanh(self._inner(x)) + 1.0)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        t = np.tanh(self._inner(x))
        x_in = np.minimum(np.maximum(x, -self._SATURATED), self._SATURATED)  # see above
        du = (x_in * x_in * (3 * _GELU_TANH_CUBIC) + 1.0) * _GELU_TANH_SCALE
        return (g * ((t + 1.0) * 0.5 + x_in * 0.5 * (1.0 - t * t) * du),)


class Heaviside(Function):
    """out = 1 for x > 0, ``value_at_zero`` for x = 0, 0 for x < 0;  dx = 0.

    The step is flat wherever it has a derivative and jumps at 0, so its gradient is
    zero everywhere: a perceptron with a step activation cannot be trained by gradient
    descent (which is why the notes move on to the sigmoid)."""
    __slots__ = ("value_at_zero",)
    save_inputs = False

    def __init__(self, value_at_zero: float = 0.0) -> None:
        self.value_at_zero = value_at_zero

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.heaviside(x, self.value_at_zero)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (_zeros_like(g),)


class Elu(Function):
    """out = x for x > 0, alpha (e^(x / d) - 1) for x <= 0 (ELU: d = 1; CELU: d = alpha);
    dx = g for x > 0, g (alpha / d) e^(x / d) for x <= 0 (so elu'(0) = alpha). e^x is
    computed from x: out + alpha is 0 in float32 from x = -17 on, where e^x - 1 rounds
    to -1. As PyTorch's: NaN takes the x > 0 branch (dx = g, so a masked NaN output
    passes 0 back, not NaN), and the second derivative is 0 at x = 0 (its strict x < 0)."""
    __slots__ = ("alpha", "divisor")

    def __init__(self, alpha: float, divisor: float = 1.0) -> None:
        self.alpha, self.divisor = alpha, divisor

    def _scaled(self, below: Any) -> Any:
        return below if self.divisor == 1 else below / self.divisor

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = self.alpha * np.expm1(self._scaled(np.minimum(x, 0)))  # 0 for x > 0
        # plus x for x > 0 (-0 + v = v): np.where(x > 0, x, out)'s values, without its
        # select, which is slow on a mask whose values follow no pattern
        out += np.maximum(x, -0.0)
        return out

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        positive = ~(constant(x) <= 0)  # NaN too, as PyTorch's
        if is_tensor(x):  # create_graph: the derivative of x where x < 0, 0 elsewhere
            below = where(constant(x) < 0, x, 0.0)
        else:  # x where x <= 0 (e^x never overflows), as a minimum: no select
            below = np.minimum(x, 0)
        slope = self.alpha / self.divisor  # (alpha itself for ELU's divisor 1)
        return (masked(g, positive) + masked(g * slope * exp(self._scaled(below)), ~positive),)


# ------------------------------------------------------------------ losses
class BinaryCrossEntropy(Function):
    """out = -(y max(log p, -100) + (1 - y) max(log(1 - p), -100)), elementwise;
    dp = g (p - y) / max(p (1 - p), 1e-12),
    dy = g (max(log(1 - p), -100) - max(log p, -100)).

    Both clamps follow PyTorch: the loss stays finite at p = 0 or 1, and the gradient at
    the clamp is the unclamped formula with a floored denominator (a confident mistake
    still gets a strong push, not the zero slope of the flat clamped log). The losses
    are then reduced in the op ("none", "sum" or "mean": g / size reaches each element),
    one node where "mean" was three."""
    __slots__ = ("reduction",)

    def __init__(self, reduction: str = "none") -> None:
        self.reduction = reduction

    def forward(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), LOG_FLOOR)
            log_not_p = np.maximum(np.log1p(-p), LOG_FLOOR)
        return reduce_losses(-(y * log_p + (1 - y) * log_not_p), self.reduction)

    def vjp(self, g: Any, out: Any, p: Any, y: Any) -> tuple:
        if self.reduction == "mean":
            g = g / constant(p).size
        dp = dy = None
        if self.needs_input_grad[0] and (is_tensor(p) or is_tensor(y)):  # create_graph
            dp = g * BinaryCrossEntropyInputGrad.apply(p, y, eps=BCE_GRAD_EPS)
        elif self.needs_input_grad[0]:
            dp = g * (p - y) / _at_least(p * (1 - p), BCE_GRAD_EPS)
        if self.needs_input_grad[1]:
            dy = g * (_clamped_log(1 - p) - _clamped_log(p))
        return dp, dy


class BinaryCrossEntropyWithLogits(Function):
    """out = -(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z)))
           = max(z, 0) - z y + log(1 + e^{-|z|})   (never overflows),
    per element, then reduced (``reduction``: "none", "sum" or "mean"; "batchmean", the
    sum / N, for a VAE's loss); dz = g' (sigmoid(z) - y),  dy = -g' z, with g' = g, or
    g / size for "mean" (g / N for "batchmean"). The reduction is part of the op: one
    graph node where "mean" was three."""
    __slots__ = ("reduction",)

    def __init__(self, reduction: str = "none") -> None:
        self.reduction = reduction

    def forward(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return reduce_losses(losses, self.reduction)

    def vjp(self, g: Any, out: Any, z: Any, y: Any) -> tuple:
        if self.reduction == "mean":
            g = g / constant(z).size
        elif self.reduction == "batchmean":
            g = g / constant(z).shape[0]
        dz = g * (_sigmoid(z) - y) if self.needs_input_grad[0] else None
        dy = g * -z if self.needs_input_grad[1] else None
        return dz, dy


class SoftmaxCrossEntropy(Function):
    """Cross-entropy of logits z (..., C) against integer labels t (...), reduced:
    loss_n = logsumexp(z_n) - z_n[t_n] = -log softmax(z_n)[t_n];
    dz = g (softmax(z) - onehot(t)), divided by the number of samples for "mean".

    ``labels`` (validated by the caller) and ``reduction`` are op state. The forward pass
    keeps softmax(z) (one (N, C) array) so that the backward pass needs no second exp;
    the backward pass drops it, so a loss kept after ``backward()`` holds no (N, C)
    array (a second backward, with ``retain_graph=True``, computes it again)."""
    __slots__ = ("labels", "reduction", "probs")

    def __init__(self, labels: np.ndarray, reduction: str) -> None:
        self.labels, self.reduction = labels, reduction

    def forward(self, z: np.ndarray) -> np.ndarray:
        shifted = z - _max(z, axis=-1, keepdims=True, initial=-np.inf)  # C = 0 too
        exps = np.exp(shifted)
        sums = _sum(exps, axis=-1, keepdims=True)
        exps /= sums
        self.probs = exps  # softmax(z), kept for the backward pass
        rows = shifted if shifted.ndim == 2 else shifted.reshape(self.labels.size, z.shape[-1])
        losses = np.log(sums).reshape(-1) - rows[self._picks(rows)]  # one per sample, flat
        if self.reduction == "sum":
            return _sum(losses, axis=None)
        if self.reduction == "mean":
            return _sum(losses, axis=None) / max(losses.size, 1)
        return losses.reshape(self.labels.shape)

    def vjp(self, g: Any, out: Any, z: Any) -> tuple:
        if self.reduction == "mean":
            g = g / max(self.labels.size, 1)
        if isinstance(z, Tensor):  # create_graph: softmax as a differentiable Tensor
            if self.reduction == "none":
                g = g.reshape(self.labels.shape + (1,))
            onehot = np.zeros(z.shape, dtype=z.dtype)
            np.put_along_axis(onehot, self.labels[..., None], 1, axis=-1)
            return ((_softmax_last(z) - onehot) * g,)
        # g (softmax(z) - onehot(t)) from the kept probabilities, in one fresh array
        probs, self.probs = self.probs, None  # used once: a kept loss holds no (N, C) array
        if probs is None:  # a second backward through a retained graph
            probs = _softmax_last(z)
        if self.reduction == "none":
            g = g[..., None]
        delta = np.multiply(probs, g, order="C")  # C order: reshape below is a view
        if self.reduction == "none":
            g = g.reshape(-1)
        rows = delta if delta.ndim == 2 else delta.reshape(self.labels.size, z.shape[-1])
        rows[self._picks(rows)] -= g
        return (delta,)

    def _picks(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (sample, label) index of each sample's picked logit in ``rows`` (N, C)."""
        return np.arange(rows.shape[0]), self.labels.reshape(-1)


class GaussianKL(Function):
    """KL(N(mu, e^logvar) || N(0, I)) per sample, summed over the last (latent) axis:
    out = 1/2 sum_d (mu_d^2 + e^{logvar_d} - logvar_d - 1), then reduced over the
    samples (``reduction``: "none", "sum" or "mean");
    dmu = g' mu,  dlogvar = g' (e^logvar - 1) / 2, with g' = g, or g / samples for
    "mean". One node instead of eight, reduction included (the VAE's training step runs
    it every batch)."""
    __slots__ = ("reduction",)

    def __init__(self, reduction: str = "none") -> None:
        self.reduction = reduction

    def forward(self, mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
        terms = mu * mu + np.exp(logvar)  # a fresh array: the rest is done in it
        terms -= logvar
        terms -= 1
        if self.reduction == "none":
            return _sum(terms, axis=-1) * 0.5
        total = _sum(terms, axis=None) * 0.5  # over samples and latents in one pass
        return total / math.prod(terms.shape[:-1]) if self.reduction == "mean" else total

    def vjp(self, g: Any, out: Any, mu: Any, logvar: Any) -> tuple:
        if self.reduction == "mean":
            g = g / math.prod(constant(mu).shape[:-1])  # / the number of samples
        g = g.reshape(tuple(g.shape) + (1,))  # one value per sample, over the latent axis
        dmu = g * mu if self.needs_input_grad[0] else None
        dlogvar = g * (exp(logvar) - 1) * 0.5 if self.needs_input_grad[1] else None
        return dmu, dlogvar


class Reparameterize(Function):
    """The VAE's sample z = mu + e^{logvar/2} eps, for inputs of one shape;
    dmu = g,  dlogvar = g eps e^{logvar/2} / 2,  deps = g e^{logvar/2}.
    One node instead of four (a VAE's training step runs it every batch)."""
    __slots__ = ()

    def forward(self, mu: np.ndarray, logvar: np.ndarray, eps: np.ndarray) -> np.ndarray:
        return mu + np.exp(logvar * 0.5) * eps

    def vjp(self, g: Any, out: Any, mu: Any, logvar: Any, eps: Any) -> tuple:
        needs = self.needs_input_grad
        std = exp(logvar * 0.5) if needs[1] or needs[2] else None
        return (g if needs[0] else None,
                g * eps * std * 0.5 if needs[1] else None,
                g * std if needs[2] else None)

"""More of PyTorch's activations, with its names, defaults and conventions at kinks.

Each one is a composition of differentiable ops (so second derivatives work too) and
keeps a float32 input float32. At a kink the gradient is PyTorch's, tested against it:

* ``relu6``, ``hardsigmoid``: gradient 0 at the bounds (as ``hardtanh``);
* ``hardswish``: gradient 0 at x = -3 and 1 at x = 3 (PyTorch's);
* ``selu``, ``celu``: at 0 the negative branch's slope (scale alpha for selu, 1 for celu),
  and a second derivative of 0 there (PyTorch's);
* ``hardshrink``, ``softshrink``: gradient 0 at |x| = lambd;
* ``threshold``: gradient 0 at x = threshold (the replaced side);
* ``rrelu``: at 0 the negative branch's slope (as ``leaky_relu``).

``inplace=True`` writes the result into the input and returns it, as in
``nn.functional.activations`` (PyTorch's in-place semantics).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, where
from autograd import sigmoid as _sigmoid
from autograd import softmax as _softmax
from autograd.errors import AxisError, DTypeError, ShapeError
from autograd.extend import piecewise_linear

from .activations import cast_for, check_inplace, elu, hardtanh, implicit_axis, opmath
from .fused import Elu
from .inplace_write import write_in_place
from .._checks import caller_outside_nn, flag, integer, is_integer, real_number, refuse_bool
from .._random import RNGLike, as_generator
from ..errors import ConfigError

__all__ = ["relu6", "selu", "celu", "mish", "hardsigmoid", "hardswish", "softsign",
           "softmin", "glu", "hardshrink", "softshrink", "tanhshrink", "threshold", "rrelu",
           "gumbel_softmax", "check_celu_alpha", "check_softshrink_lambd", "check_rrelu_bounds"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def relu6(input: Any, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) (``hardtanh(x, 0, 6)``); gradient 1 on (0, 6), 0 elsewhere,
    also at 0 and 6 (as PyTorch)."""
    if check_inplace("relu6", inplace):
        return write_in_place("relu6_", input, relu6, floats_only=False)
    return hardtanh(input, 0.0, 6.0)


def selu(input: Any, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with PyTorch's constants alpha = 1.6733, scale = 1.0507
    (self-normalising); selu'(0) = scale * alpha."""
    if check_inplace("selu", inplace):
        return write_in_place("selu_", input, selu)
    return elu(input, SELU_ALPHA) * SELU_SCALE


def check_celu_alpha(owner: str, alpha: Any) -> float:
    """CELU's alpha as a float, non-zero (it divides x), else a named error."""
    alpha = real_number(owner, "alpha", alpha)
    if alpha == 0:
        raise ConfigError(f"{owner}: alpha cannot be 0 (CELU divides x by alpha); got "
                          f"alpha={alpha!r}")
    return alpha


def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (e^{x / alpha} - 1) for x <= 0 (alpha != 0);
    derivative 1 for x > 0, e^{x / alpha} for x <= 0 (so celu'(0) = 1)."""
    alpha = check_celu_alpha("celu", alpha)
    if check_inplace("celu", inplace):
        return write_in_place("celu_", input, lambda t: celu(t, alpha))
    return Elu(alpha, divisor=alpha)(as_tensor(input))  # ELU's op with e^(x / alpha)


def mish(input: Any, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x)), smooth; mish'(0) = tanh(ln 2) = 0.6."""
    if check_inplace("mish", inplace):
        return write_in_place("mish_", input, mish)
    x = as_tensor(input)
    return x * x.softplus().tanh()


def hardsigmoid(input: Any, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 for x <= -3, x / 6 + 1/2 between, 1 for x >= 3; gradient 1/6
    strictly inside (-3, 3), 0 elsewhere (as PyTorch)."""
    if check_inplace("hardsigmoid", inplace):
        return write_in_place("hardsigmoid_", input, hardsigmoid)
    return hardtanh(input, -3.0, 3.0) / 6.0 + 0.5


def hardswish(input: Any, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x); derivative 0 for x <= -3, x / 3 + 1/2 on (-3, 3), 1 for
    x >= 3 (PyTorch's values at -3 and 3). NaN takes the x >= 3 branch, as PyTorch's:
    the gate is 1 there, so the value stays NaN and the gradient is g (0 from a mask)."""
    if check_inplace("hardswish", inplace):
        return write_in_place("hardswish_", input, hardswish)
    x = as_tensor(input)
    gate = hardsigmoid(x)
    nan = np.isnan(x.data)
    if nan.any():  # (no node when none is)
        gate = where(nan, np.ones((), gate.dtype), gate)
    return x * gate


def softsign(input: Any) -> Tensor:
    """x / (1 + |x|);  derivative 1 / (1 + |x|)^2."""
    x = as_tensor(input)
    return x / (x.abs() + 1.0)


def softmin(input: Any, axis: int | None = None, _stacklevel: int = 3, dtype: Any = None, *,
            dim: int | None = None) -> Tensor:
    """softmax(-x) along ``axis`` (or PyTorch's ``dim``): the smallest entry gets the
    largest weight. The axis as in ``softmax`` (``implicit_axis``); ``dtype``: x is cast
    to it first, as PyTorch's. ``_stacklevel`` (an int, in PyTorch's position) is
    accepted and ignored, as in ``softmax``."""
    integer("softmin", "_stacklevel", _stacklevel, advice="PyTorch's warning stack level; "
            "it has no effect here (softmin has no temperature).")
    x = cast_for("softmin", as_tensor(input), dtype)
    return _softmax(-x, implicit_axis("softmin", x, axis, dim), dim=dim)


def _glu_axis(axis: Any, dim: Any, ndim: int) -> int:
    """The one axis of ``glu`` (``axis`` or ``dim``) as a non-negative int."""
    if dim is not None:
        if axis != -1:
            raise AxisError(f"glu: got axis={axis!r} and dim={dim!r}; they are two names "
                            f"for one argument. Pass only one.")
        axis = dim
    if not is_integer(axis):
        raise AxisError(f"glu: axis must be an int; got {axis!r}")
    if ndim == 0:
        raise ShapeError("glu: a 0-d tensor cannot be halved; give a tensor with at least "
                         "one axis of even size")
    if not -ndim <= axis < ndim:
        raise AxisError(f"glu: axis {axis} is out of range for a {ndim}-d tensor "
                        f"(valid: {-ndim}..{ndim - 1})")
    return int(axis) % ndim


def glu(input: Any, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """Gated linear unit: x split into halves a, b along ``axis`` (or ``dim``);
    a * sigmoid(b). The axis must have an even size; the result has half of it."""
    x = as_tensor(input)
    axis = _glu_axis(axis, dim, x.ndim)
    size = x.shape[axis]
    if size % 2:
        raise ShapeError(f"glu: axis {axis} of the input of shape {x.shape} has size {size}; "
                         f"it is halved, so it must be even")
    keep = (slice(None),) * axis
    first, second = x[keep + (slice(0, size // 2),)], x[keep + (slice(size // 2, None),)]
    return first * _sigmoid(second)


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0; gradient 1 where |x| > lambd, else 0 (also at
    |x| = lambd, as PyTorch). NaN stays NaN (as PyTorch). Integer or bool input raises
    ``DTypeError``, as PyTorch refuses it."""
    lambd = real_number("hardshrink", "lambd", lambd)
    x = _float_input("hardshrink", as_tensor(input))
    inside = np.abs(x.data) <= lambd
    return piecewise_linear(x, np.where(inside, np.zeros((), x.dtype), x.data), ~inside)


def _float_input(name: str, x: Tensor) -> Tensor:
    """x, if it holds floats; else a ``DTypeError`` naming ``name`` (PyTorch refuses
    integer and bool input to the shrinks)."""
    x = refuse_bool(name, x)
    if x.dtype.kind != "f":
        raise DTypeError(f"{name}: input must hold floats; got dtype {x.dtype} (as "
                         f"PyTorch, which refuses integers too). Convert it first: "
                         f"input.double()")
    return x


def check_softshrink_lambd(owner: str, lambd: Any) -> float:
    """Softshrink's lambd as a float >= 0, else a named error (PyTorch's rule)."""
    return real_number(owner, "lambd", lambd, minimum=0)


def softshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """x - lambd for x > lambd, x + lambd for x < -lambd, else 0 (lambd >= 0); gradient
    1 where |x| > lambd, else 0 (also at |x| = lambd, as PyTorch). NaN stays NaN.
    Integer or bool input raises ``DTypeError``, as PyTorch refuses it."""
    lambd = check_softshrink_lambd("softshrink", lambd)
    x = _float_input("softshrink", as_tensor(input))
    # as PyTorch's: the values in float32 for float16 (its forward's opmath), the
    # gradient's mask in x's dtype (its backward compares with lambd rounded to it)
    wide = opmath(x.data)
    shrunk = (wide - np.sign(wide) * lambd).astype(x.dtype, copy=False)  # x -+ lambd
    values = np.where(np.abs(wide) <= lambd, np.zeros((), x.dtype), shrunk)
    return piecewise_linear(x, values, ~(np.abs(x.data) <= lambd))  # NaN: 1, as there


def tanhshrink(input: Any) -> Tensor:
    """x - tanh(x);  derivative tanh(x)^2."""
    x = as_tensor(input)
    return x - x.tanh()


def threshold(input: Any, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``; gradient 1 where x > threshold, else 0
    (PyTorch's ``F.threshold``; both numbers are required, as there). NaN stays NaN.
    Bool input raises ``DTypeError``, as PyTorch refuses it; integers stay integers."""
    threshold = real_number("threshold", "threshold", threshold, finite=False)
    value = real_number("threshold", "value", value, finite=False)
    if check_inplace("threshold", inplace):
        return write_in_place("threshold_", input, lambda t: _threshold(t, threshold, value),
                              floats_only=False)
    x = refuse_bool("threshold", as_tensor(input))
    below = opmath(x.data) <= threshold  # float16 in float32, as PyTorch's
    return piecewise_linear(x, np.where(below, _value_of(x.dtype, value), x.data), ~below)


def _value_of(dtype: np.dtype, value: float) -> np.ndarray:
    """``value`` in x's dtype: truncated into an integer one, as PyTorch's, where it must
    be finite and in range (PyTorch refuses the rest too)."""
    if dtype.kind in "iu":
        limits = np.iinfo(dtype)
        if not (np.isfinite(value) and limits.min <= value <= limits.max):
            raise DTypeError(f"threshold: value={value!r} does not fit x's dtype {dtype} "
                             f"(from {limits.min} to {limits.max}); give a value in range, "
                             f"or convert x to floats first (x.double())")
    return np.asarray(value).astype(dtype)


_threshold = threshold  # the function, for the in-place branch (its argument shadows it)


def check_rrelu_bounds(owner: str, lower: Any, upper: Any) -> tuple[float, float]:
    """``(lower, upper)`` as floats with lower <= upper, or a named error."""
    lower = real_number(owner, "lower", lower)
    upper = real_number(owner, "upper", upper)
    if lower > upper:
        raise ConfigError(f"{owner}: lower must be <= upper (the slopes are drawn from "
                          f"U(lower, upper)); got lower={lower!r}, upper={upper!r}")
    return lower, upper


def rrelu(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False, *, generator: RNGLike = None) -> Tensor:
    """Randomized leaky ReLU (PyTorch's): x for x > 0, a x otherwise. When ``training``,
    each element draws its own slope a ~ U(lower, upper) from ``generator`` (nn's
    default generator when None, as ``F.dropout``); otherwise a = (lower + upper) / 2,
    a fixed leaky ReLU. d/dx = 1 for x > 0, the slope used for x <= 0 (PyTorch's rule
    at 0). ``inplace=True`` writes the result into x."""
    lower, upper = check_rrelu_bounds("rrelu", lower, upper)
    training = flag("rrelu", "training", training)
    if check_inplace("rrelu", inplace):
        return write_in_place("rrelu_", input, lambda t: rrelu(t, lower, upper, training,
                                                           generator=generator))
    x = as_tensor(input)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    if training:
        slopes = as_generator(generator, "generator").uniform(lower, upper, x.shape)
    else:
        slopes = np.full(x.shape, (lower + upper) / 2)
    positive = x.data > 0
    slopes = np.where(positive, 1, slopes).astype(dtype)
    return piecewise_linear(x, np.where(positive, x.data, x.data * slopes), slopes)


def _one_axis(name: str, axis: Any, ndim: int) -> int:
    """``axis`` (one int, negative counting from the end) checked for an ``ndim``-d
    tensor; a 0-d tensor takes 0 or -1 (its one element). Else an ``AxisError`` that
    names ``name``, the function called (not the softmax it runs)."""
    if not is_integer(axis):
        raise AxisError(f"{name}: dim must be an int (the axis of the categories); got "
                        f"{axis!r}")
    size = max(ndim, 1)
    if not -size <= axis < size:
        raise AxisError(f"{name}: dim {axis} is out of range for a {ndim}-d tensor "
                        f"(valid: {-size}..{size - 1}); pass the axis of the categories")
    return int(axis)


def gumbel_softmax(logits: Any, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1, *, generator: RNGLike = None) -> Tensor:
    """A differentiable sample from the categorical distribution softmax(logits) along
    ``dim`` (PyTorch's ``F.gumbel_softmax``): y = softmax((logits + g) / tau) with Gumbel
    noise g = -log(E), E ~ Exp(1), drawn from ``generator`` (nn's default generator when
    None, as ``F.dropout``). tau -> 0 tends to one-hot samples, large tau to uniform.

    ``hard=True`` is the straight-through estimator: the value is one-hot at the argmax
    of y (y_hard - y.detach() + y), the gradient is the soft sample's. ``eps`` is
    deprecated in PyTorch and has no effect (a warning if changed, as there)."""
    tau = real_number("gumbel_softmax", "tau", tau, minimum=0, open_min=True,
                      advice="tau is the temperature of the relaxation.")
    hard = flag("gumbel_softmax", "hard", hard)
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", UserWarning,
                      stacklevel=caller_outside_nn())
    logits = as_tensor(logits)
    dim = _one_axis("gumbel_softmax", dim, logits.ndim)  # before any noise is drawn
    dtype = logits.dtype if logits.dtype.kind == "f" else np.dtype(np.float64)
    exponential = as_generator(generator, "generator").standard_exponential(logits.shape)
    gumbels = (-np.log(exponential)).astype(dtype)
    y_soft = _softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    y_hard = np.zeros(y_soft.shape, dtype=y_soft.dtype)
    if y_soft.ndim == 0:  # one category (softmax's 1), always the one drawn
        y_hard[()] = 1.0
    else:
        index = np.expand_dims(np.argmax(y_soft.data, axis=dim), dim)
        np.put_along_axis(y_hard, index, 1.0, axis=dim)
    return y_hard - y_soft.detach() + y_soft

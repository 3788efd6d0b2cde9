"""Activation functions on Tensors (differentiable; second derivatives work too).

Conventions at kinks, tested exactly:

* ``relu'(0) = 0`` (the engine's convention);
* ``leaky_relu'(0) = alpha`` and ``prelu'(0) = weight``: at 0 the negative branch's slope
  is used, as PyTorch does, so ``alpha = 0`` gives back ``relu'(0) = 0``;
* ``elu'(0) = alpha`` (the negative branch ``alpha e^x`` at 0; for the default alpha = 1
  this is the continuous value 1), and ``elu''(0) = 0`` (PyTorch's second derivative);
* ``step(0) = 0`` (the perceptron fires only when ``w.x + b > 0``); ``heaviside`` lets
  you choose the value at 0. The step's gradient is zero everywhere: it cannot be
  trained by gradient descent.

Scalars such as ``alpha`` or the temperature are op state, so a float32 input gives a
float32 output.

``inplace=True`` (relu, leaky_relu, elu, hardtanh, silu, as PyTorch's) writes the result
into the input and returns it (``inplace_write``), so code that reuses the input sees the
new values, as in PyTorch.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, where
from autograd import log_softmax as _log_softmax
from autograd import sigmoid as _sigmoid
from autograd import softmax as _softmax
from autograd import tanh as _tanh
from autograd.errors import DTypeError, ShapeError, UsageError
from autograd.extend import piecewise_linear

from .fused import Elu, Gelu, GeluTanh, Heaviside
from .._checks import caller_outside_nn, flag, integer, is_integer, real_number, refuse_bool
from ..errors import ConfigError
from .inplace_write import write_in_place

__all__ = ["step", "heaviside", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu",
           "gelu", "silu", "swish", "softmax", "log_softmax", "softplus", "logsigmoid",
           "hardtanh", "check_inplace", "cast_for", "check_hardtanh_bounds", "check_temperature",
           "check_softplus_beta", "two_valued"]


def check_inplace(name: str, inplace: Any) -> bool:
    """``inplace`` as a bool, or an ArgumentTypeError naming ``name``."""
    if inplace is False or inplace is True:  # the usual case, checked on every call
        return inplace
    return flag(name, "inplace", inplace, advice="True writes the result into the input, "
                "as PyTorch's.")


def step(x: Any) -> Tensor:
    """Heaviside step of the perceptron: 1 where x > 0, else 0 (so step(0) = 0).

    Its gradient is zero everywhere (flat on both sides, a jump at 0): it cannot be
    trained by gradient descent, which is why the notes move on to the sigmoid."""
    return Heaviside.apply(as_tensor(x), value_at_zero=0.0)


def heaviside(x: Any, value_at_zero: float = 0.0) -> Tensor:
    """H(x) = 1 for x > 0, ``value_at_zero`` for x = 0, 0 for x < 0 (as
    ``np.heaviside``). Zero gradient everywhere, like ``step``."""
    value = real_number("heaviside", "value_at_zero", value_at_zero, finite=False)
    return Heaviside(value)(as_tensor(x))


def sigmoid(input: Any) -> Tensor:
    """sigma(x) = 1 / (1 + e^-x), stable for any |x|;  sigma' = sigma (1 - sigma) <= 1/4."""
    return _sigmoid(input)


def tanh(input: Any) -> Tensor:
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x);  tanh' = 1 - tanh^2."""
    return _tanh(input)


def relu(input: Any, inplace: bool = False) -> Tensor:
    """relu(x) = max(x, 0);  relu'(x) = [x > 0], so relu'(0) = 0. ``inplace=True``
    writes the result into x and returns x (as ``relu_``). Integers stay integers; bool
    input raises ``DTypeError``, as PyTorch refuses it."""
    if check_inplace("relu", inplace):
        return write_in_place("relu_", input, relu, floats_only=False)
    return refuse_bool("relu", as_tensor(input)).relu()


def leaky_relu(input: Any, alpha: float | None = None, inplace: bool = False, *,
               negative_slope: float | None = None) -> Tensor:
    """leaky_relu(x) = x for x > 0, alpha x otherwise (alpha = 0.01 by default);
    derivative 1 for x > 0, alpha for x <= 0 (so leaky_relu'(0) = alpha, as PyTorch).

    ``negative_slope`` is PyTorch's name for ``alpha``; give one or the other.
    ``inplace=True`` writes the result into x and returns x (as ``leaky_relu_``)."""
    if alpha is not None and negative_slope is not None:
        raise UsageError("leaky_relu: give alpha or negative_slope (the same thing), not both")
    if check_inplace("leaky_relu", inplace):
        return write_in_place("leaky_relu_", input, lambda t: leaky_relu(
            t, alpha, negative_slope=negative_slope))
    name, value = (("negative_slope", negative_slope) if negative_slope is not None
                   else ("alpha", 0.01 if alpha is None else alpha))
    slope = real_number("leaky_relu", name, value)
    x = as_tensor(input)
    data = x.data
    slopes = two_valued(data > 0, 1.0, slope, np.result_type(data, slope))
    # one op whose gradient keeps x in its graph (a second derivative is 0, as PyTorch)
    return piecewise_linear(x, data * slopes, slopes)


def opmath(data: np.ndarray) -> np.ndarray:
    """``data`` as PyTorch compares it with a number bound (and computes in its forward
    passes): float16 widened to float32, its "opmath" type; other dtypes as they are.
    NumPy would round the bound to float16 instead, so that x = float16(0.3) =
    0.30004883 would count as equal to the bound 0.3 (PyTorch: greater)."""
    return data.astype(np.float32) if data.dtype == np.float16 else data


def two_valued(mask: np.ndarray, if_true: float, if_false: float, dtype: Any) -> np.ndarray:
    """``np.where(mask, if_true, if_false)`` in ``dtype``, computed as mask (if_true -
    if_false) + if_false when that gives if_true exactly (checked on the scalars, which
    round as the arrays do): two passes about 5x faster than NumPy's select on a mask
    whose values follow no pattern (a branch mispredicted per element)."""
    high, low = np.dtype(dtype).type(if_true), np.dtype(dtype).type(if_false)
    step = high - low
    if not (math.isfinite(step) and step + low == high):
        return np.where(mask, high, low)
    out = mask * step
    out += low
    return out


def prelu(input: Any, weight: Tensor) -> Tensor:
    """PReLU: x for x > 0, weight * x otherwise, with a learned slope ``weight``;
    d/dx = weight at x <= 0 (as leaky_relu), d/dweight = x where x <= 0, else 0.

    ``weight`` has shape () or (1,) (one slope shared by all inputs) or (C,) with one
    slope per channel, the channel axis being axis 1 of x (as PyTorch; (N, C) or
    (N, C, ...)). The result has the shape of x."""
    x, weight = as_tensor(input), as_tensor(weight)
    if weight.ndim > 1:
        raise ShapeError(f"prelu: weight must be 0-d or 1-d, shape (), (1,) or (channels,); "
                         f"got shape {weight.shape}")
    if weight.size == 1:
        weight = weight.reshape(())  # shared: broadcasts without adding an axis to x
    else:
        if x.ndim < 2 or x.shape[1] != weight.shape[0]:
            raise ShapeError(
                f"prelu: weight has {weight.shape[0]} slopes (one per channel) but the "
                f"input of shape {x.shape} has "
                + (f"{x.shape[1]} channels on axis 1" if x.ndim >= 2 else "no channel axis")
                + ". Use PReLU(num_parameters=channels) or a single shared slope.")
        weight = weight.reshape(weight.shape + (1,) * (x.ndim - 2))
    positive = x.data > 0
    zero = np.zeros((), x.dtype)
    # both parts of x piecewise_linear, so that the gradient's graph reaches x (PyTorch's
    # does); d/dweight is the negative part itself, 0 where x > 0 (never 0 * x: NaN at inf)
    above = piecewise_linear(x, np.where(positive, x.data, zero), positive)
    below = piecewise_linear(x, np.where(positive, zero, x.data), ~positive)
    return above + weight * below


def check_hardtanh_bounds(owner: str, min_val: Any, max_val: Any) -> None:
    """Both bounds real numbers with min_val <= max_val, else an error naming ``owner``."""
    min_val = real_number(owner, "min_val", min_val, finite=False)
    max_val = real_number(owner, "max_val", max_val, finite=False)
    if min_val > max_val:
        raise ConfigError(f"{owner}: min_val cannot be greater than max_val; got "
                          f"min_val={min_val!r}, max_val={max_val!r}")


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]; derivative 1 strictly inside, 0 outside and at
    the two bounds (as PyTorch). Integer x stays integer, clipped to the bounds truncated
    toward 0, as PyTorch's (``_integer_bounds``). ``inplace``: as in ``relu``."""
    check_hardtanh_bounds("hardtanh", min_val, max_val)
    if check_inplace("hardtanh", inplace):
        return write_in_place("hardtanh_", input, lambda t: hardtanh(t, min_val, max_val),
                              floats_only=False)
    x = as_tensor(input)
    if x.dtype.kind in "iu":
        min_val, max_val = _integer_bounds(x.dtype, min_val, max_val)
    wide = opmath(x.data)  # (clipping in float16 gives PyTorch's values already)
    inside = (wide > min_val) & (wide < max_val)
    clipped = np.clip(x.data, min_val, max_val).astype(x.dtype, copy=False)  # (NumPy
    return piecewise_linear(x, clipped, inside)  # float64 bounds keep x's dtype) x inside


def _integer_bounds(dtype: np.dtype, min_val: float, max_val: float) -> tuple[Any, Any]:
    """hardtanh's bounds for integers of ``dtype``, as scalars of it: truncated toward 0,
    as PyTorch (``hardtanh(x, -1.5, 2.5)`` clips to [-1, 2]), and a bound beyond the
    dtype's range moved to its end, where it clips nothing (PyTorch refuses those)."""
    info = np.iinfo(dtype)
    return tuple(dtype.type(math.trunc(min(max(bound, info.min), info.max)))
                 for bound in (min_val, max_val))


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """elu(x) = x for x > 0, alpha (e^x - 1) for x <= 0;  elu'(x) = alpha e^x for
    x <= 0 (so elu'(0) = alpha). Computed with expm1, never overflowing. ``inplace``:
    as in ``relu``."""
    if check_inplace("elu", inplace):
        return write_in_place("elu_", input, lambda t: elu(t, alpha))
    return Elu(real_number("elu", "alpha", alpha))(as_tensor(input))


def gelu(input: Any, approximate: str = "none") -> Tensor:
    """GELU(x) = x Phi(x), Phi the standard normal CDF (exact, via an erf accurate to
    1e-14); with ``approximate="tanh"``:
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    Exact derivative: Phi(x) + x phi(x), phi the standard normal density."""
    x = as_tensor(input)
    if approximate == "none":
        return Gelu.apply(x)
    if approximate == "tanh":
        return GeluTanh.apply(x)
    raise ConfigError(f"gelu: approximate must be 'none' (exact) or 'tanh'; "
                      f"got {approximate!r}")


def silu(input: Any, inplace: bool = False) -> Tensor:
    """SiLU / swish: x sigma(x); minimum about -0.278 at x about -1.278;
    derivative sigma(x) (1 + x (1 - sigma(x))). ``inplace``: as in ``relu``."""
    if check_inplace("silu", inplace):
        return write_in_place("silu_", input, silu)
    x = as_tensor(input)
    return x * _sigmoid(x)


def swish(x: Any, beta: float = 1.0) -> Tensor:
    """swish(x) = x sigma(beta x); beta = 1 is ``silu``. ``beta`` may be a Tensor (learned)."""
    x = as_tensor(x)
    if not isinstance(beta, Tensor):
        beta = real_number("swish", "beta", beta)
    return x * _sigmoid(x * beta)


def check_temperature(name: str, temperature: Any) -> Any:
    """``temperature`` as a float > 0, or a named error; a Tensor (a learned temperature)
    is returned as given, unchecked."""
    if isinstance(temperature, Tensor):
        return temperature
    return real_number(name, "temperature", temperature, minimum=0, open_min=True,
                       advice="T < 1 sharpens, T > 1 flattens, T = 1 is plain.")


def _check_softmax_extras(name: str, temperature: Any, stacklevel: Any) -> None:
    """The temperature (``check_temperature``), refused as an int: ``F.softmax(x, dim,
    3)`` is PyTorch's ``_stacklevel`` there (no effect on the values), which would be read
    as the temperature here. ``_stacklevel`` itself, an int, is accepted and ignored (its
    only use in PyTorch is the implicit-dim warning's, which points at the caller here)."""
    check_temperature(name, temperature)
    if is_integer(temperature):
        raise UsageError(
            f"{name}: got the int {temperature!r} as the temperature; an int is refused "
            f"there because PyTorch's {name}(x, dim, {temperature}) passes _stacklevel (no "
            f"effect on the values), where the third argument here is the temperature. "
            f"Pass a float for a temperature (temperature={float(temperature)!r}), or "
            f"drop the int (or write _stacklevel={temperature!r}) for PyTorch's meaning.")
    integer(name, "_stacklevel", stacklevel, advice="PyTorch's warning stack level; it "
            "has no effect here. The temperature is the keyword temperature=.")


def cast_for(name: str, x: Tensor, dtype: Any) -> Tensor:
    """x cast to the float ``dtype`` (differentiably; x itself for None), as PyTorch's
    ``dtype=`` of softmax and its kin casts the input before the op."""
    if dtype is None:
        return x
    x = x.astype(dtype)
    if x.dtype.kind != "f":
        raise DTypeError(f"{name}: dtype must be a float dtype such as np.float64 (the "
                         f"input is cast to it before the op, as PyTorch); got {x.dtype}")
    return x


def implicit_axis(name: str, x: Tensor, axis: Any, dim: Any) -> Any:
    """``axis`` for softmax and its kin, to pass on beside ``dim`` (autograd refuses the
    two together): as given, or, when neither is given, the last, which is PyTorch's
    implicit choice too for 0- to 2-d input (with its deprecation warning for 2-d input;
    a vector, the notes' softmax(z), has no other axis to mean, so it is quiet). A 3-d
    or larger tensor must name it: PyTorch's implicit (deprecated) choice there is dim 0
    (3-d) or 1 (4-d and more), where code written for NumPy means the last axis."""
    if axis is not None or dim is not None:
        return axis
    if x.ndim <= 1:
        return -1
    if x.ndim == 2:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change "
                      f"the call to include dim=X as an argument.", UserWarning,
                      stacklevel=caller_outside_nn())
        return -1
    raise UsageError(
        f"{name} of a {x.ndim}-d tensor needs its axis: PyTorch's implicit choice would be "
        f"dim={0 if x.ndim == 3 else 1} (deprecated there), NumPy-style code means the last "
        f"axis. Pass it: {name}(x, dim=-1) or dim={0 if x.ndim == 3 else 1}.")


def softmax(input: Any, axis: int | None = None, temperature: float = 1.0, *,
            dim: int | None = None, dtype: Any = None, _stacklevel: int = 3) -> Tensor:
    """softmax(x / T)_i = e^{x_i / T} / sum_j e^{x_j / T} along ``axis`` (or PyTorch's
    ``dim``; stable); d softmax_i / d x_j = s_i (delta_ij - s_j) / T. T -> 0 tends to
    argmax (one-hot), T -> inf to uniform. Without an axis: the last for up to 2-d
    input (PyTorch's warning), an error for more (``implicit_axis``). ``dtype`` (a float
    dtype): x is cast to it first, as PyTorch's (e.g. float32 logits summed in float64).
    An int temperature is refused (``_check_softmax_extras``: PyTorch's third positional
    argument is ``_stacklevel``, accepted by keyword and ignored)."""
    _check_softmax_extras("softmax", temperature, _stacklevel)
    x = cast_for("softmax", as_tensor(input), dtype)
    axis = implicit_axis("softmax", x, axis, dim)
    return _softmax(x if _is_one(temperature) else x / temperature, axis, dim=dim)


def log_softmax(input: Any, axis: int | None = None, temperature: float = 1.0, *,
                dim: int | None = None, dtype: Any = None, _stacklevel: int = 3) -> Tensor:
    """log softmax(x / T) = x / T - logsumexp(x / T) along ``axis`` (or ``dim``; stable,
    fused); the axis, ``dtype``, the temperature and ``_stacklevel`` as in ``softmax``."""
    _check_softmax_extras("log_softmax", temperature, _stacklevel)
    x = cast_for("log_softmax", as_tensor(input), dtype)
    axis = implicit_axis("log_softmax", x, axis, dim)
    return _log_softmax(x if _is_one(temperature) else x / temperature, axis, dim=dim)


def check_softplus_beta(owner: str, beta: Any) -> float:
    """``beta`` as a float: any finite number but 0 (a negative one too, as PyTorch's:
    then softplus is a smooth min(x, 0)), else a named error naming ``owner``."""
    number = real_number(owner, "beta", beta)
    if number == 0:
        raise ConfigError(f"{owner}: beta must be a finite number other than 0 (softplus "
                          f"divides by it); got {beta!r}. beta = 1 is the usual "
                          f"ln(1 + e^x), a larger beta a sharper relu.")
    return number


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1 / beta) ln(1 + e^{beta x}), and x itself where beta x > threshold (as PyTorch);
    d/dx = sigmoid(beta x) (1 above the threshold). beta may be negative, as PyTorch's
    (a smooth min(x, 0)), not 0."""
    beta = check_softplus_beta("softplus", beta)
    threshold = real_number("softplus", "threshold", threshold, finite=False)
    x = as_tensor(input)
    scaled = x if beta == 1 else x * beta
    smooth = scaled.softplus() if beta == 1 else scaled.softplus() / beta  # no node for 1
    wide = opmath(x.data)
    above = (wide if beta == 1 else wide * beta) > threshold  # float16 in float32
    return where(above, x, smooth) if above.any() else smooth  # (no node when none is)


def logsigmoid(input: Any) -> Tensor:
    """ln sigmoid(x) = -ln(1 + e^{-x}), without overflow; d/dx = sigmoid(-x). Unsigned and
    bool x first take NumPy's float (uint8: float16): -x of them would wrap or fail."""
    x = as_tensor(input)
    if x.dtype.kind in "ub":
        x = x.astype(np.result_type(x.dtype, np.float16))
    return -(-x).softplus()


def _is_one(temperature: Any) -> bool:
    return not isinstance(temperature, Tensor) and temperature == 1

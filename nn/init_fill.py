"""The checks and the in-place write behind ``nn.init``: which tensors each kind of
initializer takes, and its number arguments.

As PyTorch: the deterministic fills (``zeros_``, ``ones_``, ``constant_``, ``eye_``,
``dirac_``) write any numeric or bool tensor; the random ones draw real values, so they
need a floating tensor; the fan helpers read only the shape. A number argument may be
a 0-d Tensor (a bound computed as ``1 / ag.tensor(fan_in).sqrt()``).
"""
from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np

from autograd import Tensor
from autograd.errors import DTypeError, UsageError

from ._checks import real_number
from .errors import ArgumentTypeError, ConfigError

__all__ = ["tensor_array", "float_array", "fill", "init_number", "fill_value",
           "check_writable", "check_uniform_range", "below"]

T = TypeVar("T")


def tensor_array(tensor: Any) -> np.ndarray:
    """The array of ``tensor`` (a Tensor or an ndarray), whatever its dtype."""
    data = getattr(tensor, "data", tensor) if not isinstance(tensor, np.ndarray) else tensor
    if not isinstance(data, np.ndarray):
        raise ArgumentTypeError(f"nn.init functions fill a Tensor (or ndarray) in place; got "
                                f"{type(tensor).__name__}")
    return data


def check_writable(fn: str, data: np.ndarray) -> None:
    """``UsageError`` if ``data`` is read-only, as ``Tensor.fill_``'s: checked before
    anything is drawn or written."""
    if data.flags.writeable:
        return
    raise UsageError(
        f"nn.init.{fn}: cannot fill a read-only array of shape {data.shape}. It is an "
        f"expand/broadcast_to result that repeats elements (one element stands for "
        f"several), a state_dict() value (a copy that must not pass for the model: "
        f"initialise the parameter itself, nn.init.{fn}(model.weight), or the values of "
        f"state_dict(keep_vars=True), or load changed values with "
        f"model.load_state_dict(sd)), or an array NumPy marked read-only. Fill a copy "
        f"instead (t = t.clone()).")


def float_array(fn: str, tensor: Any) -> np.ndarray:
    """The writable array of ``tensor`` for a random initializer: floating only, as
    PyTorch's (its samples are real numbers)."""
    data = tensor_array(tensor)
    if data.dtype.kind != "f":
        raise DTypeError(f"nn.init.{fn}: draws real numbers, so it needs a floating tensor; "
                         f"got {data.dtype} (PyTorch refuses it too). Initialise a float "
                         f"tensor and convert it, or use zeros_, ones_, constant_, eye_ or "
                         f"dirac_, which fill any dtype")
    check_writable(fn, data)
    return data


def fill(tensor: T, values: Any, fn: str) -> T:
    """Write ``values`` into ``tensor``'s array (its dtype kept) and count the write
    (``fn``: the initializer, for the error messages)."""
    data = tensor_array(tensor)
    check_writable(fn, data)
    if data.dtype.kind not in "biufc":
        raise DTypeError(f"nn.init: cannot fill a {data.dtype} array; it needs a numeric or "
                         f"bool dtype")
    data[...] = values
    if isinstance(tensor, Tensor):  # a write, as in PyTorch: a graph that saved the old
        tensor.bump_version()       # values refuses to backward instead of mixing them
    return tensor


def init_number(fn: str, name: str, value: Any, advice: str = "", **limits: Any) -> float:
    """``value`` (a real number or a 0-d Tensor, as PyTorch takes) as a checked float
    (``limits``: ``nn._checks.real_number``'s), or a named error; a generator given by
    position lands here (``xavier_normal_(w, g)`` fills ``gain``), and the message says
    to pass it by keyword."""
    if isinstance(value, Tensor) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.random.Generator):
        advice = f"Pass a generator by keyword: {fn}(tensor, generator=g)."
    return real_number(fn, name, value, advice=advice, **limits)


def fill_value(tensor: Any, value: Any) -> Any:
    """``constant_``'s ``value`` (a number or a 0-d Tensor; a bool is refused, as numbers
    are everywhere in nn) for ``tensor``'s dtype: a float for a floating one, a bool for
    a bool one (nonzero is True, as PyTorch), the exact integer for an integer one, where
    a value the dtype cannot hold (2.5, inf, NaN, out of range) is an error where
    PyTorch would truncate or wrap."""
    if isinstance(value, Tensor) and value.ndim == 0:
        value = value.item()
    dtype = tensor_array(tensor).dtype
    number = real_number("constant_", "value", value, finite=False)
    if dtype.kind == "b":
        return number != 0.0
    if dtype.kind not in "iu":
        return number
    if not (math.isfinite(number) and float(number).is_integer()):
        raise DTypeError(f"nn.init.constant_: a tensor of dtype {dtype} cannot hold "
                         f"{value!r} (PyTorch would truncate it or fail); pass an integer "
                         f"value or fill a floating tensor")
    exact = int(value) if isinstance(value, (int, np.integer)) else int(number)
    limits = np.iinfo(dtype)
    if not limits.min <= exact <= limits.max:
        raise ConfigError(f"nn.init.constant_: {exact} is outside the range of {dtype}, "
                          f"[{limits.min}, {limits.max}]; pass a value within it")
    return exact


def check_uniform_range(fn: str, a: float, b: float, dtype: np.dtype) -> None:
    """``ConfigError`` unless a <= b and a, b and the width b - a are within ``dtype``'s
    range (|x| <= finfo.max), as PyTorch's ``uniform_`` (and ``Tensor.uniform_``): beyond
    it the draws would overflow to inf."""
    if not a <= b:
        raise ConfigError(f"{fn}: needs a <= b; got a={a}, b={b}")
    largest = float(np.finfo(dtype).max)
    for name, value in (("a", a), ("b", b)):
        if not abs(value) <= largest:
            raise ConfigError(f"{fn}: {name} = {value:g} is beyond the largest {dtype} "
                              f"({largest:g}), which the tensor cannot hold (PyTorch "
                              f"refuses it too); use bounds within it, or a wider dtype")
    if not b - a <= largest:
        raise ConfigError(f"{fn}: the width b - a = {b - a:g} is beyond the largest {dtype} "
                          f"({largest:g}), as PyTorch refuses; fill U(a/2, b/2) and "
                          f"multiply the tensor by 2")


def below(samples: np.ndarray, a: float, b: float, dtype: np.dtype) -> np.ndarray:
    """``samples`` (float64 draws in [a, b)) in ``dtype``, all still below ``b`` if a < b:
    rounding to the dtype (float16: about 1 draw in 4000 for [0, 1); float32: 1 in 3e7)
    can land on b; those become the largest ``dtype`` value below b, as in
    ``Tensor.uniform_`` (PyTorch's range is [a, b) too)."""
    out = samples.astype(dtype)
    if not a < b:  # a == b: every draw is a, as PyTorch's
        return out
    top = np.asarray(b, dtype)
    if float(top) >= b:  # b itself, or b rounded up
        top = np.nextafter(top, np.asarray(-np.inf, dtype))
    return np.minimum(out, top, out=out)

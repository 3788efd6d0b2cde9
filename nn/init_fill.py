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
from autograd.errors import DTypeError

from ._checks import real_number
from .errors import ArgumentTypeError, ConfigError

__all__ = ["tensor_array", "float_array", "fill", "init_number", "fill_value"]

T = TypeVar("T")


def tensor_array(tensor: Any) -> np.ndarray:
    """The array of ``tensor`` (a Tensor or an ndarray), whatever its dtype."""
    data = getattr(tensor, "data", tensor) if not isinstance(tensor, np.ndarray) else tensor
    if not isinstance(data, np.ndarray):
        raise ArgumentTypeError(f"nn.init functions fill a Tensor (or ndarray) in place; got "
                                f"{type(tensor).__name__}")
    return data


def float_array(fn: str, tensor: Any) -> np.ndarray:
    """The array of ``tensor`` for a random initializer: floating only, as PyTorch's
    (its samples are real numbers)."""
    data = tensor_array(tensor)
    if data.dtype.kind != "f":
        raise DTypeError(f"nn.init.{fn}: draws real numbers, so it needs a floating tensor; "
                         f"got {data.dtype} (PyTorch refuses it too). Initialise a float "
                         f"tensor and convert it, or use zeros_, ones_, constant_, eye_ or "
                         f"dirac_, which fill any dtype")
    return data


def fill(tensor: T, values: Any) -> T:
    """Write ``values`` into ``tensor``'s array (its dtype kept) and count the write."""
    data = tensor_array(tensor)
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

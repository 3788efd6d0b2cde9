"""Corruptions for denoising autoencoders. Each takes an array of real numbers (a NumPy
array, a list of numbers or a Tensor) and ``rng``, a ``numpy.random.Generator``, an int
seed or None (the package's default generator, which ``nn.manual_seed`` resets), as
elsewhere in ``nn.data``, and returns a new array of the same shape: float arrays keep
their dtype, integer and bool ones (MNIST's uint8 pixels) come back as float64. The clean
input is left unchanged. The amounts (``std``, ``p``) and the replacement values are
finite numbers; data of another kind (strings, objects, complex numbers, ragged lists)
is refused, never turned into NaN or cut to its real part."""
from __future__ import annotations

from typing import Any

import numpy as np
from autograd import Tensor
from autograd.errors import DataError, DTypeError

from .._checks import real_number
from .._random import RNGLike, as_generator
from ..errors import ConfigError

__all__ = ["gaussian_noise", "masking_noise", "salt_and_pepper"]


def _real_array(name: str, x: Any) -> np.ndarray:
    """``x`` as a float NumPy array (integer and bool data as float64), else DataError
    (ragged nesting) or DTypeError (strings, objects, complex numbers)."""
    try:
        array = x.data if isinstance(x, Tensor) else np.asarray(x)
    except ValueError as exc:  # NumPy's message for ragged nesting
        raise DataError(f"{name}: x must be an array of numbers with rows of equal length; "
                        f"got a ragged nested sequence ({exc}). Pad the rows, or give a "
                        f"NumPy array") from None
    if array.dtype.kind not in "biuf":
        raise DTypeError(f"{name}: x must hold real numbers (float, int or bool); got dtype "
                         f"{array.dtype}. Convert it first, e.g. np.asarray(x, dtype=float) "
                         f"(for complex data, corrupt .real and .imag separately)")
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def _prepare(name: str, x: Any, rng: RNGLike, amount: Any, label: str,
             probability: bool) -> tuple[np.ndarray, np.random.Generator, float]:
    """The checked data (see ``_real_array``), generator and amount: a finite number in
    [0, 1] when it is a ``probability``, else a finite number >= 0."""
    amount = real_number(name, label, amount, minimum=0.0,
                         maximum=1.0 if probability else None)
    return _real_array(name, x), as_generator(rng, "rng"), amount


def _fill_value(name: str, label: str, value: Any, dtype: np.dtype) -> np.generic:
    """``value`` (a finite real number) as a scalar of ``dtype``, else ConfigError (a value
    that overflows the dtype, such as 1e6 in float16, would become inf)."""
    number = real_number(name, label, value)
    with np.errstate(over="ignore"):
        cast = dtype.type(number)
    if not np.isfinite(cast):
        raise ConfigError(f"{name}: {label} must be representable in the data's dtype "
                          f"{dtype} (at most {np.finfo(dtype).max:g} in size); got {value!r}, "
                          f"which would become {cast}. Give a smaller {label}, or wider data "
                          f"(e.g. x.astype(np.float32))")
    return cast


def gaussian_noise(x: Any, std: float, rng: RNGLike = None) -> np.ndarray:
    """x + std * e with e ~ N(0, 1) per element."""
    array, generator, std = _prepare("gaussian_noise", x, rng, std, "std",
                                     probability=False)
    noise = generator.standard_normal(array.shape)
    return (array + std * noise).astype(array.dtype, copy=False)


def masking_noise(x: Any, p: float, rng: RNGLike = None) -> np.ndarray:
    """Each element is set to 0 with probability p (kept otherwise)."""
    array, generator, p = _prepare("masking_noise", x, rng, p, "p", probability=True)
    keep = generator.random(array.shape) >= p
    return np.where(keep, array, array.dtype.type(0))


def salt_and_pepper(x: Any, p: float, rng: RNGLike = None, low: float = 0.0,
                    high: float = 1.0) -> np.ndarray:
    """Each element is replaced with probability p, by ``low`` or ``high`` with equal
    chance (pepper and salt); the rest is kept. ``low`` and ``high`` are finite numbers
    that the data's dtype can hold."""
    array, generator, p = _prepare("salt_and_pepper", x, rng, p, "p", probability=True)
    pepper = _fill_value("salt_and_pepper", "low", low, array.dtype)
    salt_value = _fill_value("salt_and_pepper", "high", high, array.dtype)
    hit = generator.random(array.shape) < p
    salt = generator.random(array.shape) < 0.5
    value = np.where(salt, salt_value, pepper)
    return np.where(hit, value, array)

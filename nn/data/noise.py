"""Corruptions for denoising autoencoders. Each takes a NumPy array (or a Tensor's data)
and a ``numpy.random.Generator`` and returns a new array of the same shape: float
arrays keep their dtype, integer and bool ones (MNIST's uint8 pixels) come back as
float64. The clean input is left unchanged."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from autograd import Tensor
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["gaussian_noise", "masking_noise", "salt_and_pepper"]


def _prepare(name: str, x: Any, rng: Any, amount: Any, label: str,
             probability: bool) -> tuple[np.ndarray, float]:
    if not isinstance(rng, np.random.Generator):
        raise ArgumentTypeError(f"{name}: rng must be a numpy.random.Generator, e.g. "
                                f"np.random.default_rng(0); got {type(rng).__name__}")
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real) or not (
            0.0 <= amount <= (1.0 if probability else np.inf)):
        bound = "in [0, 1]" if probability else ">= 0"
        raise ConfigError(f"{name}: {label} must be a number {bound}; got {amount!r}")
    array = x.data if isinstance(x, Tensor) else np.asarray(x)
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    return array, float(amount)


def gaussian_noise(x: Any, std: float, rng: np.random.Generator) -> np.ndarray:
    """x + std * e with e ~ N(0, 1) per element."""
    array, std = _prepare("gaussian_noise", x, rng, std, "std", probability=False)
    noise = rng.standard_normal(array.shape)
    return (array + std * noise).astype(array.dtype, copy=False)


def masking_noise(x: Any, p: float, rng: np.random.Generator) -> np.ndarray:
    """Each element is set to 0 with probability p (kept otherwise)."""
    array, p = _prepare("masking_noise", x, rng, p, "p", probability=True)
    keep = rng.random(array.shape) >= p
    return np.where(keep, array, array.dtype.type(0))


def salt_and_pepper(x: Any, p: float, rng: np.random.Generator, low: float = 0.0,
                    high: float = 1.0) -> np.ndarray:
    """Each element is replaced with probability p, by ``low`` or ``high`` with equal
    chance (pepper and salt); the rest is kept."""
    array, p = _prepare("salt_and_pepper", x, rng, p, "p", probability=True)
    hit = rng.random(array.shape) < p
    salt = rng.random(array.shape) < 0.5
    value = np.where(salt, array.dtype.type(high), array.dtype.type(low))
    return np.where(hit, value, array)

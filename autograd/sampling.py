"""Sampling from distributions, with PyTorch's signatures: ``multinomial``, ``normal``,
``bernoulli``, ``poisson``.

Every function draws from ``generator=``, a ``numpy.random.Generator``
(``autograd.default_generator`` if None, as ``autograd.rand``), so a seeded generator
reproduces the samples. The samples are constants: no gradient flows through a draw
(PyTorch gives ``normal``, ``bernoulli`` and ``poisson`` a gradient of zeros).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_dtype, as_size
from ._random import as_generator
from ._sampling import float_dtype
from .errors import ShapeError, UsageError
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .torch_shapes import check_device

__all__ = ["multinomial", "normal", "bernoulli", "poisson"]


@accepts_out
def multinomial(input: Any, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Any = None) -> Tensor:
    """int64 indices of categories drawn from the unnormalised weights ``input`` (1-d, or
    2-d for one distribution per row), as ``torch.multinomial``; see
    ``Tensor.multinomial``. Sampling text: ``multinomial(softmax(logits / T), 1)``."""
    return as_tensor(input).multinomial(num_samples, replacement, generator=generator)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.number)) and not isinstance(x, (bool, np.bool_))


@accepts_out
def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples of mean ``mean`` and standard deviation ``std``, as ``torch.normal``:
    with a tensor mean and/or std, one sample per element of their broadcast shape (the
    dtype of the mean tensor, else of std); with two numbers, a tensor of ``size``
    (float64 unless ``dtype`` says). ``device`` must be the CPU (None, "cpu")."""
    check_device(device, "normal(device=...)")
    tensors = [as_tensor(x) for x in (mean, std) if not _is_number(x)]
    if tensors and size is not None:
        raise UsageError("normal: size goes with a number mean and std, as "
                         "normal(0.0, 1.0, (2, 3)); a tensor mean or std gives the shape")
    if not tensors and not isinstance(size, (tuple, list)):
        raise UsageError(f"normal: with a number mean and std, give size as a tuple, as "
                         f"normal(0.0, 1.0, (2, 3)); got size={size!r}")
    if dtype is not None:
        dtype = float_dtype(as_dtype(dtype, "dtype"), "the dtype", "normal")
    elif tensors:
        dtype = float_dtype(tensors[0].dtype, "a mean or std tensor", "normal")
    else:
        dtype = np.dtype(np.float64)
    if tensors:
        try:
            shape = np.broadcast_shapes(*(t.shape for t in tensors))
        except ValueError:
            raise ShapeError(f"normal: mean and std must broadcast together; got shapes "
                             f"{np.shape(mean)} and {np.shape(std)}") from None
    else:
        try:
            shape = as_size((tuple(size),), "normal")
        except ShapeError:  # as_size's own example, normal(2, 3), is not normal's form
            raise ShapeError(f"normal: size must hold ints >= 0, as normal(0.0, 1.0, (2, "
                             f"3)); got size={size!r}") from None
    loc, scale = (np.asarray(getattr(x, "data", x), dtype=np.float64) for x in (mean, std))
    if not (scale >= 0).all():  # NaN too
        raise UsageError(f"normal: std must be >= 0; got {scale[~(scale >= 0)].flat[0]}")
    sample = as_generator(generator, "normal").normal(loc, scale, shape)
    return Tensor(sample.astype(dtype, copy=False), requires_grad=requires_grad)


@accepts_out
def bernoulli(input: Any, p: Any = None, *, generator: Any = None) -> Tensor:  # noqa: A002
    """0s and 1s of ``input``'s shape and dtype, each 1 with probability ``input`` (or
    ``p`` for every element), as ``torch.bernoulli``; see ``Tensor.bernoulli``."""
    return as_tensor(input).bernoulli(p, generator=generator)


def poisson(input: Any, generator: Any = None) -> Tensor:  # noqa: A002
    """Poisson counts with the rates ``input`` (a floating tensor, rates >= 0), in its
    shape and dtype, as ``torch.poisson``."""
    rates = as_tensor(input)
    float_dtype(rates.dtype, "the rates", "poisson")
    rng = as_generator(generator, "poisson")
    if not (np.isfinite(rates.data) & (rates.data >= 0)).all():
        raise UsageError("poisson: rates must be finite and >= 0; got a negative, inf or "
                         "NaN rate")
    try:
        counts = rng.poisson(rates.data.astype(np.float64))
    except ValueError as exc:  # NumPy's "lam value too large" (beyond about 1e18)
        raise UsageError(f"poisson: a rate is too large to sample ({exc})") from None
    return Tensor(np.asarray(counts, dtype=rates.dtype))  # NumPy gives an int for 0-d rates

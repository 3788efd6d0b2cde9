"""Array-level samplers shared by ``autograd.sampling`` (the functions) and
``random_methods`` (the Tensor methods): each refuses what PyTorch refuses, with a named
error, and draws from a ``numpy.random.Generator`` (see ``_random.as_generator``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import FLOATS
from .errors import DTypeError, ShapeError, UsageError

__all__ = ["whole_number", "multinomial_indices", "integer_range", "draw_integers",
           "check_probabilities", "float_dtype"]


def whole_number(value: Any, name: str, where: str) -> int:
    """``value`` as a Python int; UsageError for a float, a bool or anything else (PyTorch's
    TypeError), since a count or a bound of integers cannot be 2.5. A 0-d integer tensor
    counts, as in PyTorch (``torch.randperm(counts[i])``): its ``__index__`` is the int."""
    if isinstance(value, bool) or not (isinstance(value, (int, np.integer))
                                       or _integer_scalar(value)):
        raise UsageError(f"{where}: {name} must be an int; got {value!r} "
                         f"({type(value).__name__})")
    return int(value)


def _integer_scalar(value: Any) -> bool:
    """Whether ``value`` is a 0-d integer array or tensor (not a bool one)."""
    dtype, shape = getattr(value, "dtype", None), getattr(value, "shape", None)
    return isinstance(dtype, np.dtype) and shape == () and dtype.kind in "iu"


def float_dtype(dtype: np.dtype, what: str, where: str) -> np.dtype:
    """``dtype`` if it is float16/32/64, else DTypeError: samples of a continuous
    distribution (or probabilities) need a floating tensor, as PyTorch's do."""
    if dtype not in FLOATS:
        raise DTypeError(f"{where}: {what} must be floating (float16/32/64), as PyTorch's; "
                         f"got {dtype}. Convert first: t.astype(np.float64)")
    return dtype


def exact_integers(dtype: np.dtype) -> tuple[int, int]:
    """The smallest and largest integers ``dtype`` holds exactly: bool's 0 and 1, an integer
    type's range, a float's +-2**digits (2**24 for float32; within int64, where draws are
    made), beyond which samples would round onto each other."""
    if dtype.kind == "b":
        return 0, 1
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return int(info.min), int(info.max)
    largest = min(2 ** (np.finfo(dtype).nmant + 1), 2 ** 63 - 1)
    return -largest, largest


def integer_range(low: Any, high: Any, dtype: np.dtype, where: str) -> tuple[int, int]:
    """``(low, high - 1)``, the first and last integer of [low, high), checked as PyTorch
    does: ints, low < high (UsageError), both ends held exactly by ``dtype`` (DTypeError)."""
    low, high = whole_number(low, "low", where), whole_number(high, "high", where)
    if low >= high:
        raise UsageError(f"{where}: draws integers from [low, high), so low must be less "
                         f"than high; got low={low}, high={high}")
    smallest, largest = exact_integers(dtype)
    if low < smallest or high - 1 > largest:
        raise DTypeError(f"{where}: [{low}, {high}) does not fit a {dtype} tensor, which "
                         f"holds the integers in [{smallest}, {largest}] exactly. Narrow the "
                         f"range or pass a wider dtype=")
    return low, high - 1


def draw_integers(rng: np.random.Generator, first: int, last: int, shape: tuple[int, ...],
                  dtype: np.dtype) -> np.ndarray:
    """Integers uniform in [first, last] (both included) as ``dtype`` (checked to hold them
    by ``integer_range``); a float dtype's are drawn as int64 and converted exactly."""
    draw_as = dtype if dtype.kind in "biu" else np.dtype(np.int64)
    sample = rng.integers(first, last, size=shape, endpoint=True, dtype=draw_as)
    return sample.astype(dtype, copy=False)


def check_probabilities(p: Any, where: str) -> np.ndarray:
    """``p`` as an array of probabilities, UsageError unless every one is in [0, 1]."""
    p = np.asarray(p)
    outside = ~((p >= 0) & (p <= 1))  # NaN is outside too
    if outside.any():
        raise UsageError(f"{where}: probabilities must lie in [0, 1]; got "
                         f"{p[outside].flat[0]}")
    return p


def multinomial_indices(weights: np.ndarray, num_samples: Any, replacement: bool,
                        rng: np.random.Generator) -> np.ndarray:
    """int64 indices of ``num_samples`` categories drawn from each row of ``weights`` (1-d:
    one row; 2-d: one per row), each with probability weight / row sum. Without
    replacement a category is drawn at most once; once the categories of positive weight
    are used up, the zero-weight ones follow in random order, as PyTorch's do."""
    if weights.dtype not in FLOATS:
        raise DTypeError(f"multinomial: the weights must be floating (float16/32/64), as "
                         f"PyTorch's; got {weights.dtype}. Convert them: w.astype(np.float64)")
    if weights.ndim not in (1, 2):
        raise ShapeError(f"multinomial: the weights must be 1-d (one distribution) or 2-d "
                         f"(one per row); got shape {weights.shape}")
    n = whole_number(num_samples, "num_samples", "multinomial")
    categories = weights.shape[-1]
    if n <= 0:
        raise UsageError(f"multinomial: num_samples must be >= 1; got {n}")
    if not replacement and n > categories:
        raise UsageError(f"multinomial: cannot draw {n} samples without replacement from "
                         f"{categories} categories; pass replacement=True or ask for at "
                         f"most {categories}")
    rows = np.atleast_2d(weights).astype(np.float64)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise UsageError("multinomial: the weights must be finite and >= 0 (they need not "
                         "sum to 1); got a negative, inf or NaN weight")
    largest = rows.max(axis=-1, keepdims=True, initial=0.0)
    if (largest == 0).any():
        row = int(np.flatnonzero(largest == 0)[0])
        raise UsageError(f"multinomial: row {row} of the weights is all zeros; each "
                         f"distribution needs a positive weight")
    rows = rows / largest  # sums stay finite for weights near the float64 maximum
    if replacement:
        drawn = [rng.choice(categories, size=n, p=row / row.sum()) for row in rows]
        indices = np.asarray(drawn, dtype=np.int64).reshape(len(rows), n)
    else:
        # Exponential race: the smallest Exp(1) / weight come out in the order of
        # successive draws without replacement; zero weights give inf and go last.
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = rng.standard_exponential(rows.shape) / rows
        ties = rng.random(rows.shape)  # random order among the zero weights
        indices = np.lexsort((ties, keys), axis=-1)[:, :n].astype(np.int64)
    return indices if weights.ndim == 2 else indices[0]

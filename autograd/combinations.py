"""``combinations``, ``cartesian_prod``, ``meshgrid`` and ``isin``: PyTorch's functions
that pair up the elements of 1-d tensors, or test membership.

``combinations(x, r)`` is the (N, r) tensor of the r-element combinations of ``x`` in
lexicographic order of positions (``itertools.combinations``; with ``with_replacement``,
``combinations_with_replacement``); ``cartesian_prod(a, b, ...)`` the (N, k) tensor of all
k-tuples (``itertools.product``); ``meshgrid(a, b, ...)`` the same tuples as k grids. They
pick elements by index or broadcast, so gradients flow back to the inputs (a repeated
element adds up). ``isin(elements, test_elements)`` is a constant
bool tensor shaped as ``elements``: whether each is among ``test_elements``."""

from __future__ import annotations

import itertools
from typing import Any, Sequence

import numpy as np

from ._arrays import int_argument, numeric
from .errors import DTypeError, ShapeError, UsageError
from .functions import stack
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["combinations", "cartesian_prod", "meshgrid", "isin"]


def _one_d(x: Any, op: str, what: str) -> Tensor:
    """``x`` as a Tensor, which must be 1-d (else ``ShapeError``)."""
    x = as_tensor(x)
    if x.ndim != 1:
        raise ShapeError(f"{op}: {what} must be 1-d, as PyTorch's; got shape {x.shape}. "
                         f"Flatten it first: x.reshape(-1)")
    return x


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """The r-element combinations of a 1-d tensor's elements as an (N, r) tensor, rows in
    lexicographic order of positions; r = 0 gives an empty 1-d tensor, as PyTorch's."""
    x = _one_d(input, "combinations", "input")
    if (r := int_argument("combinations", "r", r)) < 0:
        raise UsageError(f"combinations: r, the number of elements in a combination, must "
                         f"be >= 0; got {r}")
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    if r == 0:
        return x[np.zeros(0, np.int64)]
    rows = np.array(list(pick(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return x[rows]


def _check_grid_inputs(inputs: Sequence[Tensor], op: str) -> None:
    """The inputs of ``meshgrid`` and ``cartesian_prod``: at least one (else ``UsageError``),
    all of one dtype (else ``DTypeError``: PyTorch's refuse to promote)."""
    if not inputs:
        raise UsageError(f"{op}: needs at least one tensor, as PyTorch's; got none")
    dtypes = [str(t.dtype) for t in inputs]
    if len(set(dtypes)) > 1:
        raise DTypeError(f"{op}: all inputs must have the same dtype, as PyTorch's (it does "
                         f"not promote); got {', '.join(dtypes)}. Convert them to one first, "
                         f"e.g. b.to(a.dtype)")


def cartesian_prod(*tensors: Any) -> Tensor:
    """All k-tuples of the k 1-d tensors' elements as an (N, k) tensor, the last input
    varying fastest; one input is returned as it is, as PyTorch's. The inputs share one
    dtype (no promotion, as PyTorch's)."""
    inputs = [_one_d(t, "cartesian_prod", "every input") for t in tensors]
    _check_grid_inputs(inputs, "cartesian_prod")
    if len(inputs) == 1:
        return inputs[0]
    grids = np.meshgrid(*[np.arange(t.shape[0]) for t in inputs], indexing="ij")
    return stack([t[g.reshape(-1)] for t, g in zip(inputs, grids)], axis=1)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of 0-d or 1-d inputs ``x_1..x_n`` (or one list of them; at least
    one, all of one dtype, as PyTorch's): with ``indexing='ij'`` output k has shape
    ``(len x_1, ..., len x_n)`` and ``out_k[i_1, ..., i_n] = x_k[i_k]``; ``'xy'`` swaps
    the first two axes of every output. Each output is a broadcast view, so ``x_k``'s
    gradient sums over the other axes. ``indexing`` is required: PyTorch's default is
    ``'ij'`` (it warns), NumPy's ``'xy'``."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise UsageError(
            f"meshgrid(..., indexing={indexing!r}): write indexing='ij' (PyTorch's default, "
            "matrix axes: output k varies along axis k) or indexing='xy' (NumPy's default, "
            "Cartesian: the first two axes swapped); the two defaults differ, so there is "
            "none here (PyTorch warns that it will require the argument too)")
    axes = [as_tensor(t) for t in tensors]
    for k, axis in enumerate(axes):
        if axis.ndim > 1:
            raise UsageError(f"meshgrid takes 0-d or 1-d tensors: input {k} has shape "
                             f"{tuple(axis.shape)} (flatten it: x.reshape(-1))")
    _check_grid_inputs(axes, "meshgrid")
    shape = [axis.numel() for axis in axes]
    where = list(range(len(axes)))
    if indexing == "xy" and len(axes) > 1:
        shape[0], shape[1] = shape[1], shape[0]
        where[0], where[1] = 1, 0
    grids = []
    for axis, k in zip(axes, where):
        view = [1] * len(axes)
        view[k] = -1
        grids.append(axis.reshape(tuple(view)).broadcast_to(tuple(shape)))
    return tuple(grids)


@accepts_out
def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """A bool tensor shaped as ``elements``: True where an element is in
    ``test_elements`` (False with ``invert=True``); either may be a number, not a str or
    None (a DTypeError, as PyTorch's TypeError)."""
    values = numeric(getattr(elements, "data", elements), "isin(elements)")
    tests = numeric(getattr(test_elements, "data", test_elements), "isin(test_elements)")
    return Tensor(np.isin(values, tests, assume_unique=assume_unique, invert=invert))

"""``combinations``, ``cartesian_prod`` and ``isin``: PyTorch's functions that pair up the
elements of 1-d tensors, or test membership.

``combinations(x, r)`` is the (N, r) tensor of the r-element combinations of ``x`` in
lexicographic order of positions (``itertools.combinations``; with ``with_replacement``,
``combinations_with_replacement``); ``cartesian_prod(a, b, ...)`` the (N, k) tensor of all
k-tuples (``itertools.product``). Both pick elements by index, so gradients flow back to
the inputs (a repeated element adds up). ``isin(elements, test_elements)`` is a constant
bool tensor shaped as ``elements``: whether each is among ``test_elements``."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .errors import ShapeError
from .functions import stack
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["combinations", "cartesian_prod", "isin"]


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
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    if r == 0:
        return x[np.zeros(0, np.int64)]
    rows = np.array(list(pick(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return x[rows]


def cartesian_prod(*tensors: Any) -> Tensor:
    """All k-tuples of the k 1-d tensors' elements as an (N, k) tensor, the last input
    varying fastest; one input is returned as it is, as PyTorch's."""
    inputs = [_one_d(t, "cartesian_prod", "every input") for t in tensors]
    if len(inputs) == 1:
        return inputs[0]
    grids = np.meshgrid(*[np.arange(t.shape[0]) for t in inputs], indexing="ij")
    return stack([t[g.reshape(-1)] for t, g in zip(inputs, grids)], axis=1)


@accepts_out
def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """A bool tensor shaped as ``elements``: True where an element is in
    ``test_elements`` (False with ``invert=True``); either may be a number."""
    values = np.asarray(getattr(elements, "data", elements))
    tests = np.asarray(getattr(test_elements, "data", test_elements))
    return Tensor(np.isin(values, tests, assume_unique=assume_unique, invert=invert))

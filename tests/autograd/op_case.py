"""``OpCase``: one row of the op table (``op_table.CASES``), and the table's shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

import autograd as ag
from autograd import testing

Drawn = tuple[tuple[np.ndarray, ...], dict[str, Any]]

# The op table's axes hold at most SIDE = 3 elements (autograd.testing's default is 4):
# each row's properties draw 150 examples apiece under the ci profile, and both the
# drawing and the finite differences grow with the element count (at most 27 instead of
# 64); sides 1, 2 and 3 still tell axes apart and broadcast. The reductions (max, min,
# var, std...) and scans (sort...) keep the default.
SIDE = 3


def small_shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
                 max_side: int = SIDE) -> st.SearchStrategy[tuple[int, ...]]:
    """``autograd.testing.shapes`` with at most ``SIDE`` elements per axis."""
    return testing.shapes(min_dims, max_dims, min_side, max_side)


def small_broadcastable_shapes(num_shapes: int = 2) -> st.SearchStrategy:
    """``autograd.testing.broadcastable_shapes`` with at most ``SIDE`` elements per axis."""
    return testing.broadcastable_shapes(num_shapes, max_side=SIDE)


@dataclass(frozen=True)
class OpCase:
    """One op: ``fn(*tensors, **params)`` must equal ``ref(*arrays, **params)``."""
    name: str
    fn: Callable[..., ag.Tensor]
    ref: Callable[..., np.ndarray]
    inputs: st.SearchStrategy  # draws (arrays, params)
    smooth: bool = True  # check second derivatives
    check: dict[str, float] = field(default_factory=dict)  # gradcheck tolerances
    keeps_dtype: bool = True  # float32 in, float32 out
    op: str = ""  # its key of autograd.testing.DOMAINS (the inputs' domain); default: name

    def __post_init__(self) -> None:
        if not self.op:
            object.__setattr__(self, "op", self.name)

    def __repr__(self) -> str:
        return self.name

"""``OpCase``: one row of the op table (``op_table.CASES``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

import autograd as ag

Drawn = tuple[tuple[np.ndarray, ...], dict[str, Any]]


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

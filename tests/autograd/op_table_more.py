"""The second half of the op table (``op_table.CASES`` adds these rows): the ops of
``trig.py``, ``special.py``, ``scans.py``, ``linalg_more.py`` and ``indexing.py``."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

import autograd as ag
from autograd.testing import arrays, broadcastable_shapes, shapes
from op_domains import DOMAINS

Drawn = tuple[tuple[np.ndarray, ...], dict[str, Any]]


def _array(op: str, shape: Any, arg: int = 0, unique: bool = False) -> st.SearchStrategy:
    per_input = DOMAINS[op]
    return arrays(shape, elements=per_input[min(arg, len(per_input) - 1)], unique=unique)


def unary(op: str, shape: Any = None) -> st.SearchStrategy[Drawn]:
    return st.tuples(st.tuples(_array(op, shapes() if shape is None else shape)),
                     st.just({}))


@st.composite
def binary(draw: Callable, op: str) -> Drawn:
    a_shape, b_shape = draw(broadcastable_shapes(2))
    return (draw(_array(op, a_shape, 0)), draw(_array(op, b_shape, 1))), {}


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)


def _case(name: str, fn: Callable, ref: Callable, inputs: Any, **options: Any) -> Any:
    from op_table import OpCase  # the row type (op_table imports this module at its end)
    return OpCase(name, fn, ref, inputs, **options)


def _elementwise() -> list:
    rows = [(name, getattr(ag, name), getattr(np, name)) for name in (
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "log1p",
        "expm1", "log2", "log10", "square", "reciprocal")]
    cases = [_case(name, fn, ref, unary(name)) for name, fn, ref in rows]
    cases += [
        _case("arctan2", ag.arctan2, np.arctan2, binary("arctan2")),
        _case("erf", ag.erf, _erf, unary("erf")),
        _case("softplus", ag.softplus, lambda x: np.log1p(np.exp(x)), unary("softplus")),
        _case("sign", ag.sign, np.sign, unary("sign")),
        _case("floor", ag.floor, np.floor, unary("floor")),
        _case("ceil", ag.ceil, np.ceil, unary("ceil")),
        _case("round", ag.round, np.round, unary("round")),
        _case("round_1", lambda x: ag.round(x * 0.1, 1), lambda x: np.round(x * 0.1, 1),
              unary("round")),  # x / 10 stays 0.025 away from the steps of 0.1
    ]
    return cases


MORE_CASES: list = _elementwise()

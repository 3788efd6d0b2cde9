"""Every op of the reference table (``op_table.CASES``): forward against NumPy, first
derivatives against central differences with a random upstream gradient, second
derivatives for the smooth ops, and float32 graphs that stay float32.

Expected values come from NumPy and finite differences only; no gradient is typed in.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from op_table import CASES, SMOOTH_CASES, OpCase

SEEDS = st.integers(0, 2**32 - 1)  # the random upstream gradient's seed


def _leaves(arrays: tuple[np.ndarray, ...], dtype=None) -> list[ag.Tensor]:
    return [ag.Tensor(a if dtype is None else a.astype(dtype), requires_grad=True)
            for a in arrays]


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_forward_matches_numpy(case: OpCase, data: st.DataObject) -> None:
    arrays, params = data.draw(case.inputs, label="inputs")
    expected = np.asarray(case.ref(*arrays, **params))
    result = case.fn(*_leaves(arrays), **params)
    assert isinstance(result, ag.Tensor)
    assert result.shape == expected.shape
    assert result.dtype == expected.dtype
    np.testing.assert_allclose(result.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data(), seed=SEEDS)
def test_first_derivatives(case: OpCase, data: st.DataObject, seed: int) -> None:
    arrays, params = data.draw(case.inputs, label="inputs")
    ag.gradcheck(lambda *xs: case.fn(*xs, **params), _leaves(arrays), seed=seed,
                 **case.check)


@pytest.mark.parametrize("case", SMOOTH_CASES, ids=repr)
@given(data=st.data(), seed=SEEDS)
def test_second_derivatives(case: OpCase, data: st.DataObject, seed: int) -> None:
    arrays, params = data.draw(case.inputs, label="inputs")
    ag.gradgradcheck(lambda *xs: case.fn(*xs, **params), _leaves(arrays), seed=seed,
                     **case.check)


def _graph_tensors(root: ag.Tensor) -> list[ag.Tensor]:
    """Every tensor reachable from ``root`` through ``grad_fn.parents`` (iteratively)."""
    seen, stack, found = set(), [root], []
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        found.append(t)
        if t.grad_fn is not None:
            stack.extend(t.grad_fn.parents)
    return found


@pytest.mark.parametrize("case", [c for c in CASES if c.keeps_dtype], ids=repr)
@given(data=st.data(), seed=SEEDS)
def test_float32_graph_stays_float32(case: OpCase, data: st.DataObject, seed: int) -> None:
    arrays, params = data.draw(case.inputs, label="inputs")
    leaves = _leaves(arrays, np.float32)
    result = case.fn(*leaves, **params)
    assert all(t.dtype == np.float32 for t in _graph_tensors(result))
    upstream = np.random.default_rng(seed).standard_normal(result.shape)
    result.backward(upstream.astype(np.float32))
    reference = _leaves(arrays)
    case.fn(*reference, **params).backward(upstream)
    for x32, x64 in zip(leaves, reference):
        assert x32.grad.dtype == np.float32
        np.testing.assert_allclose(x32.grad.data, x64.grad.data, rtol=2e-3, atol=2e-3)


def _exact_grads_ops() -> list[type]:
    found, stack = [], [ag.Function]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__dict__.get("exact_grads") and cls.__module__.startswith("autograd."):
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)


@pytest.mark.parametrize("op_class", _exact_grads_ops(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (3,), (2, 1, 4)])
def test_exact_grads_ops_return_the_input_shape_and_dtype(op_class, dtype, shape) -> None:
    """The engine skips its shape check for ops with ``exact_grads``: verify the promise."""
    number = inspect.signature(op_class).parameters
    op = op_class(*[1.5] * len(number))  # the scalar ops take one number
    x = ag.Tensor(np.random.default_rng(0).uniform(0.5, 2.0, shape).astype(dtype),
                  requires_grad=True)
    out = op(x)
    g = np.ones(out.shape, dtype=dtype)
    (gx,) = op.vjp(g, *op.saved)
    assert np.shape(gx) == x.shape
    assert gx.dtype == x.dtype

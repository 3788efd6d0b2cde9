"""Every op of the reference table (``op_table.CASES``): forward against NumPy, first
derivatives against central differences with a random upstream gradient, second
derivatives for the smooth ops, and float32 graphs that stay float32.

Expected values come from NumPy and finite differences only; no gradient is typed in.
"""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from op_table import CASES, SMOOTH_CASES, STRUCTURAL, OpCase

SEEDS = st.integers(0, 2**32 - 1)  # the random upstream gradient's seed


def _leaves(arrays: tuple[np.ndarray, ...], dtype=None) -> list[ag.Tensor]:
    return [ag.Tensor(a if dtype is None else a.astype(dtype), requires_grad=True)
            for a in arrays]


@pytest.mark.parametrize("case", CASES, ids=repr)
@STRUCTURAL
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
@STRUCTURAL
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

"""The fused standardisation behind layer, batch, group and instance norm
(``nn/functional/standardize.py``): gradients against finite differences to second
order over drawn shapes and axes, the same values and gradients as the composition it
replaces, the statistics it leaves for batch norm, and the node counts of the norms."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

import autograd as ag
import nn
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.viz import topological_order
from nn.functional.standardize import Standardize


def _composed(x: Tensor, axes: tuple[int, ...], eps: float) -> Tensor:
    centred = x - x.mean(axes, keepdims=True)
    return centred * ((centred * centred).mean(axes, keepdims=True) + eps) ** -0.5


@st.composite
def _shapes_and_axes(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True))
    if all(shape[a] == 1 for a in axes):  # one value: var 0, x_hat 0, a flat function
        shape = tuple(2 if i == axes[0] else s for i, s in enumerate(shape))
    return shape, tuple(sorted(axes))


@settings(max_examples=25, deadline=None)
@given(case=_shapes_and_axes(), seed=st.integers(0, 2**16))
def test_gradients_match_finite_differences(case, seed: int) -> None:
    shape, axes = case
    x = Tensor(np.random.default_rng(seed).standard_normal(shape) * 2, requires_grad=True)
    assert gradcheck(lambda x: Standardize(axes, 1e-3)(x), [x])
    assert gradgradcheck(lambda x: Standardize(axes, 1e-3)(x), [x])


def test_equals_the_composition_and_keeps_the_statistics() -> None:
    data = np.random.default_rng(1).standard_normal((4, 3, 5)) * 3 + 1
    x = Tensor(data, requires_grad=True)
    op = Standardize((0, 2), 1e-5)
    fused, composed = op(x), _composed(x, (0, 2), 1e-5)
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(op.mean, data.mean((0, 2), keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(op.var, data.var((0, 2), keepdims=True), rtol=1e-13)
    seed = Tensor(np.random.default_rng(2).standard_normal(data.shape))
    got, = ag.grad(fused, x, seed)
    want, = ag.grad(composed, x, seed)
    np.testing.assert_allclose(got.data, want.data, rtol=1e-10, atol=1e-13)


def test_float32_stays_float32() -> None:
    x = Tensor(np.arange(12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    y = Standardize((1,), 1e-5)(x)
    (y * y).sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def _nodes(y: Tensor) -> int:
    return sum(1 for t in topological_order([y]) if t.grad_fn is not None)


def test_norm_layers_record_few_nodes() -> None:
    """One node for the standardisation, then the affine: the composition was eight more."""
    rng = np.random.default_rng(3)
    tokens = Tensor(rng.standard_normal((2, 5, 8)), requires_grad=True)
    images = Tensor(rng.standard_normal((2, 4, 3, 3)), requires_grad=True)
    assert _nodes(nn.LayerNorm(8)(tokens)) == 3  # standardise, * weight, + bias
    assert _nodes(nn.BatchNorm2d(4)(images)) == 5  # and the two (C, 1, 1) reshapes
    assert _nodes(nn.GroupNorm(2, 4)(images)) == 7  # and the grouping reshapes

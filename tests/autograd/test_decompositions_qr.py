"""``autograd.linalg.qr``: values and gradients against PyTorch on small float64 inputs of
full rank (tall, square and wide, batched too), finite differences at first and second
order, PyTorch's modes and its error for mode='complete' with more rows than columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd.errors import BackwardError, ShapeError, UsageError

torch = pytest.importorskip("torch")
L = ag.linalg
RNG = np.random.default_rng(0)
SHAPES = [(1, 1), (3, 3), (4, 2), (2, 4), (2, 3, 2), (2, 1, 2, 3)]


def flat(q: Any, r: Any, lib: Any) -> Any:
    """Q and R flattened side by side (one output for one upstream gradient)."""
    cat = ag.concatenate if lib is ag else torch.cat
    return cat([q.reshape(q.shape[:-2] + (-1,)), r.reshape(r.shape[:-2] + (-1,))], -1)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr_against_torch(shape: tuple, mode: str) -> None:
    a = RNG.normal(size=shape)
    x, t = ag.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours, expected = flat(*L.qr(x, mode), ag), flat(*torch.linalg.qr(t, mode), torch)
    np.testing.assert_allclose(ours.data, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    if mode == "complete" and shape[-2] > shape[-1]:
        return  # no gradient (tested below)
    upstream = RNG.normal(size=ours.shape)
    ours.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("shape", [(1, 1), (3, 2), (2, 3), (2, 2, 2)])
def test_qr_finite_differences_first_and_second_order(shape: tuple) -> None:
    x = ag.Tensor(RNG.normal(size=shape), requires_grad=True)
    assert ag.gradcheck(lambda a: flat(*L.qr(a), ag), [x], seed=1)
    assert ag.gradgradcheck(lambda a: flat(*L.qr(a), ag), [x], seed=2)
    assert ag.gradcheck(lambda a: L.qr(a, mode="r").R, [x], seed=3)


def test_qr_modes_and_the_named_pair() -> None:
    a = RNG.normal(size=(2, 4, 3))
    result = L.qr(a)
    q, r = result
    assert q is result.Q and r is result.R
    np.testing.assert_allclose((q @ r).data, a, atol=1e-12)
    shapes = {mode: tuple(p.shape for p in L.qr(a, mode)) for mode in ("complete", "r")}
    expected = {mode: tuple(tuple(p.shape) for p in torch.linalg.qr(torch.tensor(a), mode))
                for mode in ("complete", "r")}
    assert shapes == expected  # 'r': Q is empty, as PyTorch's


def test_qr_errors() -> None:
    x = ag.Tensor(RNG.normal(size=(4, 3)), requires_grad=True)
    q, r = L.qr(x, mode="complete")
    with pytest.raises(BackwardError, match="mode='complete' with more rows"):
        (q.sum() + r.sum()).backward()
    with pytest.raises(RuntimeError):  # PyTorch raises RuntimeError there too
        L.qr(x, mode="complete").Q.sum().backward()
    with pytest.raises(UsageError, match="mode must be 'reduced'"):
        L.qr(x, mode="full")
    with pytest.raises(ShapeError, match="matrices"):
        L.qr(np.ones(3))
    assert L.qr(np.ones((3, 2), dtype=np.float32)).R.dtype == np.float32

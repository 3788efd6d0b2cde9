"""Higher-order derivatives with ``create_graph=True``: Hessian-vector products and grad
of grad against finite differences of gradients; without it, nothing is recorded."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays, domain, shapes, tensors

EPS = 1e-6


def gradient(f, x: np.ndarray, create_graph: bool = False) -> np.ndarray:
    t = Tensor(x.copy(), requires_grad=True)
    (g,) = ag.grad(f(t), [t], create_graph=create_graph)
    return g.data


def fd_of_gradient(f, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(grad f(x + eps v) - grad f(x - eps v)) / (2 eps): a finite-difference H v."""
    return (gradient(f, x + EPS * v) - gradient(f, x - EPS * v)) / (2 * EPS)


def mlp_loss(w: Tensor, x: np.ndarray, labels: np.ndarray) -> Tensor:
    """A small network: softmax cross-entropy of tanh(x W) W^T with a variance penalty."""
    h = (Tensor(x) @ w).tanh()
    logits = h @ w.T
    picked = logits.log_softmax(axis=1)[np.arange(len(labels)), labels]
    return -picked.mean() + 0.1 * h.var(axis=0).sum() + (w * w).sum() * 1e-2


@given(st.data())
def test_hessian_vector_product_matches_finite_differences(data: st.DataObject) -> None:
    n, k = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 3))
    x = data.draw(arrays((n, 3), elements=(-1, 1)))
    labels = data.draw(arrays((n,), dtype=np.int64, elements=(0, 2)))
    w0 = data.draw(arrays((3, k + 2), elements=(-1, 1)))
    v = data.draw(arrays(w0.shape, elements=(-1, 1)))

    def f(w: Tensor) -> Tensor:
        return mlp_loss(w, x, labels)

    w = Tensor(w0, requires_grad=True)
    (g,) = ag.grad(f(w), [w], create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    (hv,) = ag.grad((g * Tensor(v)).sum(), [w])
    np.testing.assert_allclose(hv.data, fd_of_gradient(f, w0, v), rtol=1e-5, atol=1e-7)


@given(tensors(shapes(), elements=(-2, 2), requires_grad=True))
def test_grad_of_grad_of_grad(x: Tensor) -> None:
    def f(t: Tensor) -> Tensor:
        return (t.tanh() * t.exp()).sum()

    def slope(t: Tensor) -> Tensor:  # 1^T grad f, whose gradient is H 1
        return ag.grad(f(t), [t], create_graph=True)[0].sum()

    (g1,) = ag.grad(f(x), [x], create_graph=True)
    (g2,) = ag.grad(g1.sum(), [x], create_graph=True)  # H 1
    (g3,) = ag.grad(g2.sum(), [x])  # sum_jk d3f / dx_i dx_j dx_k
    ones = np.ones(x.shape)
    np.testing.assert_allclose(g2.data, fd_of_gradient(f, x.data, ones),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(g3.data, fd_of_gradient(slope, x.data, ones),
                               rtol=1e-5, atol=1e-6)


@given(tensors(shapes(min_dims=1), elements=(-1, 1), requires_grad=True))
def test_gradient_penalty(x: Tensor) -> None:
    """d/dx |df/dx|^2, the gradient of a gradient penalty, via backward(create_graph)."""
    def penalty(t: Tensor) -> Tensor:
        (g,) = ag.grad((t.sigmoid() * t).sum(), [t], create_graph=True)
        return (g * g).sum()

    ag.gradcheck(penalty, [x])
    y = (x.sigmoid() * x).sum()
    y.backward(create_graph=True)
    assert x.grad.requires_grad and not x.grad.is_leaf
    first = x.grad
    x.zero_grad()
    (first * first).sum().backward()
    (expected,) = ag.grad(penalty(x), [x])
    np.testing.assert_allclose(x.grad.data, expected.data, rtol=1e-12)


@given(st.data())
def test_gradgradcheck_of_compositions(data: st.DataObject) -> None:
    tenths = st.integers(-10, 10).map(lambda k: k / 10)  # distinct: std > 0 along axis 0
    a = data.draw(tensors((2, 3), elements=tenths, unique=True, requires_grad=True))
    b = data.draw(tensors((3,), elements=domain("div", 1), requires_grad=True))
    c = data.draw(tensors((2, 3, 2), elements=(-1, 1), requires_grad=True))

    def f(a: Tensor, b: Tensor, c: Tensor) -> Tensor:
        u = (a / b).exp().logsumexp(axis=1, keepdims=True) * a.std(axis=0)
        v = (c @ a.T.swapaxes(0, 1)[:, ::-1]).softmax(axis=0)
        return ag.concatenate([u.sum(axis=1), v.mean(axis=(0, 2))]).tanh()

    ag.gradcheck(f, [a, b, c])
    ag.gradgradcheck(f, [a, b, c])


def test_without_create_graph_nothing_is_recorded() -> None:
    x = Tensor(np.linspace(-1, 1, 5), requires_grad=True)
    y = (x.tanh() * x).sum()
    (g,) = ag.grad(y, [x], retain_graph=True)
    assert not g.requires_grad and g.grad_fn is None
    y.backward()
    assert not x.grad.requires_grad and x.grad.grad_fn is None


@pytest.mark.parametrize("how", ["backward", "grad"])
def test_create_graph_retains_the_graph(how: str) -> None:
    x = Tensor(np.linspace(-1, 1, 5), requires_grad=True)
    y = (x ** 3).sum()
    if how == "backward":
        y.backward(create_graph=True)
        y.backward(create_graph=True)  # the graph was kept
        assert x.grad.requires_grad
    else:
        ag.grad(y, [x], create_graph=True)
        ag.grad(y, [x])


@given(tensors(shapes(), elements=domain("relu"), requires_grad=True))
def test_second_derivative_of_piecewise_linear_ops_is_zero(x: Tensor) -> None:
    for f in (ag.relu, ag.abs, lambda t: t.clip(-1.0, 1.0), lambda t: ag.maximum(t, 0.5)):
        (g,) = ag.grad(f(x).sum(), [x], create_graph=True)
        if g.requires_grad:
            (h,) = ag.grad(g.sum(), [x], allow_unused=True)
            assert h is None or not h.data.any()

"""``autograd.functional``: vjp, jvp, jacobian, hessian, hvp against finite differences
(central differences of the function, or of its gradient for second derivatives)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd import functional as F
from autograd.testing import arrays, shapes

EPS = 1e-6


def numeric_jacobian(f, x: np.ndarray) -> np.ndarray:
    """d f / d x by central differences, shape f(x).shape + x.shape."""
    y = np.asarray(f(x))
    jac = np.zeros(y.shape + x.shape)
    for index in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[index] = EPS
        upper, lower = np.asarray(f(x + step)), np.asarray(f(x - step))
        jac[(Ellipsis,) + index] = (upper - lower) / (2 * EPS)
    return jac


def vector_fn(x):  # R^n -> R^2, works on Tensors
    return ag.stack([(x * x).sum().sin(), (x.exp() * x).sum()])


def vector_np(x: np.ndarray) -> np.ndarray:
    return np.array([np.sin((x * x).sum()), (np.exp(x) * x).sum()])


def scalar_fn(x):
    return (x * x * x).sum() + x.sin().prod()


def scalar_np(x: np.ndarray) -> float:
    return (x ** 3).sum() + np.prod(np.sin(x))


# 0 or |x| >= 1e-3: prod's gradient is out / x without zeros (as PyTorch's), which
# loses its digits near the smallest floats
VECTORS = arrays(shapes(min_dims=1, max_dims=1, max_side=3),
                 elements=st.just(0.0) | st.floats(1e-3, 1.0) | st.floats(-1.0, -1e-3))


@given(VECTORS)
def test_jacobian(x: np.ndarray) -> None:
    jac = F.jacobian(vector_fn, ag.Tensor(x))
    assert isinstance(jac, ag.Tensor) and jac.shape == (2,) + x.shape
    np.testing.assert_allclose(jac.data, numeric_jacobian(vector_np, x), atol=1e-6)


@given(VECTORS, st.integers(0, 2**32 - 1))
def test_vjp_and_jvp(x: np.ndarray, seed: int) -> None:
    rng = np.random.default_rng(seed)
    v_out, v_in = rng.standard_normal(2), rng.standard_normal(x.shape)
    jac = numeric_jacobian(vector_np, x)
    value, vjp = F.vjp(vector_fn, ag.Tensor(x), v_out)
    np.testing.assert_allclose(value.data, vector_np(x))
    np.testing.assert_allclose(vjp.data, v_out @ jac, atol=1e-6)
    value, jvp = F.jvp(vector_fn, ag.Tensor(x), v_in)
    np.testing.assert_allclose(jvp.data, jac @ v_in, atol=1e-6)


@given(VECTORS, st.integers(0, 2**32 - 1))
def test_hessian_and_hvp(x: np.ndarray, seed: int) -> None:
    hess = F.hessian(scalar_fn, ag.Tensor(x))
    expected = _hessian_from_grad(x)
    np.testing.assert_allclose(hess.data, expected, atol=1e-5)
    v = np.random.default_rng(seed).standard_normal(x.shape)
    value, hv = F.hvp(scalar_fn, ag.Tensor(x), v)
    np.testing.assert_allclose(value.data, scalar_np(x))
    np.testing.assert_allclose(hv.data, expected @ v, atol=1e-5)


def _hessian_from_grad(x: np.ndarray) -> np.ndarray:
    """Central differences of the engine's first-order gradient (exact to ~eps^2)."""
    def gradient(z: np.ndarray) -> np.ndarray:
        t = ag.Tensor(z.copy(), requires_grad=True)
        scalar_fn(t).backward()
        return t.grad.data
    return numeric_jacobian(gradient, x)


def test_tuples_of_inputs_and_outputs() -> None:
    a, b = np.array([0.5, -1.0]), np.array([2.0, 0.3, 1.0])

    def two_outputs(p, q):
        return (p * p).sum() * q, p.exp()

    jac = F.jacobian(two_outputs, (ag.Tensor(a), ag.Tensor(b)))
    assert isinstance(jac, tuple) and all(isinstance(row, tuple) for row in jac)
    assert [[block.shape for block in row] for row in jac] == [[(3, 2), (3, 3)],
                                                               [(2, 2), (2, 3)]]
    np.testing.assert_allclose(jac[0][0].data, numeric_jacobian(
        lambda p: (p * p).sum() * b, a), atol=1e-6)
    np.testing.assert_allclose(jac[0][1].data, numeric_jacobian(
        lambda q: (a * a).sum() * q, b), atol=1e-6)
    np.testing.assert_array_equal(jac[1][1].data, np.zeros((2, 3)))  # exp(p) ignores q
    hess = F.hessian(lambda p, q: (p * p).sum() * q.sum(), (ag.Tensor(a), ag.Tensor(b)))
    np.testing.assert_allclose(hess[0][1].data, numeric_jacobian(
        lambda q: 2 * a * q.sum(), b), atol=1e-6)


def test_strict_and_create_graph() -> None:
    x = ag.Tensor(np.array([1.0, 2.0]))
    with pytest.raises(F.IndependentError, match="does not depend on input 0"):
        F.jacobian(lambda t: ag.Tensor(np.ones(2)) * 1.0, x, strict=True)
    np.testing.assert_array_equal(F.jacobian(lambda t: ag.Tensor(np.ones(2)), x).data,
                                  np.zeros((2, 2)))
    w = ag.Tensor(np.array([0.5, -0.3]), requires_grad=True)
    _, g = F.vjp(lambda t: (t * t * t).sum(), w, create_graph=True)
    assert g.requires_grad  # differentiable: d/dw sum(3 w^2) = 6 w
    g.sum().backward()
    np.testing.assert_allclose(w.grad.data, 6 * w.data)
    _, g = F.vjp(lambda t: (t * t).sum(), w)
    assert not g.requires_grad


def test_v_must_match_the_output() -> None:
    with pytest.raises(ag.ShapeError, match="one element"):
        F.vjp(lambda t: t * 2.0, ag.Tensor(np.ones(3)))
    with pytest.raises(ag.ShapeError, match="shape"):
        F.vjp(lambda t: t * 2.0, ag.Tensor(np.ones(3)), np.ones(2))


def test_the_v_of_jvp_and_hvp_is_checked_against_the_input() -> None:
    x = ag.Tensor(np.ones(2))
    with pytest.raises(ag.ShapeError, match=r"jvp: v\[0\] has shape \(3,\); the input has"):
        F.jvp(lambda t: t.sum(), x, np.ones(3))  # was "the output has (2,)": it has ()
    with pytest.raises(ag.ShapeError, match="every input has one element"):
        F.hvp(lambda t: (t * t).sum(), x)


def test_matches_torch_when_installed() -> None:
    torch = pytest.importorskip("torch")
    from torch.autograd import functional as TF
    x = np.array([0.3, -0.7, 1.1])
    ours = F.hessian(scalar_fn, ag.Tensor(x)).data
    theirs = TF.hessian(lambda t: (t ** 3).sum() + t.sin().prod(), torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)

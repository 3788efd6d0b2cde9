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
    with pytest.raises(ag.ShapeError, match="a single input with one element"):
        F.hvp(lambda t: (t * t).sum(), x)


def test_matches_torch_when_installed() -> None:
    torch = pytest.importorskip("torch")
    from torch.autograd import functional as TF
    x = np.array([0.3, -0.7, 1.1])
    ours = F.hessian(scalar_fn, ag.Tensor(x)).data
    theirs = TF.hessian(lambda t: (t ** 3).sum() + t.sin().prod(), torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")  # torch 2.13-2.14
def test_pytorch_keywords_and_vhp_match_torch() -> None:
    """jacobian(..., vectorize=, strategy=), hessian(..., outer_jacobian_strategy=) and
    vhp, as PyTorch code spells them, give PyTorch's numbers."""
    torch = pytest.importorskip("torch")
    from torch.autograd import functional as TF
    rng = np.random.default_rng(3)
    a, b, v = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(2)

    def f(x, y):
        return (x * y).sin(), (x.exp() * y.sum()).sum()

    def s(x, y):
        return (x * y).sin().sum() * y.prod()

    ta, tb = torch.tensor(a), torch.tensor(b)
    ours = F.jacobian(f, (ag.Tensor(a), ag.Tensor(b)), vectorize=True, strategy="forward-mode")
    theirs = TF.jacobian(f, (ta, tb), vectorize=True, strategy="forward-mode")
    ours_h = F.hessian(s, (ag.Tensor(a), ag.Tensor(b)), vectorize=True,
                       outer_jacobian_strategy="forward-mode")
    theirs_h = TF.hessian(s, (ta, tb), vectorize=True, outer_jacobian_strategy="forward-mode")
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(ours[i][j].data, theirs[i][j].numpy(),
                                       rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(ours_h[i][j].data, theirs_h[i][j].detach().numpy(),
                                       rtol=1e-12, atol=1e-12)
    value, vh = F.vhp(s, (ag.Tensor(a), ag.Tensor(b)), (np.ones((3, 2)), v))
    t_value, t_vh = TF.vhp(s, (ta, tb), (torch.ones(3, 2, dtype=torch.float64),
                                         torch.tensor(v)))
    np.testing.assert_allclose(value.data, t_value.numpy(), rtol=1e-12)
    for ours_k, theirs_k in zip(vh, t_vh):
        np.testing.assert_allclose(ours_k.data, theirs_k.numpy(), rtol=1e-12)


def test_an_unknown_strategy_is_named() -> None:
    with pytest.raises(ValueError, match="strategy must be 'reverse-mode' or"):
        F.jacobian(vector_fn, ag.Tensor([1.0, 2.0]), strategy="reverse")
    with pytest.raises(ValueError, match="outer_jacobian_strategy"):
        F.hessian(scalar_fn, ag.Tensor([1.0, 2.0]), outer_jacobian_strategy="fwd")

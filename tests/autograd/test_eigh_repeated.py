"""Eigenvalue-only derivatives of ``linalg.eigh`` / ``eigvalsh`` at repeated eigenvalues:
finite at first and second order (through ``create_graph``, ``functional.jvp``,
``hvp``), and equal to central finite differences wherever those exist (a simple
eigenvalue beside a repeated pair, sums over a repeated group); the eigenvectors'
gradients there stay inf/NaN, as PyTorch's."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

import autograd as ag

L, F = ag.linalg, ag.functional
RNG = np.random.default_rng(3)
REPEATED = np.diag([1.0, 1.0, 3.0])  # exactly repeated: LAPACK gives 1.0 twice


def sym(n: int) -> np.ndarray:
    x = RNG.normal(size=(n, n))
    return x + x.T


def values_by(kind: str) -> Callable[[ag.Tensor], ag.Tensor]:
    if kind == "eigh":
        return lambda a: L.eigh(a).eigenvalues
    return L.eigvalsh


def gradient(loss: Callable, a: np.ndarray) -> np.ndarray:
    x = ag.Tensor(a, requires_grad=True)
    loss(x).backward()
    return x.grad


def numeric_hvp(loss: Callable, a: np.ndarray, v: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d/dt of the gradient at a + t v (central differences)."""
    return (gradient(loss, a + eps * v) - gradient(loss, a - eps * v)) / (2 * eps)


LOSSES = {  # each has a second derivative at REPEATED (the top eigenvalue is simple)
    "top": lambda values: values[..., -1],
    "top squared": lambda values: values[..., -1] ** 2,
    "exp of top": lambda values: values[..., -1].exp(),
    "sum": lambda values: values.sum(),
    "group and top": lambda values: (values[..., 0] + values[..., 1]) * values[..., -1],
}


@pytest.mark.parametrize("kind", ["eigh", "eigvalsh"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_hessian_vector_products_at_a_repeated_eigenvalue(kind: str, name: str) -> None:
    values = values_by(kind)

    def loss(a: ag.Tensor) -> ag.Tensor:
        return LOSSES[name](values(a))
    v = sym(3)
    _, ours = F.hvp(loss, ag.Tensor(REPEATED), ag.Tensor(v))
    assert np.all(np.isfinite(ours.data))
    np.testing.assert_allclose(ours.data, numeric_hvp(loss, REPEATED, v), atol=1e-6)


@pytest.mark.parametrize("kind", ["eigh", "eigvalsh"])
def test_gradient_with_create_graph_is_the_plain_one(kind: str) -> None:
    """A recorded first derivative (create_graph) was NaN through eigh's eigenvectors."""
    values = values_by(kind)

    def loss(a: ag.Tensor) -> ag.Tensor:
        return (values(a) ** 2).sum()
    x = ag.Tensor(REPEATED, requires_grad=True)
    (recorded,) = ag.grad(loss(x), [x], create_graph=True)
    np.testing.assert_allclose(recorded.data, gradient(loss, REPEATED), atol=1e-12)
    np.testing.assert_allclose(recorded.data, 2 * REPEATED, atol=1e-12)


@pytest.mark.parametrize("kind", ["eigh", "eigvalsh"])
def test_jvp_matches_finite_differences_of_the_group_sums(kind: str) -> None:
    """Along v the repeated pair splits, each of its eigenvalues has no derivative, but
    their sum and the simple one do."""
    values = values_by(kind)

    def f(a: ag.Tensor) -> ag.Tensor:
        out = values(a)
        return ag.stack([out[0] + out[1], out[2]])
    v, eps = sym(3), 1e-6
    _, ours = F.jvp(f, ag.Tensor(REPEATED), ag.Tensor(v))
    numeric = (f(ag.Tensor(REPEATED + eps * v)).data
               - f(ag.Tensor(REPEATED - eps * v)).data) / (2 * eps)
    np.testing.assert_allclose(ours.data, numeric, atol=1e-7)
    _, each = F.jvp(values, ag.Tensor(REPEATED), ag.Tensor(v))  # v_i^T dA v_i, finite
    assert np.all(np.isfinite(each.data))


def test_hessian_of_the_trace_is_zero_at_the_identity() -> None:
    hessian = F.hessian(lambda a: L.eigvalsh(a).sum(), ag.Tensor(np.eye(3)))
    np.testing.assert_array_equal(hessian.data, np.zeros((3, 3, 3, 3)))


def test_batched_and_float32_second_derivatives() -> None:
    a = np.stack([REPEATED, np.eye(3), np.diag([2.0, 2.0, 2.0])]).astype(np.float32)
    v = np.stack([sym(3) for _ in range(3)]).astype(np.float32)

    def loss(x: ag.Tensor) -> ag.Tensor:
        return L.eigvalsh(x).sum(-1).exp().sum()
    _, ours = F.hvp(loss, ag.Tensor(a), ag.Tensor(v))
    assert ours.dtype == np.float32 and np.all(np.isfinite(ours.data))


def test_eigenvector_gradients_at_repeated_eigenvalues_stay_as_torchs() -> None:
    """A loss on an eigenvector of the repeated pair: inf/NaN here and in PyTorch."""
    torch = pytest.importorskip("torch")
    x = ag.Tensor(REPEATED, requires_grad=True)
    with np.errstate(all="ignore"):
        (L.eigh(x).eigenvectors[:, 0] * np.arange(3.0)).sum().backward()
    t = torch.tensor(REPEATED, requires_grad=True)
    (torch.linalg.eigh(t).eigenvectors[:, 0] * torch.arange(3.0)).sum().backward()
    assert not np.all(np.isfinite(x.grad)) and not torch.isfinite(t.grad).all()

"""``autograd.linalg.ldl_factor`` / ``ldl_factor_ex`` / ``ldl_solve`` against PyTorch's:
the same Bunch-Kaufman factors and pivots (1x1 and 2x2 blocks, LAPACK's compact form) and
solutions for symmetric indefinite matrices, batched too; no derivative (as PyTorch), said
when the call is made on a tensor that requires grad; the errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError, SingularMatrixError, UnsupportedError

RNG = np.random.default_rng(0)


def symmetric(*shape: int, small_diagonal: bool = False) -> np.ndarray:
    """Random symmetric indefinite matrices; a small diagonal forces 2x2 pivots."""
    m = RNG.standard_normal(shape)
    m = m + np.swapaxes(m, -1, -2)
    if small_diagonal:
        m[..., np.arange(shape[-1]), np.arange(shape[-1])] *= 0.01
    return m


def kkt(n: int = 4, m: int = 2) -> np.ndarray:
    """[[Q, A^T], [A, 0]]: the indefinite KKT matrix of an equality-constrained QP."""
    L = RNG.standard_normal((n, n))
    A = RNG.standard_normal((m, n))
    return np.block([[L @ L.T + np.eye(n), A.T], [A, np.zeros((m, m))]])


@pytest.mark.parametrize("A", [symmetric(5, 5), symmetric(6, 6, small_diagonal=True), kkt(),
                               symmetric(2, 3, 4, 4, small_diagonal=True), symmetric(1, 1)],
                         ids=["indefinite", "2x2-pivots", "kkt", "batched", "1x1"])
def test_ldl_factor_and_solve_match_torch(torch, A: np.ndarray) -> None:
    LD, pivots = ag.linalg.ldl_factor(A)
    LD_t, pivots_t = torch.linalg.ldl_factor(torch.tensor(A))
    np.testing.assert_array_equal(pivots.numpy(), pivots_t.numpy())
    assert pivots.dtype == ag.int32
    np.testing.assert_allclose(LD.numpy(), LD_t.numpy(), rtol=1e-12, atol=1e-14)
    B = RNG.standard_normal(A.shape[:-1] + (3,))
    X = ag.linalg.ldl_solve(LD, pivots, B)
    X_t = torch.linalg.ldl_solve(LD_t, pivots_t, torch.tensor(B))
    np.testing.assert_allclose(X.numpy(), X_t.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(A @ X.numpy(), B, atol=1e-9)


def test_ldl_factor_ex_gives_info_and_named_results(torch) -> None:
    A = symmetric(3, 4, 4)
    A[1] = 0.0  # a zero matrix: D's first entry is zero
    got = ag.linalg.ldl_factor_ex(A)
    want = torch.linalg.ldl_factor_ex(torch.tensor(A))
    np.testing.assert_array_equal(got.info.numpy(), want.info.numpy())
    np.testing.assert_array_equal(got.pivots.numpy(), want.pivots.numpy())
    np.testing.assert_allclose(got.LD.numpy(), want.LD.numpy(), atol=1e-14)
    with pytest.raises(SingularMatrixError, match="singular"):
        ag.linalg.ldl_factor(A)
    with pytest.raises(SingularMatrixError, match="check_errors"):
        ag.linalg.ldl_factor_ex(A, check_errors=True)


def test_ldl_has_no_derivative_and_says_what_to_use() -> None:
    A = ag.tensor(kkt(), requires_grad=True)
    LD, pivots = ag.linalg.ldl_factor(A)  # runs, as PyTorch's; the backward refuses
    with pytest.raises(UnsupportedError, match="linalg.solve"):
        LD.sum().backward()
    B = ag.tensor(RNG.standard_normal((6, 2)), requires_grad=True)
    X = ag.linalg.ldl_solve(LD.detach(), pivots, B)
    with pytest.raises(UnsupportedError, match="no derivative"):
        X.sum().backward()
    with ag.no_grad():
        assert not ag.linalg.ldl_solve(LD, pivots, B).requires_grad


def test_ldl_shape_errors() -> None:
    with pytest.raises(ShapeError, match="square"):
        ag.linalg.ldl_factor(np.ones((2, 3)))
    LD, pivots = ag.linalg.ldl_factor(kkt())
    with pytest.raises(ShapeError, match=r"B\[\.\.\., None\]"):
        ag.linalg.ldl_solve(LD, pivots, np.ones(6))

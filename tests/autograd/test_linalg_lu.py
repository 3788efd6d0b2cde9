"""``linalg.lu``, ``linalg.lu_factor``, ``lu_unpack``, ``x.lu()`` and ``inverse`` against
PyTorch's (float64): factors, pivots and permutations of square, batched and rectangular
matrices, the gradient of square ones, and the errors. (Glow's invertible 1x1
convolution, ``P, L, U = torch.lu_unpack(*Q.lu())`` in karpathy's
pytorch-normalizing-flows, had no counterpart here.)"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError, UnsupportedError

RNG = np.random.default_rng(4)
pytestmark = pytest.mark.filterwarnings("ignore:torch.lu is deprecated")


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (3, 5), (5, 3), (2, 1, 3, 3), (1, 1)])
def test_factors_and_pivots_as_pytorch(torch, shape) -> None:
    a = RNG.standard_normal(shape)
    ours, theirs = ag.linalg.lu_factor(ag.tensor(a)), torch.linalg.lu_factor(torch.tensor(a))
    np.testing.assert_allclose(ours.LU.numpy(), theirs.LU.numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(ours.pivots.numpy(), theirs.pivots.numpy())
    assert ours.pivots.dtype == np.int32
    for mine, want in zip(ag.linalg.lu(ag.tensor(a)), torch.linalg.lu(torch.tensor(a))):
        np.testing.assert_allclose(mine.numpy(), want.numpy(), rtol=1e-12, atol=1e-13)
    P, L, U = ag.lu_unpack(*ag.tensor(a).lu())
    np.testing.assert_allclose((P @ L @ U).numpy(), a, atol=1e-12)


def test_gradient_as_pytorch(torch) -> None:
    a = RNG.standard_normal((2, 4, 4))
    w = [RNG.standard_normal((2, 4, 4)) for _ in range(3)]
    grads = []
    for T in (ag, torch):
        leaf = T.tensor(a, requires_grad=True)
        P, L, U = T.linalg.lu(leaf)
        LU, _ = T.linalg.lu_factor(leaf)
        ((L * T.tensor(w[0])).sum() + (U * T.tensor(w[1])).sum()
         + (LU * T.tensor(w[2])).sum()).backward()
        grads.append(leaf.grad.numpy())
    np.testing.assert_allclose(*grads, rtol=1e-10, atol=1e-12)


def test_glow_weight_from_lu_pieces(torch) -> None:
    """W = P @ (tril(L, -1) + I) @ (triu(U, 1) + diag(S)) from Q's LU is Q again, and the
    gradient of log|det W| = sum log|S| reaches S only."""
    q = np.linalg.qr(RNG.standard_normal((3, 3)))[0]
    for T in (ag, torch):
        P, L, U = T.lu_unpack(*T.tensor(q).lu())
        S = U.diag().clone().requires_grad_()
        W = P @ (T.tril(L, diagonal=-1) + T.diag(T.ones(3))) @ (T.triu(U, diagonal=1)
                                                                 + T.diag(S))
        np.testing.assert_allclose(W.detach().numpy(), q, atol=1e-12)
        T.sum(T.log(T.abs(S))).backward()
        np.testing.assert_allclose(S.grad.numpy(), 1 / U.diag().numpy(), rtol=1e-12)
        np.testing.assert_allclose(T.inverse(W).detach().numpy(), np.linalg.inv(q),
                                   atol=1e-12)


def test_errors() -> None:
    with pytest.raises(ShapeError, match="at least 2"):
        ag.linalg.lu(ag.zeros(3))
    with pytest.raises(UnsupportedError, match="without pivoting"):
        ag.linalg.lu_factor(ag.eye(2), pivot=False)
    # rectangular matrices are differentiable: tests/autograd/test_linalg_lu_rectangular.py


def test_second_derivatives_by_finite_differences() -> None:
    """The VJP runs on Tensors too (create_graph=True): gradgradcheck passes."""
    a = ag.tensor(RNG.standard_normal((3, 3)) + 3 * np.eye(3), requires_grad=True)
    assert ag.gradcheck(lambda x: ag.linalg.lu(x).U * 1 + ag.linalg.lu(x).L, (a,))
    assert ag.gradgradcheck(lambda x: ag.linalg.lu_factor(x).LU, (a,))

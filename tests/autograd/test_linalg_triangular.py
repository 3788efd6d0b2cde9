"""``autograd.linalg.solve_triangular``, ``autograd.cholesky_solve``,
``autograd.cholesky_inverse``, ``autograd.triangular_solve`` and ``autograd.logdet``
against PyTorch's: a Gaussian-process tutorial solves K x = y with K's Cholesky factor
(``torch.cholesky_solve(y, L)``, ``torch.linalg.solve_triangular(L, k, upper=False)``) and
adds ``torch.logdet(K)``; the library had none of these names. Values and gradients,
including the other triangle of the factor that is not read (its gradient is 0 for the
triangular solves, the whole (L L^T)^-1 derivative for the Cholesky ones, as PyTorch's),
batches, the errors, and central differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

# torch.triangular_solve is deprecated in favour of linalg.solve_triangular; compared anyway
pytestmark = pytest.mark.filterwarnings("ignore:torch.triangular_solve is deprecated")

CASES = [((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 1)), ((3, 3), (2, 3, 2))]


def factor(shape: tuple, seed: int = 0) -> np.ndarray:
    """A well-conditioned matrix with noise in both triangles (the one not read too)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) * 0.3 + 2 * np.eye(shape[-1])


def compare(torch, ours_fn, theirs_fn, arrays: list) -> None:
    """Values and the gradients to every input agree, for a random upstream gradient."""
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    got, want = ours_fn(*ours), theirs_fn(*theirs)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    upstream = np.random.default_rng(1).standard_normal(tuple(want.shape))
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [False, True])
@pytest.mark.parametrize("shapes", CASES)
def test_solve_triangular_matches_torch(torch, shapes, upper, left, unitriangular) -> None:
    a = factor(shapes[0])
    b = np.random.default_rng(2).standard_normal(shapes[1])
    if not left:
        b = b.swapaxes(-1, -2)
    kwargs = dict(upper=upper, left=left, unitriangular=unitriangular)
    compare(torch, lambda A, B: ag.linalg.solve_triangular(A, B, **kwargs),
            lambda A, B: torch.linalg.solve_triangular(A, B, **kwargs), [a, b])


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("shapes", CASES)
def test_cholesky_solve_and_inverse_match_torch(torch, shapes, upper) -> None:
    a = factor(shapes[0], seed=3)
    b = np.random.default_rng(4).standard_normal(shapes[1])
    compare(torch, lambda B, L: ag.cholesky_solve(B, L, upper),
            lambda B, L: torch.cholesky_solve(B, L, upper), [b, a])
    compare(torch, lambda L: ag.cholesky_inverse(L, upper),
            lambda L: torch.cholesky_inverse(L, upper), [a])


def test_cholesky_solve_defaults_to_lower_through_cholesky(torch) -> None:
    """The tutorial's line: alpha = cholesky_solve(y, cholesky(K)), differentiated in K."""
    k = factor((4, 4), seed=5)
    k = k @ k.T
    y = np.random.default_rng(6).standard_normal((4, 1))
    compare(torch, lambda K, Y: ag.cholesky_solve(Y, ag.linalg.cholesky(K)),
            lambda K, Y: torch.cholesky_solve(Y, torch.linalg.cholesky(K)), [k, y])


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_triangular_solve_matches_torch(torch, upper, transpose) -> None:
    a, b = factor((2, 3, 3), seed=7), np.random.default_rng(8).standard_normal((2, 3, 2))
    compare(torch, lambda B, A: ag.triangular_solve(B, A, upper, transpose).solution,
            lambda B, A: torch.triangular_solve(B, A, upper, transpose).solution, [b, a])
    solution, coefficient = ag.triangular_solve(ag.tensor(b), ag.tensor(a))  # upper=True
    np.testing.assert_allclose(coefficient.numpy(), a)
    np.testing.assert_allclose(
        solution.numpy(), torch.triangular_solve(torch.tensor(b), torch.tensor(a))[0].numpy(),
        rtol=1e-10)


def test_logdet_function_matches_torch(torch) -> None:
    k = factor((2, 3, 3), seed=9)
    k = k @ k.swapaxes(-1, -2)
    compare(torch, ag.logdet, torch.logdet, [k])


def test_gradients_against_finite_differences() -> None:
    a, b = factor((3, 3), seed=10), np.random.default_rng(11).standard_normal((3, 2))
    A, B = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    ag.gradcheck(lambda A, B: ag.linalg.solve_triangular(A, B, upper=False), [A, B])
    # the factor's unread triangle gets PyTorch's (not a derivative's) gradient: read a
    # triangular parametrisation of it
    ag.gradcheck(lambda B, M: ag.cholesky_solve(B, M.triu(), upper=True), [B, A])
    ag.gradgradcheck(lambda B, M: ag.cholesky_solve(B, M.tril()), [B, A])
    ag.gradcheck(lambda M: ag.cholesky_inverse(M.tril()), [A])


def test_errors_name_the_shapes() -> None:
    A, b = ag.tensor(factor((3, 3))), ag.tensor(np.ones(3))
    with pytest.raises(ag.ShapeError, match="at least 2 axes"):
        ag.linalg.solve_triangular(A, b, upper=False)
    with pytest.raises(ag.ShapeError, match="needs 3 rows"):
        ag.cholesky_solve(ag.tensor(np.ones((2, 1))), A)
    with pytest.raises(ag.ShapeError, match="square"):
        ag.cholesky_inverse(ag.tensor(np.ones((2, 3))))
    with pytest.raises(TypeError):
        ag.linalg.solve_triangular(A, b[:, None])  # upper has no default, as in PyTorch


def test_tensor_methods_match_torch(torch) -> None:
    """``B.cholesky_solve(L)``, ``L.cholesky_inverse()``, ``b.triangular_solve(A)``."""
    a, b = factor((2, 3, 3), seed=12), np.random.default_rng(13).standard_normal((2, 3, 2))
    compare(torch, lambda B, L: B.cholesky_solve(L), lambda B, L: B.cholesky_solve(L), [b, a])
    compare(torch, lambda L: L.cholesky_inverse(True), lambda L: L.cholesky_inverse(True), [a])
    compare(torch, lambda B, A: B.triangular_solve(A, False).solution,
            lambda B, A: B.triangular_solve(A, False).solution, [b, a])

"""Linear-algebra fixes found by differential fuzzing against PyTorch: ``inv_ex``/``solve_ex``
of a numerically singular matrix, ``cholesky_solve``/``cholesky_inverse`` with large or
infinite entries in the triangle they do not read, ``lu(get_infos=True)``, ``lu_unpack``
and ``linalg.lu`` of factors holding inf, ``lstsq``'s batch-of-vectors rule,
``triangular_solve``'s broadcast coefficient, ``lu_factor`` of integers and of singular
matrices, ``chain_matmul`` of 1-d tensors and ``householder_product`` with no reflector."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag

# ((1, -1, -3), (0, -1, 1), (-2, 4, 4)) / 10 is exactly singular, but rounding leaves no exact
# zero pivot in partial pivoting's LU: LAPACK's info is 0, and the solution is huge
NEARLY_SINGULAR = np.array([[1.0, -1, -3], [0, -1, 1], [-2, 4, 4]]) * 0.1


def close(ours, theirs, **tolerance) -> None:
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()),
                               theirs.detach().numpy(), **tolerance)


def test_inv_ex_of_a_numerically_singular_matrix_as_torch(torch) -> None:
    ours = ag.linalg.inv_ex(NEARLY_SINGULAR)
    theirs = torch.linalg.inv_ex(torch.tensor(NEARLY_SINGULAR))
    close(ours.inverse, theirs.inverse, rtol=1e-9)
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())


@pytest.mark.parametrize("left, b_shape", [(True, (3,)), (True, (3, 2)), (False, (2, 3))])
def test_solve_ex_of_a_numerically_singular_matrix_as_torch(torch, left, b_shape) -> None:
    B = np.random.default_rng(0).standard_normal(b_shape)
    ours = ag.linalg.solve_ex(NEARLY_SINGULAR, B, left=left)
    theirs = torch.linalg.solve_ex(torch.tensor(NEARLY_SINGULAR), torch.tensor(B), left=left)
    close(ours.result, theirs.result, rtol=1e-9)
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())


def test_inv_ex_and_solve_ex_gradients_through_their_lu(torch) -> None:
    """A batch with a singular matrix (NaN there, info as torch's), a nearly singular one
    and a regular one: the regular one's gradients as torch's, twice differentiable."""
    rng = np.random.default_rng(1)
    regular, B = rng.standard_normal((3, 3)) + 3 * np.eye(3), rng.standard_normal((3, 3, 2))
    A = np.stack([np.ones((3, 3)), NEARLY_SINGULAR, regular])
    results = []
    for T in (ag, torch):
        a, b = T.tensor(A, requires_grad=True), T.tensor(B, requires_grad=True)
        inverse, info = T.linalg.inv_ex(a)
        solution, solve_info = T.linalg.solve_ex(a, b)
        (inverse[2].pow(2).sum() + solution[2].pow(2).sum()).backward()
        results.append((inverse, solution, info, solve_info, a.grad, b.grad))
    ours, theirs = results
    assert np.isnan(ours[0].data[0]).all() and np.isnan(ours[1].data[0]).all()
    close(ours[0][1:], theirs[0][1:], rtol=1e-9)
    close(ours[1][1:], theirs[1][1:], rtol=1e-9)
    for got, want in zip(ours[2:4], theirs[2:4]):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    for got, want in zip(ours[4:], theirs[4:]):  # (PyTorch's is NaN at the singular one)
        assert not got.numpy()[0].any()
        close(got[1:], want[1:], rtol=1e-9, atol=1e-12)
    a = ag.tensor(regular, requires_grad=True)
    b = ag.tensor(B[0], requires_grad=True)
    assert ag.gradgradcheck(lambda a_: ag.linalg.inv_ex(a_).inverse, [a])
    for left in (True, False):
        assert ag.gradgradcheck(
            lambda a_, b_: ag.linalg.solve_ex(a_, b_ if left else b_.mT, left=left).result,
            [a, b])


def unread_entry(upper: bool, value: float) -> np.ndarray:
    """A Cholesky factor whose triangle that is not read holds ``value``."""
    L = np.array([[2.0, 0.0, 0.0], [1.0, 3.0, 0.0], [0.5, -1.0, 1.5]])
    if upper:
        L = L.T.copy()
    L[(0, 2) if not upper else (2, 0)] = value
    return L


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse_ignore_a_large_unread_triangle_as_torch(torch,
                                                                            upper) -> None:
    """The value comes from the read triangle alone (an entry of 1e10 in the other one
    cancelled it); the gradient is PyTorch's (its VJP multiplies by the whole L)."""
    L, B = unread_entry(upper, 1e10), np.random.default_rng(2).standard_normal((3, 2))
    for function in ("cholesky_solve", "cholesky_inverse"):
        results = []
        for T in (ag, torch):
            l_, b = T.tensor(L, requires_grad=True), T.tensor(B, requires_grad=True)
            out = T.cholesky_solve(b, l_, upper) if function == "cholesky_solve" \
                else T.cholesky_inverse(l_, upper)
            (out * T.tensor(np.arange(out.numel()).reshape(out.shape))).sum().backward()
            results.append((out, l_.grad))
        (out, grad), (t_out, t_grad) = results
        close(out, t_out, rtol=1e-12)
        close(grad, t_grad, rtol=1e-9)
    # the read triangle's gradient is a derivative when the other triangle is zero
    M = ag.tensor(unread_entry(upper, 0.0), requires_grad=True)
    b = ag.tensor(B, requires_grad=True)
    triangle = (lambda m: m.triu()) if upper else (lambda m: m.tril())
    assert ag.gradgradcheck(lambda b_, m: ag.cholesky_solve(b_, triangle(m), upper), [b, M])
    assert ag.gradcheck(lambda m: ag.cholesky_inverse(triangle(m), upper), [M])


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_cholesky_solve_and_inverse_ignore_a_non_finite_unread_triangle(torch, value) -> None:
    B = np.ones((3, 1))
    for upper in (False, True):
        L = unread_entry(upper, value)
        close(ag.cholesky_solve(B, L, upper),
              torch.cholesky_solve(torch.tensor(B), torch.tensor(L), upper), rtol=1e-12)
        close(ag.cholesky_inverse(L, upper),
              torch.cholesky_inverse(torch.tensor(L), upper), rtol=1e-12)


@pytest.mark.parametrize("A", [np.zeros((1, 1)), np.array([[1.0, 2], [2, 4]]),
                               np.array([[[2.0, 1], [1, 3]], [[0, 0], [0, 1]]])])
def test_lu_get_infos_as_torch(torch, A) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.lu is deprecated
        theirs = torch.lu(torch.tensor(A), get_infos=True)
    ours = ag.lu(A, get_infos=True)
    for got, want in zip(ours, theirs):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert ours[2].dtype == np.int32
    np.testing.assert_array_equal(ag.tensor(A).lu(get_infos=True)[2].numpy(),
                                  theirs[2].numpy())


@pytest.mark.parametrize("LU", [np.array([[2.0, np.inf], [0.5, 3.0]]),
                                np.array([[2.0, 1.0], [np.inf, 4.0]]),
                                np.array([[2.0, np.nan, -np.inf], [0.5, 3.0, 1.0]]),
                                np.array([[2.0, 1.0], [np.nan, 4.0], [-np.inf, 1.0]])])
def test_lu_unpack_keeps_inf_and_nan_out_of_the_other_triangle(torch, LU) -> None:
    pivots = np.arange(1, min(LU.shape) + 1, dtype=np.int32)
    ours = ag.lu_unpack(LU, pivots)
    theirs = torch.lu_unpack(torch.tensor(LU), torch.tensor(pivots))
    for got, want in zip(ours, theirs):
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("A", [np.array([[2.0, np.inf], [1.0, 3.0]]),
                               np.array([[np.inf, 1.0, 2.0], [1.0, 3.0, 1.0]])])
def test_linalg_lu_of_a_matrix_with_inf_as_torch(torch, A) -> None:
    for got, want in zip(ag.linalg.lu(A), torch.linalg.lu(torch.tensor(A))):
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("a_shape, b_shape", [((3, 3, 4), (3, 5)), ((2, 1, 3), (1, 1)),
                                              ((4, 4, 3), (4, 2))])
def test_lstsq_reads_vectors_by_the_solve_rule_as_torch(torch, a_shape, b_shape) -> None:
    """B with one axis fewer than A holds vectors only if its shape is A.shape[:-1]; else
    it is matrices whose batch broadcasts (PyTorch 2.13 broadcasts A's batch with B's
    shape[:-1] instead, so it differs where that and B's batch axes disagree, as for A
    (1, 3, 4), B (3, 5): not tested)."""
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    results = []
    for T in (ag, torch):
        a, b = T.tensor(A, requires_grad=True), T.tensor(B, requires_grad=True)
        solution = T.linalg.lstsq(a, b).solution
        solution.pow(2).sum().backward()
        results.append((solution, a.grad, b.grad))
    for got, want in zip(*results):
        assert got.shape == tuple(want.shape)
        close(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("b_shape, a_shape", [((2, 3, 1), (3, 3)), ((2, 1, 3, 2), (4, 3, 3))])
def test_triangular_solve_coefficient_has_the_broadcast_batch_as_torch(torch, b_shape,
                                                                       a_shape) -> None:
    rng = np.random.default_rng(4)
    B, A = rng.standard_normal(b_shape), rng.standard_normal(a_shape) + 3 * np.eye(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.triangular_solve is deprecated
        theirs = torch.triangular_solve(torch.tensor(B), torch.tensor(A))
    ours = ag.triangular_solve(B, A)
    for got, want in zip(ours, theirs):
        assert got.shape == tuple(want.shape)
        close(got, want, rtol=1e-10)


def test_lu_factor_of_integers_is_that_of_float64(torch) -> None:
    """As the other decompositions here (NumPy's habit; PyTorch refuses integers)."""
    A = np.array([[1, 2, 0], [4, 1, 3], [2, 2, 5]])
    LU, pivots = ag.linalg.lu_factor(A)
    t_LU, t_pivots = torch.linalg.lu_factor(torch.tensor(A, dtype=torch.float64))
    assert LU.dtype == np.float64
    close(LU, t_LU, rtol=1e-12)
    np.testing.assert_array_equal(pivots.numpy(), t_pivots.numpy())


@pytest.mark.parametrize("A, position", [(np.array([[1.0, 2], [2, 4]]), r"U\[2,2\]"),
                                         (np.zeros((1, 1)), r"U\[1,1\]"),
                                         (np.array([[[1.0, 0], [0, 1]], [[0, 0], [0, 1]]]),
                                          r"U\[1,1\].*batch element \(1,\)"),
                                         (np.array([[0.0, 0, 1], [0, 0, 1]]), r"U\[1,1\]")])
def test_lu_factor_of_a_singular_matrix_raises_as_torch(torch, A, position) -> None:
    with pytest.raises(RuntimeError, match="is zero"):
        torch.linalg.lu_factor(torch.tensor(A))
    with pytest.raises(ag.SingularMatrixError, match=f"lu_factor: {position}.*lu_factor_ex"):
        ag.linalg.lu_factor(A)
    # the spellings that do not check, as PyTorch's
    _, _, info = ag.linalg.lu_factor_ex(A)
    np.testing.assert_array_equal(info.numpy(),
                                  torch.linalg.lu_factor_ex(torch.tensor(A)).info.numpy())
    ag.linalg.lu(A)
    ag.lu(A)


@pytest.mark.parametrize("shapes, bad", [(((3,), (3,)), 0), (((2, 3), (3,)), 1),
                                         (((3,), (3, 2), (2, 2)), 0),
                                         (((2, 2), (1, 2, 2)), 1)])
def test_chain_matmul_refuses_what_is_not_2d_as_torch(torch, shapes, bad) -> None:
    arrays = [np.ones(shape) for shape in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.chain_matmul is deprecated
        with pytest.raises(RuntimeError):
            torch.chain_matmul(*[torch.tensor(a) for a in arrays])
    with pytest.raises(ag.ShapeError, match=f"chain_matmul: .*argument {bad} has shape"):
        ag.chain_matmul(*arrays)


@pytest.mark.parametrize("a_shape, tau_shape", [((3, 2), (0,)), ((0, 0), (0,)),
                                                ((3, 0), (0,)), ((2, 4, 3), (2, 0))])
def test_householder_product_with_no_reflector_requires_grad_as_torch(torch, a_shape,
                                                                      tau_shape) -> None:
    A = np.random.default_rng(5).standard_normal(a_shape)
    a, tau = ag.tensor(A, requires_grad=True), ag.zeros(tau_shape, requires_grad=True)
    t_out = torch.linalg.householder_product(torch.tensor(A, requires_grad=True),
                                             torch.zeros(tau_shape, requires_grad=True))
    out = ag.linalg.householder_product(a, tau)
    close(out, t_out)
    assert out.requires_grad and t_out.requires_grad
    (out * 2).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.zeros(a_shape))
    np.testing.assert_array_equal(tau.grad.numpy(), np.zeros(tau_shape))

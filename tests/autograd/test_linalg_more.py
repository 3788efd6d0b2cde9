"""Matrix functions that need well-conditioned inputs (det, slogdet, inv, solve,
cholesky): hypothesis draws square matrices made invertible (or symmetric positive
definite); forward against NumPy, gradients against finite differences, second order
too. Expected values come from NumPy and central differences only."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd.ops.linalg_more import EinsumError, SingularMatrixError
from autograd.testing import arrays

SEEDS = st.integers(0, 2**32 - 1)


@st.composite
def invertible(draw: st.DrawFn, batch: bool = True) -> np.ndarray:
    """A (batch of) n x n matrices, diagonally dominant: far from singular."""
    n = draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (2,)])) if batch else ()
    a = draw(arrays(lead + (n, n), elements=(-1.0, 1.0)))
    return a + 4.0 * np.eye(n)  # strictly diagonally dominant: |a_ii| >= 3 > 2


def leaf(a: np.ndarray) -> ag.Tensor:
    return ag.Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def symmetric_pd(m: ag.Tensor) -> ag.Tensor:
    """m m^T + I: symmetric positive definite, and differentiable in every entry of m
    (so finite differences see the symmetric perturbations cholesky's gradient means)."""
    n = m.shape[-1]
    return m @ m.swapaxes(-1, -2) + ag.Tensor(np.eye(n))


@given(invertible(), SEEDS)
def test_det(a: np.ndarray, seed: int) -> None:
    # scaled so that det is of order 1, not up to 125: NumPy's LU determinant of such a
    # matrix carries a few 1e-14 of rounding, which central differences (eps 1e-6) turn
    # into about 1e-7 of noise, gradcheck's absolute tolerance (hypothesis found one)
    a = a / 4.0
    np.testing.assert_allclose(ag.det(a).data, np.linalg.det(a), rtol=1e-10)
    ag.gradcheck(ag.det, [leaf(a)], seed=seed)
    ag.gradgradcheck(ag.det, [leaf(a)], seed=seed)


def test_det_gradient_of_a_singular_matrix_holding_inf_is_nan_not_a_hang() -> None:
    """det 0 (a zero row) sends the gradient through the SVD cofactors, and LAPACK's SVD of
    such a matrix never returned (OpenBLAS 0.3.31): NaN there, as torch's; the batch's
    finite singular matrix keeps its cofactors, checked against finite differences."""
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])
    holding_inf = np.array([[np.inf, 1.0, 2.0], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    a = ag.Tensor(np.stack([holding_inf, singular]), requires_grad=True)
    ag.det(a).sum().backward()
    assert np.isnan(a.grad.data[0]).all()
    step, numeric = 1e-6, np.zeros((3, 3))
    for index in np.ndindex(3, 3):
        bump = np.zeros((3, 3))
        bump[index] = step
        numeric[index] = (np.linalg.det(singular + bump) -
                          np.linalg.det(singular - bump)) / (2 * step)
    np.testing.assert_allclose(a.grad.data[1], numeric, atol=1e-6)


@given(invertible(), SEEDS)
def test_slogdet(a: np.ndarray, seed: int) -> None:
    sign, log_abs = ag.slogdet(a)
    expected_sign, expected_log = np.linalg.slogdet(a)
    np.testing.assert_array_equal(sign.data, expected_sign)
    np.testing.assert_allclose(log_abs.data, expected_log, rtol=1e-10, atol=1e-12)
    assert not sign.requires_grad
    ag.gradcheck(lambda x: ag.slogdet(x)[1], [leaf(a)], seed=seed)
    ag.gradgradcheck(lambda x: ag.slogdet(x)[1], [leaf(a)], seed=seed)


@given(invertible(), SEEDS)
def test_inv(a: np.ndarray, seed: int) -> None:
    np.testing.assert_allclose(ag.inv(a).data, np.linalg.inv(a), rtol=1e-10, atol=1e-12)
    ag.gradcheck(ag.inv, [leaf(a)], seed=seed)
    ag.gradgradcheck(ag.inv, [leaf(a)], seed=seed)


@given(st.data(), SEEDS)
def test_solve(data: st.DataObject, seed: int) -> None:
    a = data.draw(invertible())
    n = a.shape[-1]
    b_shape = data.draw(st.sampled_from([(n,), (n, 2), a.shape[:-2] + (n, 1)]))
    b = data.draw(arrays(b_shape, elements=(-2.0, 2.0)))
    np.testing.assert_allclose(ag.solve(a, b).data, np.linalg.solve(a, b), rtol=1e-10,
                               atol=1e-12)
    ag.gradcheck(ag.solve, [leaf(a), leaf(b)], seed=seed)
    ag.gradgradcheck(ag.solve, [leaf(a), leaf(b)], seed=seed)


@given(st.data(), SEEDS)
def test_cholesky(data: st.DataObject, seed: int) -> None:
    n = data.draw(st.integers(1, 3))
    m = data.draw(arrays(data.draw(st.sampled_from([(), (2,)])) + (n, n),
                         elements=(-1.0, 1.0)))
    spd = m @ np.swapaxes(m, -1, -2) + np.eye(n)
    np.testing.assert_allclose(ag.cholesky(spd).data, np.linalg.cholesky(spd), rtol=1e-10,
                               atol=1e-12)
    ag.gradcheck(lambda x: ag.cholesky(symmetric_pd(x)), [leaf(m)], seed=seed)
    ag.gradgradcheck(lambda x: ag.cholesky(symmetric_pd(x)), [leaf(m)], seed=seed)


def test_cholesky_gradient_is_symmetric() -> None:
    a = leaf(np.array([[4.0, 1.0], [1.0, 3.0]]))
    ag.cholesky(a).sum().backward()
    np.testing.assert_allclose(a.grad.data, a.grad.data.T)


def test_singular_matrix_is_a_named_error() -> None:
    with pytest.raises(SingularMatrixError, match="invertible"):
        ag.inv(np.zeros((2, 2)))
    with pytest.raises(SingularMatrixError, match="positive definite"):
        ag.cholesky(-np.eye(2))
    with pytest.raises(np.linalg.LinAlgError):  # the built-in a NumPy user catches
        ag.inv(np.ones((2, 2)))


@pytest.mark.parametrize("op", [ag.det, ag.inv, ag.cholesky])
def test_non_square_is_a_shape_error(op) -> None:
    with pytest.raises(ag.ShapeError, match="square"):
        op(np.ones((2, 3)))


@pytest.mark.parametrize("subscripts, operands, message", [
    ("ij->i", [(3,)], "names 2 axes"),
    ("...ij->i", [(3,)], "besides '...'"),
    ("ij,jk->ik", [(2, 3)], "names 2 operands"),
    ("ij,jk->ik", [(2, 3), (4, 2)], "letter 'j' have sizes"),
    ("ij->k", [(2, 3)], "output letter 'k'"),
    ("ij->ii", [(2, 3)], "output letter 'i'"),
    ("i1->i", [(2, 3)], "only letters"),
])
def test_einsum_names_what_is_wrong(subscripts, operands, message) -> None:
    with pytest.raises(EinsumError, match=message):
        ag.einsum(subscripts, *[np.ones(shape) for shape in operands])
    with pytest.raises(ValueError):  # the built-in a NumPy user catches
        ag.einsum(subscripts, *[np.ones(shape) for shape in operands])


@pytest.mark.parametrize("subscripts, shapes", [
    ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("iji->j", [(2, 3, 2)]), ("ij,jj->i", [(2, 3), (3, 3)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("...ij,...jk", [(2, 2, 3), (2, 3, 2)]),
    ("i...->...", [(2, 3, 4)]), ("...ii->...i", [(2, 3, 3)]), ("...", [(2, 3)]),
    ("ij,j->i", [(2, 1), (3,)]), ("bij,bjk->bik", [(2, 3, 4), (1, 4, 2)]),
])
def test_einsum_diagonals_ellipsis_and_broadcasting(subscripts, shapes) -> None:
    """Repeated letters (a diagonal), '...' and size-1 axes, as np.einsum computes them;
    first and second derivatives against finite differences."""
    rng = np.random.default_rng(len(subscripts))
    xs = [ag.Tensor(rng.standard_normal(shape), requires_grad=True) for shape in shapes]
    out = ag.einsum(subscripts, *xs)
    expected = np.einsum(subscripts, *[x.data for x in xs])
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(lambda *a: ag.einsum(subscripts, *a), xs)
    assert ag.gradgradcheck(lambda *a: ag.einsum(subscripts, *a), xs)


def test_einsum_trace_gradient_is_the_identity() -> None:
    a = ag.Tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    ag.einsum("ii", a).backward()
    np.testing.assert_array_equal(a.grad.data, np.eye(3))
    assert np.einsum("ii", a).item() == np.trace(a.data)  # np.einsum dispatches here too


def test_einsum_takes_numpys_optimize_and_the_interleaved_form() -> None:
    a = ag.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b, c = np.ones((3, 4)), np.arange(4.0)
    y = np.einsum("ij,jk,k->i", a, b, c, optimize=True)  # dispatched here from NumPy
    np.testing.assert_allclose(y.data, np.einsum("ij,jk,k->i", a.data, b, c))
    assert ag.gradcheck(lambda t: ag.einsum("ij,jk,k->i", t, b, c, optimize="greedy"), [a])
    np.testing.assert_allclose(np.einsum(a, [0, 1], [1]).data, a.data.sum(0))


def test_einsum_names_itself_by_the_subscripts_as_written() -> None:
    a = ag.Tensor(np.ones((2, 3)), requires_grad=True)
    assert repr(ag.einsum("...j,kj", a, a).grad_fn) == "Einsum(subscripts='...j,kj')"
    assert "optimize=True" in repr(ag.einsum("ij,jk", a, a.T, optimize=True).grad_fn)

"""Linear-algebra fixes from the session-37 differential fuzz: the first-order gradient of a
loss of ``svd``'s S alone is finite at repeated singular values also with ``create_graph``
(the U/V parts of the upstream gradient count only where they are really there), second
derivatives stay right; ``lapack_nan_safe`` gives all-NaN inverses and solutions for
matrices holding NaN; ``ldl_factor``/``ldl_solve`` run on inputs that require grad and
refuse only a backward pass through their results. Expected values come from NumPy, from
hand derivations and from central finite differences."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UnsupportedError

L = ag.linalg
RNG = np.random.default_rng(37)

# f and f' for losses sum(f(S)) that use only the singular values
LOSSES: dict[str, tuple[Callable, Callable]] = {
    "sum": (lambda s: s.sum(), lambda s: np.ones_like(s)),
    "square": (lambda s: (s ** 2).sum(), lambda s: 2 * s),
    "product": (lambda s: (s * s).sum(), lambda s: 2 * s),
    "exp": (lambda s: s.exp().sum(), np.exp),
}


def orthogonal(n: int) -> np.ndarray:
    q, r = np.linalg.qr(RNG.standard_normal((n, n)))
    return q * np.sign(np.diagonal(r))


def signed_permutation(n: int) -> np.ndarray:
    """An orthogonal matrix with exact entries 0, 1, -1: A = P diag(s) Q^T keeps the
    singular values exactly (repeated ones stay exactly equal, as LAPACK gives them)."""
    return np.eye(n)[RNG.permutation(n)] * RNG.choice([-1.0, 1.0], n)


def with_singular_values(m: int, n: int, s: list[float], exact: bool = False
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A, U_k, V_k): A = U_k diag(s) V_k^T with random orthonormal columns (``exact``:
    signed permutations)."""
    k = len(s)
    basis = signed_permutation if exact else orthogonal
    u, v = basis(m)[:, :k], basis(n)[:, :k]
    return (u * np.array(s)) @ v.T, u, v


def first_gradient(loss: Callable, a: np.ndarray, create_graph: bool) -> ag.Tensor:
    x = ag.Tensor(a, requires_grad=True)
    return ag.grad(loss(L.svd(x, full_matrices=False).S), [x], create_graph=create_graph)[0]


# ------------------------------------------------------------------ 1. svd, values only
@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("m, n, s", [(3, 3, [2.0, 2.0, 1.0]), (4, 3, [3.0, 1.5, 1.5]),
                                     (3, 5, [1.0, 1.0, 1.0]), (2, 2, [1.5, 1.5])])
def test_svd_values_only_gradient_is_finite_at_repeated_values_with_create_graph(
        name: str, m: int, n: int, s: list[float], exact: bool) -> None:
    loss, derivative = LOSSES[name]
    a, u, v = with_singular_values(m, n, s, exact)
    expected = (u * derivative(np.array(s))) @ v.T  # U diag(f'(s)) V^T: same in any basis
    recorded = first_gradient(loss, a, create_graph=True)
    assert recorded.requires_grad
    np.testing.assert_allclose(recorded.data, expected, atol=1e-12)
    np.testing.assert_allclose(first_gradient(loss, a, create_graph=False).data, expected,
                               atol=1e-12)


def test_svd_values_only_create_graph_diagonal_case_by_hand() -> None:
    a = ag.Tensor(np.diag([2.0, 2.0, 1.0]), requires_grad=True)
    (g,) = ag.grad((L.svd(a).S ** 2).sum(), [a], create_graph=True)
    np.testing.assert_allclose(g.data, np.diag([4.0, 4.0, 2.0]), atol=1e-14)  # 2 diag(s)


def test_svd_values_only_batched_with_create_graph() -> None:
    values = ([2.0, 2.0, 1.0], [3.0, 2.0, 1.0])
    parts = [with_singular_values(3, 3, s, exact=True)[0] for s in values]
    a = ag.Tensor(np.stack(parts), requires_grad=True)
    (g,) = ag.grad(L.svd(a).S.exp().sum(), [a], create_graph=True)
    (plain,) = ag.grad(L.svd(a).S.exp().sum(), [a])
    assert np.isfinite(g.data).all()
    np.testing.assert_allclose(g.data, plain.data, atol=1e-12)


def hessian_vector(loss: Callable, a: np.ndarray, direction: np.ndarray) -> np.ndarray:
    x = ag.Tensor(a, requires_grad=True)
    (g,) = ag.grad(loss(x), [x], create_graph=True)
    (hv,) = ag.grad((g * ag.Tensor(direction)).sum(), [x])
    return hv.data


def central_difference(loss: Callable, a: np.ndarray, direction: np.ndarray,
                       eps: float = 1e-6) -> np.ndarray:
    """(grad(a + eps d) - grad(a - eps d)) / (2 eps), the Hessian times d."""
    def gradient(point: np.ndarray) -> np.ndarray:
        x = ag.Tensor(point, requires_grad=True)
        return ag.grad(loss(x), [x])[0].data
    return (gradient(a + eps * direction) - gradient(a - eps * direction)) / (2 * eps)


@pytest.mark.parametrize("m, n", [(3, 3), (4, 3), (3, 4)])
@pytest.mark.parametrize("name", ["square", "exp"])
def test_svd_values_only_second_derivative_matches_finite_differences(
        m: int, n: int, name: str) -> None:
    a = with_singular_values(m, n, [3.0, 2.0, 1.0])[0]  # distinct, nonzero
    f = LOSSES[name][0]
    loss = lambda x: f(L.svd(x, full_matrices=False).S)  # noqa: E731
    direction = RNG.standard_normal((m, n))
    np.testing.assert_allclose(hessian_vector(loss, a, direction),
                               central_difference(loss, a, direction), rtol=1e-5, atol=1e-6)


def test_svd_values_only_gradgradcheck() -> None:
    a = ag.Tensor(with_singular_values(3, 4, [2.5, 1.0, 0.5])[0], requires_grad=True)
    assert ag.gradgradcheck(lambda x: L.svd(x, full_matrices=False).S.exp(), [a])


def test_svd_recorded_zero_u_gradient_still_gives_the_second_derivative() -> None:
    """h = (U_00^2 - c)^2 with c its value at a: the gradient is 0 there but recorded,
    and the Hessian 2 grad(U_00^2) grad(U_00^2)^T needs the 1 / (s_j^2 - s_i^2) terms."""
    a = with_singular_values(3, 3, [3.0, 2.0, 1.0])[0]
    c = np.linalg.svd(a)[0][0, 0] ** 2
    loss = lambda x: ((L.svd(x).U[0, 0] ** 2 - c) ** 2).sum()  # noqa: E731
    direction = RNG.standard_normal((3, 3))
    expected = central_difference(loss, a, direction)
    assert np.abs(expected).max() > 1e-3  # not a trivial zero
    np.testing.assert_allclose(hessian_vector(loss, a, direction), expected, rtol=1e-5,
                               atol=1e-7)


def test_jvp_of_the_singular_values_matches_finite_differences() -> None:
    a = with_singular_values(3, 3, [3.0, 2.0, 1.0])[0]
    direction = RNG.standard_normal((3, 3))
    values = lambda x: L.svd(x).S  # noqa: E731
    _, tangent = ag.functional.jvp(values, ag.Tensor(a), ag.Tensor(direction))
    eps = 1e-6
    expected = (np.linalg.svd(a + eps * direction)[1]
                - np.linalg.svd(a - eps * direction)[1]) / (2 * eps)
    np.testing.assert_allclose(tangent.data, expected, rtol=1e-6, atol=1e-8)


def test_eigh_values_only_with_create_graph_is_finite() -> None:
    """linalg.eigh's eigenvalues come from their own op (Eigvalsh), so a recorded gradient
    of them alone does not meet 1 / (l_j - l_i) at repeated eigenvalues. For symmetric A,
    d sum(l^2) / dA = 2 A."""
    q = signed_permutation(3)
    a = ag.Tensor((q * np.array([2.0, 2.0, 1.0])) @ q.T, requires_grad=True)
    (g,) = ag.grad((L.eigh(a).eigenvalues ** 2).sum(), [a], create_graph=True)
    np.testing.assert_allclose(g.data, 2 * a.data, atol=1e-12)


# ------------------------------------------------------------------ 2. NaN in inv / solve
def test_nan_safe_inverse_is_all_nan_only_for_the_matrices_holding_nan() -> None:
    from autograd.ops.lapack import lapack_nan_safe
    clean = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    a = np.concatenate([clean[:1], np.diag([np.nan, 1.0, 2.0])[None], clean[1:]])
    result = lapack_nan_safe(np.linalg.inv, a)
    assert np.isnan(result[1]).all()
    np.testing.assert_allclose(result[[0, 2]], np.linalg.inv(clean), rtol=1e-12)


def test_nan_safe_inverse_of_a_singular_matrix_holding_nan_does_not_raise() -> None:
    from autograd.ops.lapack import lapack_nan_safe
    result = lapack_nan_safe(np.linalg.inv, np.array([[np.nan, 0.0], [0.0, 0.0]]))
    assert np.isnan(result).all()


def test_nan_safe_clean_input_is_numpy_exactly() -> None:
    from autograd.ops.lapack import lapack_nan_safe
    a, b = RNG.standard_normal((4, 3, 3)), RNG.standard_normal((4, 3, 2))
    np.testing.assert_array_equal(lapack_nan_safe(np.linalg.inv, a), np.linalg.inv(a))
    np.testing.assert_array_equal(lapack_nan_safe(np.linalg.solve, a, b),
                                  np.linalg.solve(a, b))


@pytest.mark.parametrize("b_shape", [(2,), (2, 1), (3, 2, 4), (2, 3)])
def test_nan_safe_solve_is_all_nan_for_the_matrices_holding_nan(b_shape: tuple) -> None:
    from autograd.ops.lapack import lapack_nan_safe
    a = np.stack([2 * np.eye(2), np.diag([np.nan, 1.0]), 4 * np.eye(2)])
    if b_shape == (2,):  # one vector for a single matrix (NumPy's 1-d b)
        a = a[1]
    b = RNG.standard_normal(b_shape)
    result = lapack_nan_safe(np.linalg.solve, a, b)
    reference = np.linalg.solve(np.where(np.isnan(a), 0.0, a) + np.isnan(a), b)  # shape
    assert result.shape == reference.shape
    if a.ndim == 2:
        assert np.isnan(result).all()
        return
    assert np.isnan(result[1]).all() and not np.isnan(result[[0, 2]]).any()
    np.testing.assert_allclose(result[[0, 2]], reference[[0, 2]], rtol=1e-12)


def test_inv_and_matrix_power_of_a_nan_matrix_are_all_nan() -> None:
    a = ag.Tensor(np.diag([np.nan, 1.0]))
    assert np.isnan(L.inv(a).data).all()
    assert np.isnan(L.matrix_power(a, -1).data).all()


def test_solve_with_a_nan_matrix_is_all_nan() -> None:
    a = ag.Tensor(np.diag([np.nan, 1.0]))
    assert np.isnan(L.solve(a, ag.Tensor(np.ones((2, 1)))).data).all()


# ------------------------------------------------------------------ 3. ldl without gradient
KKT = np.array([[2.0, 1.0, 1.0], [1.0, -3.0, 0.0], [1.0, 0.0, 0.0]])  # symmetric indefinite


def test_ldl_factor_runs_on_an_input_that_requires_grad() -> None:
    a = ag.Tensor(KKT, requires_grad=True)
    LD, pivots = L.ldl_factor(a)
    plain = L.ldl_factor(KKT)
    np.testing.assert_array_equal(LD.data, plain.LD.data)
    np.testing.assert_array_equal(pivots.data, plain.pivots.data)
    assert LD.requires_grad and not pivots.requires_grad
    b = RNG.standard_normal((3, 2))
    np.testing.assert_allclose(KKT @ L.ldl_solve(LD, pivots, b).data, b, atol=1e-12)


@pytest.mark.parametrize("function", ["ldl_factor", "ldl_factor_ex"])
def test_ldl_factor_backward_raises_naming_the_op(function: str) -> None:
    a = ag.Tensor(KKT, requires_grad=True)
    LD = getattr(L, function)(a)[0]
    with pytest.raises(UnsupportedError, match=r"ldl_factor_ex has no derivative"):
        (LD * 2).sum().backward()


def test_ldl_solve_runs_with_b_that_requires_grad_and_refuses_backward() -> None:
    LD, pivots = L.ldl_factor(KKT)
    b = ag.Tensor(RNG.standard_normal((3, 1)), requires_grad=True)
    x = L.ldl_solve(LD, pivots, b)
    assert x.requires_grad
    np.testing.assert_allclose(KKT @ x.data, b.data, atol=1e-12)
    with pytest.raises(UnsupportedError, match=r"ldl_solve has no derivative.*linalg\.solve"):
        x.sum().backward()


def test_ldl_on_an_empty_batch_that_requires_grad() -> None:
    a = ag.Tensor(np.zeros((0, 3, 3)), requires_grad=True)
    LD, pivots, info = L.ldl_factor_ex(a)
    assert LD.shape == (0, 3, 3) and pivots.shape == (0, 3) and info.shape == (0,)
    assert LD.requires_grad
    with pytest.raises(UnsupportedError, match="ldl_factor_ex"):
        LD.sum().backward()


def test_ldl_under_no_grad_and_on_detached_inputs_gives_constants() -> None:
    a = ag.Tensor(KKT, requires_grad=True)
    with ag.no_grad():
        assert not L.ldl_factor(a).LD.requires_grad
    LD, pivots = L.ldl_factor(a.detach())
    assert not LD.requires_grad
    assert not L.ldl_solve(LD, pivots, np.ones((3, 1))).requires_grad


def test_a_loss_beside_the_ldl_result_still_backpropagates() -> None:
    a = ag.Tensor(KKT, requires_grad=True)
    L.ldl_factor(a)  # recorded, but not on the loss's path
    (a ** 2).sum().backward()
    np.testing.assert_allclose(a.grad.data, 2 * KKT)

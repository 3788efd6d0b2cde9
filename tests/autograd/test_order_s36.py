"""Session 36 order fixes: quantile's gradient in q, q and dim refused where PyTorch
refuses them, PyTorch's positional options of sort and median, a 0-d integer Tensor k.

Expected values come from NumPy (np.quantile, np.sort) and central finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import AxisError, DTypeError, ShapeError, UsageError

DATA = np.array([[3.0, 1.0, 2.0, 5.0, 0.5], [0.0, -1.0, 4.0, 4.5, 7.0]])
MATRIX = [[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]


def _numeric_q_gradient(f, q: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f(q) in each element of q."""
    gradient = np.zeros_like(q)
    for i in np.ndindex(q.shape):
        step = np.zeros_like(q)
        step[i] = eps
        gradient[i] = (f(q + step) - f(q - step)) / (2 * eps)
    return gradient


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_quantile_gradient_in_q_matches_finite_differences(dim) -> None:
    q0 = np.array([0.13, 0.37, 0.81])  # ranks never integers: a smooth neighbourhood
    weights = np.random.default_rng(0).normal(size=np.quantile(DATA, q0, axis=dim).shape)
    q = ag.tensor(q0, requires_grad=True)
    x = ag.tensor(DATA, requires_grad=True)
    result = x.quantile(q, dim=dim)
    np.testing.assert_allclose(result.data, np.quantile(DATA, q0, axis=dim), rtol=1e-12)
    (result * ag.tensor(weights)).sum().backward()
    expected = _numeric_q_gradient(
        lambda qq: float((np.quantile(DATA, qq, axis=dim) * weights).sum()), q0)
    np.testing.assert_allclose(q.grad.data, expected, rtol=1e-6)
    assert x.grad is not None and np.isfinite(x.grad.data).all()


def test_quantile_gradient_in_q_of_the_findings_example() -> None:
    """x = [1, 2, 3, 5]: r = 3q; q = 0.3 lies between 1 and 2 (slope 3 * 1), q = 0.9
    between 3 and 5 (slope 3 * 2)."""
    q = ag.tensor([0.3, 0.9], requires_grad=True)
    ag.tensor([1.0, 2, 3, 5]).quantile(q).sum().backward()
    np.testing.assert_allclose(q.grad.data, [3.0, 6.0], rtol=1e-12)


def test_nanquantile_and_percentile_gradient_in_q() -> None:
    data = np.array([[3.0, np.nan, 2.0, 5.0], [1.0, 4.0, np.nan, np.nan]])
    q0 = np.array([0.2, 0.7])
    q = ag.tensor(q0, requires_grad=True)
    ag.tensor(data).nanquantile(q, dim=1).sum().backward()
    expected = _numeric_q_gradient(lambda qq: float(np.nanquantile(data, qq, axis=1).sum()),
                                   q0)
    np.testing.assert_allclose(q.grad.data, expected, rtol=1e-6)
    p0 = np.array([20.0, 70.0])
    p = ag.tensor(p0, requires_grad=True)
    np.percentile(ag.tensor(DATA[0]), p).sum().backward()
    expected = _numeric_q_gradient(lambda pp: float(np.percentile(DATA[0], pp).sum()), p0)
    np.testing.assert_allclose(p.grad.data, expected, rtol=1e-6)


def test_quantile_gradient_in_q_skips_nan_rows() -> None:
    """A row whose result is NaN (holding NaN; all NaN for nanquantile) is fixed: q
    gets nothing from it, the other rows' slopes (n - 1)(above - below) only."""
    data = np.array([[np.nan, 1.0, 2.0], [1.0, 2.0, 4.0]])
    q = ag.tensor([0.25], requires_grad=True)
    ag.tensor(data).quantile(q, dim=1).sum().backward()
    np.testing.assert_allclose(q.grad.data, [2 * (2.0 - 1.0)])
    q = ag.tensor([0.25], requires_grad=True)
    ag.tensor([[np.nan, np.nan], [1.0, 3.0]]).nanquantile(q, dim=1).sum().backward()
    np.testing.assert_allclose(q.grad.data, [1 * (3.0 - 1.0)])


def test_quantile_mixed_second_derivative_in_q_and_x() -> None:
    """d/dx of d(out)/dq = (n - 1) (e_above - e_below): checked by differences in x."""
    q = ag.tensor(0.3, requires_grad=True)
    x = ag.tensor(DATA[0], requires_grad=True)
    (dq,) = ag.grad(x.quantile(q), [q], create_graph=True)
    (dx,) = ag.grad(dq, [x])

    def slope(data: np.ndarray) -> float:
        return (np.quantile(data, 0.3 + 1e-7) - np.quantile(data, 0.3 - 1e-7)) / 2e-7
    numeric = _numeric_q_gradient(slope, DATA[0].copy(), eps=1e-4)
    np.testing.assert_allclose(dx.data, numeric, rtol=1e-4, atol=1e-6)


def test_quantile_refuses_what_pytorch_refuses() -> None:
    x = ag.tensor(DATA)
    with pytest.raises(ShapeError, match="q must be a number or 1-d"):
        x.quantile(ag.tensor([[0.1, 0.2]]))
    with pytest.raises(AxisError, match=r"dim must be one int.*dim=\(0, 1\)"):
        x.quantile(0.5, dim=(0, 1))
    with pytest.raises(DTypeError, match="bool"):
        ag.tensor([True, False]).quantile(0.5)
    # NumPy's keywords keep NumPy's rules: any shape of q, a tuple of axes
    grid = np.array([[0.1, 0.2]])
    np.testing.assert_allclose(x.quantile(grid, axis=1).data, np.quantile(DATA, grid, axis=1))
    np.testing.assert_allclose(x.quantile(0.5, axis=(0, 1)).data, np.quantile(DATA, 0.5))


def test_sort_takes_pytorchs_positional_descending() -> None:
    x = ag.tensor(MATRIX)
    for values, indices in (ag.sort(x, 1, True), x.sort(1, True), x.sort(0, False)):
        assert values.shape == indices.shape == (2, 3)
    values, indices = x.sort(1, True)
    np.testing.assert_array_equal(values.data, -np.sort(-np.array(MATRIX), axis=1))
    np.testing.assert_array_equal(indices.data, [[0, 2, 1], [1, 2, 0]])
    values, _ = ag.sort(x, 0, False)
    np.testing.assert_array_equal(values.data, np.sort(MATRIX, axis=0))
    with pytest.raises(UsageError, match="takes one positional argument"):
        x.sort(1, "stable")  # NumPy's kind: still not guessed
    with pytest.raises(UsageError, match="descending twice"):
        x.sort(1, True, descending=True)


def test_median_takes_pytorchs_positional_keepdim() -> None:
    x = ag.tensor(MATRIX)
    values, indices = x.median(0, True)
    np.testing.assert_array_equal(values.data, [[0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(indices.data, [[1, 0, 0]])
    values, indices = x.nanmedian(1, True)
    assert values.shape == indices.shape == (2, 1)
    values, _ = ag.median(x, 1, False)
    np.testing.assert_array_equal(values.data, [2.0, 4.0])
    with pytest.raises(UsageError, match="takes one positional argument"):
        x.median(0, 1)  # an int second: not guessed
    with pytest.raises(UsageError, match="keepdim twice"):
        x.median(0, True, keepdim=True)


def test_kthvalue_takes_a_0d_integer_tensor_k() -> None:
    x = ag.tensor(MATRIX)
    values, indices = x.kthvalue(ag.tensor(2), 1)
    np.testing.assert_array_equal(values.data, np.sort(MATRIX, axis=1)[:, 1])
    np.testing.assert_array_equal(indices.data, [2, 2])
    for wrong in (ag.tensor(2.0), ag.tensor(True), ag.tensor([2])):
        with pytest.raises(ShapeError, match="k must be an int"):
            x.kthvalue(wrong, 1)

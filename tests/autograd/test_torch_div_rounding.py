"""``div(..., rounding_mode=)``, PyTorch's floor and trunc division: values, dtypes and
(zero) gradients against PyTorch where it is installed, and a named error for a mode
it does not have."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, UsageError

A = np.array([[-7.0, 7.0, -6.5, 6.5], [-1e-3, 0.3, 5.0, -5.0]])
B = np.array([[2.0, -2.0, 2.5, -0.4], [3.0, -0.7, 2.0, 2.0]])


def _torch() -> Any:
    return pytest.importorskip("torch")


@pytest.mark.parametrize("mode", ["floor", "trunc", None])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_div_rounding_matches_pytorch(mode: str | None, dtype: str) -> None:
    torch = _torch()
    a, b = Tensor(A.astype(dtype), requires_grad=True), Tensor(B.astype(dtype), requires_grad=True)
    ta, tb = (torch.tensor(v.astype(dtype), requires_grad=True) for v in (A, B))
    mine, theirs = a.div(b, rounding_mode=mode) * a, ta.div(tb, rounding_mode=mode) * ta
    assert mine.dtype == np.dtype(dtype)
    np.testing.assert_allclose(mine.data, theirs.detach().numpy(), rtol=1e-6)
    weight = np.random.default_rng(0).standard_normal(A.shape)
    (mine * weight.astype(dtype)).sum().backward()
    (theirs * torch.tensor(weight.astype(dtype))).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_div_rounding_of_integers_stays_integer_as_pytorch(mode: str) -> None:
    torch = _torch()
    a, b = np.array([-7, 7, -6, 6, 0, -9]), np.array([2, -2, 3, 4, -5, 4])
    for other, t_other in ((b, torch.tensor(b)), (-3, -3), (2, 2)):
        mine = Tensor(a).div(other, rounding_mode=mode)
        theirs = torch.tensor(a).div(t_other, rounding_mode=mode)
        assert mine.dtype == np.int64 and not mine.requires_grad
        np.testing.assert_array_equal(mine.data, theirs.numpy())


def test_div_rounding_gradient_is_zero_by_finite_differences() -> None:
    a, b = Tensor(A.copy(), requires_grad=True), Tensor(B.copy(), requires_grad=True)
    for mode in ("floor", "trunc"):  # away from the jumps the quotient is locally flat
        assert ag.gradcheck(lambda x, y: x.div(y, rounding_mode=mode) + x * y, [a, b])


def test_functional_div_rounding_and_bad_mode() -> None:
    x = Tensor(A.astype(np.float32))
    assert ag.div(x, 2.0, rounding_mode="trunc").dtype == np.float32
    np.testing.assert_array_equal(ag.div(7.0, x, rounding_mode="trunc").data,
                                  np.trunc(np.float32(7.0) / x.data))
    np.testing.assert_array_equal(ag.div(x, 2, rounding_mode="floor").data, x.data // 2)
    with pytest.raises(UsageError, match="rounding_mode must be None, 'floor' or 'trunc'; "
                                         "got 'round'"):
        x.div(2.0, rounding_mode="round")
    with pytest.raises(RuntimeError, match="rounding_mode"):  # PyTorch raises RuntimeError
        ag.div(x, 2.0, rounding_mode="Floor")


@pytest.mark.parametrize("mode", ["floor", "trunc"])
@pytest.mark.parametrize("a, b", [(np.array([7, -7, 5]), 2), (np.array([7.5, -7.5, 5.0]), 2.0),
                                  (np.array([7, -7, 5]), np.array([2, 2, -3]))])
def test_in_place_div_takes_rounding_mode_as_pytorch(mode, a, b) -> None:
    torch = pytest.importorskip("torch")
    ours = ag.Tensor(a.copy()).div_(b, rounding_mode=mode)
    theirs = torch.from_numpy(a.copy()).div_(torch.as_tensor(b), rounding_mode=mode)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.dtype == a.dtype


def test_in_place_div_with_rounding_mode_keeps_the_in_place_rules() -> None:
    with pytest.raises(ag.DTypeError, match="in-place div_ cannot store the result in a int64"):
        ag.Tensor(np.array([7, 5])).div_(2.5, rounding_mode="floor")  # torch refuses too
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ag.InplaceError, match=r"x = x.div\(y, rounding_mode='floor'\)"):
        w.div_(2, rounding_mode="floor")
    with pytest.raises(ag.UsageError, match="rounding_mode must be None, 'floor' or 'trunc'"):
        ag.Tensor([1.0]).div_(2, rounding_mode="round")

"""``t.rsqrt_()``: HF's Adafactor writes ``(exp_avg_sq_row / exp_avg_sq_row.mean(dim=-1,
keepdim=True)).rsqrt_()``; the method was missing (``rsqrt`` existed). Values next to
PyTorch's and the in-place rules of the other in-place methods."""

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError

X = np.array([[1.5, 2.0, 0.25], [3.0, 0.5, 4.0]])


def test_rsqrt_in_place_matches_pytorch(torch) -> None:
    ours, theirs = ag.tensor(X), torch.tensor(X)
    assert ours.rsqrt_() is ours
    theirs.rsqrt_()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-15)


def test_rsqrt_in_place_is_recorded_on_a_computed_tensor() -> None:
    x = ag.tensor(X, requires_grad=True)
    y = x * 2
    y.rsqrt_()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, -(2 * X) ** -1.5, rtol=1e-14)


def test_rsqrt_in_place_refuses_a_leaf_that_requires_grad() -> None:
    with pytest.raises(InplaceError):
        ag.tensor(X, requires_grad=True).rsqrt_()

"""PyTorch's module-level tests of values, ``torch.isnan(p.grad)`` (the implicit-layers
tutorial's training loop skips a step on a NaN gradient), ``isinf``, ``isfinite`` and
the ``logical_*`` functions: the same bool tensors as PyTorch's, from tensors or data."""

import numpy as np
import pytest

import autograd as ag

VALUES = np.array([[0.0, 1.5, np.nan], [np.inf, -np.inf, -2.0]])
OTHER = np.array([0.0, 3.0, 0.0])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "logical_not"])
def test_unary_predicates_match_torch(torch, name: str) -> None:
    got = getattr(ag, name)(ag.tensor(VALUES))
    want = getattr(torch, name)(torch.tensor(VALUES))
    assert got.dtype == np.bool_ and not got.requires_grad
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_binary_logical_functions_match_torch_and_broadcast(torch, name: str) -> None:
    got = getattr(ag, name)(ag.tensor(VALUES), ag.tensor(OTHER))
    want = getattr(torch, name)(torch.tensor(VALUES), torch.tensor(OTHER))
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_the_tutorials_nan_gradient_check(torch) -> None:
    """``sum(torch.sum(torch.isnan(p.grad)) for p in model.parameters()) == 0``."""
    for T in (ag, torch):
        grads = [T.tensor(VALUES), T.tensor(OTHER)]
        assert bool(sum(T.sum(T.isnan(g)) for g in grads) == 0) is False
        assert bool(sum(T.sum(T.isnan(g)) for g in grads[1:]) == 0) is True


def test_data_becomes_a_constant_tensor() -> None:
    assert ag.isnan([1.0, float("nan")]).tolist() == [False, True]
    assert ag.logical_and([1, 0], True).tolist() == [True, False]

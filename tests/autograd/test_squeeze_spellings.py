"""``squeeze`` of an axis whose length is not 1: PyTorch leaves it (``x.squeeze(0)`` of a
batch of one or of many, the habit GPT-style code relies on), NumPy raises. NumPy spells
the axis ``axis=`` (and ``np.squeeze(t, 0)``); PyTorch ``dim=`` or by position, where NumPy
would raise: so ``dim=`` and the position follow PyTorch, ``axis=`` keeps NumPy's error."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import AxisError, ShapeError

SHAPE = (2, 1, 3)


@pytest.mark.parametrize("call", [
    lambda T, x: x.squeeze(0), lambda T, x: x.squeeze(1), lambda T, x: x.squeeze(-1),
    lambda T, x: x.squeeze(dim=0), lambda T, x: x.squeeze(dim=1),
    lambda T, x: x.squeeze((0, 1)), lambda T, x: x.squeeze(0, 1),
    lambda T, x: x.squeeze(dim=(0, 2)), lambda T, x: T.squeeze(x, 0),
    lambda T, x: T.squeeze(x, dim=2), lambda T, x: T.squeeze(x, (0, 1)),
    lambda T, x: x.squeeze()])
def test_pytorchs_spelling_leaves_an_axis_longer_than_one(call) -> None:
    torch = pytest.importorskip("torch")
    data = np.arange(6.0).reshape(SHAPE)
    x = ag.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    ours, want = call(ag, x), call(torch, theirs)
    assert ours.shape == tuple(want.shape)
    upstream = np.arange(1.0, 1.0 + ours.size).reshape(ours.shape)
    ours.backward(upstream)
    want.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(x.grad.numpy(), theirs.grad.numpy())


def test_a_0d_tensor_squeezes_its_one_position_as_pytorch() -> None:
    assert ag.tensor(1.5).squeeze(0).shape == () == ag.tensor(1.5).squeeze(dim=-1).shape
    with pytest.raises(AxisError):
        ag.tensor(1.5).squeeze(1)


@pytest.mark.parametrize("call", [
    lambda x: x.squeeze(axis=0), lambda x: ag.squeeze(x, axis=(0, 1)),
    lambda x: np.squeeze(x, 0), lambda x: np.squeeze(x, axis=0)])
def test_numpys_spelling_keeps_its_error(call) -> None:
    x = ag.zeros(*SHAPE)
    with pytest.raises(ValueError):  # what NumPy raises
        np.squeeze(np.zeros(SHAPE), axis=0)
    with pytest.raises(ShapeError, match=r"squeeze: axis 0 has size 2, not 1 \(shape "
                                         r"\(2, 1, 3\)\).*dim=0.*leaves"):
        call(x)
    assert np.squeeze(x, 1).shape == (2, 3) == x.squeeze(axis=1).shape
    assert np.squeeze(ag.zeros(1, 2, 1)).shape == (2,)


def test_an_axis_given_twice_is_an_error() -> None:
    x = ag.zeros(*SHAPE)
    for call in (lambda: x.squeeze(1, axis=1), lambda: x.squeeze(1, dim=1),
                 lambda: x.squeeze(axis=1, dim=1)):
        with pytest.raises(AxisError, match="squeeze: got both"):
            call()

"""``movedim`` / ``moveaxis`` (PyTorch's and NumPy's names, one meaning): axes moved to
new places, the others keeping their order; ``np.moveaxis`` on a Tensor is the same op."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

CASES = [(1, 0), (0, -1), ((0, 1), (2, 0)), ([-1, 0], [0, 1])]


@pytest.mark.parametrize("source, destination", CASES)
def test_movedim_agrees_with_pytorch_and_numpy(torch, source, destination) -> None:
    data = np.arange(24.0).reshape(2, 3, 4)
    x, tx = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    w = np.random.default_rng(0).standard_normal(np.moveaxis(data, source, destination).shape)
    for y in (x.movedim(source, destination), ag.moveaxis(x, source, destination),
              np.moveaxis(x, source, destination)):
        np.testing.assert_array_equal(y.data, np.moveaxis(data, source, destination))
    (x.movedim(source, destination) * ag.tensor(w)).sum().backward()
    (tx.movedim(source, destination) * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_movedim_misuse_is_a_named_error() -> None:
    x = ag.ones(2, 3)
    with pytest.raises(ag.ShapeError, match="as many"):
        x.movedim((0, 1), 0)
    with pytest.raises(ag.ShapeError, match="repeated"):
        x.movedim((0, 0), (0, 1))
    with pytest.raises(ag.AxisError):
        x.movedim(2, 0)

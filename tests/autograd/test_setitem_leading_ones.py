"""``t[index] = value`` takes a value with leading size-1 axes as PyTorch does (it drops
them first): CleanRL's PPO stores ``values[step] = value.flatten()`` and
``rewards[step] = torch.tensor(reward).view(-1)``, shape (1,) into a 0-d slot, which
NumPy 2 refuses ("setting an array element with a sequence"); it was a ShapeError here.
Untracked and while recording (the gradient reaches the value through the reshape)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("target_shape, index, value_shape", [
    ((3,), 1, (1,)), ((3,), 2, (1, 1)), ((3, 4), 0, (1, 1, 4)), ((3, 4), (1, 2), (1,)),
    ((2, 3), (slice(None), 0), (1, 2)), ((3,), slice(0, 2), (1, 1, 2))])
def test_leading_ones_of_the_value_are_dropped_as_pytorch_s(torch, target_shape, index,
                                                            value_shape) -> None:
    rng = np.random.default_rng(0)
    value = rng.normal(size=value_shape)
    ours, theirs = ag.zeros(*target_shape), torch.zeros(*target_shape)
    ours[index] = ag.tensor(value)
    theirs[index] = torch.tensor(value)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours[index] = value  # a NumPy value too
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_while_recording_the_gradient_reaches_the_value(torch) -> None:
    grads = []
    for lib in (ag, torch):
        w = lib.tensor([2.0], requires_grad=True)
        values = lib.zeros(3)
        for step in range(3):
            values[step] = (w * (step + 1)).flatten()
        (values * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        grads.append(w.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])


def test_a_value_that_does_not_fit_is_still_a_shape_error(torch) -> None:
    with pytest.raises(ag.ShapeError, match="t\\[index\\] = value"):
        ag.zeros(3)[0] = ag.ones(2)
    with pytest.raises(RuntimeError):
        torch.zeros(3)[0] = torch.ones(2)
    t = ag.ones(1, 3)
    t[...] = t  # a tensor assigned into itself stays itself
    np.testing.assert_array_equal(t.numpy(), np.ones((1, 3)))

"""``Tensor.unfold(dimension, size, step)``: PyTorch's sliding windows along one axis, a
new last axis of ``size`` per window. The DQN tutorial's ``plot_durations`` takes the
100-episode means with ``durations_t.unfold(0, 100, 1).mean(1).view(-1)``; it was an
AttributeError. Values, shapes and gradients as PyTorch's (windows overlap: the gradient
adds up)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("shape, dimension, size, step", [
    ((12,), 0, 5, 1), ((12,), 0, 4, 3), ((12,), -1, 12, 1), ((12,), 0, 3, 5),
    ((3, 7, 2), 1, 3, 2), ((3, 7, 2), 0, 1, 1), ((3, 7, 2), -1, 2, 1), ((4, 6), 1, 6, 4),
    ((12,), 0, 0, 1)])
def test_unfold_as_pytorch_s(torch, shape, dimension, size, step) -> None:
    rng = np.random.default_rng(1)
    x, g = rng.normal(size=shape), None
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out_ours, out_theirs = ours.unfold(dimension, size, step), theirs.unfold(dimension, size, step)
    assert out_ours.shape == tuple(out_theirs.shape)
    np.testing.assert_array_equal(out_ours.numpy(), out_theirs.detach().numpy())
    g = rng.normal(size=tuple(out_theirs.shape))
    (out_ours * ag.tensor(g)).sum().backward()
    (out_theirs * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_the_dqn_tutorial_s_running_mean(torch) -> None:
    durations = [float(d) for d in np.random.default_rng(0).integers(8, 60, size=130)]
    results = []
    for lib in (ag, torch):
        durations_t = lib.tensor(durations, dtype=lib.float)
        means = durations_t.unfold(0, 100, 1).mean(1).view(-1)
        results.append(lib.cat((lib.zeros(99), means)).numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


@pytest.mark.parametrize("size, step, match", [(13, 1, "size 13"), (-1, 1, "size -1"),
                                               (3, 0, "step 0")])
def test_windows_that_do_not_fit_are_a_shape_error(torch, size, step, match) -> None:
    with pytest.raises(ag.ShapeError, match=match):
        ag.zeros(12).unfold(0, size, step)
    with pytest.raises(RuntimeError):
        torch.zeros(12).unfold(0, size, step)

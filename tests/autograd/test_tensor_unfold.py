"""``Tensor.unfold(dimension, size, step)``: PyTorch's sliding windows, as ViT tutorials cut
an image into patches (``img.unfold(2, p, p).unfold(3, p, p)``) and the DQN tutorial takes
running means: the windows of ``size`` elements every ``step`` along ``dimension`` replace
it, and a new last axis holds each window. Values, shapes and gradients (overlapping
windows add up) as PyTorch's."""

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError, UsageError

RNG = np.random.default_rng(5)


@pytest.mark.parametrize("shape, calls", [
    ((2, 3, 8, 8), [(2, 4, 4), (3, 4, 4)]),   # ViT patches
    ((10,), [(0, 3, 4)]),                     # a remainder left out
    ((3, 7), [(-1, 3, 2)]),                   # overlapping windows, negative dim
    ((2, 5, 4), [(1, 2, 1), (1, 3, 1)]),      # windows of windows on the same axis
    ((4, 6), [(0, 0, 2)]),                    # empty windows
    ((), [(0, 1, 1)]),                        # a 0-d tensor: one window of itself
])
def test_unfold_values_and_gradients_match_pytorch(torch, shape, calls):
    x = RNG.standard_normal(shape)
    ours, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a, b = ours, theirs
    for call in calls:
        a, b = a.unfold(*call), b.unfold(*call)
    assert a.shape == tuple(b.shape)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    g = RNG.standard_normal(a.shape)
    a.backward(ag.tensor(g))
    b.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-14)


@pytest.mark.parametrize("args, message", [
    ((0, 11, 1), "maximum size for dimension 0 is 10 but size is 11"),
    ((0, 2, 0), "step is 0 but must be > 0"),
    ((0, -1, 1), "size is -1 but must be >= 0"),
])
def test_unfold_refuses_what_pytorch_refuses(torch, args, message):
    with pytest.raises(RuntimeError):
        torch.arange(10.0).unfold(*args)
    with pytest.raises((ShapeError, UsageError), match=message):
        ag.arange(10.0).unfold(*args)


# the DQN tutorial's use (plot_durations' running mean), and more window shapes
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
    np.testing.assert_array_equal(out_ours.detach().numpy(), out_theirs.detach().numpy())
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

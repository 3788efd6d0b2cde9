"""A second in-place write into a whole reshape of a computed tensor reaches the base too,
as in PyTorch: ``flat = h.reshape(-1); flat += 1; flat.relu_()`` gave h only the first
write (silently: the first write left ``flat`` a tensor of its own, no longer a view of
h). After a write goes through, the view is a reshape of its base again. Values and
gradients come from PyTorch."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(23)


def _writes(x, w):
    """Programs writing twice or more through reshapes; each returns a scalar loss."""
    def two_writes_into_a_flat_view():
        h = x * 2.0 + 1.0
        flat = h.reshape(-1)
        flat += w.reshape(-1)
        flat.relu_()
        return (h * x).sum() + (flat ** 3).sum()

    def reads_between_the_writes():
        h = x * 1.5
        flat = h.reshape(-1)
        first = flat + 1.0  # reads flat (and so h) as it was
        flat.mul_(-1.0)
        middle = h * 3.0  # reads h after one write
        flat.add_(w.reshape(-1))
        return (first ** 2).sum() + (middle * w).sum() + (h ** 2).sum() + flat.exp().sum()

    def a_chain_of_two_reshapes():
        h = x - w
        a = h.reshape(-1)
        b = a.view(3, 2)
        b += 1.0
        b.clamp_(-0.5, 0.5)
        b[0, 1] = w[1, 1] * 2.0
        return (h * w).sum() + (a ** 2).sum() + b.sin().sum()

    return [two_writes_into_a_flat_view, reads_between_the_writes, a_chain_of_two_reshapes]


@pytest.mark.parametrize("which", range(3))
def test_later_writes_through_a_reshape_reach_the_base_as_in_torch(torch, which) -> None:
    data_x, data_w = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    results = []
    for lib in (ag, torch):
        x = lib.tensor(data_x, requires_grad=True)
        w = lib.tensor(data_w, requires_grad=True)
        loss = _writes(x, w)[which]()
        loss.backward()
        results.append([loss.item(), x.grad.numpy().copy(), w.grad.numpy().copy()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_the_view_and_the_base_agree_after_each_write() -> None:
    h = ag.tensor(RNG.normal(size=(2, 3)), requires_grad=True) * 1.0
    expected = h.detach().numpy().copy()
    flat = h.reshape(-1)
    for step in range(3):
        flat += 1.0
        expected += 1.0
        np.testing.assert_allclose(h.detach().numpy(), expected)
        np.testing.assert_allclose(flat.detach().numpy(), expected.ravel())

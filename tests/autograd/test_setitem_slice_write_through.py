"""A write into ``base[i]`` (a basic index: a slice, a row, an element) of a computed tensor
while recording reaches the base, as in PyTorch: ``F[:, 1] -= m * g`` (Python runs it as
``v = F[:, 1]; v -= m * g; F[:, 1] = v``, the in-place step on a view), ``row = h[0];
row.relu_()``, ``h[0][1] = v``. The mass-spring port writes gravity into its force tensor
so; it raised InplaceError ("a view of another tensor"). The base takes the new value as
``base[i] = ...`` and the view becomes the new ``base[i]``; ops that read either before
the write keep their old values. Values and gradients come from PyTorch."""

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError

RNG = np.random.default_rng(21)


def _writes(lib, x, w):
    """Programs writing into views of computed tensors; each returns a scalar loss."""
    def augmented_slice():
        F = x * w
        before = F.sum()
        F[:, 1] -= 9.8 * w[0, 0]
        return (F * F).sum() + before

    def view_then_in_place():
        h = x * 2.0 + 1.0
        row = h[0]
        row *= w[1, 1]
        row.relu_()
        return (h * x).sum() + (row ** 2).sum()

    def chained_assignment():
        h = x * 2.0
        h[0][1] = w[0, 2] * 3.0
        h[1, :][0] += 1.0
        return (h.sin() * w).sum()

    def element_of_a_vector():
        v = (x * w).sum(dim=0)
        v[1] *= 5.0
        return (v ** 3).sum()

    def assign_view_to_itself():
        h = x + w
        row = h[1]
        row[...] = row * 3.0
        return (h * w).sum()

    def uses_before_and_after_two_writes():
        h = x * 2.0
        row = h[0]
        before = row * 3.0  # reads row as it was: its gradient goes to the old value
        row += 1.0
        row -= w[1]
        return before.sum() + (row * row).sum() + row.exp().sum() + (h * h).sum()

    return [augmented_slice, view_then_in_place, chained_assignment, element_of_a_vector,
            assign_view_to_itself, uses_before_and_after_two_writes]


@pytest.mark.parametrize("which", range(6))
def test_writes_into_a_slice_reach_the_base_as_in_torch(torch, which) -> None:
    data_x, data_w = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    results = []
    for lib in (ag, torch):
        x = lib.tensor(data_x, requires_grad=True)
        w = lib.tensor(data_w, requires_grad=True)
        loss = _writes(lib, x, w)[which]()
        loss.backward()
        results.append([loss.item(), x.grad.numpy().copy(), w.grad.numpy().copy()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_the_view_and_the_base_agree_after_the_write() -> None:
    x = ag.tensor(RNG.normal(size=(3, 2)), requires_grad=True)
    h = x * 1.0
    column = h[:, 0]
    column -= 1.0
    np.testing.assert_allclose(h.detach().numpy()[:, 0], x.detach().numpy()[:, 0] - 1.0)
    np.testing.assert_allclose(column.detach().numpy(), h.detach().numpy()[:, 0])


def test_views_that_cannot_take_the_write_still_refuse() -> None:
    h = ag.tensor(RNG.normal(size=(3,)), requires_grad=True) * 1.0
    held = np.zeros((3, 3))  # a view of a NumPy array someone holds: not in any graph
    with pytest.raises(InplaceError, match="view of another tensor"):
        ag.Tensor(held).T[0] = h
    np.testing.assert_array_equal(held, 0.0)
    leaf = ag.tensor(RNG.normal(size=(2, 3)), requires_grad=True)
    with pytest.raises(InplaceError):
        leaf[0].mul_(2.0)  # PyTorch refuses a view of a leaf that requires grad too

"""A leaf's ``.grad`` accumulates in place, as PyTorch's AccumulateGrad: a ``.grad`` read
(or its ``.numpy()``) before a second ``backward()`` shows the sum and is the same tensor
afterwards (it was a new tensor, and the one read kept the first gradient). A graph that
used that ``.grad`` refuses to backward afterwards, as PyTorch's; a gradient with a graph
of its own (``create_graph=True``) and a non-leaf's ``retain_grad()`` gradient are added
out of place, as PyTorch adds them. Each case is run in both libraries."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _both(program):
    return program(ag), program(torch)


def test_a_grad_read_before_shows_the_sum_and_stays_the_same_tensor():
    def program(L):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        (w * 2).sum().backward()
        first, array = w.grad, w.grad.numpy()
        (w * w).sum().backward()
        return first is w.grad, first.tolist(), array.tolist()
    ours, theirs = _both(program)
    assert ours == theirs == (True, [4.0, 6.0], [4.0, 6.0])


def test_a_0d_leaf_too():
    def program(L):
        x = L.tensor(2.0, requires_grad=True)
        (x * 2).backward()
        first = x.grad
        (x * x).backward()
        return first is x.grad, first.item()
    assert _both(program)[0] == _both(program)[1] == (True, 6.0)


def test_a_graph_that_used_the_grad_refuses_after_it_grew():
    for L, error in ((ag, ag.InplaceError), (torch, RuntimeError)):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        v = L.tensor([3.0, 4.0], requires_grad=True)
        (w * 2).sum().backward()
        used = (v * w.grad).sum()  # the gradient as a constant of another graph
        (w * 3).sum().backward()
        with pytest.raises(error, match="modified"):
            used.backward()


@pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch's note on create_graph's cycle
def test_gradients_with_a_graph_and_retained_ones_are_added_out_of_place():
    def program(L):
        w = L.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward(create_graph=True)
        first = w.grad
        (w * w * w).sum().backward(create_graph=True)
        grad = torch.autograd.grad if L is torch else ag.grad
        second_order = grad(w.grad.sum(), w)[0]
        h = w.detach().requires_grad_() * 2
        h.retain_grad()
        h.sum().backward(retain_graph=True)
        kept = h.grad
        (h * 3).sum().backward()
        return (first is w.grad, first.tolist(), w.grad.tolist(), second_order.tolist(),
                kept is h.grad, kept.tolist(), h.grad.tolist())
    ours, theirs = _both(program)
    assert ours == theirs


def test_a_leaf_used_twice_in_one_backward_gets_both_parts():
    """The first part is stored, the second added in place into it (moons' L2 penalty)."""
    w = ag.tensor(np.arange(3.0), requires_grad=True)
    ((w * w).sum() + (w * 5.0).sum()).backward()
    np.testing.assert_array_equal(w.grad.numpy(), 2 * np.arange(3.0) + 5.0)
    assert ag.gradcheck(lambda t: (t * t).sum() + (t * 5.0).sum(),
                        [ag.tensor(np.arange(3.0) + 0.5, requires_grad=True)])

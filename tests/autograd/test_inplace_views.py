"""PyTorch's in-place shape methods (``unsqueeze_ squeeze_ t_ transpose_ swapdims_
swapaxes_``), as the char-RNN generation tutorial's ``target_line_tensor.unsqueeze_(-1)``
uses them (they were AttributeErrors): self returned with the new shape, its elements
shared with the views taken before (which keep their shape), recorded in a graph as
PyTorch records them, refused on a leaf that requires grad while recording."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError, ShapeError

X = np.random.default_rng(0).standard_normal((2, 1, 3))

CHANGES = [
    ("unsqueeze_ last", lambda t: t.unsqueeze_(-1)),
    ("unsqueeze_ first", lambda t: t.unsqueeze_(0)),
    ("unsqueeze_ middle", lambda t: t.unsqueeze_(2)),
    ("squeeze_ all", lambda t: t.squeeze_()),
    ("squeeze_ one", lambda t: t.squeeze_(1)),
    ("squeeze_ longer stays", lambda t: t.squeeze_(0)),
    ("squeeze_ dim=", lambda t: t.squeeze_(dim=-2)),
    ("squeeze_ tuple", lambda t: t.squeeze_((0, 1))),
    ("transpose_", lambda t: t.transpose_(0, 2)),
    ("swapdims_", lambda t: t.swapdims_(-1, 0)),
    ("swapaxes_", lambda t: t.swapaxes_(1, 2)),
    ("t_ of a matrix", lambda t: t.squeeze_().t_()),
]


@pytest.mark.parametrize("name, change", CHANGES, ids=[c[0] for c in CHANGES])
def test_in_place_views_as_torch(name, change):
    torch = pytest.importorskip("torch")
    ours, theirs = ag.tensor(X), torch.tensor(X)
    our_view, their_view = ours[0], theirs[0]
    assert change(ours) is ours and change(theirs) is theirs
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours.fill_(2.0), theirs.fill_(2.0)  # the memory is still shared with the view
    assert our_view.shape == tuple(their_view.shape) == (1, 3)
    np.testing.assert_array_equal(our_view.numpy(), their_view.numpy())


def test_unsqueeze_of_a_long_target_as_the_generation_tutorial():
    torch = pytest.importorskip("torch")
    ours, theirs = ag.LongTensor([3, 4, 26]), torch.LongTensor([3, 4, 26])
    ours.unsqueeze_(-1), theirs.unsqueeze_(-1)
    assert ours.shape == tuple(theirs.shape) == (3, 1) and ours.dtype == ag.int64
    assert ours[1].shape == tuple(theirs[1].shape) == (1,)  # NLLLoss's target of one


@pytest.mark.parametrize("name, change", CHANGES, ids=[c[0] for c in CHANGES])
def test_in_place_views_are_recorded_as_torch(name, change):
    """An op that read the tensor before the change still gets the gradient of its old
    shape; what reads it after, of its new one."""
    torch = pytest.importorskip("torch")
    upstream = np.random.default_rng(1).standard_normal(24)
    grads = []
    for T in (ag, torch):
        x = T.tensor(X, requires_grad=True)
        h = x * 2.0
        before = (h * 3.0).sin()
        assert change(h) is h
        after = h.cos() * T.tensor(upstream[:h.numel()].reshape(tuple(h.shape)))
        (before.sum() + after.sum()).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_a_hook_registered_before_sees_the_old_shape():
    x = ag.tensor(X, requires_grad=True)
    h = x * 2.0
    seen = []
    h.register_hook(lambda g: seen.append(g.shape))
    h.unsqueeze_(0)
    assert h.shape == (1, 2, 1, 3)
    (h * h).sum().backward()
    assert seen == [(2, 1, 3)]
    np.testing.assert_allclose(x.grad.numpy(), 8.0 * X)


def test_a_leaf_that_requires_grad_is_refused_while_recording():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="leaf Variable"):
        torch.zeros(3, requires_grad=True).unsqueeze_(0)
    leaf = ag.zeros(3, requires_grad=True)
    with pytest.raises(InplaceError, match=r"unsqueeze_ on a leaf .* x = x.unsqueeze\(0\)"):
        leaf.unsqueeze_(0)
    assert leaf.shape == (3,)
    with ag.no_grad():  # as PyTorch: allowed, it stays a leaf
        leaf.unsqueeze_(0)
    assert leaf.shape == (1, 3) and leaf.is_leaf and leaf.requires_grad


def test_t_of_more_than_two_axes_is_refused_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        torch.zeros(2, 3, 4).t_()
    with pytest.raises(ShapeError, match=r"t_\(\) needs .* transpose_"):
        ag.zeros(2, 3, 4).t_()
    vector = ag.arange(3.0)
    assert vector.t_() is vector and vector.shape == (3,)


@pytest.mark.parametrize("name, change", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_saved_tensor_changed_in_shape_in_place_is_refused_as_torch(name, change):
    """A tensor outside the graph that an op saved for backward, then changed in shape in
    place: its version moves (PyTorch's), so the backward refuses with a named error
    (here it read the new shape: a bare NumPy ValueError, or a wrong broadcast)."""
    torch = pytest.importorskip("torch")
    for T, error in ((ag, InplaceError), (torch, RuntimeError)):
        w = T.tensor(np.arange(3.0), requires_grad=True)
        constant = T.tensor(X)
        loss = (constant * w).sum()
        change(constant)
        with pytest.raises(error, match="modified"):
            loss.backward()


@pytest.mark.parametrize("name, change", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_view_taken_before_a_shape_change_is_written_through_as_torch(name, change):
    """Views taken of h before its in-place shape change keep their shape; writing into
    one (as into h afterwards) goes through to h, as in PyTorch, and the gradients follow."""
    torch = pytest.importorskip("torch")
    found = []
    for T in (ag, torch):
        x = T.tensor(X, requires_grad=True)
        h = x * 2.0
        row, element = h[1], h[0, 0, 2]
        change(h)
        row.mul_(x[0, 0, 1])
        element.clamp_(-0.3, 0.3)
        h.add_(x.sum())
        loss = (h * h).sum() + (row * 3.0).sum() + element * 5.0
        loss.backward()
        found.append([t.detach().numpy().copy() for t in (h, row, element, x.grad)])
    for ours, theirs in zip(*found, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("name, change", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_constant_changed_in_shape_and_viewed_takes_a_recorded_write_as_torch(name, change):
    """A constant's in-place shape change leaves its array a NumPy view of the first one,
    which a view taken of it after refers to as well: the constant still owns it, so a
    write with a tensor that requires grad is recorded (was InplaceError, found by the
    fuzzer), and the view shows the new values and passes gradients on, as in PyTorch."""
    torch = pytest.importorskip("torch")
    found = []
    for T in (ag, torch):
        w = T.tensor(X, requires_grad=True)
        constant = T.tensor(X)
        change(constant)
        part = constant.select(0, 0)
        constant.add_(change(w * 1.0))
        loss = (constant * constant).sum() + (part * 3.0).sum()
        loss.backward()
        found.append([t.detach().numpy().copy() for t in (constant, part, w.grad)])
    for ours, theirs in zip(*found, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


RESHAPING = [c for c in CHANGES if c[0] != "squeeze_ longer stays"]  # (no shape change)


@pytest.mark.parametrize("name, change", RESHAPING, ids=[c[0] for c in RESHAPING])
def test_a_constant_viewed_before_its_shape_change_refuses_a_recorded_write(name, change):
    """Views taken of a constant before its in-place shape change (which records nothing
    outside the graph) could not show a recorded write: it is refused by name (PyTorch's
    views share the memory and show it). Under no_grad() the write goes into the memory,
    and the view shows it, as in PyTorch."""
    w = ag.tensor(X, requires_grad=True)
    constant = ag.tensor(X)
    part = constant[0]
    change(constant)
    addend = change(w * 1.0)
    with pytest.raises(InplaceError, match="changed shape in place"):
        constant.add_(addend)
    with ag.no_grad():
        constant.add_(addend)
    np.testing.assert_allclose(part.numpy(), 2 * X[0])


@pytest.mark.parametrize("name, change", RESHAPING, ids=[c[0] for c in RESHAPING])
def test_a_view_of_such_a_constant_refuses_a_recorded_write_too(name, change):
    """The same through a view of the constant, taken before its shape change or after
    (a write into a view goes through to the constant)."""
    w = ag.tensor(X, requires_grad=True)
    constant = ag.tensor(X)
    before = constant[0]
    change(constant)
    after = constant[0]
    for view in (before, after):
        with pytest.raises(InplaceError, match="changed shape in place"):
            view.add_(w.sum())  # (a number that requires grad: any shape takes it)


def test_a_view_used_then_given_new_values_by_a_write_into_a_detach_refuses_backward():
    """v, a view of a constant, is used by the graph; a write into the constant's detach()
    then gives v new values (PyTorch: the same memory): the backward cannot use v's old
    values, and refuses, as PyTorch's (which calls it an in-place modification); the
    message names that case, as an InplaceError (it was a UsageError about detach_())."""
    torch = pytest.importorskip("torch")
    for T, error in ((ag, ag.InplaceError), (torch, RuntimeError)):
        w = T.tensor([0.0, 1.0, 2.0], requires_grad=True)
        c = T.tensor([1.0, 2.0, 3.0])
        v = c[0:2]
        y = (v * w[0:2]).sum()
        c.detach().add_(T.ones(3, requires_grad=True))
        with pytest.raises(error, match="c.detach\\(\\)" if T is ag else "inplace"):
            y.backward()

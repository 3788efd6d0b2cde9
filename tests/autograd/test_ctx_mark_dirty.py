"""``ctx.mark_dirty``: PyTorch's in-place custom op, run side by side with PyTorch's.

The same two classes are written for both libraries (``_classes``); every expected
gradient is PyTorch's on the same program."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import InplaceError, UsageError


def _classes(base):
    """An in-place doubling, an in-place exp that saves its output, and an in-place add
    with a second output, written against ``base`` (ours or torch.autograd.Function)."""
    class MulInplace(base):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class ExpInplace(base):
        @staticmethod
        def forward(ctx, x):
            x.exp_()
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class AddWithSum(base):
        @staticmethod
        def forward(ctx, x, w):
            x.add_(w)
            ctx.mark_dirty(x)
            return x, x.sum() * 1

        @staticmethod
        def backward(ctx, g, g_sum):
            return g + g_sum, g + g_sum

    return MulInplace, ExpInplace, AddWithSum


def _libraries(torch):
    return [(ag, ag.grad, _classes(ag.Function)),
            (torch, torch.autograd.grad, _classes(torch.autograd.Function))]


def _tolist(t):
    return np.asarray(t.detach().numpy()).tolist()


def test_the_input_is_the_output_and_carries_the_gradient(torch):
    seen = []
    for lib, _, (mul, exp, _) in _libraries(torch):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = a * 1
        y = mul.apply(x)
        assert y is x and _tolist(x) == [2.0, 4.0, 6.0]
        (y * y).sum().backward()
        b = lib.tensor([0.5, 1.0], requires_grad=True)
        z = exp.apply(b * 1)  # its backward reads the saved output, the input itself
        (z * z).sum().backward()
        seen.append((_tolist(a.grad), _tolist(b.grad)))
    np.testing.assert_allclose(seen[0][0], seen[1][0])
    np.testing.assert_allclose(seen[0][1], seen[1][1])


def test_second_derivative_through_a_saved_dirty_output(torch):
    seen = []
    for lib, grad, (_, exp, _) in _libraries(torch):
        a = lib.tensor([0.5, 1.0, -2.0], requires_grad=True)
        y = exp.apply(a * 3)
        (g,) = grad((y * y).sum(), a, create_graph=True)
        (gg,) = grad(g.sum(), a)
        seen.append((_tolist(g), _tolist(gg)))
    np.testing.assert_allclose(seen[0][0], seen[1][0])
    np.testing.assert_allclose(seen[0][1], seen[1][1])


def test_several_outputs_and_a_constant_input(torch):
    seen = []
    for lib, _, (_, _, add) in _libraries(torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        x = a * 1
        out, total = add.apply(x, w)
        assert out is x
        ((out * out).sum() + total).backward()
        c = lib.tensor([1.0, -1.0])  # a constant changed in place by a tracked w
        v = lib.tensor([2.0, 5.0], requires_grad=True)
        out2, _ = add.apply(c, v)
        assert out2 is c and out2.requires_grad
        (out2 * out2).sum().backward()
        seen.append((_tolist(a.grad), _tolist(w.grad), _tolist(v.grad)))
    for ours, theirs in zip(*seen):
        np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("view", ["row", "reshape"])
def test_a_view_writes_its_history_into_the_base(torch, view):
    seen = []
    for lib, _, (mul, _, _) in _libraries(torch):
        b = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        base = b * 1
        mul.apply(base[0] if view == "row" else base.reshape(4))
        (base * base).sum().backward()
        seen.append(_tolist(b.grad))
    np.testing.assert_allclose(seen[0], seen[1])


def test_an_earlier_use_of_the_old_value_is_caught(torch):
    raised = []
    for lib, _, (mul, _, _) in _libraries(torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        x = a * 1
        z = x * w  # saves x for w's gradient
        mul.apply(x)
        with pytest.raises((InplaceError, RuntimeError)) as info:
            z.sum().backward()
        raised.append(info.type)
    assert raised[0] is InplaceError


def test_a_leaf_that_requires_grad_is_refused(torch):
    for lib, _, (mul, _, _) in _libraries(torch):
        with pytest.raises((InplaceError, RuntimeError)):
            mul.apply(lib.tensor([1.0, 2.0], requires_grad=True))
    with pytest.raises(InplaceError, match="mark_dirty"):
        _classes(ag.Function)[0].apply(ag.tensor([1.0], requires_grad=True))


def test_a_dirty_input_must_be_returned_and_be_an_input():
    class NotReturned(ag.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class NotAnInput(ag.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            ctx.mark_dirty(y)
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ag.tensor([1.0, 2.0], requires_grad=True) * 1
    with pytest.raises(UsageError, match="not returned"):
        NotReturned.apply(x)
    with pytest.raises(UsageError, match="no argument of forward"):
        NotAnInput.apply(x)


def test_without_recording_the_input_is_changed_and_returned():
    mul = _classes(ag.Function)[0]
    c = ag.tensor([1.0, 2.0])
    assert mul.apply(c) is c and c.tolist() == [2.0, 4.0]
    x = ag.tensor([1.0, 2.0], requires_grad=True) * 1
    with ag.no_grad():
        y = mul.apply(x)
    assert y is x and x.tolist() == [2.0, 4.0]

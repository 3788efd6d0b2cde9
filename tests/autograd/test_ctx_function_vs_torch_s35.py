"""User-defined ops compared with torch.autograd.Function (session 35 findings): saved
outputs of several-output Functions under create_graph, memory shared by outputs, which
in-place writes backward refuses, mark_dirty on a constant, non-Tensor outputs, forward
and backward without @staticmethod, integer gradients, the outputs' grad_fn (the classic
style's class mistakes: test_classic_function_checks_s35.py)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.func as AF
from autograd.errors import InplaceError, UsageError

X_DATA = np.array([0.3, -1.1, 0.8])


def _libraries(torch) -> list[tuple]:
    """(Function base, tensor maker, grad, no_grad) for autograd and for PyTorch."""
    return [(ag.Function, ag.tensor, ag.grad, ag.no_grad),
            (torch.autograd.Function, torch.tensor, torch.autograd.grad, torch.no_grad)]


def _numpy(t) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "numpy") and not isinstance(
        t, ag.Tensor) else t.data)


def _exp_and_double(base: type) -> type:
    class ExpAndDouble(base):
        """(e^x, 2x), saving e^x: dx = gy e^x + 2 gz."""
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y, x * 2

        @staticmethod
        def backward(ctx, gy, gz):
            (y,) = ctx.saved_tensors
            return gy * y + gz * 2
    return ExpAndDouble


@pytest.mark.parametrize("watch", ["hook", "retain_grad"])
def test_a_saved_output_of_several_is_the_returned_tensor_under_create_graph(torch, watch):
    results = []
    for base, tensor, grad, _ in _libraries(torch):
        x = tensor(X_DATA, requires_grad=True)
        y, z = _exp_and_double(base).apply(x)
        if watch == "hook":
            y.register_hook(lambda g: g * 2)
        else:
            y.retain_grad()
        (g,) = grad((y.sin() + z * z).sum(), x, create_graph=True)
        (g * g).sum().backward()
        results.append((_numpy(g), _numpy(x.grad), None if watch == "hook" else _numpy(y.grad)))
    for ours, theirs in zip(*results):
        if theirs is not None:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_a_saved_output_no_longer_held_still_gives_the_second_derivative(torch):
    found = []
    for base, tensor, grad, _ in _libraries(torch):
        x = tensor(X_DATA, requires_grad=True)
        loss = sum(t.sum() for t in _exp_and_double(base).apply(x))  # outputs not kept
        (g,) = grad(loss, x, create_graph=True)
        (gg,) = grad((g * g).sum(), x)
        found.append(_numpy(gg))
    np.testing.assert_allclose(*found, rtol=1e-12)


def test_a_saved_output_of_several_written_in_place_is_refused_as_by_torch(torch):
    for in_graph in (False, True):
        x = ag.tensor(X_DATA, requires_grad=True)
        y, z = _exp_and_double(ag.Function).apply(x)
        if in_graph:
            y.mul_(2)
        else:
            with ag.no_grad():
                y.add_(1)
        with pytest.raises(InplaceError):
            (y.sum() + z.sum()).backward()
        tx = torch.tensor(X_DATA, requires_grad=True)
        ty, tz = _exp_and_double(torch.autograd.Function).apply(tx)
        with torch.no_grad():
            ty.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace"):
            (ty.sum() + tz.sum()).backward()


def _numpy_sin(base: type) -> type:
    class NumpySin(base):
        """sin x, with a backward in NumPy: right once, not differentiable again."""
        @staticmethod
        def forward(x):
            return x.sin()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return ag.Tensor(np.asarray(g.data) * np.cos(x.data))
    return NumpySin


@pytest.mark.parametrize("transform", ["hessian", "grad_of_grad", "jacrev_of_grad"])
def test_nested_transforms_refuse_a_backward_written_in_numpy(transform):
    f = lambda a: _numpy_sin(ag.Function).apply(a).sum()  # noqa: E731
    nested = {"hessian": AF.hessian(f),
              "grad_of_grad": AF.grad(lambda a: AF.grad(f)(a).sum()),
              "jacrev_of_grad": AF.jacrev(AF.grad(f))}[transform]
    with pytest.raises(UsageError, match="once_differentiable"):
        nested(ag.tensor(X_DATA))
    np.testing.assert_allclose(AF.grad(f)(ag.tensor(X_DATA)).data, np.cos(X_DATA))


def test_nested_transforms_over_a_tensor_backward_match_torch_func(torch):
    class TensorSin(ag.Function):
        @staticmethod
        def forward(x):
            return x.sin()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.cos()

    ours = AF.hessian(lambda a: TensorSin.apply(a).sum())(ag.tensor(X_DATA))
    theirs = torch.func.hessian(lambda a: a.sin().sum())(torch.tensor(X_DATA))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


def test_outputs_that_are_an_input_or_its_view_share_its_memory(torch):
    found = []
    for base, tensor, _, no_grad in _libraries(torch):
        class SplitAndKeep(base):
            @staticmethod
            def forward(ctx, x, w):
                return x.reshape(-1), w, x.sum()

            @staticmethod
            def backward(ctx, g, gw, gs):
                return g.reshape(2, 2) + gs, gw

        x = tensor([[1., 2.], [3., 4.]], requires_grad=True) * 1
        w = tensor([5., 6.], requires_grad=True) * 1
        flat, same_w, _ = SplitAndKeep.apply(x, w)
        with no_grad():
            flat.mul_(2)
            same_w.add_(1)
        found.append((_numpy(x), _numpy(w)))
    for ours, theirs in zip(*found):
        np.testing.assert_array_equal(ours, theirs)


def _scale(base: type) -> type:
    class Scale(base):
        """x * w, saving only x: a write into w is no business of the backward."""
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x)
            return x * w

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return None, g * x
    return Scale


def test_inputs_and_outputs_not_saved_may_be_written_before_backward(torch):
    found = []
    for base, tensor, grad, no_grad in _libraries(torch):
        x, w = tensor(X_DATA), tensor(X_DATA + 2, requires_grad=True)
        y = _scale(base).apply(x, w)
        with no_grad():
            w.sub_(1.0)  # an optimizer step on a parameter the op did not save
        (gw,) = grad(y.sum(), w)

        class Double(base):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        a = tensor(X_DATA, requires_grad=True)
        out = Double.apply(a)
        with no_grad():
            out.add_(1)
        (ga,) = grad(out.sum(), a)
        found.append((_numpy(gw), _numpy(ga)))
    for ours, theirs in zip(*found):
        np.testing.assert_array_equal(ours, theirs)


def test_a_saved_input_written_before_backward_is_still_refused(torch):
    x, w = ag.tensor(X_DATA), ag.tensor(X_DATA + 2, requires_grad=True)
    y = _scale(ag.Function).apply(x, w)
    with ag.no_grad():
        x.mul_(2)
    with pytest.raises(InplaceError, match="saved tensor 0"):
        ag.grad(y.sum(), w)
    tx, tw = torch.tensor(X_DATA), torch.tensor(X_DATA + 2, requires_grad=True)
    ty = _scale(torch.autograd.Function).apply(tx, tw)
    with torch.no_grad():
        tx.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace"):
        torch.autograd.grad(ty.sum(), tw)


def test_a_backward_error_about_none_is_not_blamed_on_unsaved_arrays():
    class UsesNone(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.table = None  # a mistake of the backward's own
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * ctx.table[0]

    y = UsesNone.apply(ag.tensor(X_DATA, requires_grad=True))
    with pytest.raises(TypeError, match="NoneType") as caught:
        y.sum().backward()
    assert "save_inputs" not in str(caught.value)


@pytest.mark.parametrize("make", ["zeros", "tensor", "computed"])
def test_mark_dirty_on_an_input_that_needs_no_gradient(torch, make):
    found = []
    for base, tensor, _, _ in _libraries(torch):
        class AddInto(base):
            @staticmethod
            def forward(ctx, out, w):
                out.add_(w)
                ctx.mark_dirty(out)
                return out

            @staticmethod
            def backward(ctx, g):
                return g, g.sum().reshape(1)

        buf = {"zeros": lambda: tensor([0., 0., 0.]), "tensor": lambda: tensor([1., 2., 3.]),
               "computed": lambda: tensor([1., 2., 3.]) * 1}[make]()
        w = tensor([2.0], requires_grad=True)
        y = AddInto.apply(buf, w)
        (y * tensor([1., 2., 3.])).sum().backward()
        found.append((y is buf, buf.requires_grad, _numpy(buf), _numpy(w.grad)))
    ours, theirs = found
    assert ours[:2] == theirs[:2]
    for a, b in zip(ours[2:], theirs[2:]):
        np.testing.assert_array_equal(a, b)


def test_non_tensor_outputs_are_returned_as_they_are_with_a_none_gradient(torch):
    found = []
    for base, tensor, _, _ in _libraries(torch):
        seen = []

        class WithExtras(base):
            @staticmethod
            def forward(ctx, x):
                return x * 2, tuple(x.shape), 5, 0.5, {"note": "x"}, None

            @staticmethod
            def backward(ctx, g, *others):
                seen.append(others)
                return g * 2

        class JustANumber(base):
            @staticmethod
            def forward(ctx, x):
                return 7

            @staticmethod
            def backward(ctx, g):
                return g

        x = tensor(X_DATA, requires_grad=True)
        y, shape, n, half, note, nothing = WithExtras.apply(x)
        y.sum().backward()
        found.append(((tuple(shape), n, half, note, nothing, JustANumber.apply(x), seen[0]),
                      _numpy(x.grad)))
    (ours, our_grad), (theirs, their_grad) = found
    assert ours == theirs
    assert all(type(a) is type(b) for a, b in zip(ours, theirs))
    np.testing.assert_array_equal(our_grad, their_grad)


def test_forward_and_backward_without_staticmethod(torch):
    found = []
    for base, tensor, _, _ in _libraries(torch):
        class Cube(base):
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * g * x * x

        x = tensor(X_DATA, requires_grad=True)
        Cube.apply(x).sum().backward()
        found.append(_numpy(x.grad))
    np.testing.assert_allclose(*found, rtol=1e-14)


def test_an_integer_gradient_is_cast_to_the_input_dtype(torch):
    found = []
    for base, tensor, _, _ in _libraries(torch):
        class Double(base):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return (g * 2).long()

        x = tensor(X_DATA, requires_grad=True)
        (Double.apply(x) * 3).sum().backward()
        found.append(_numpy(x.grad))
    assert found[0].dtype == found[1].dtype
    np.testing.assert_array_equal(*found)


def test_every_output_of_several_shows_the_function_as_its_grad_fn(torch):
    names = []
    for base, tensor, _, _ in _libraries(torch):
        class MinMax(base):
            @staticmethod
            def forward(ctx, x):
                return x.min(), x.max()

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 + g2

        x = tensor(X_DATA, requires_grad=True) * 1
        a, b = MinMax.apply(x)
        names.append((a.grad_fn.name().removesuffix("Backward"),
                      b.grad_fn.name().removesuffix("Backward")))
        assert [f for f, _ in a.grad_fn.next_functions] == [x.grad_fn]
        a.grad_fn.metadata["tag"] = 1
        assert b.grad_fn.metadata == {"tag": 1}
    assert names[0] == names[1]

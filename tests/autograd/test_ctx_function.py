"""Ops written PyTorch's way (static ``forward(ctx, ...)`` / ``backward(ctx, g)``) run
here as written, and agree with torch.autograd.Function running the same code."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor
from autograd.extend import once_differentiable


def _exp_class(base: type) -> type:
    class MyExp(base):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y
    return MyExp


def _scale_class(base: type, log: list) -> type:
    class Scale(base):
        """y = alpha x sin(c): x and c Tensors (c a constant), alpha a number."""
        @staticmethod
        def forward(ctx, x, alpha, c):
            ctx.alpha = alpha
            ctx.save_for_backward(x, c)
            log.append(tuple(ctx.needs_input_grad))
            return x * alpha * c.sin()

        @staticmethod
        def backward(ctx, g):
            x, c = ctx.saved_tensors
            return g * ctx.alpha * c.sin(), None, None
    return Scale


X = np.array([0.3, -1.2, 0.7])


def test_an_op_written_as_in_pytorch_gives_pytorchs_gradient() -> None:
    torch = pytest.importorskip("torch")
    x, tx = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    y, ty = _exp_class(ag.Function).apply(x), _exp_class(torch.autograd.Function).apply(tx)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy())
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())
    assert ag.gradcheck(_exp_class(ag.Function).apply, (Tensor(X, requires_grad=True),))
    assert y.grad_fn.name() == "MyExp"


def test_numbers_pass_through_and_needs_input_grad_has_one_entry_per_argument() -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = [], []
    x, c = Tensor(X.copy(), requires_grad=True), Tensor(np.array([0.4, 0.5, 0.6]))
    tx, tc = torch.tensor(X, requires_grad=True), torch.tensor([0.4, 0.5, 0.6],
                                                              dtype=torch.float64)
    _scale_class(ag.Function, ours).apply(x, 2.5, c).sum().backward()
    _scale_class(torch.autograd.Function, theirs).apply(tx, 2.5, tc).sum().backward()
    assert ours == theirs == [(True, False, False)]
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())
    assert c.grad is None


def test_second_derivatives_follow_a_saved_output_as_pytorchs_do() -> None:
    torch = pytest.importorskip("torch")
    x, tx = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    (g,) = ag.grad(_exp_class(ag.Function).apply(x).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(_exp_class(torch.autograd.Function).apply(tx).sum(), tx,
                                create_graph=True)
    (h,) = ag.grad((g * g).sum(), x)
    (th,) = torch.autograd.grad((tg * tg).sum(), tx)
    np.testing.assert_allclose(h.data, th.numpy())
    assert ag.gradgradcheck(_exp_class(ag.Function).apply, (Tensor(X, requires_grad=True),))


def test_pytorch_2s_setup_context_split() -> None:
    class Cube(ag.Function):
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x * x

    x = Tensor(X.copy(), requires_grad=True)
    assert ag.gradcheck(Cube.apply, (x,)) and ag.gradgradcheck(Cube.apply, (x,))


def test_a_marked_or_integer_output_is_a_constant() -> None:
    torch = pytest.importorskip("torch")

    def above(base: type, mark: bool) -> type:
        class Above(base):
            @staticmethod
            def forward(ctx, x):
                out = (x > 0) * 1.0 if mark else x > 0
                if mark:
                    ctx.mark_non_differentiable(out)
                return out

            @staticmethod
            def backward(ctx, g):
                return None
        return Above

    for mark in (True, False):
        y = above(ag.Function, mark).apply(Tensor(X.copy(), requires_grad=True))
        ty = above(torch.autograd.Function, mark).apply(torch.tensor(X, requires_grad=True))
        assert y.requires_grad is ty.requires_grad is False
        np.testing.assert_array_equal(y.data, ty.numpy())


def test_wrong_gradients_are_named_errors() -> None:
    class TooFew(ag.Function):
        @staticmethod
        def forward(ctx, x, alpha):
            return x * alpha

        @staticmethod
        def backward(ctx, g):
            return g

    class ForANumber(TooFew):
        @staticmethod
        def backward(ctx, g):
            return g, g

    x = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(ag.VJPError, match="returned 1 gradients; forward took 2 arguments"):
        TooFew.apply(x, 2.0).sum().backward()
    with pytest.raises(ag.VJPError, match="argument 1, a float, which is no Tensor"):
        ForANumber.apply(x, 2.0).sum().backward()


def test_misuse_is_a_named_error() -> None:
    class NoBackward(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x

    class Legacy(ag.Function):
        def forward(self, x):
            return x

        def backward(self, g):
            return g

    class SavesANumber(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(2.0)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(ag.UsageError, match="static forward but no backward"):
        NoBackward.apply(x)
    np.testing.assert_array_equal(Legacy()(x).data, x.data)  # no @staticmethod: as PyTorch
    with pytest.raises(ag.UsageError, match="save_for_backward takes Tensors"):
        SavesANumber.apply(x)
    with pytest.raises(ag.UsageError, match="unexpected keyword argument 'y'"):
        _exp_class(ag.Function).apply(x, y=x)


def test_an_input_changed_in_place_after_forward_is_refused() -> None:
    x = Tensor(X.copy(), requires_grad=True)
    a = x * 1.0
    y = _scale_class(ag.Function, []).apply(a, 2.0, Tensor(np.ones(3)))
    a.data[0] = 5.0
    a.bump_version()
    with pytest.raises(ag.InplaceError):
        y.sum().backward()


def test_once_differentiable_runs_once_and_refuses_a_second_derivative() -> None:
    class NumpySin(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return Tensor(g.detach().numpy() * np.cos(x.detach().numpy()))

    x = Tensor(X.copy(), requires_grad=True)
    NumpySin.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.cos(X))
    with pytest.raises(ag.UsageError, match="once_differentiable"):
        ag.grad(NumpySin.apply(x).sum(), x, create_graph=True)


def test_a_custom_function_with_only_a_jvp_says_to_write_its_backward():
    """PyTorch's forward-mode-only Function (the forward-AD tutorial's ``Fn``): the error
    says why its jvp is not enough here."""
    class Fn(ag.Function):
        @staticmethod
        def forward(ctx, foo):
            return foo.exp()

        @staticmethod
        def jvp(ctx, gI):
            return gI

    with pytest.raises(ag.UsageError, match="jvp is not used.*forward_ad.*backward"):
        Fn.apply(ag.randn(3))

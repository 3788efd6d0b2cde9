"""PyTorch-style functions from tutorials in the corners: an input returned as it is,
saved and differentiated twice; compared with torch.autograd.Function running the same
code."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

X_DATA = np.array([0.3, -1.2, 0.7])


def _passthrough_class(base: type) -> type:
    class ScaleGradientByValue(base):
        """Returns x as it is; its gradient is declared as g x^2 (a custom rule)."""
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x * x
    return ScaleGradientByValue


def test_an_input_returned_as_it_is_stays_the_input_in_saved_tensors() -> None:
    """Under create_graph the saved x is x, not the output (which is x only by value):
    the second derivative of sum(x^2) is 2x, as PyTorch's (it was 2 x^3)."""
    torch = pytest.importorskip("torch")
    data = np.array([1.5, -2.0, 0.3])
    x = Tensor(data, requires_grad=True)
    (gx,) = ag.grad(_passthrough_class(ag.Function).apply(x).sum(), [x], create_graph=True)
    gx.sum().backward()
    tx = torch.tensor(data, requires_grad=True)
    y = _passthrough_class(torch.autograd.Function).apply(tx)
    (tgx,) = torch.autograd.grad(y.sum(), [tx], create_graph=True)
    tgx.sum().backward()
    np.testing.assert_allclose(gx.data, tgx.detach().numpy())
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())


def _defaults_class(base: type, seen: list) -> type:
    class ScaleBy(base):
        """y = x k, written with PyTorch 2's setup_context; forward has defaults."""
        @staticmethod
        def forward(x, k=2.0, flag=True):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k, flag = inputs  # every argument of forward, defaults included
            seen.append(len(ctx.needs_input_grad))
            ctx.k = k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None, None
    return ScaleBy


@pytest.mark.parametrize("extra", [(), (3.0,), (3.0, False)])
def test_setup_context_gets_the_defaults_of_forward_as_pytorch(extra: tuple) -> None:
    """setup_context's inputs and backward's gradients count the arguments left to their
    defaults, as in PyTorch (setup_context's unpacking raised ValueError)."""
    torch = pytest.importorskip("torch")
    seen: list = []
    x = Tensor(X_DATA.copy(), requires_grad=True)
    _defaults_class(ag.Function, seen).apply(x, *extra).sum().backward()
    tx = torch.tensor(X_DATA, requires_grad=True)
    _defaults_class(torch.autograd.Function, seen).apply(tx, *extra).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())
    assert seen[0] == seen[1] == 3


def _keywords_class(base: type) -> type:
    class Affine(base):
        """y = a x + b, ctx-style, with numbers a and b."""
        @staticmethod
        def forward(ctx, x, a=1.0, b=0.0):
            ctx.a, ctx.n = a, len(ctx.needs_input_grad)
            return x * a + b

        @staticmethod
        def backward(ctx, g):
            return (g * ctx.a,) + (None,) * (ctx.n - 1)
    return Affine


def test_keyword_arguments_of_apply_take_their_places() -> None:
    """MyOp.apply(x, a=2.0) passes a by position (it raised "by position")."""
    affine = _keywords_class(ag.Function)
    x = Tensor(X_DATA.copy(), requires_grad=True)
    for y in (affine.apply(x, a=3.0), affine.apply(x, 3.0, b=1.0), affine.apply(a=3.0, x=x)):
        x.grad = None
        y.sum().backward()
        np.testing.assert_allclose(x.grad.data, np.full(3, 3.0))
    np.testing.assert_allclose(affine.apply(x, 3.0, b=1.0).data, 3 * X_DATA + 1)
    with pytest.raises(ag.UsageError, match=r"keywords \['b'\] have no place"):
        _keywords_class(ag.Function).apply(x, b=1.0).sum().backward()  # a is missing
    with pytest.raises(TypeError, match="unexpected keyword argument 'c'"):
        affine.apply(x, c=1.0)
    with pytest.raises(ag.UsageError, match="multiple values for argument 'a'"):
        affine.apply(x, 2.0, a=1.0)


def test_keyword_arguments_agree_with_pytorchs_apply() -> None:
    torch = pytest.importorskip("torch")
    tx = torch.tensor(X_DATA, requires_grad=True)
    try:
        ty = _keywords_class(torch.autograd.Function).apply(tx, 3.0, b=1.0)
    except TypeError:
        pytest.skip("this torch's Function.apply takes no keywords (newer ones do)")
    ty.sum().backward()
    x = Tensor(X_DATA.copy(), requires_grad=True)
    y = _keywords_class(ag.Function).apply(x, 3.0, b=1.0)
    y.sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy())
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())

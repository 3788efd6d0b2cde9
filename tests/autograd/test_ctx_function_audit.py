"""PyTorch-style functions from tutorials in the corners: an input returned as it is,
saved and differentiated twice; compared with torch.autograd.Function running the same
code."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


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

"""PyTorch-style functions with several outputs (``return a, b``): each output is a Tensor,
``backward`` gets one gradient per output, saved outputs stand for the graph's outputs
under ``create_graph``, and integer or marked outputs are constants; compared with
torch.autograd.Function running the same code."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

X_DATA = np.array([0.3, -1.2, 0.7])


def _sinh_class(base: type) -> type:
    class Sinh(base):
        """sinh x = (e^x - e^-x) / 2, returning its two intermediates as outputs too."""
        @staticmethod
        def forward(ctx, x):
            expx, expnegx = x.exp(), (-x).exp()
            ctx.save_for_backward(expx, expnegx)
            return (expx - expnegx) / 2, expx, expnegx

        @staticmethod
        def backward(ctx, grad_out, grad_exp, grad_negexp):
            expx, expnegx = ctx.saved_tensors
            grad_input = grad_out * (expx + expnegx) / 2
            grad_input = grad_input + grad_exp * expx
            return grad_input - grad_negexp * expnegx
    return Sinh


def _sort_class(base: type, module) -> type:
    class Sort(base):
        """The sorted values and their (marked) indices."""
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort(dim=0)  # x.sort() is ambiguous here (NumPy)
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return values, idx

        @staticmethod
        def backward(ctx, g1, g2):
            x, idx = ctx.saved_tensors
            return module.zeros_like(x).index_add(0, idx, g1)
    return Sort


def test_several_outputs_and_their_second_derivative_agree_with_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x = Tensor(X_DATA.copy(), requires_grad=True)
    out, expx, expnegx = _sinh_class(ag.Function).apply(x)
    (g,) = ag.grad((out * out).sum() + expx.sum(), x, create_graph=True)
    (h,) = ag.grad((g * g).sum(), x)
    tx = torch.tensor(X_DATA, requires_grad=True)
    tout, texpx, _ = _sinh_class(torch.autograd.Function).apply(tx)
    (tg,) = torch.autograd.grad((tout * tout).sum() + texpx.sum(), tx, create_graph=True)
    (th,) = torch.autograd.grad((tg * tg).sum(), tx)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(h.data, th.numpy(), rtol=1e-13)
    assert out.grad_fn is not None and expnegx.requires_grad


def test_an_integer_or_marked_output_is_a_constant_among_several() -> None:
    torch = pytest.importorskip("torch")
    x = Tensor(X_DATA.copy(), requires_grad=True)
    values, idx = _sort_class(ag.Function, ag).apply(x)
    tx = torch.tensor(X_DATA, requires_grad=True)
    tvalues, tidx = _sort_class(torch.autograd.Function, torch).apply(tx)
    assert not idx.requires_grad and not tidx.requires_grad and values.requires_grad
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    (values * Tensor([1.0, 2.0, 3.0])).sum().backward()
    (tvalues * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())

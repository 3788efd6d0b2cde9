"""A PyTorch-style op whose ``forward``/``backward`` are ``@classmethod``s (deep-spin's
``entmax`` package writes its sparsemax, entmax and losses so, sharing helpers through
``cls``): PyTorch runs it as it runs static ones, and so does this library."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def _scaled_square_class(base: type) -> type:
    class ScaledSquare(base):
        scale = 3.0  # read through cls, as entmax's subclasses read their _gp/_p helpers

        @classmethod
        def _square(cls, x):
            return cls.scale * x * x

        @classmethod
        def forward(cls, ctx, x, shift=0.0):
            ctx.save_for_backward(x)
            return cls._square(x) + shift

        @classmethod
        def backward(cls, ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * cls.scale * x, None

    return ScaledSquare


def test_classmethod_forward_and_backward_as_in_pytorch(torch):
    x = np.random.default_rng(0).normal(size=(3, 4))
    g = np.random.default_rng(1).normal(size=(3, 4))
    results = []
    for T, base in ((torch, torch.autograd.Function), (ag, ag.Function)):
        leaf = T.tensor(x, requires_grad=True)
        op = _scaled_square_class(base)
        y = op.apply(leaf, 1.0)  # by position: PyTorch 2.x mis-binds a keyword here
        y.backward(T.tensor(g))
        results.append((y.detach().numpy(), leaf.grad.numpy()))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_classmethod_forward_without_backward_is_named(torch):
    class NoBackward(ag.Function):
        @classmethod
        def forward(cls, ctx, x):
            return x * 2

    with pytest.raises(ag.UsageError, match="static forward but no backward"):
        NoBackward.apply(ag.tensor([1.0], requires_grad=True))

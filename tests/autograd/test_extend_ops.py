"""User-defined ops (``autograd.extend.Function``) used as an engineer would."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd.extend import Function


class Scale(Function):
    """y = k x;  dx = k g."""

    def __init__(self, k: float) -> None:
        self.k = k

    def forward(self, x):
        return x * self.k

    def vjp(self, g, out, x):
        return (g * self.k,)


class SlottedScale(Scale):
    __slots__ = ("k",)


class Mul(Function):
    """y = a b;  da = g b, db = g a."""

    def forward(self, a, b):
        return a * b

    def vjp(self, g, out, a, b):
        return g * b, g * a


def _x(seed: int = 0, n: int = 3) -> ag.Tensor:
    return ag.Tensor(np.random.default_rng(seed).uniform(0.5, 2.0, n), requires_grad=True)


def test_one_instance_called_twice_in_a_chain_as_a_module() -> None:
    for op_class in (Scale, SlottedScale):
        scale = op_class(3.0)
        assert ag.gradcheck(lambda x: scale(scale(x)), _x())
        assert ag.gradgradcheck(lambda x: scale(scale(x)) * x, _x())


def test_one_instance_on_two_branches_gives_each_its_own_gradient() -> None:
    mul = Mul()
    assert ag.gradcheck(lambda x, w: mul(x, x) + mul(w, w) * mul(x, w), [_x(1), _x(2)])
    x, w = _x(1), _x(2)
    (mul(x, x) + mul(w, w)).sum().backward()
    assert np.allclose(x.grad.numpy(), 2 * x.numpy())
    assert np.allclose(w.grad.numpy(), 2 * w.numpy())


def test_an_earlier_output_of_a_reused_instance_keeps_its_graph() -> None:
    mul = Mul()
    x, w = _x(1), _x(2)
    first = mul(x, x)
    mul(w, w)  # a second call must not take over the first output's node
    (g,) = ag.grad(first.sum(), x)
    assert np.allclose(g.numpy(), 2 * x.numpy())

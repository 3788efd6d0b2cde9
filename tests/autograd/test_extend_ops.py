"""User-defined ops (``autograd.extend.Function``) used as an engineer would."""

from __future__ import annotations

import numpy as np
import pytest

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
    assert np.allclose(x.grad.numpy(), 2 * x.detach().numpy())
    assert np.allclose(w.grad.numpy(), 2 * w.detach().numpy())


def test_an_earlier_output_of_a_reused_instance_keeps_its_graph() -> None:
    mul = Mul()
    x, w = _x(1), _x(2)
    first = mul(x, x)
    mul(w, w)  # a second call must not take over the first output's node
    (g,) = ag.grad(first.sum(), x)
    assert np.allclose(g.detach().numpy(), 2 * x.detach().numpy())


class Above(Function):
    """A mask: x > c (not differentiable)."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x):
        return x > self.c

    def vjp(self, g, out, x):
        return (None,)


class Count(Function):
    """The number of elements above c, a Python int."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x):
        return int((x > self.c).sum())

    def vjp(self, g, out, x):
        return (None,)


def test_integer_and_bool_results_are_constants_as_in_pytorch() -> None:
    torch = pytest.importorskip("torch")

    class TorchAbove(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x > 1.0

        @staticmethod
        def backward(ctx, g):
            return None

    x = _x(3, 6)
    expected = TorchAbove.apply(torch.tensor(x.detach().numpy(), requires_grad=True))
    for op in (Above(1.0), Count(1.0)):
        y = op(x)
        assert y.dtype.kind in "bi"
        assert y.requires_grad is expected.requires_grad is False
        assert y.grad_fn is None


def test_results_of_integer_and_bool_ops_feed_differentiable_code() -> None:
    x = ag.Tensor([0.5, 0.8, 1.3, 1.7, 2.0], requires_grad=True)  # off the kink at 1
    assert ag.gradcheck(lambda x: Above(1.0)(x) * x * x, x)
    assert ag.gradcheck(lambda x: Above(1.0)(x).sum() * x, x)  # was a VJPError on Sum
    assert ag.gradcheck(lambda x: Count(1.0)(x) * x.sin(), x)


class Ragged(Function):
    def forward(self, x):
        return [x, x[:1]]

    def vjp(self, g, out, x):
        return (g,)


def test_a_ragged_forward_result_is_named() -> None:
    with pytest.raises(ValueError, match="Ragged.forward returned a list that is not one "
                                         "rectangular array"):
        Ragged()(_x())


def test_a_vjp_reading_what_its_op_did_not_save_is_told_which_flag() -> None:
    """A VJP that reads an input (or the output) its class declared unread gets None for
    it; the TypeError that follows is explained by a VJPError naming the flag."""
    class Square(ag.Function):
        save_inputs = False  # wrong: vjp reads x

        def forward(self, x):
            return x * x

        def vjp(self, g, out, x):
            return (2 * x * g,)

    class Exp(ag.Function):  # save_output left False, but vjp reads out
        def forward(self, x):
            return np.exp(x)

        def vjp(self, g, out, x):
            return (g * out,)

    x = ag.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    with pytest.raises(ag.VJPError, match=r"Square\.vjp raised TypeError.*None for its "
                                          r"inputs.*save_inputs = True"):
        Square()(x).sum().backward()
    with pytest.raises(ag.VJPError, match=r"Exp\.vjp .*None for its output.*save_output = True"):
        Exp()(x).sum().backward()


def test_other_type_errors_in_a_vjp_pass_through() -> None:
    class Broken(ag.Function):
        def forward(self, x):
            return x * 2

        def vjp(self, g, out, x):
            return (g + "two",)

    x = ag.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    with pytest.raises(TypeError) as info:
        Broken()(x).sum().backward()
    assert not isinstance(info.value, ag.VJPError)

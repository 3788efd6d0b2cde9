"""What a VJP is handed in an ordinary backward: the output's and the inputs' arrays it
declares (``save_output``/``save_inputs``), read from the graph, and None for the rest."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Function, Tensor


def leaf(*shape: int) -> Tensor:
    return Tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)


class _Reads(Function):
    """y = 2 x; records what its vjp was handed."""
    seen: list = []

    def forward(self, x):
        return 2 * x

    def vjp(self, g, out, x):
        type(self).seen.append((out, x))
        return (2 * g,)


class _ReadsNothing(_Reads):
    save_inputs = False


class _ReadsOutput(_Reads):
    save_output = True


@pytest.mark.parametrize("op, reads_input, reads_output", [
    (_Reads, True, False), (_ReadsNothing, False, False), (_ReadsOutput, True, True)])
def test_a_vjp_gets_the_arrays_it_declares_and_none_for_the_rest(op, reads_input,
                                                                   reads_output) -> None:
    """Nothing is copied in the forward pass: the vjp reads the output's and the inputs'
    arrays from the graph; undeclared ones arrive as None (so a vjp cannot read an array
    the in-place check does not watch)."""
    x = leaf(3)
    y = op()(x)
    op.seen = []
    y.sum().backward()
    (out, seen_x), = op.seen
    assert (seen_x is x.data) == reads_input and (seen_x is None) == (not reads_input)
    assert (out is y.data) == reads_output and (out is None) == (not reads_output)


@pytest.mark.parametrize("as_list", [True, False], ids=["list", "tuple"])
def test_a_vjp_may_return_its_gradients_as_a_list(as_list: bool) -> None:
    """One gradient per input, in a tuple or a list (a bare array for one input)."""
    class Mul(Function):
        def forward(self, x, y):
            return x * y

        def vjp(self, g, out, x, y):
            grads = (g * y, g * x)
            return list(grads) if as_list else grads

    class Square(Function):
        def forward(self, x):
            return x * x

        def vjp(self, g, out, x):
            return [g * 2 * x] if as_list else g * 2 * x

    rng = np.random.default_rng(0)
    x, y = (Tensor(rng.standard_normal(3), requires_grad=True) for _ in range(2))
    assert ag.gradcheck(Mul.apply, [x, y]) and ag.gradcheck(Square.apply, [x])


def test_a_promoted_gradient_is_cast_back_to_the_inputs_dtype_as_pytorch() -> None:
    """A vjp computing in float64 for a float32 input: .grad is float32 (PyTorch casts)."""
    torch = pytest.importorskip("torch")

    class Promotes(Function):
        def forward(self, x):
            return x * 2

        def vjp(self, g, out, x):
            return g.astype(np.float64) * 2

    class TorchPromotes(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.double() * 2

    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    tx = torch.ones(3, requires_grad=True)
    Promotes.apply(x).sum().backward()
    TorchPromotes.apply(tx).sum().backward()
    assert x.grad.dtype == np.float32 and tx.grad.dtype == torch.float32
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())

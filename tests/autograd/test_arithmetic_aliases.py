"""PyTorch's long spellings of the arithmetic ops: ``divide`` (with ``rounding_mode``),
``multiply``, ``subtract`` (with ``alpha``) and ``negative``, as functions (``out=``) and
Tensor methods with their in-place forms, as mean-average-precision code writes
``torch.divide(tp_cumsum, tp_cumsum + fp_cumsum + eps)``; values and gradients against
torch."""

import numpy as np
import pytest

import autograd as ag


def pair():
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 4)), rng.uniform(0.5, 2.0, (4,))


@pytest.mark.parametrize("call", [
    lambda T, a, b: T.divide(a, b), lambda T, a, b: a.divide(b),
    lambda T, a, b: T.divide(a, b, rounding_mode="floor"),
    lambda T, a, b: a.divide(b, rounding_mode="trunc"),
    lambda T, a, b: T.multiply(a, b), lambda T, a, b: a.multiply(b),
    lambda T, a, b: T.subtract(a, b, alpha=2), lambda T, a, b: a.subtract(b),
    lambda T, a, b: a.subtract(b, alpha=0.5),
    lambda T, a, b: T.negative(a) * b, lambda T, a, b: a.negative() * b])
def test_values_and_gradients_match_torch(torch, call):
    x, y = pair()
    runs = []
    for T in (ag, torch):
        a, b = T.tensor(x, requires_grad=True), T.tensor(y, requires_grad=True)
        out = call(T, a, b)
        out.backward(T.tensor(np.random.default_rng(1).standard_normal(out.shape)))
        runs.append([out.detach().numpy(), a.grad.numpy(), b.grad.numpy()])
    for got, want in zip(*runs):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, args", [("divide_", {}), ("divide_", {"rounding_mode": "floor"}),
                                        ("multiply_", {}), ("subtract_", {"alpha": 3}),
                                        ("negative_", None)])
def test_in_place_forms(torch, name, args):
    x, y = pair()
    results = []
    for T in (ag, torch):
        a = T.tensor(x)
        returned = getattr(a, name)() if args is None else getattr(a, name)(T.tensor(y), **args)
        assert returned is a
        results.append(a.numpy())
    np.testing.assert_allclose(*results, rtol=1e-12)


def test_out_argument(torch):
    x, y = pair()
    out = ag.empty((3, 4))
    ag.divide(ag.tensor(x), ag.tensor(y), out=out)
    np.testing.assert_allclose(out.numpy(), torch.divide(torch.tensor(x), torch.tensor(y)))

"""gradcheck used the way a PyTorch / hypothesis user checks their own functions:
outputs of very different sizes, one tensor passed twice, PyTorch's keywords."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


def test_a_large_output_does_not_drown_a_small_derivative() -> None:
    """exp at -10 and 10 (tensors()' default elements): the numeric side summed v . f
    before differencing, so the rounding of exp(10) swamped exp(-10)'s derivative."""
    x = Tensor(np.array([-9.9, 10.0, -8.0]), requires_grad=True)
    assert ag.gradcheck(ag.exp, [x], seed=2)  # failed: numeric off by 6e-7
    estimate = ag.numerical_grad(ag.exp, [x], [np.ones(3)])[0]
    (analytic,) = ag.grad(ag.exp(x), x, grad_outputs=ag.ones(3))
    np.testing.assert_allclose(estimate, analytic.numpy(), rtol=1e-8)


def test_an_output_that_shares_the_input_memory_is_read_before_the_next_step() -> None:
    """fn returning its input (or a view of it): each evaluation is kept as a copy."""
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    assert ag.gradcheck(lambda a: a, [x])
    assert ag.gradcheck(lambda a: (a[1:], a.T), [x])


def test_one_tensor_passed_twice_is_checked_as_pytorch_does() -> None:
    """gradcheck(f, (x, x)): grad() gives each place the total derivative; the numeric
    side perturbed two separate copies and found half of it (a false failure)."""
    torch = pytest.importorskip("torch")
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    tx = torch.tensor(x.numpy(), requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: a * b.sin(), (tx, tx))
    assert ag.gradcheck(lambda a, b: a * b.sin(), (x, x))
    assert ag.gradgradcheck(lambda a, b: a * b.sin(), (x, x))
    with pytest.raises(ag.GradcheckError):  # still catches a wrong VJP
        ag.gradcheck(lambda a, b: a * _wrong_sin(b), (x, x))


class _WrongSin(ag.Function):
    def forward(self, x):
        return np.sin(x)

    def vjp(self, g, out, x):
        return (g * np.cos(x) * 1.001,)


def _wrong_sin(x: Tensor) -> Tensor:
    return _WrongSin()(x)

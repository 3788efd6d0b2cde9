"""SGD on parameters larger than the piece its update goes in (``nn/optim/sgd.py``,
``_PIECE`` elements): the same values as p - lr g computed whole, the gradient unchanged,
the parameter's array updated in place, in every memory order."""
import numpy as np
import pytest

import autograd
from nn.optim import SGD
from nn.optim.sgd import _PIECE

LR, MOMENTUM = 0.01, 0.9
ROWS = 3 * _PIECE // 100 + 7  # (ROWS, 100): three pieces and a partial one


def _arrays(param_order, grad_order, seed=0):
    rng = np.random.default_rng(seed)
    p = np.array(rng.standard_normal((ROWS, 100)), np.float32, order=param_order)
    g = np.array(rng.standard_normal((ROWS, 100)), np.float32, order=grad_order)
    return p, g


@pytest.mark.parametrize("param_order, grad_order", [("C", "C"), ("F", "F"), ("F", "C")])
def test_plain_update_equals_the_whole_array_formula(param_order, grad_order):
    p0, g = _arrays(param_order, grad_order)
    p = autograd.Tensor(p0.copy(order="K"), requires_grad=True)
    p.grad = autograd.Tensor(g.copy(order="K"))
    array = p.data
    SGD([p], lr=LR).step()
    assert p.data is array  # in place
    np.testing.assert_array_equal(p.data, p0 - LR * g)
    np.testing.assert_array_equal(p.grad.data, g)  # the stored gradient is unchanged


def test_a_strided_parameter_is_updated_in_place():
    p0, g = _arrays("C", "C")
    base = np.zeros((ROWS, 200), np.float32)
    base[:, ::2] = p0
    p = autograd.Tensor(base[:, ::2], requires_grad=True)
    p.grad = autograd.Tensor(g.copy())
    SGD([p], lr=LR).step()
    np.testing.assert_array_equal(base[:, ::2], p0 - LR * g)
    np.testing.assert_array_equal(base[:, 1::2], 0)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_update_equals_the_whole_array_formula(nesterov):
    p0, g1 = _arrays("F", "F")
    g2 = _arrays("F", "F", seed=1)[1]
    p = autograd.Tensor(p0.copy(order="K"), requires_grad=True)
    opt = SGD([p], lr=LR, momentum=MOMENTUM, nesterov=nesterov)
    expected, buf = p0, None
    for g in (g1, g2):
        p.grad = autograd.Tensor(g.copy(order="K"))
        opt.step()
        buf = g.copy() if buf is None else MOMENTUM * buf + g
        expected = expected - LR * (g + MOMENTUM * buf if nesterov else buf)
        np.testing.assert_array_equal(p.grad.data, g)
    np.testing.assert_array_equal(p.data, expected)

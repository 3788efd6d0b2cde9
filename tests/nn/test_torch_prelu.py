"""F.prelu with a 0-d or one-element weight, as PyTorch accepts; result shaped as x."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.errors import ShapeError

SHAPES = [((), ()), ((), (1,)), ((4,), ()), ((4,), (1,)), ((2, 3), ()), ((2, 3), (3,)),
          ((2, 3, 4), ()), ((2, 3, 4), (1,)), ((2, 3, 4), (3,))]


def _values(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    x[np.abs(x) < 1e-3] = 0.5  # off the kink
    return x


@pytest.mark.parametrize("x_shape, w_shape", SHAPES)
def test_prelu_matches_torch(x_shape, w_shape):
    torch = pytest.importorskip("torch")
    x_np, g_np = _values(x_shape, 0), _values(x_shape, 1)
    w_np = np.random.default_rng(2).uniform(0.1, 0.5, size=w_shape)
    x, w = Tensor(x_np, requires_grad=True), Tensor(w_np, requires_grad=True)
    y = F.prelu(x, w)
    y.backward(Tensor(g_np))
    xt = torch.tensor(x_np, requires_grad=True)
    wt = torch.tensor(w_np, requires_grad=True)
    yt = torch.nn.functional.prelu(xt, wt)
    yt.backward(torch.tensor(g_np))
    assert y.shape == tuple(yt.shape) == x_shape
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad, wt.grad.numpy(), rtol=1e-12)
    assert w.grad.shape == w_shape


@pytest.mark.parametrize("x_shape, w_shape", [((), ()), ((2, 3), ()), ((2, 3, 4), (1,))])
def test_prelu_shared_slope_gradients_match_finite_differences(x_shape, w_shape):
    x = Tensor(_values(x_shape, 3), requires_grad=True)
    w = Tensor(np.full(w_shape, 0.3), requires_grad=True)
    assert gradcheck(F.prelu, [x, w])


def test_prelu_weight_of_two_axes_is_refused():
    with pytest.raises(ShapeError, match="0-d or 1-d"):
        F.prelu(np.ones((2, 3)), Tensor([[0.25]]))

"""nn.LazyLinear, PyTorch's: in_features from the first input (or the first state dict)."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import ShapeError


def _d2l_net(lib):
    """d2l.ai's current MLP: every layer lazy."""
    return lib.Sequential(lib.LazyLinear(256), lib.ReLU(), lib.LazyLinear(10))


def test_lazy_net_as_pytorchs():
    torch = pytest.importorskip("torch")
    theirs, ours = _d2l_net(torch.nn).double(), _d2l_net(nn)
    assert repr(ours) == repr(theirs)  # LazyLinear(in_features=0, out_features=256, ...)
    X = np.random.default_rng(0).random((2, 20))
    want = theirs(torch.tensor(X))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)  # Linear(in_features=20, out_features=256, ...)
    got = ours(ag.tensor(X))
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_first_call_draws_the_linear_start_and_keeps_the_parameters():
    layer = nn.LazyLinear(3, rng=0)
    weight, bias = layer.weight, layer.bias
    assert (layer.in_features, weight.shape) == (0, (3, 0))
    opt = nn.optim.SGD(layer.parameters(), lr=0.1)  # built before the first call
    layer(ag.ones((2, 5))).sum().backward()
    assert type(layer) is nn.Linear and layer.weight is weight and layer.bias is bias
    start = nn.Linear(5, 3, rng=0)
    np.testing.assert_array_equal(weight.data, start.weight.data)
    np.testing.assert_array_equal(bias.data, start.bias.data)
    opt.step()
    np.testing.assert_allclose(weight.data, start.weight.data - 0.1 * 2)
    with pytest.raises(ShapeError, match="in_features=5"):
        layer(ag.ones((2, 4)))


def test_dtype_cast_before_the_first_call_is_kept():
    layer = nn.LazyLinear(2, bias=False).float()
    assert layer(ag.ones((1, 3), dtype=ag.float32)).dtype == np.float32
    assert layer.weight.shape == (2, 3) and layer.bias is None


def test_zero_dimensional_input_says_what_is_expected():
    with pytest.raises(ShapeError, match="last axis of its first input; got a 0-d input"):
        nn.LazyLinear(2)(ag.tensor(1.0))

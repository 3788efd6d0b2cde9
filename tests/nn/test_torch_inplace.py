"""PyTorch's ``inplace=`` on activations (written into the input, as PyTorch) and on
dropout (accepted, computed out of place)."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import AutogradError

CASES = [  # (our module, torch module name, args, our functional, its extra args)
    (nn.ReLU, "ReLU", (), F.relu, ()),
    (nn.LeakyReLU, "LeakyReLU", (0.2,), F.leaky_relu, (0.2,)),
    (nn.ELU, "ELU", (0.7,), F.elu, (0.7,)),
    (nn.SiLU, "SiLU", (), F.silu, ()),
]


@pytest.mark.parametrize("ours, name, args, fn, fargs", CASES)
@pytest.mark.parametrize("inplace", [False, True])
def test_inplace_module_repr_values_and_gradients_match_torch(ours, name, args, fn, fargs,
                                                             inplace):
    torch = pytest.importorskip("torch")
    module, reference = ours(*args, inplace=inplace), getattr(torch.nn, name)(*args, inplace)
    assert repr(module) == repr(reference)
    rng = np.random.default_rng(0)
    x_np, g_np = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    for call in (module, lambda x: fn(x, *fargs, inplace)):
        x = Tensor(x_np.copy(), requires_grad=True)
        h = x * 1.0  # in place on a non-leaf, as torch allows
        y = call(h)
        y.backward(Tensor(g_np))
        xt = torch.tensor(x_np, requires_grad=True)
        yt = reference(xt * 1.0)  # in place on a non-leaf, as torch allows
        yt.backward(torch.tensor(g_np))
        np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(x.data, x_np)  # the leaf under h is untouched
        assert (y is h) == inplace  # inplace=True writes into its input, as PyTorch
        if not inplace:
            np.testing.assert_array_equal(h.data, x_np)


@pytest.mark.parametrize("p, inplace", [(0.5, False), (0.2, True)])
def test_dropout_takes_inplace_and_shows_it_as_torch(p, inplace):
    torch = pytest.importorskip("torch")
    assert repr(nn.Dropout(p, inplace)) == repr(torch.nn.Dropout(p, inplace))
    x = np.ones((50, 4))
    a = F.dropout(x, 0.5, True, True, generator=1)
    b = F.dropout(x, 0.5, True, generator=1)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(x, 1.0)


@pytest.mark.parametrize("make", [lambda v: nn.ReLU(inplace=v), lambda v: nn.ELU(1.0, v),
                                  lambda v: nn.LeakyReLU(inplace=v), lambda v: nn.SiLU(v),
                                  lambda v: nn.Dropout(0.5, v),
                                  lambda v: F.relu(np.ones(2), v),
                                  lambda v: F.dropout(np.ones(2), 0.5, True, v)])
@pytest.mark.parametrize("bad", [1, "yes", None])
def test_inplace_must_be_a_bool(make, bad):
    with pytest.raises(TypeError, match="inplace must be True or False") as info:
        make(bad)
    assert isinstance(info.value, AutogradError)


def test_inplace_accepts_numpy_bool():
    assert nn.ReLU(np.bool_(True)).inplace is True

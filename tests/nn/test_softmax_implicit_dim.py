"""Softmax and its kin called without an axis (``F.softmax(x)``, ``nn.Softmax()``): the last
axis for inputs of up to two axes, where PyTorch's implicit choice is the same; for more,
PyTorch picks dim 0 (3-d) or dim 1 (4-d and up), a deprecated rule that took the last axis
here silently, so it is an ``AxisError`` asking for ``dim=``."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import AxisError

NAMES = ["softmax", "log_softmax", "softmin"]
MODULES = {"softmax": nn.Softmax, "log_softmax": nn.LogSoftmax, "softmin": nn.Softmin}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(5,), (3, 5)])
def test_no_axis_up_to_two_axes_is_torchs_implicit_choice(name, shape):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch deprecates the implicit dim
        want = getattr(torch.nn.functional, name)(torch.tensor(x)).numpy()
        want_module = getattr(torch.nn, MODULES[name].__name__)()(torch.tensor(x)).numpy()
    np.testing.assert_allclose(getattr(F, name)(Tensor(x)).data, want, rtol=1e-12)
    np.testing.assert_allclose(MODULES[name]()(Tensor(x)).data, want_module, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape, torch_dim", [((2, 3, 4), 0), ((2, 3, 4, 5), 1)])
def test_no_axis_over_two_axes_asks_for_dim(name, shape, torch_dim):
    x = Tensor(np.random.default_rng(1).normal(size=shape))
    message = rf"{name}: no dim given for a {len(shape)}-d input.*dim={torch_dim}.*pass dim="
    with pytest.raises(AxisError, match=message):
        getattr(F, name)(x)
    with pytest.raises(AxisError, match=message):
        MODULES[name]()(x)
    for axis in (0, 1, -1):  # any axis given, by either name, is taken as given
        expected = getattr(F, name)(x, dim=axis)
        np.testing.assert_array_equal(getattr(F, name)(x, axis).data, expected.data)
        np.testing.assert_array_equal(MODULES[name](dim=axis)(x).data, expected.data)
        np.testing.assert_array_equal(MODULES[name](axis)(x).data, expected.data)


def test_reprs_and_conflicts():
    assert repr(nn.Softmax()) == "Softmax(axis=None)"  # PyTorch: Softmax(dim=None)
    assert repr(nn.Softmin()) == "Softmin(axis=None)"
    assert repr(nn.GLU()) == "GLU(axis=-1)"  # PyTorch's GLU defaults to dim=-1
    assert repr(nn.LogSoftmax(dim=1)) == "LogSoftmax(axis=1)"
    for module in (nn.Softmax, nn.LogSoftmax, nn.Softmin):
        with pytest.raises(AxisError, match="got axis=0 and dim=1"):
            module(0, dim=1)
    x = Tensor(np.ones((2, 3, 4)))
    assert F.softmax(x, temperature=2.0, dim=1).shape == (2, 3, 4)
    with pytest.raises(AxisError, match="softmax: no dim given"):
        F.softmax(x, temperature=2.0)

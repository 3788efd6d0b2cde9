"""softmax, log_softmax and softmin (functions and modules) without an axis: the last one
for 1- and 2-d input, which is PyTorch's implicit choice there too (compared with torch);
a 3-d or larger tensor must name it, since PyTorch's implicit choice there (dim 0 for 3-d,
1 for 4-d) and NumPy-style code's (the last axis) disagree."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import AxisError, Tensor, UsageError

NAMES = ["softmax", "log_softmax", "softmin"]
MODULES = {"softmax": nn.Softmax, "log_softmax": nn.LogSoftmax, "softmin": nn.Softmin}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(5,), (3, 5)])
def test_up_to_2d_the_implicit_axis_is_pytorchs(name: str, shape: tuple) -> None:
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(0).standard_normal(shape)
    with warnings.catch_warnings():  # torch warns that the implicit choice is deprecated
        warnings.simplefilter("ignore")
        expected = getattr(torch.nn.functional, name)(torch.tensor(values)).numpy()
        module = MODULES[name]()
        expected_module = {"softmax": torch.nn.Softmax, "log_softmax": torch.nn.LogSoftmax,
                           "softmin": torch.nn.Softmin}[name]()(torch.tensor(values)).numpy()
    np.testing.assert_allclose(getattr(F, name)(Tensor(values)).data, expected, rtol=1e-13)
    np.testing.assert_allclose(module(Tensor(values)).data, expected_module, rtol=1e-13)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape, torch_dim", [((2, 3, 4), 0), ((2, 3, 4, 5), 1)])
def test_3d_and_more_must_name_the_axis(name: str, shape: tuple, torch_dim: int) -> None:
    """``F.softmax(x)`` of a 3-d tensor took the last axis, where PyTorch's took dim 0:
    silently different; now named."""
    x = Tensor(np.random.default_rng(1).standard_normal(shape))
    message = rf"{name} of a {len(shape)}-d tensor needs its axis.*dim={torch_dim}"
    with pytest.raises(UsageError, match=message):
        getattr(F, name)(x)
    with pytest.raises(UsageError, match=message):
        MODULES[name]()(x)
    last = getattr(F, name)(x, dim=-1)
    np.testing.assert_allclose(last.data, getattr(F, name)(x, -1).data)
    np.testing.assert_allclose(MODULES[name](dim=torch_dim)(x).data,
                               getattr(F, name)(x, axis=torch_dim).data)


@pytest.mark.parametrize("module", [nn.Softmax, nn.LogSoftmax, nn.Softmin])
def test_axis_and_dim_together_are_refused(module: type) -> None:
    with pytest.raises(AxisError, match="pass one"):
        module(1, dim=0)
    name = {nn.Softmax: "softmax", nn.LogSoftmax: "log_softmax", nn.Softmin: "softmin"}[module]
    with pytest.raises(AxisError, match="both axis=1 and dim=0"):
        getattr(F, name)(Tensor(np.zeros((2, 3))), 1, dim=0)

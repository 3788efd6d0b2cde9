"""adaptive_max_pool1d/2d and adaptive_avg_pool1d/2d with an output size of 0 give an empty
axis, as torch 2.13 (it was a ConfigError); the gradient through the empty output is zeros
(torch's backward refuses an empty grad_output); a negative size stays a named error."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.errors import ConfigError

CASES = [(2, (2, 3, 4, 5), 0), (2, (2, 3, 4, 5), (0, 2)), (2, (3, 4, 5), (None, 0)),
         (1, (2, 3, 4), 0), (1, (3, 4), 0), (2, (0, 2, 3, 4), 0)]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("dims, shape, output_size", CASES)
def test_empty_output_as_torch(kind, dims, shape, output_size):
    torch = pytest.importorskip("torch")
    name = f"adaptive_{kind}_pool{dims}d"
    x = np.random.default_rng(0).standard_normal(shape)
    ours = getattr(F, name)(x, output_size)
    theirs = getattr(torch.nn.functional, name)(torch.tensor(x), output_size)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == x.dtype
    if kind == "max":
        _, indices = getattr(F, name)(x, output_size, return_indices=True)
        _, expected = getattr(torch.nn.functional, name)(torch.tensor(x), output_size,
                                                         return_indices=True)
        assert indices.shape == tuple(expected.shape) and indices.dtype == np.int64


@pytest.mark.parametrize("kind", ["Max", "Avg"])
def test_layers_and_gradient(kind):
    layer = getattr(nn, f"Adaptive{kind}Pool2d")((0, 3))
    x = Tensor(np.ones((1, 2, 4, 4)), requires_grad=True)
    y = layer(x)
    assert y.shape == (1, 2, 0, 3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(x.shape))


def test_negative_sizes_stay_named_errors():
    with pytest.raises(ConfigError, match="adaptive_max_pool2d: output_size must be an int "
                                          ">= 0; got -1"):
        F.adaptive_max_pool2d(np.ones((1, 1, 2, 2)), (-1, 2))
    with pytest.raises(ConfigError, match="AdaptiveAvgPool1d: output_size must be an int >= 0"):
        nn.AdaptiveAvgPool1d(-3)

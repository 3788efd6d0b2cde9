"""F.rrelu and nn.RReLU: the fixed slope (lower + upper) / 2 in evaluation, compared with
torch; in training one slope per element from the generator, the gradient being the
slope used (finite differences with a frozen generator); PyTorch's rule at 0."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both


def test_evaluation_matches_torch():
    torch = pytest.importorskip("torch")
    x = normal(0, (3, 4))
    x[0, 0] = 0.0  # the kink: both give the negative branch's slope
    run_both(torch, lambda x: F.rrelu(x, 0.1, 0.4), lambda x: torch.nn.functional.rrelu(
        x, 0.1, 0.4), [x])
    run_both(torch, nn.RReLU().eval(), torch.nn.RReLU().eval(), [x])


def test_training_draws_one_slope_per_element_from_the_generator():
    x = normal(1, (4, 5))
    y = F.rrelu(x, 0.2, 0.3, True, generator=np.random.default_rng(3))
    slopes = np.random.default_rng(3).uniform(0.2, 0.3, x.shape)
    np.testing.assert_array_equal(y.data, np.where(x > 0, x, x * slopes))
    assert F.rrelu(x.astype(np.float32), training=True).dtype == np.float32


def test_training_gradient_is_the_slope_used():
    x = Tensor(normal(2, (3, 4)), requires_grad=True)

    def fn(x):
        return F.rrelu(x, 0.1, 0.5, True, generator=np.random.default_rng(4))
    assert autograd.gradcheck(fn, [x])
    assert autograd.gradgradcheck(fn, [x])
    zero = Tensor(np.zeros(3), requires_grad=True)
    F.rrelu(zero, 0.1, 0.5, True, generator=np.random.default_rng(5)).sum().backward()
    np.testing.assert_array_equal(zero.grad, np.random.default_rng(5).uniform(0.1, 0.5, 3))


def test_training_matches_torch_in_distribution():
    torch = pytest.importorskip("torch")
    x = -np.ones(4000)
    ours = F.rrelu(x, 0.1, 0.3, True, generator=np.random.default_rng(6)).data
    theirs = torch.nn.functional.rrelu(torch.tensor(x), 0.1, 0.3, True).numpy()
    for values in (ours, theirs):  # slopes U(0.1, 0.3): mean 0.2, std 0.2 / sqrt(12)
        assert -0.3 <= values.min() and values.max() <= -0.1
        assert abs(values.mean() + 0.2) < 0.005


def test_layer():
    torch = pytest.importorskip("torch")
    assert repr(nn.RReLU()) == repr(torch.nn.RReLU())
    assert repr(nn.RReLU(0.1, 0.3, True)) == repr(torch.nn.RReLU(0.1, 0.3, True))
    x = normal(7, (2, 6))
    layer = nn.RReLU(rng=9)
    np.testing.assert_array_equal(
        layer(x).data, F.rrelu(x, training=True, generator=np.random.default_rng(9)).data)
    assert nn.train.model_generators(nn.Sequential(layer)) == {"0.rng": layer.rng}


def test_errors_are_named():
    with pytest.raises(ConfigError, match="rrelu: lower must be <= upper"):
        F.rrelu(np.ones(2), 0.5, 0.1)
    with pytest.raises(ConfigError, match="RReLU: lower must be <= upper"):
        nn.RReLU(0.5, 0.1)
    with pytest.raises(ArgumentTypeError, match="rrelu: training must be True or False"):
        F.rrelu(np.ones(2), 0.1, 0.2, "yes")

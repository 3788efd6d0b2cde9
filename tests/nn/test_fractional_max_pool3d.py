"""``F.fractional_max_pool3d`` and ``nn.FractionalMaxPool3d`` (they were missing): with the
same ``_random_samples`` (N, C, 3) the windows (u[..., 0] the depth, u[..., 1] the height,
u[..., 2] the width, as PyTorch), values, flat indices d * H * W + h * W + w and gradients
are PyTorch's, with ties and NaN; unbatched input, ``output_ratio``, ``output_size`` 0,
the module's buffer and the checks as PyTorch's."""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from test_fractional_max_pool import assert_pool_as_torch


@pytest.mark.parametrize("shape, kernel, output_size, output_ratio", [
    ((2, 3, 9, 13, 11), (2, 3, 2), (4, 7, 5), None),  # distinct sizes: the sample order
    ((3, 10, 8, 12), 3, None, (0.5, 0.7, 0.4)),  # unbatched
    ((1, 2, 8, 8, 8), 2, (6, 6, 6), None), ((2, 2, 8, 6, 9), (3, 1, 2), (1, 4, 3), None),
    ((1, 1, 6, 6, 6), 2, None, 0.5)])
def test_values_indices_and_gradients_as_torch(torch, shape, kernel, output_size,
                                               output_ratio):
    assert_pool_as_torch(torch, 3, shape, kernel, output_size, output_ratio)


def test_float32_input_as_torch(torch):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 2, 11, 9, 10)).astype(np.float32)
    samples = rng.random((2, 2, 3)).astype(np.float32)
    out = F.fractional_max_pool3d(ag.tensor(x), 2, output_size=(7, 5, 6),
                                  _random_samples=ag.tensor(samples))
    want = torch.nn.functional.fractional_max_pool3d(
        torch.tensor(x), 2, output_size=(7, 5, 6), _random_samples=torch.tensor(samples))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), want.numpy())


@pytest.mark.parametrize("output_size", [(0, 2, 2), (2, 0, 2), 0])
def test_output_size_zero_is_empty_as_torch(torch, output_size):
    x = np.random.default_rng(4).normal(size=(2, 3, 5, 5, 5))
    samples = np.random.default_rng(5).random((2, 3, 3))
    out, idx = F.fractional_max_pool3d(ag.tensor(x), 2, output_size, None, True,
                                       ag.tensor(samples))
    want, want_idx = torch.nn.functional.fractional_max_pool3d(
        torch.tensor(x), 2, output_size, None, True, torch.tensor(samples))
    assert out.shape == tuple(want.shape) and idx.shape == tuple(want_idx.shape)


def test_module_as_torch(torch):
    x = np.random.default_rng(1).normal(size=(2, 3, 8, 8, 8))
    samples = np.random.default_rng(2).random((2, 3, 3))
    ours = nn.FractionalMaxPool3d(3, output_ratio=0.5, _random_samples=ag.tensor(samples))
    theirs = torch.nn.FractionalMaxPool3d(3, output_ratio=0.5,
                                          _random_samples=torch.tensor(samples))
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    assert isinstance(ours, nn.modules.pooling.FractionalMaxPool3d)
    np.testing.assert_array_equal(ours(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())
    drawn = nn.FractionalMaxPool3d((2, 2, 2), output_size=5, return_indices=True)
    out, indices = drawn(ag.tensor(x))  # windows drawn from nn's default generator
    assert out.shape == (2, 3, 5, 5, 5) and indices.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), np.take_along_axis(
        x.reshape(2, 3, -1), indices.numpy().reshape(2, 3, -1), -1).reshape(2, 3, 5, 5, 5))


def test_indices_unpool_as_torch(torch):
    x = np.random.default_rng(6).normal(size=(1, 2, 6, 7, 9))
    samples = np.random.default_rng(7).random((1, 2, 3))
    out, idx = F.fractional_max_pool3d(ag.tensor(x), 2, (3, 4, 5), None, True,
                                       ag.tensor(samples))
    want, want_idx = torch.nn.functional.fractional_max_pool3d(
        torch.tensor(x), 2, (3, 4, 5), None, True, torch.tensor(samples))
    np.testing.assert_array_equal(
        F.max_unpool3d(out, idx, 2, output_size=(6, 7, 9)).numpy(),
        torch.nn.functional.max_unpool3d(want, want_idx, 2, output_size=(6, 7, 9)).numpy())


def test_checks_as_torch(torch):
    for lib in (nn, torch.nn):
        with pytest.raises(ValueError, match="requires specifying either an output size"):
            lib.FractionalMaxPool3d(2)
        with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
            lib.FractionalMaxPool3d(2, output_size=3, output_ratio=0.5)
        with pytest.raises(ValueError, match="output_ratio must be"):
            lib.FractionalMaxPool3d(2, output_ratio=1.5)
    x = ag.ones(1, 1, 5, 5, 5)
    for output_size, kernel in [(4, 2), ((5, 4, 4), 1), ((4, 4, 5), 1)]:  # 3-d: out + k <= in
        with pytest.raises(RuntimeError, match="too large relative to input"):
            torch.nn.functional.fractional_max_pool3d(torch.ones(1, 1, 5, 5, 5), kernel,
                                                      output_size)
        with pytest.raises(nn.errors.ConfigError, match="needs an input of at least"):
            F.fractional_max_pool3d(x, kernel, output_size)
    with pytest.raises(nn.errors.ConfigError, match="one int per spatial axis"):
        F.fractional_max_pool3d(x, 2, output_size=(2, 2))
    with pytest.raises(nn.errors.ConfigError, match="one int per spatial axis"):
        F.fractional_max_pool3d(x, (2, 2), output_size=2)
    with pytest.raises(nn.errors.ConfigError, match="tuple of 3 numbers"):
        F.fractional_max_pool3d(x, 2, output_ratio=(0.5, 0.5))
    with pytest.raises(nn.errors.ConfigError, match=r"shape \(1, 1, 3\)"):
        F.fractional_max_pool3d(x, 2, output_size=2, _random_samples=ag.ones(1, 1, 2) / 2)
    with pytest.raises(nn.errors.ConfigError, match="expected 4-d"):
        F.fractional_max_pool3d(ag.ones(5, 5, 5), 2, output_size=2)


def test_with_indices_spelling_as_torch(torch) -> None:
    """PyTorch's ``F.fractional_max_pool3d_with_indices``: the pair, as the 2-d one."""
    rng = np.random.default_rng(3)
    x, samples = rng.normal(size=(1, 2, 5, 6, 4)), rng.random((1, 2, 3))
    values, indices = F.fractional_max_pool3d_with_indices(
        ag.tensor(x), 2, output_size=(3, 4, 2), _random_samples=ag.tensor(samples))
    t_values, t_indices = torch.nn.functional.fractional_max_pool3d_with_indices(
        torch.tensor(x), 2, output_size=(3, 4, 2), _random_samples=torch.tensor(samples))
    np.testing.assert_array_equal(values.numpy(), t_values.numpy())
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())

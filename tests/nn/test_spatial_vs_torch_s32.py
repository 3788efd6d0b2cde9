"""Found by fuzzing the spatial layers' values against PyTorch (session 32): antialiased
interpolation blended along an axis whose size the scale factor kept (PyTorch, and ours
without antialiasing, copy it), and fractional max pooling to an output size of 0 failed
in NumPy (PyTorch returns an empty result)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("scale", [(1.3, 2.0), (2.0, 1.2), (1.1, 1.2)])
def test_antialias_copies_an_axis_whose_size_is_kept(torch, mode, scale):
    """Values as PyTorch's; the gradient against finite differences (PyTorch's bicubic
    backward copies the gradient along such an axis while its forward does not)."""
    x = np.arange(24.0).reshape(1, 1, 4, 6) ** 1.5
    ours = F.interpolate(ag.tensor(x), scale_factor=scale, mode=mode, antialias=True)
    theirs = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=scale, mode=mode,
                                             antialias=True)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(lambda t: F.interpolate(t, scale_factor=scale, mode=mode,
                                                antialias=True),
                        [ag.tensor(x, requires_grad=True)])


@pytest.mark.parametrize("sizes", [dict(output_ratio=(0.5, 0.3)), dict(output_size=(2, 0)),
                                   dict(output_size=(0, 0))])
def test_fractional_max_pool_to_an_empty_output_as_torch(torch, sizes):
    x = np.random.default_rng(1).normal(size=(1, 1, 4, 3))
    samples = np.full((1, 1, 2), 0.5)
    ours_x = ag.tensor(x, requires_grad=True)
    ours = F.fractional_max_pool2d(ours_x, 1, _random_samples=ag.tensor(samples), **sizes)
    theirs = torch.nn.functional.fractional_max_pool2d(
        torch.tensor(x), 1, _random_samples=torch.tensor(samples), **sizes)
    assert ours.shape == tuple(theirs.shape)
    ours.sum().backward()
    np.testing.assert_array_equal(ours_x.grad.numpy(), np.zeros_like(x))
    if "output_size" in sizes:
        module = nn.FractionalMaxPool2d(1, _random_samples=ag.tensor(samples), **sizes)
        assert module(ag.tensor(x)).shape == tuple(theirs.shape)

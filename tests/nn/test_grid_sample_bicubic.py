"""F.grid_sample with mode="bicubic" (4-d input): values and gradients with respect to the
input and the grid as torch 2.13's for every padding mode and align_corners, finite
differences, and the named error on volumes (PyTorch's bicubic is 2-d only)."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradcheck
from nn.errors import ConfigError

from torch_compare_helpers import normal, run_both

SHAPES = [  # (input shape, grid shape)
    ((2, 3, 4, 5), (2, 3, 4, 2)),
    ((1, 1, 1, 3), (1, 2, 2, 2)),  # an axis of one pixel
    ((1, 2, 6, 6), (1, 5, 3, 2)),
]


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("shape, grid_shape", SHAPES)
def test_bicubic_values_and_gradients_match_torch(shape, grid_shape, padding_mode,
                                                   align_corners):
    torch = pytest.importorskip("torch")
    grid = normal(2, grid_shape) * 1.7  # points inside, outside and far outside
    grid.flat[::5], grid.flat[1::7] = 1.0, -1.0  # on the edges
    run_both(torch, lambda x, g: F.grid_sample(x, g, "bicubic", padding_mode, align_corners),
             lambda x, g: torch.nn.functional.grid_sample(
                 x, g, "bicubic", padding_mode, align_corners), [normal(1, shape), grid])


def test_bicubic_rotation_of_a_filter_matches_torch_through_theta():
    torch = pytest.importorskip("torch")

    def ours(x, theta):
        return F.grid_sample(x, F.affine_grid(theta, (2, 3, 5, 5), align_corners=False),
                             mode="bicubic", align_corners=False)

    def theirs(x, theta):
        grid = torch.nn.functional.affine_grid(theta, (2, 3, 5, 5), align_corners=False)
        return torch.nn.functional.grid_sample(x, grid, mode="bicubic", align_corners=False)

    angles = np.array([0.3, 2.0])
    theta = np.stack([[[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0]]
                      for a in angles])
    run_both(torch, ours, theirs, [normal(3, (2, 3, 5, 5)), theta])


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_bicubic_gradients_match_finite_differences(padding_mode):
    x = Tensor(normal(7, (1, 2, 3, 4)), requires_grad=True)
    grid = Tensor(normal(8, (1, 2, 2, 2)) * 0.8, requires_grad=True)
    assert gradcheck(lambda a, g: F.grid_sample(a, g, "bicubic", padding_mode,
                                                align_corners=True), [x, grid])


def test_bicubic_on_volumes_raises_a_named_error():
    with pytest.raises(ConfigError, match="bicubic.*4-d"):
        F.grid_sample(np.zeros((1, 1, 2, 3, 4)), np.zeros((1, 2, 2, 2, 3)), mode="bicubic")

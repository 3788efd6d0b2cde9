"""F.affine_grid and F.grid_sample (2-d and 3-d): values and gradients, with respect to the
input, the grid and theta, as torch 2.13's for every mode, padding mode and
align_corners; finite differences; and named errors for bad input."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.errors import DTypeError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both

SHAPES = [  # (input shape, grid shape)
    ((2, 3, 4, 5), (2, 3, 4, 2)),
    ((1, 2, 3, 4, 2), (1, 2, 3, 2, 3)),
    ((1, 1, 1, 3), (1, 2, 2, 2)),  # an axis of one pixel
]


@pytest.mark.filterwarnings("ignore:Since version 1.3.0")  # torch's, on one-pixel axes
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 2, 1, 3), (1, 1, 1, 3)])
def test_affine_grid_matches_torch(size, align_corners):
    torch = pytest.importorskip("torch")
    dims = len(size) - 2
    run_both(torch, lambda t: F.affine_grid(t, size, align_corners),
             lambda t: torch.nn.functional.affine_grid(t, size, align_corners=align_corners),
             [normal(0, (size[0], dims, dims + 1))])


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("shape, grid_shape", SHAPES)
def test_bilinear_values_and_gradients_match_torch(shape, grid_shape, padding_mode,
                                                    align_corners):
    torch = pytest.importorskip("torch")
    grid = normal(2, grid_shape) * 1.7  # points inside, outside and far outside
    grid.flat[::5], grid.flat[1::7] = 1.0, -1.0  # on the edges: the derivative's kinks
    run_both(torch, lambda x, g: F.grid_sample(x, g, "bilinear", padding_mode, align_corners),
             lambda x, g: torch.nn.functional.grid_sample(
                 x, g, "bilinear", padding_mode, align_corners), [normal(1, shape), grid])


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("shape, grid_shape", SHAPES[:2])
def test_nearest_matches_torch_and_gives_the_grid_a_zero_gradient(shape, grid_shape,
                                                                   padding_mode,
                                                                   align_corners):
    torch = pytest.importorskip("torch")
    grid = normal(4, grid_shape) * 1.7
    grid.flat[::3] = 0.0  # a pixel boundary with align_corners=False on even axes: ties
    run_both(torch, lambda x: F.grid_sample(x, Tensor(grid), "nearest", padding_mode,
                                            align_corners),
             lambda x: torch.nn.functional.grid_sample(
                 x, torch.tensor(grid), "nearest", padding_mode, align_corners),
             [normal(3, shape)])
    x, g = Tensor(normal(3, shape), requires_grad=True), Tensor(grid, requires_grad=True)
    F.grid_sample(x, g, "nearest", padding_mode, align_corners).sum().backward()
    tg = torch.tensor(grid, requires_grad=True)
    torch.nn.functional.grid_sample(torch.tensor(normal(3, shape)), tg, "nearest",
                                    padding_mode, align_corners).sum().backward()
    np.testing.assert_array_equal(g.grad.data, tg.grad.numpy())  # zeros, not None


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_an_infinite_coordinate_reads_the_edge_in_border_mode_as_torch(mode):
    """The clip to the edge selects (it multiplied u by a 0/1 mask: inf * 0 = NaN, and
    the pixel read as outside, 0)."""
    torch = pytest.importorskip("torch")
    grid = normal(5, (1, 2, 2, 2)) * 0.5
    grid[0, 0, 0] = [np.inf, -np.inf]
    grid[0, 1, 1, 1] = np.inf
    run_both(torch, lambda x, g: F.grid_sample(x, g, mode, "border", False),
             lambda x, g: torch.nn.functional.grid_sample(x, g, mode, "border", False),
             [normal(3, (1, 2, 3, 4)), grid])


def test_the_spatial_transformer_pair_matches_torch_through_theta():
    torch = pytest.importorskip("torch")

    def ours(x, theta):
        return F.grid_sample(x, F.affine_grid(theta, (2, 2, 3, 4)), padding_mode="border")

    def theirs(x, theta):
        grid = torch.nn.functional.affine_grid(theta, (2, 2, 3, 4), align_corners=False)
        return torch.nn.functional.grid_sample(x, grid, padding_mode="border",
                                               align_corners=False)

    run_both(torch, ours, theirs, [normal(5, (2, 2, 5, 5)), normal(6, (2, 2, 3))])


@pytest.mark.parametrize("padding_mode", ["zeros", "reflection"])
def test_gradients_match_finite_differences(padding_mode):
    x = Tensor(normal(7, (1, 2, 3, 4)), requires_grad=True)
    grid = Tensor(normal(8, (1, 2, 2, 2)) * 0.8, requires_grad=True)
    assert gradcheck(lambda a, g: F.grid_sample(a, g, padding_mode=padding_mode,
                                                align_corners=True), [x, grid])
    theta = Tensor(normal(9, (1, 3, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.affine_grid(t, (1, 1, 2, 2, 3)), [theta])


def test_float32_stays_float32():
    x, grid = normal(10, (1, 1, 3, 3)).astype(np.float32), normal(11, (1, 2, 2, 2))
    out = F.grid_sample(x, grid.astype(np.float32), padding_mode="reflection")
    assert out.dtype == np.float32
    assert F.affine_grid(np.eye(2, 3, dtype=np.float32)[None], (1, 1, 2, 2)).dtype == np.float32


X, G = np.zeros((2, 3, 4, 5)), np.zeros((2, 3, 4, 2))


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.grid_sample(X, G, mode="cubic"), ConfigError, "mode must be one of"),
    (lambda: F.grid_sample(X, G, padding_mode="circular"), ConfigError, "padding_mode"),
    (lambda: F.grid_sample(X, G[:1]), ShapeError, "grid must be"),
    (lambda: F.grid_sample(X, np.zeros((2, 3, 4, 3))), ShapeError, "grid must be"),
    (lambda: F.grid_sample(X[0], G[0]), ShapeError, "2-d or 3-d"),
    (lambda: F.grid_sample(np.zeros((2, 3, 0, 5)), G), ShapeError, "must not be empty"),
    (lambda: F.grid_sample(X, G.astype(np.float32)), DTypeError, "of one dtype"),
    (lambda: F.grid_sample(X, G, align_corners=1), ArgumentTypeError, "align_corners"),
    (lambda: F.affine_grid(np.zeros((2, 2, 3)), (2, 3, 4)), ShapeError, "4 entries"),
    (lambda: F.affine_grid(np.zeros((2, 2, 3)), (2, 3, 4, 5, 6)), ShapeError, r"\(2, 3, 4\)"),
    (lambda: F.affine_grid(np.zeros((2, 2, 3)), (3, 3, 4, 5)), ShapeError, r"\(3, 2, 3\)"),
    (lambda: F.affine_grid(np.zeros((2, 2, 3)), (2, 3, 0, 5)), ConfigError, "positive"),
    (lambda: F.affine_grid(np.zeros((2, 2, 3), int), (2, 3, 4, 5)), DTypeError, "floating"),
    (lambda: F.affine_grid(np.zeros((2, 2, 3)), 4), ArgumentTypeError, "tuple of ints"),
])
def test_bad_input_raises_named_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()

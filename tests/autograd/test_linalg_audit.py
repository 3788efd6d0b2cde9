"""Linear algebra at its edges, against NumPy and PyTorch: batch axes that cannot
broadcast, PyTorch's keyword spellings."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError


@pytest.mark.parametrize("a_shape, b_shape", [((2, 3, 3), (4, 3, 1)),
                                              ((2, 3, 3, 3), (2, 3, 3))])
def test_solve_batch_axes_that_do_not_broadcast_are_a_shape_error(a_shape, b_shape) -> None:
    with pytest.raises(ValueError):  # NumPy refuses them too
        np.linalg.solve(np.ones(a_shape), np.ones(b_shape))
    with pytest.raises(ShapeError, match=r"solve: .*batch axes .*cannot broadcast"):
        ag.solve(np.ones(a_shape), np.ones(b_shape))


def test_diagonal_takes_torchs_dim1_and_dim2() -> None:
    torch = pytest.importorskip("torch")
    x = np.arange(24.0).reshape(2, 3, 4)
    expected = torch.tensor(x).diagonal(1, dim1=-1, dim2=0).numpy()
    np.testing.assert_array_equal(ag.Tensor(x).diagonal(1, dim1=-1, dim2=0).data, expected)
    np.testing.assert_array_equal(ag.diagonal(x, offset=1, dim1=-1, dim2=0).data, expected)
    batched = torch.tensor(x[:, :3, :3]).diagonal(dim1=-2, dim2=-1).numpy()
    np.testing.assert_array_equal(ag.Tensor(x[:, :3, :3]).diagonal(dim1=-2, dim2=-1).data,
                                  batched)
    with pytest.raises(ag.UsageError, match="axis1=1 and dim1=2"):
        ag.Tensor(x).diagonal(0, 1, dim1=2)


def test_tensordot_takes_torchs_dims() -> None:
    torch = pytest.importorskip("torch")
    a, b = np.arange(24.0).reshape(2, 3, 4), np.arange(12.0).reshape(3, 4)
    for dims in [2, ([1, 2], [0, 1])]:
        expected = torch.tensordot(torch.tensor(a), torch.tensor(b), dims=dims).numpy()
        np.testing.assert_array_equal(ag.tensordot(a, b, dims=dims).data, expected)
    with pytest.raises(ag.UsageError, match="axes=2 and dims=2"):
        ag.tensordot(a, b, 2, dims=2)


def test_solve_reads_b_as_matrices_unless_1d_as_numpy() -> None:
    """Where NumPy and PyTorch disagree (b of shape a.shape[:-1]), NumPy wins, as the
    README says; the batch-of-vectors form is written with b[..., None]."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 3, 3)) + 3 * np.eye(3), rng.standard_normal((3, 3))
    np.testing.assert_allclose(ag.solve(a, b).data, np.linalg.solve(a, b))
    vectors = ag.solve(a, b[..., None])[..., 0].data
    np.testing.assert_allclose(np.einsum("bij,bj->bi", a, vectors), b)

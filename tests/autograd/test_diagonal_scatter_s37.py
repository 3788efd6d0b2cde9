"""diagonal_scatter, function and method, as PyTorch's: a copy of x with src in place of
x.diagonal(offset, dim1, dim2); expected values from NumPy writes, gradients by gradcheck."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError


def _expected(x, src, offset, dim1, dim2):
    out = x.copy()
    np.einsum("...i->...i", np.diagonal(out, offset, dim1, dim2))  # (a read-only view)
    moved = np.moveaxis(out, (dim1, dim2), (-2, -1))  # a writable view of out
    n = min(moved.shape[-2] - max(-offset, 0), moved.shape[-1] - max(offset, 0))
    rows = np.arange(max(n, 0)) + max(-offset, 0)
    moved[..., rows, rows + offset] = src
    return out


@pytest.mark.parametrize("shape, offset, dim1, dim2", [
    ((3, 4), 0, 0, 1), ((3, 4), 1, 0, 1), ((3, 4), -1, 0, 1), ((3, 4), 0, 1, 0),
    ((2, 3, 4), 0, 1, 2), ((2, 3, 4), 1, 0, 2), ((2, 3, 4), -2, -1, -2)])
def test_diagonal_scatter_matches_a_numpy_write_and_gradchecks(shape, offset, dim1, dim2):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    src = rng.normal(size=np.diagonal(x, offset, dim1, dim2).shape)
    ours = ag.diagonal_scatter(ag.tensor(x), ag.tensor(src), offset, dim1, dim2)
    np.testing.assert_array_equal(ours.numpy(), _expected(x, src, offset, dim1, dim2))
    a, b = ag.tensor(x, requires_grad=True), ag.tensor(src, requires_grad=True)
    assert ag.gradcheck(lambda a, b: a.diagonal_scatter(b, offset, dim1, dim2) ** 2, [a, b])


def test_diagonal_scatter_leaves_its_input_alone_and_checks_src():
    x = ag.zeros(3, 3)
    y = x.diagonal_scatter(ag.ones(3))
    assert not x.numpy().any() and np.array_equal(y.numpy(), np.eye(3))
    with pytest.raises(ShapeError, match="diagonal's shape"):
        x.diagonal_scatter(ag.ones(2))

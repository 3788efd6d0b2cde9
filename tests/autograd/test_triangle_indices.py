"""``tril_indices`` / ``triu_indices``: PyTorch's (2, N) int64 index pairs of a row x col
matrix's lower / upper triangle (DLRM's pairwise interactions read ``Z[:, li, lj]``)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError, UsageError

SIZES = [(4, 4), (3, 5), (5, 2), (0, 3), (1, 1)]


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("offset", [-6, -1, 0, 1, 2, 7])
def test_triangle_indices_match_pytorch(name, offset) -> None:
    torch = pytest.importorskip("torch")
    for rows, cols in SIZES:
        want = getattr(torch, name)(rows, cols, offset)
        got = getattr(ag, name)(rows, cols, offset)
        assert isinstance(got, ag.Tensor) and got.dtype == np.int64 and got.shape == want.shape
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_triangle_indices_pick_the_triangle() -> None:
    z = ag.arange(12.0).reshape(3, 4)
    li, lj = ag.tril_indices(3, 4, offset=-1)
    np.testing.assert_array_equal(z[li, lj].numpy(), z.numpy()[np.tril_indices(3, -1, 4)])
    assert ag.triu_indices(3, 3, dtype=ag.int32).dtype == np.int32


def test_triangle_indices_refuse_bad_arguments() -> None:
    with pytest.raises(ShapeError, match="triu_indices: row"):
        ag.triu_indices(-1, 3)
    with pytest.raises(UsageError, match="tril_indices: dtype"):
        ag.tril_indices(3, 3, dtype=ag.float64)
    with pytest.raises(UsageError, match="device"):
        ag.tril_indices(3, 3, device="cuda")

"""``triu_indices(row, col, offset)`` and ``tril_indices`` against PyTorch (they were
missing: a graph autoencoder lists its node pairs with ``triu_indices(n, n, 1)``)."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError


@pytest.mark.parametrize("name", ["triu_indices", "tril_indices"])
@pytest.mark.parametrize("row, col, offset", [(4, 4, 0), (4, 4, 1), (3, 5, -1), (5, 2, 2),
                                              (0, 3, 0), (3, 3, 5), (3, 3, -5)])
def test_triangle_indices_match_torch(torch, name, row, col, offset):
    ours = getattr(ag, name)(row, col, offset)
    theirs = getattr(torch, name)(row, col, offset)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == np.int64 and ours.shape == tuple(theirs.shape)
    assert getattr(ag, name)(row, col, offset=offset, dtype=ag.int32).dtype == np.int32


def test_triangle_indices_name_numpys_argument_order():
    with pytest.raises(UsageError, match="offset second"):
        ag.triu_indices(4)
    with pytest.raises(UsageError, match="are ints"):
        ag.tril_indices(4, 4.0)


def test_triangle_indices_pick_the_triangle() -> None:
    z = ag.arange(12.0).reshape(3, 4)
    li, lj = ag.tril_indices(3, 4, offset=-1)
    np.testing.assert_array_equal(z[li, lj].numpy(), z.numpy()[np.tril_indices(3, -1, 4)])
    assert ag.triu_indices(3, 3, dtype=ag.int32).dtype == np.int32


def test_triangle_indices_refuse_bad_arguments() -> None:
    with pytest.raises(UsageError, match="triu_indices: row"):
        ag.triu_indices(-1, 3)
    with pytest.raises(UsageError, match="tril_indices: dtype"):
        ag.tril_indices(3, 3, dtype=ag.float64)
    with pytest.raises(UsageError, match="device"):
        ag.tril_indices(3, 3, device="cuda")

"""``full(size, fill_value)`` without a dtype takes the fill value's kind, as PyTorch (and
NumPy's ``np.full``): ``full((4, 1), PAD)`` of an int pad id is int64, of ``True`` bool.
It was always float64, so ``cat([token_ids, full((n, 1), PAD)], 1)`` gave float ids that
``nn.Embedding`` then refused (a padded tagger's extra pad column)."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("fill", [0, 7, True, False, 2.5, -1.0])
def test_full_takes_the_fill_values_kind_as_torch(torch, fill) -> None:
    ours, theirs = ag.full((2, 3), fill), torch.full((2, 3), fill)
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_a_given_dtype_still_wins_and_ids_join_ids(torch) -> None:
    assert ag.full((2,), 1, dtype=ag.float32).dtype == np.float32
    ids = ag.cat([ag.tensor([[3, 4]]), ag.full((1, 1), 0)], dim=1)
    theirs = torch.cat([torch.tensor([[3, 4]]), torch.full((1, 1), 0)], dim=1)
    assert ids.dtype == np.int64 and theirs.dtype == torch.int64
    np.testing.assert_array_equal(ids.data, theirs.numpy())

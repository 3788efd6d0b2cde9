"""``x.size()`` joined with a tuple, sliced or repeated stays a ``Size``, as a
``torch.Size`` does, so PixelCNN++'s ``torch.FloatTensor(tensor.size() + (n,))`` is a
tensor of that shape (a plain tuple there is data), compared with PyTorch."""

import numpy as np
import pytest

import autograd as ag
from autograd.size_tuple import Size

OPERATIONS = [
    ("size + tuple", lambda s: s + (2,)),
    ("tuple + size", lambda s: (2,) + s),
    ("size + size", lambda s: s + s),
    ("a slice", lambda s: s[1:]),
    ("size * 2", lambda s: s * 2),
    ("2 * size", lambda s: 2 * s),
]


@pytest.mark.parametrize("name, operation", OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_size_arithmetic_gives_a_size_as_torch(torch, name, operation) -> None:
    ours = operation(ag.zeros(2, 3, 4).size())
    theirs = operation(torch.zeros(2, 3, 4).size())
    assert isinstance(ours, Size) and isinstance(theirs, torch.Size)
    assert tuple(ours) == tuple(theirs) and repr(ours) == repr(tuple(theirs))


def test_legacy_constructor_reads_a_joined_size_as_a_shape(torch) -> None:
    labels = np.array([[0, 2], [1, 0]])
    ours = ag.FloatTensor(ag.tensor(labels).size() + (3,)).zero_()
    theirs = torch.FloatTensor(torch.tensor(labels).size() + (3,)).zero_()
    assert ours.shape == tuple(theirs.shape) == (2, 2, 3)
    ours.scatter_(2, ag.tensor(labels).unsqueeze(-1), 1.)
    theirs.scatter_(2, torch.tensor(labels).unsqueeze(-1), 1.)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_an_index_is_still_an_int_and_a_plain_tuple_is_data(torch) -> None:
    size = ag.zeros(2, 3).size()
    assert type(size[0]) is int
    assert ag.FloatTensor((2, 3)).shape == tuple(torch.FloatTensor((2, 3)).shape) == (2,)

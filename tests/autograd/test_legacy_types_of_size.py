"""``torch.BoolTensor(x.size()).fill_(0)`` (deepspeech.pytorch's MaskConv) and
``FloatTensor(x.size())`` make a tensor of x's size in PyTorch, since ``x.size()`` is a
``torch.Size``; here ``x.size()`` was a plain tuple, read as data: a 1-d tensor of the
sizes, silently. ``x.size()`` now returns a ``Size`` (a tuple, equal to ``x.shape``) that
the legacy constructors read as a size; a plain tuple stays data, as in PyTorch."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("name", ["BoolTensor", "FloatTensor", "LongTensor", "IntTensor",
                                  "DoubleTensor"])
def test_legacy_constructor_of_a_size_matches_pytorch(torch, name):
    x, t = ag.zeros(2, 4, 3), torch.zeros(2, 4, 3)
    ours = getattr(ag, name)(x.size()).fill_(0)
    theirs = getattr(torch, name)(t.size()).fill_(0)
    assert ours.shape == tuple(theirs.shape) == (2, 4, 3)
    assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    data = getattr(ag, name)((2, 4, 3))  # a plain tuple is data, as in PyTorch
    np.testing.assert_array_equal(data.numpy(), getattr(torch, name)((2, 4, 3)).numpy())


def test_size_is_a_tuple_equal_to_the_shape():
    x = ag.zeros(2, 3)
    size = x.size()
    assert isinstance(size, tuple) and size == x.shape == (2, 3) and repr(size) == "(2, 3)"
    assert x.size(1) == 3 and x.view(x.size()).shape == (2, 3)
    assert np.zeros(size).shape == (2, 3)
    assert pickle.loads(pickle.dumps(size)) == (2, 3)



def test_tensor_of_a_size_is_its_data(torch):
    """``torch.tensor(x.size())`` is the sizes as data in both libraries."""
    ours = ag.tensor(ag.zeros(2, 3).size())
    np.testing.assert_array_equal(ours.numpy(), torch.tensor(torch.zeros(2, 3).size()).numpy())

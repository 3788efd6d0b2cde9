"""``torch.ByteTensor(w.size()).fill_(1)`` is how PackNet (and other pruning code of its
time) makes the per-task masks of a layer's weights, ``ByteTensor([1, 0])`` a uint8 tensor
of data; here ``autograd.ByteTensor`` was a MissingNameError. It is now a legacy
constructor as its neighbours (uint8)."""

from __future__ import annotations

import numpy as np

import autograd as ag


def test_byte_tensor_of_a_size_is_a_uint8_mask_as_pytorchs(torch):
    w, tw = ag.zeros(3, 4), torch.zeros(3, 4)
    ours = ag.ByteTensor(w.size()).fill_(1)
    theirs = torch.ByteTensor(tw.size()).fill_(1)
    assert ours.dtype == np.uint8 and str(theirs.dtype) == "torch.uint8"
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours[1, 2], theirs[1, 2] = 0, 0
    np.testing.assert_array_equal(ours.eq(0).numpy(), theirs.eq(0).numpy())
    assert isinstance(ours, ag.ByteTensor) and not isinstance(w, ag.ByteTensor)


def test_byte_tensor_of_data_and_of_sizes(torch):
    np.testing.assert_array_equal(ag.ByteTensor([1, 0, 2]).numpy(),
                                  torch.ByteTensor([1, 0, 2]).numpy())
    assert ag.ByteTensor(2, 3).shape == tuple(torch.ByteTensor(2, 3).shape)

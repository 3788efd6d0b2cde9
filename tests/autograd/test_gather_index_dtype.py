"""``gather`` with an index that is not integer says so in ``gather``'s name and says to
write ``index.long()``: a DQN's ``q.gather(1, actions)`` with actions stored in a float
buffer (``torch.zeros(...)``, CleanRL's ``b_actions`` before ``.long()``) was a DTypeError
from ``take_along_axis``, a name the program never wrote. PyTorch refuses it too."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("dtype", ["float64", "float32", "bool"])
def test_gather_refuses_an_index_that_is_not_integer_as_pytorch_does(torch, dtype) -> None:
    q = np.arange(6.0).reshape(3, 2)
    index = np.array([[0], [1], [0]]).astype(dtype)
    with pytest.raises(ag.DTypeError, match=r"gather: .*index\.long\(\)"):
        ag.tensor(q).gather(1, ag.tensor(index))
    with pytest.raises(ag.DTypeError, match=r"gather: "):
        ag.gather(ag.tensor(q), 1, index)
    with pytest.raises(RuntimeError, match="int32/int64"):
        torch.tensor(q).gather(1, torch.tensor(index))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_indices_gather_as_pytorch_s(torch, dtype) -> None:
    q = np.arange(6.0).reshape(3, 2)
    index = np.array([[0], [1], [0]])
    ours = ag.tensor(q).gather(1, ag.tensor(index.astype(dtype)))
    theirs = torch.tensor(q).gather(1, torch.tensor(index))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())

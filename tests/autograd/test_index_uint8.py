"""An index of dtype uint8 (``mask.byte()``): PyTorch reads it as a boolean mask (with a
deprecation warning), NumPy as integer positions, and ``x[mask.byte()]`` silently gave
a (2, 3, 3) gather where PyTorch gives the 3 selected values (shirgur/PointerNet's
``embedded_inputs[embedding_mask.data]``). It is refused, naming both spellings."""

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import UsageError

MASK = [[1, 0, 1], [0, 1, 0]]


def test_uint8_index_is_refused_naming_bool_and_long() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3))
    mask = Tensor(MASK).byte()
    for index in (mask, mask.data, (mask,)):
        with pytest.raises(UsageError, match=r"uint8.*index\.bool\(\).*index\.long\(\)"):
            x[index]
    with pytest.raises(UsageError, match="means two things"):
        x[mask] = 0.0


def test_the_two_spellings_named_match_torch(torch) -> None:
    data = np.arange(6.0).reshape(2, 3)
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    mask, tmask = Tensor(MASK).byte(), torch.tensor(MASK).byte()
    ours = [x[mask.bool()], x[0][mask[0].long()]]
    theirs = [tx[tmask.bool()], tx[0][tmask[0].long()]]
    w = np.random.default_rng(0)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.data, b.detach().numpy())
        weights = w.random(a.shape)
        (a * Tensor(weights)).sum().backward()
        (b * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-14)

"""PyTorch's legacy ``x.new(...)`` (torch_optimizer's ``torch.eye(n, out=grad.new(n, n))``)
and ``x.ndimension()``: shapes, dtypes and values as PyTorch's."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError


@pytest.mark.parametrize("args", [(2, 3), ((2, 3),), ([1.0, 2.0],), ()])
def test_new_as_torch(torch, args):
    x = ag.zeros(4, dtype=np.float32)
    tx = torch.zeros(4, dtype=torch.float32)
    targs = tuple(torch.Size(a) if isinstance(a, tuple) else a for a in args)
    made, tmade = x.new(*args), tx.new(*targs)
    assert made.shape == tuple(tmade.shape) and made.dtype == np.float32
    if args and isinstance(args[0], list):
        np.testing.assert_array_equal(made.data, tmade.numpy())
    eye = ag.eye(3, out=x.new(3, 3))
    np.testing.assert_array_equal(eye.data, np.eye(3))
    assert x.new(2, 2).ndimension() == tx.new(2, 2).ndimension() == 2


def test_new_refuses_a_mix():
    with pytest.raises(UsageError, match="sizes"):
        ag.zeros(1).new([1.0], 2)

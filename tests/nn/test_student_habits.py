"""What a student of the lecture notes writes in a notebook, and what it must do."""
import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import AutogradError
from nn.errors import ConfigError


def test_optimizer_refuses_a_computed_tensor_that_would_never_change():
    """w = randn(..., requires_grad=True) * 0.01 is not a leaf: it never gets a .grad, so
    step() would silently leave it alone. PyTorch raises ValueError; so do we."""
    w = ag.Tensor(np.ones(3), requires_grad=True) * 0.01
    with pytest.raises(ConfigError, match="leaf tensors.*MulScalar.*requires_grad") as info:
        nn.optim.SGD([w], lr=0.1)
    assert isinstance(info.value, ValueError) and isinstance(info.value, AutogradError)
    with pytest.raises(ConfigError, match="leaf"):
        nn.optim.Adam([{"params": [w]}])
    leaf = ag.Tensor(w.data, requires_grad=True)  # what the message says to do
    opt = nn.optim.SGD([leaf], lr=0.1)
    (leaf * leaf).sum().backward()
    want = leaf.data - 0.1 * leaf.grad.data
    opt.step()
    np.testing.assert_allclose(leaf.data, want)

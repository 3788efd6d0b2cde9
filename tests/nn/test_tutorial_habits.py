"""PyTorch tutorial code ported line by line (``import nn``): Sequential built with
add_module and edited in place, Parameter(requires_grad=False), init after a forward,
clip_grad_norm_(...).item(), step(closure) under no_grad, model constructors given
activation classes or instances. Expected values come from torch where it is installed."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import InplaceError


def test_init_after_a_forward_counts_as_a_write_as_in_pytorch():
    # nn.init overwrites the weight the recorded matmul saved: torch raises on the backward;
    # silently using the new weight would give x a wrong gradient
    layer = nn.Linear(3, 2, rng=0)
    x = ag.Tensor(np.random.default_rng(1).random((4, 3)), requires_grad=True)
    y = layer(x).sum()
    nn.init.ones_(layer.weight)
    with pytest.raises(InplaceError):
        y.backward()
    for fill in (nn.init.zeros_, nn.init.xavier_uniform_, nn.init.kaiming_normal_,
                 lambda w: nn.init.normal_(w, std=0.02), lambda w: nn.init.constant_(w, 0.5)):
        y = layer(x).sum()
        fill(layer.weight)
        with pytest.raises(InplaceError):
            y.backward()
    y = layer(x).sum()  # a forward after the init is fine
    y.backward()
    assert np.allclose(x.grad.data, np.broadcast_to(layer.weight.data.sum(0), (4, 3)))

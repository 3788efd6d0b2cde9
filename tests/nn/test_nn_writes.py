"""nn's own in-place writes count as writes (versions): a backward through a graph that
saved the old values raises ``InplaceError``, as PyTorch's does, instead of mixing old
activations with new values."""
from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import InplaceError, Tensor


def test_load_state_dict_after_a_forward_refuses_the_old_graph() -> None:
    model, other = nn.Linear(3, 2, rng=0), nn.Linear(3, 2, rng=1)
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    y = (model(x) ** 2).sum()
    model.load_state_dict(other.state_dict())  # was silent: dx used the new weight
    with pytest.raises(InplaceError):
        y.backward()
    (model(x) ** 2).sum().backward()  # a graph built after the load is fine


def test_zero_grad_without_none_refuses_a_graph_that_used_the_gradient() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    opt = nn.optim.SGD([w], lr=0.1)
    (w ** 3).sum().backward(create_graph=True)
    penalty = (w.grad * w.grad).sum()  # saved the gradient's values
    opt.zero_grad(set_to_none=False)  # was silent: penalty's gradient became 0
    with pytest.raises(InplaceError):
        penalty.backward()

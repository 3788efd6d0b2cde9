"""clip_grad_norm_ and clip_grad_value_ take a 0-d tensor where they take a number, as
PyTorch's (max_norm=torch.tensor(1.0)); other tensors stay refused by name."""

import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ArgumentTypeError


def _parameter(grad):
    p = nn.Parameter(ag.tensor([0.0, 0.0]))
    p.grad = ag.tensor(grad)
    return p


def test_a_zero_d_max_norm_and_clip_value_are_their_numbers():
    p = _parameter([3.0, 4.0])
    total = nn.utils.clip_grad_norm_([p], ag.tensor(1.0), norm_type=ag.tensor(2))
    assert float(total) == 5.0
    np.testing.assert_allclose(p.grad.numpy(), np.array([3.0, 4.0]) / (5.0 + 1e-6))
    q = _parameter([3.0, -4.0])
    nn.utils.clip_grad_value_([q], ag.tensor(2))
    assert q.grad.tolist() == [2.0, -2.0]


def test_a_tensor_of_several_numbers_is_refused():
    with pytest.raises(ArgumentTypeError, match="max_norm must be a number"):
        nn.utils.clip_grad_norm_([_parameter([1.0, 1.0])], ag.tensor([1.0]))

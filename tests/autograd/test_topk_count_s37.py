"""topk's k: a 0-d integer tensor is its int (as PyTorch), and a k a 0-d tensor cannot
give is refused with a message about the 0-d tensor, not about axes."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError


def test_topk_takes_a_zero_d_integer_tensor_as_k():
    x = ag.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, indices = x.topk(ag.tensor(2))
    assert values.tolist() == [3.0, 2.0] and indices.tolist() == [0, 2]
    values.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]
    assert ag.topk(x.detach(), np.int64(1)).values.tolist() == [3.0]


@pytest.mark.parametrize("k", [2, -1, 1.0, True, ag.tensor(1.0), ag.tensor([1])])
def test_topk_of_a_zero_d_tensor_refuses_what_it_cannot_give(k):
    with pytest.raises(ShapeError, match="0-d tensor: one element"):
        ag.tensor(3.0).topk(k)


@pytest.mark.parametrize("k", [0, 1, ag.tensor(1)])
def test_topk_of_a_zero_d_tensor_gives_its_element(k):
    values, indices = ag.tensor(3.0).topk(k)
    assert values.shape == () and float(values) == 3.0 and int(indices) == 0


def test_kthvalue_and_topk_share_the_range_message():
    x = ag.tensor([[1.0, 5.0], [3.0, 2.0]])
    assert x.kthvalue(ag.tensor(2), 0).values.tolist() == [3.0, 5.0]
    with pytest.raises(ShapeError, match=r"kthvalue: k must be an int in \[1, 2\]"):
        x.kthvalue(0, 0)
    with pytest.raises(ShapeError, match=r"topk: k must be an int in \[0, 2\]"):
        x.topk(3)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_take_keepdim_by_position_as_pytorch(name):
    data = np.array([[1.0, 5.0], [3.0, 2.0]])
    x = ag.tensor(data, requires_grad=True)
    for result in (getattr(x, name)(1, True), getattr(ag, name)(x, 1, True)):
        values, indices = result
        expected = getattr(np, name)(data, axis=1, keepdims=True)
        assert values.shape == (2, 1) and np.array_equal(values.detach().numpy(), expected)
        assert np.array_equal(indices.numpy(), getattr(np, f"arg{name}")(data, 1)[:, None])
    values.sum().backward()
    assert x.grad.shape == (2, 2) and x.grad.sum() == 2.0
    assert getattr(x, name)(0, False).values.shape == (2,)
    with pytest.raises(ag.UsageError, match="keepdim twice"):
        getattr(x, name)(1, True, keepdim=True)

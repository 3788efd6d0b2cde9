"""``x.put(index, source, accumulate=False)``, ``x.put_`` and ``autograd.put``, against
PyTorch: flat writes into ``x.reshape(-1)``, as a one-hot target is built by
``target.put_(labels + C * arange(n), ones)`` (they were AttributeErrors here)."""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor
from autograd.errors import DTypeError, InplaceError, ShapeError, TensorIndexError


@pytest.mark.parametrize("index, accumulate", [([0, 5, -1], False), ([0, 5, -1], True),
                                               ([[1, 2], [7, 3]], False),
                                               ([[1, 1], [7, 3]], True)])
def test_put_and_its_gradients_as_pytorch(torch, index, accumulate) -> None:
    """(Repeated positions only with accumulate: without, PyTorch leaves the winner open.)"""
    rng = np.random.default_rng(0)
    x, source, upstream = (rng.standard_normal((3, 4)), rng.standard_normal(np.shape(index)),
                           rng.standard_normal((3, 4)))
    ours_x, ours_s = Tensor(x, requires_grad=True), Tensor(source, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    theirs_s = torch.tensor(source, requires_grad=True)
    ours = (ours_x * 2).put(Tensor(np.array(index)), ours_s * 3, accumulate=accumulate)
    theirs = (theirs_x * 2).put(torch.tensor(index), theirs_s * 3, accumulate=accumulate)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    ours.backward(Tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours_s.grad, theirs_s.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("accumulate", [False, True])
def test_put_in_place_and_the_function_as_pytorch(torch, accumulate) -> None:
    labels = np.array([2, 0, 1, 2])
    flat = labels + 3 * np.arange(4)
    ours = ag.zeros((4, 3))
    theirs = torch.zeros(4, 3)
    assert ours.put_(Tensor(flat), ag.ones(4), accumulate=accumulate) is ours
    theirs.put_(torch.tensor(flat), torch.ones(4), accumulate=accumulate)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    x = np.arange(6.0).reshape(2, 3).T  # not contiguous
    ours_t = ag.put(Tensor(x), Tensor(np.array([[4]])), Tensor(np.array([9.0])), accumulate)
    theirs_t = torch.put(torch.tensor(x), torch.tensor([[4]]), torch.tensor([9.0]), accumulate)
    np.testing.assert_array_equal(ours_t.data, theirs_t.numpy())
    view = Tensor(x.copy())
    view.put_(Tensor(np.array([1, 4])), Tensor(np.array([7.0, 8.0])), accumulate)
    np.testing.assert_array_equal(
        view.data, torch.tensor(x).put_(torch.tensor([1, 4]), torch.tensor([7.0, 8.0]),
                                        accumulate).numpy())


def test_put_in_place_records_on_a_non_leaf(torch) -> None:
    ours_x, theirs_x = Tensor(np.ones(4), requires_grad=True), torch.ones(4, requires_grad=True)
    ours_s = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    theirs_s = torch.tensor([2.0, 3.0], requires_grad=True)
    ours = ours_x * 1.5
    theirs = theirs_x * 1.5
    ours.put_(Tensor(np.array([0, 2])), ours_s)
    theirs.put_(torch.tensor([0, 2]), theirs_s)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy())
    np.testing.assert_allclose(ours_s.grad, theirs_s.grad.numpy())


def test_put_refuses_what_pytorch_refuses() -> None:
    x = ag.zeros((2, 3))
    with pytest.raises(TensorIndexError, match="index 6 is out of range"):
        x.put(Tensor(np.array([6])), Tensor(np.array([1.0])))
    with pytest.raises(ShapeError, match="same number of elements"):
        x.put(Tensor(np.array([0, 1])), Tensor(np.array([1.0])))
    with pytest.raises(DTypeError, match="index must hold integers"):
        x.put(Tensor(np.array([0.0])), Tensor(np.array([1.0])))
    leaf = Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(InplaceError, match="leaf"):
        leaf.put_(Tensor(np.array([0])), Tensor(np.array([1.0])))

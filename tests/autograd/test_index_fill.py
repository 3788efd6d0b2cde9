"""``x.index_fill(dim, index, value)`` and ``x.index_fill_``, against PyTorch: The
Annotated Transformer's label smoothing zeroes the rows of padding targets with
``true_dist.index_fill_(0, mask.squeeze(), 0.0)`` (it was an AttributeError here)."""

import numpy as np
import pytest

from autograd import DTypeError, InplaceError, ShapeError, Tensor, TensorIndexError, no_grad

X = np.random.default_rng(0).standard_normal((3, 4, 2))


@pytest.mark.parametrize("dim, index", [(0, [2, 0]), (1, [3, 1, 1]), (-1, 0), (2, []),
                                        (1, [3])])
def test_index_fill_and_its_gradient_as_pytorch(torch, dim, index) -> None:
    upstream = np.random.default_rng(1).standard_normal(X.shape)
    x, v = Tensor(X.copy(), requires_grad=True), Tensor(np.array(0.5), requires_grad=True)
    tx, tv = torch.tensor(X, requires_grad=True), torch.tensor(0.5, requires_grad=True)
    ours = (x * 2).index_fill(dim, Tensor(np.array(index, np.int64)), v)
    theirs = (tx * 2).index_fill(dim, torch.tensor(index, dtype=torch.int64), tv)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    (ours * Tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(v.grad.data, tv.grad.numpy(), rtol=1e-12)


def test_index_fill_in_place_as_pytorch_label_smoothing(torch) -> None:
    """The tutorial's lines: the rows whose target is padding (0) become 0."""
    target = np.array([2, 0, 1, 0])
    ours, theirs = Tensor(np.full((4, 5), 0.25)), torch.full((4, 5), 0.25)
    mask = Tensor(target).__eq__(0).nonzero(as_tuple=False)
    t_mask = torch.nonzero(torch.tensor(target) == 0)
    assert ours.index_fill_(0, mask.squeeze(), 0.0) is ours
    theirs.index_fill_(0, t_mask.squeeze(), 0.0)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    one = Tensor(np.ones((2, 3), np.float32))  # float32 stays float32; 0-d index
    one.index_fill_(1, Tensor(np.array(1)), 7)
    assert one.dtype == np.float32
    np.testing.assert_array_equal(one.data, torch.ones(2, 3).index_fill_(1, torch.tensor(1),
                                                                         7).numpy())


def test_a_negative_index_counts_from_the_end_as_pytorch(torch) -> None:
    # (PyTorch 2.13's backward of a negative index fails: only the values are compared)
    ours = Tensor(X).index_fill(1, Tensor(np.array([-1, 0])), 2.0)
    theirs = torch.tensor(X).index_fill(1, torch.tensor([-1, 0]), 2.0)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_index_fill_refuses_what_pytorch_refuses() -> None:
    x = Tensor(np.zeros((3, 4)))
    with pytest.raises(TensorIndexError, match="index 4 is out of bounds for dimension 1"):
        x.index_fill(1, Tensor(np.array([4])), 1.0)
    with pytest.raises(ShapeError, match="vector or a scalar"):
        x.index_fill(1, Tensor(np.array([[1]])), 1.0)
    with pytest.raises(DTypeError, match="integer tensor"):
        x.index_fill(1, Tensor(np.array([1.0])), 1.0)
    leaf = Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(InplaceError):
        leaf.index_fill_(0, Tensor(np.array([1])), 1.0)
    with no_grad():
        leaf.index_fill_(0, Tensor(np.array([1])), 1.0)
    np.testing.assert_array_equal(leaf.data, [0.0, 1.0, 0.0])

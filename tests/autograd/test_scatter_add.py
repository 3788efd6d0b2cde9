"""``scatter_add`` (method, function, in place) against PyTorch and finite differences;
``scatter_`` with the 0-d index of PyTorch's one-hot ``target_transform``."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import InplaceError, ShapeError

RNG = np.random.default_rng(0)
CASES = [  # (self shape, dim, index, src shape)
    ((3, 4), 0, [[0, 1, 2, 0], [2, 0, 2, 1]], (2, 4)),
    ((3, 4), 1, [[0, 0], [3, 1], [2, 2]], (3, 2)),
    ((3, 4), -1, [[1], [1], [0]], (3, 1)),
    ((5,), 0, [4, 4, 0, 4], (4,)),
]
# src larger than index (only its leading part is added): PyTorch 2.13's own backward
# refuses these, so they are checked against finite differences only
LARGER_SRC = [((3, 4), 1, [[0, 0], [3, 1], [2, 2]], (3, 5)),
              ((3, 4), -1, [[1], [1], [0]], (4, 2))]


@pytest.mark.parametrize("shape, dim, index, src_shape", CASES)
def test_scatter_add_matches_torch(shape, dim, index, src_shape):
    torch = pytest.importorskip("torch")
    x, src = RNG.standard_normal(shape), RNG.standard_normal(src_shape)
    a, s = ag.Tensor(x, requires_grad=True), ag.Tensor(src, requires_grad=True)
    out = a.scatter_add(dim, ag.tensor(index), s)
    (out * out).sum().backward()
    ta, ts = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
    expected = ta.scatter_add(dim, torch.tensor(index), ts)
    (expected * expected).sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.grad.data, ts.grad.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ag.scatter_add(ag.Tensor(x), dim, ag.tensor(index),
                                                 ag.Tensor(src)).data, out.data)
    inplace = ag.Tensor(x.copy()).scatter_add_(dim, ag.tensor(index), ag.Tensor(src))
    np.testing.assert_allclose(inplace.data, out.data, rtol=1e-12)


@pytest.mark.parametrize("shape, dim, index, src_shape", CASES + LARGER_SRC)
def test_scatter_add_gradients_are_finite_differences(shape, dim, index, src_shape):
    x, src = RNG.standard_normal(shape), RNG.standard_normal(src_shape)
    fn = lambda a, s: ag.tanh(a.scatter_add(dim, ag.tensor(index), s))  # noqa: E731
    assert ag.gradcheck(fn, (ag.Tensor(x, requires_grad=True),
                             ag.Tensor(src, requires_grad=True)))


def test_scatter_add_in_place_on_a_tensor_that_requires_grad_names_the_out_of_place_form():
    w = ag.Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(InplaceError, match="x.scatter_add"):
        w.scatter_add_(0, ag.tensor([1]), ag.tensor([1.0]))


def test_scatter_add_index_of_the_wrong_rank_is_a_shape_error():
    with pytest.raises(ShapeError, match="index of shape"):
        ag.zeros(2, 3).scatter_add(0, ag.tensor([0, 1]), ag.ones(2, 3))


def test_one_hot_target_transform_of_the_transforms_tutorial():
    """``zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)``: a 0-d
    index is one position for a 1-d tensor, as in PyTorch."""
    torch = pytest.importorskip("torch")
    for y in (0, 3, 9):
        ours = ag.zeros(10, dtype=ag.float).scatter_(0, ag.tensor(y), value=1)
        theirs = torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        assert ours.dtype == np.float32
    np.testing.assert_array_equal(ag.zeros(4).scatter(0, ag.tensor(2), ag.tensor([5.0])).data,
                                  [0, 0, 5, 0])
    with pytest.raises(ShapeError, match="needs 2 axes"):  # as PyTorch: only for 1-d
        ag.zeros(2, 3).scatter_(0, ag.tensor(1), value=1)


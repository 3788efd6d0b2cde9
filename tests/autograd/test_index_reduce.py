"""``index_reduce`` (method, in place, function) and ``index_copy`` against PyTorch, and
``autograd.index_add`` in PyTorch's form ``torch.index_add(input, dim, index, source,
alpha=)``. They were missing (the function took NumPy's ``index_add(x, index, v)`` only:
a TypeError)."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError, UsageError

RNG = np.random.default_rng(1)
pytestmark = pytest.mark.filterwarnings("ignore:index_reduce.. is in beta")


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("dim, index", [(0, [2, 0, 2, 2]), (1, [1, 1, 0]), (-1, [0, 2])])
def test_index_reduce_matches_torch(torch, dim, index, reduce, include_self):
    x = RNG.standard_normal((3, 3))
    shape = list(x.shape)
    shape[dim] = len(index)
    src = RNG.standard_normal(shape)
    a, s = ag.Tensor(x, requires_grad=True), ag.Tensor(src, requires_grad=True)
    ta, ts = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
    out = a.index_reduce(dim, ag.tensor(index), s, reduce, include_self=include_self)
    expected = ta.index_reduce(dim, torch.tensor(index), ts, reduce,
                               include_self=include_self)
    g = RNG.standard_normal(x.shape)
    out.backward(ag.Tensor(g))
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(s.grad.data, ts.grad.numpy(), rtol=1e-12, atol=1e-14)
    inplace = ag.Tensor(x.copy()).index_reduce_(dim, ag.tensor(index), ag.Tensor(src), reduce,
                                                include_self=include_self)
    np.testing.assert_array_equal(inplace.data, out.data)
    function = ag.index_reduce(ag.Tensor(x), dim, ag.tensor(index), ag.Tensor(src), reduce,
                               include_self=include_self)
    np.testing.assert_array_equal(function.data, out.data)


def test_index_reduce_takes_pytorchs_four_reductions_and_shapes():
    with pytest.raises(UsageError, match="index_add adds"):
        ag.zeros(3, 2).index_reduce(0, ag.tensor([0]), ag.ones(1, 2), "sum")
    with pytest.raises(UsageError, match="reduce='amax'"):
        ag.zeros(3, 2).index_reduce(0, ag.tensor([0]), ag.ones(1, 2), "max")
    with pytest.raises(ShapeError, match=r"source must have shape \(1, 2\)"):
        ag.zeros(3, 2).index_reduce(0, ag.tensor([0]), ag.ones(2, 2), "mean")


def test_index_add_function_takes_pytorchs_form(torch):
    x, src = RNG.standard_normal((4, 3)), RNG.standard_normal((5, 3))
    index = [0, 3, 3, 1, 0]
    ours = ag.index_add(ag.Tensor(x), 0, ag.tensor(index), ag.Tensor(src), alpha=2.0)
    theirs = torch.index_add(torch.tensor(x), 0, torch.tensor(index), torch.tensor(src),
                             alpha=2.0)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    by_name = ag.index_add(ag.Tensor(x), dim=0, index=ag.tensor(index), source=ag.Tensor(src))
    np.testing.assert_allclose(by_name.data, torch.index_add(
        torch.tensor(x), dim=0, index=torch.tensor(index), source=torch.tensor(src)).numpy(),
        rtol=1e-12)
    numpy_form = ag.index_add(ag.zeros(3), ag.tensor([0, 0]), ag.tensor([1.0, 2.0]))
    np.testing.assert_array_equal(numpy_form.data, [3.0, 0.0, 0.0])


@pytest.mark.parametrize("dim, index", [(0, [2, 0]), (1, [1, 0, 2]), (-1, [0])])
def test_index_copy_matches_torch(torch, dim, index):
    x = RNG.standard_normal((3, 3))
    shape = list(x.shape)
    shape[dim] = len(index)
    src = RNG.standard_normal(shape)
    a, s = ag.Tensor(x, requires_grad=True), ag.Tensor(src, requires_grad=True)
    ta, ts = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
    out = a.index_copy(dim, ag.tensor(index), s)
    expected = ta.index_copy(dim, torch.tensor(index), ts)
    g = RNG.standard_normal(x.shape)
    out.backward(ag.Tensor(g))
    expected.backward(torch.tensor(g))
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    np.testing.assert_array_equal(a.grad.data, ta.grad.numpy())
    np.testing.assert_array_equal(s.grad.data, ts.grad.numpy())
    inplace = ag.Tensor(x.copy()).index_copy_(dim, ag.tensor(index), ag.Tensor(src))
    np.testing.assert_array_equal(inplace.data, out.data)

"""Found by checking small leftovers against PyTorch (session 32): a write through a view
of a 0-d tensor in a graph was lost (its NumPy scalar had no memory to share), ``put`` on
a 0-d tensor failed, empty rows in ``searchsorted`` and ragged counts in ``repeat``/``tile``
gave bare NumPy errors, ``Tensor.outer`` flattened matrices and ``masked_fill`` took a
tensor of values where PyTorch takes one."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, ShapeError, UsageError

WRITES_THROUGH_A_VIEW = {
    "reshape(1) then setitem": lambda v: v.reshape(1).__setitem__(0, 7.0),
    "view(1, 1) then add_": lambda v: v.view(1, 1).add_(3.0),
    "[None] then mul_": lambda v: v[None].mul_(3.0),
    "put_ on the 0-d tensor": lambda v: v.put_(ag.tensor([0]), ag.tensor([3.0]),
                                               accumulate=True),
}


@pytest.mark.parametrize("name", WRITES_THROUGH_A_VIEW)
def test_a_write_through_a_view_of_a_0d_graph_tensor_reaches_it(torch, name):
    write = WRITES_THROUGH_A_VIEW[name]
    results = []
    for lib in (ag, torch):
        w = lib.tensor(2.0, requires_grad=True)
        v = w * 1.0  # in a graph: its array is the NumPy scalar the op returned
        if lib is torch:
            write(_TorchSpelling(v))
        else:
            write(v)
        (v * v).backward()
        results.append((float(v.detach()), float(w.grad)))
    assert results[0] == results[1]


class _TorchSpelling:
    """PyTorch's tensor with the test's autograd calls (put_ takes torch tensors)."""

    def __init__(self, t):
        self.t = t

    def __getattr__(self, name):
        return getattr(self.t, name)

    def __getitem__(self, index):
        return self.t[index]

    def put_(self, index, source, accumulate=False):
        import torch
        return self.t.put_(torch.tensor(index.tolist()), torch.tensor(source.tolist()),
                           accumulate=accumulate)


@pytest.mark.parametrize("index, source, accumulate", [
    ([0], [5.0], False), ([0, -1], [5.0, 2.0], True), ([], [], False)])
def test_put_on_a_0d_tensor_as_torch(torch, index, source, accumulate):
    x = ag.tensor(1.5, requires_grad=True)
    out = x.put(ag.tensor(index, dtype="int64"), ag.tensor(source), accumulate)
    (out * 3.0).backward()
    tx = torch.tensor(1.5, requires_grad=True)
    t_out = tx.put(torch.tensor(index, dtype=torch.int64), torch.tensor(source), accumulate)
    (t_out * 3.0).backward()
    assert out.shape == () and out.item() == t_out.item()
    assert float(x.grad) == float(tx.grad)


@pytest.mark.parametrize("sequence, values", [
    ((2, 0), (2, 1)), ((0, 3), (0, 2)), ((2, 3), (2, 0)), ((2, 0), (2, 0))])
def test_searchsorted_with_empty_rows_as_torch(torch, sequence, values):
    rng = np.random.default_rng(0)
    s, v = np.sort(rng.normal(size=sequence), axis=-1), rng.normal(size=values)
    ours = ag.searchsorted(ag.tensor(s), ag.tensor(v))
    theirs = torch.searchsorted(torch.tensor(s), torch.tensor(v))
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("call", [lambda x: x.repeat(([2], 1)), lambda x: x.tile(([2], 1)),
                                  lambda x: ag.tile(x, ([2], 1))])
def test_ragged_repetition_counts_are_a_named_error(call):
    with pytest.raises(DTypeError, match="mixes sequences and numbers"):
        call(ag.zeros(2, 3))


def test_tensor_outer_takes_vectors_as_torch_and_numpy_outer_flattens(torch):
    a, b = np.arange(6.0).reshape(2, 3), np.arange(4.0).reshape(2, 2)
    for call in (lambda x, y: x.outer(y), lambda x, y: x.ger(y)):
        with pytest.raises(ShapeError, match="1-d"):
            call(ag.tensor(a), ag.tensor(b))
        with pytest.raises(RuntimeError):
            call(torch.tensor(a), torch.tensor(b))
    for ours in (ag.outer(ag.tensor(a), ag.tensor(b)), np.outer(ag.tensor(a), b)):
        np.testing.assert_array_equal(ours.numpy(), np.outer(a, b))
    vectors = ag.tensor(a[0]).outer(ag.tensor(b[0]))
    np.testing.assert_array_equal(vectors.numpy(),
                                  torch.tensor(a[0]).outer(torch.tensor(b[0])).numpy())


@pytest.mark.parametrize("method", ["masked_fill", "masked_fill_"])
def test_masked_fill_takes_one_value_as_torch(torch, method):
    x, tx = ag.tensor([1.0, -1.0]), torch.tensor([1.0, -1.0])
    with pytest.raises(UsageError, match="one value"):
        getattr(x, method)(x > 0, ag.tensor([9.0]))
    with pytest.raises(RuntimeError):
        getattr(tx, method)(tx > 0, torch.tensor([9.0]))
    kept = getattr(x, method)(x > 0, ag.tensor(9.0))
    assert kept.tolist() == getattr(tx, method)(tx > 0, torch.tensor(9.0)).tolist()

"""``autograd.cat`` (PyTorch's spelling) skips 1-d empty tensors, as ``torch.cat`` does
(its legacy rule): DINO's ``MultiCropWrapper`` starts ``output = torch.empty(0)`` and
grows it by ``torch.cat((output, _out))``, as do loops that gather predictions from
``torch.tensor([])``. It raised ``ShapeError``. NumPy's ``concatenate`` keeps its own rule
(an error); the dtype still promotes over every tensor given, as PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import AxisError, ShapeError, Tensor

RNG = np.random.default_rng(8)


@pytest.mark.parametrize("order, dim", [("empty first", 0), ("empty last", 1),
                                        ("empty between", -1), ("only vectors", 0)])
def test_cat_skips_empty_vectors_as_torch(torch, order, dim) -> None:
    shape = (3,) if order == "only vectors" else (2, 3)
    x, y = RNG.standard_normal(shape), RNG.standard_normal(shape)
    empty = np.empty(0)
    arrays = {"empty first": [empty, x, y], "empty last": [x, y, empty],
              "empty between": [x, empty, y], "only vectors": [empty, x, empty, y]}[order]
    ours = [Tensor(a, requires_grad=a.size > 0) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=a.size > 0) for a in arrays]
    mine, reference = ag.cat(ours, dim=dim), torch.cat(theirs, dim=dim)
    np.testing.assert_array_equal(mine.data, reference.detach().numpy())
    weight = RNG.standard_normal(mine.shape)
    (mine * weight).sum().backward()
    (reference * torch.tensor(weight)).sum().backward()
    for o, t in zip(ours, theirs):
        if o.requires_grad:
            np.testing.assert_array_equal(o.grad.data, t.grad.numpy())
    e, te = Tensor(np.empty(0), requires_grad=True), torch.empty(0, requires_grad=True)
    ag.cat((e, ours[-1])).sum().backward()
    torch.cat((te, theirs[-1])).sum().backward()
    assert e.grad.shape == tuple(te.grad.shape) == (0,)


def test_the_growing_loop_and_dtypes_as_torch(torch) -> None:
    output, theirs = ag.empty(0), torch.empty(0, dtype=torch.float64)
    for rows in (2, 3):
        part = RNG.standard_normal((rows, 4))
        output = ag.cat((output, Tensor(part)))
        theirs = torch.cat((theirs, torch.tensor(part)))
    np.testing.assert_array_equal(output.data, theirs.numpy())
    floats = np.ones((2, 2), np.float32)
    assert ag.cat((ag.empty(0), Tensor(floats))).dtype == np.float64 == torch.cat(
        (torch.empty(0, dtype=torch.float64), torch.tensor(floats))).numpy().dtype
    assert ag.cat([ag.empty(0), ag.empty(0)]).shape == (0,)


def test_what_torch_refuses_stays_an_error() -> None:
    with pytest.raises(ShapeError):
        ag.concatenate((ag.empty(0), ag.ones((2, 3))))  # NumPy's name, NumPy's rule
    with pytest.raises(ShapeError):
        ag.cat((ag.empty((0, 2)), ag.ones((2, 3))))  # only the (0,) shape is skipped
    with pytest.raises(AxisError):
        ag.cat((ag.empty(0), ag.ones((2, 3))), dim=2)

"""PyTorch's ``view_as reshape_as expand_as narrow index_select masked_fill_ new_tensor
new_empty new_zeros new_ones new_full`` (``autograd/torch_shapes.py``, ``inplace.py``):
values, gradients and dtypes as PyTorch's, and named errors for bad input."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import (AxisError, DTypeError, InplaceError, ShapeError, Tensor,
                      TensorIndexError, UsageError)

RNG = np.random.default_rng(7)
PICK = np.array([2, 0, 2])  # repeats: the gradient of a repeated slice adds up

CASES: list[tuple[str, list[tuple[int, ...]], Callable[..., Any]]] = [
    ("view_as", [(2, 3), (3, 2)], lambda a, b, of: a.view_as(b)),
    ("reshape_as", [(2, 3), (6,)], lambda a, b, of: a.reshape_as(b)),
    ("reshape_as transpose", [(2, 3), (3, 2)], lambda a, b, of: a.T.reshape_as(b)),
    ("expand_as", [(3, 1), (2, 3, 4)], lambda a, b, of: a.expand_as(b)),
    ("narrow", [(3, 4)], lambda t, of: t.narrow(1, 1, 2)),
    ("narrow negative start", [(3, 4)], lambda t, of: t.narrow(0, -2, 2)),
    ("narrow empty", [(3, 4)], lambda t, of: t.narrow(1, 4, 0)),
    ("index_select", [(3, 4)], lambda t, of: t.index_select(1, of(PICK))),
    ("index_select dim 0", [(3, 4, 2)], lambda t, of: t.index_select(0, of(PICK))),
    ("index_select 0-d index", [(3, 4)], lambda t, of: t.index_select(-1, of(np.array(1)))),
    ("index_select empty", [(3, 4)], lambda t, of: t.index_select(1, of(PICK[:0]))),
]


def _torch() -> Any:
    return pytest.importorskip("torch")


@pytest.mark.parametrize("name, shapes, call", CASES, ids=[c[0] for c in CASES])
def test_matches_pytorch(name: str, shapes: list, call: Callable) -> None:
    torch = _torch()
    arrays = [RNG.standard_normal(shape).astype(np.float32) for shape in shapes]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    mine, reference = call(*ours, Tensor), call(*theirs, torch.tensor)
    assert mine.shape == tuple(reference.shape) and mine.dtype == np.float32, name
    np.testing.assert_array_equal(mine.data, reference.detach().numpy())
    weight = RNG.standard_normal(mine.shape).astype(np.float32)
    (mine * weight).sum().backward()
    (reference * torch.tensor(weight)).sum().backward()
    for o, t in zip(ours, theirs):
        expected = np.zeros(o.shape) if t.grad is None else t.grad.numpy()
        got = np.zeros(o.shape) if o.grad is None else o.grad.data
        assert o.grad is None or o.grad.dtype == np.float32, name
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, shapes, call", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_finite_differences(name: str, shapes: list, call: Callable) -> None:
    inputs = [Tensor(RNG.standard_normal(shape), requires_grad=True) for shape in shapes]
    assert ag.gradcheck(lambda *ts: call(*ts, Tensor), inputs[:1] + [t.detach()
                                                                    for t in inputs[1:]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.bool_])
@pytest.mark.parametrize("value", [7, 2.7, -1.0, True])
def test_masked_fill_in_place_matches_pytorch(dtype: Any, value: Any) -> None:
    torch = _torch()
    array = (RNG.standard_normal((3, 4)) * 3).astype(dtype)
    mask = RNG.random(4) < 0.5  # broadcasts over the rows
    x, tx = Tensor(array.copy()), torch.tensor(array.copy())
    assert x.masked_fill_(mask, value) is x
    tx.masked_fill_(torch.tensor(mask), value)
    assert x.dtype == dtype
    np.testing.assert_array_equal(x.data, tx.numpy())


def test_masked_fill_in_place_takes_a_0d_tensor_and_a_mask_tensor() -> None:
    x = ag.zeros(2, 3)
    x.masked_fill_(ag.Tensor(np.array([[True], [False]])), ag.tensor(4.0))
    assert x.tolist() == [[4.0, 4.0, 4.0], [0.0, 0.0, 0.0]]


def test_masked_fill_in_place_follows_the_in_place_rules() -> None:
    w = ag.ones(3, requires_grad=True)
    with pytest.raises(InplaceError, match="x = x.masked_fill"):
        w.masked_fill_(np.array([True, False, True]), 0.0)
    with ag.no_grad():
        w.masked_fill_(np.array([True, False, True]), 0.0)
    assert w.tolist() == [0.0, 1.0, 0.0]
    x = ag.ones(3, requires_grad=True)
    y = x * x  # saves x for backward
    with ag.no_grad():
        x.masked_fill_(np.array([True, False, False]), 5.0)
    with pytest.raises(InplaceError):
        y.sum().backward()


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.masked_fill_(np.ones(3), 1.0), DTypeError, "must be boolean"),
    (lambda x: x.masked_fill_(np.ones((4, 2, 3), bool), 1.0), ShapeError, "masked_fill_"),
    (lambda x: x.masked_fill_(np.ones(3, bool), ag.ones(3)), UsageError, "one value"),
    (lambda x: x.long().masked_fill_(np.ones(3, bool), np.nan), DTypeError, "cannot be st"),
    (lambda x: x.view_as((3, 2)), UsageError, "needs a Tensor"),
    (lambda x: x.reshape_as(np.ones(6)), UsageError, "reshape_as needs a Tensor"),
    (lambda x: x.view_as(ag.ones(5)), ShapeError, "reshape"),
    (lambda x: x.expand_as(ag.ones(3, 3)), ShapeError, "broadcast"),
    (lambda x: x.narrow(1, 2, 2), ShapeError, "start 2 and length 2"),
    (lambda x: x.narrow(1, 0, -1), ShapeError, "length >= 0"),
    (lambda x: x.narrow(1, -4, 1), ShapeError, r"\[-3, 3\]"),
    (lambda x: x.narrow(2, 0, 1), AxisError, "axis"),
    (lambda x: x.index_select(1, [0]), UsageError, "1-d integer tensor"),
    (lambda x: x.index_select(1, ag.tensor([0.0])), DTypeError, "index.long"),
    (lambda x: x.index_select(1, ag.tensor([[0]]).long()), ShapeError, "1-d"),
    (lambda x: x.index_select(1, np.array([3])), TensorIndexError, r"0\.\.2"),
    (lambda x: x.index_select(1, np.array([-1])), TensorIndexError, "no negative"),
    (lambda x: x.new_zeros(2, dtype=object), DTypeError, "new_zeros"),
    (lambda x: x.new_ones(2, device="cuda"), UsageError, "NumPy on the CPU"),
    (lambda x: x.new_zeros(2, dtype=np.int64, requires_grad=True), DTypeError, "int64"),
])
def test_errors(call: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(ag.zeros(2, 3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_new_tensors_take_self_dtype_as_pytorch(dtype: Any) -> None:
    torch = _torch()
    x, tx = Tensor(np.ones(2, dtype)), torch.tensor(np.ones(2, dtype))
    pairs = [(x.new_tensor([1.5, 2]), tx.new_tensor([1.5, 2])),
             (x.new_zeros(2, 3), tx.new_zeros(2, 3)), (x.new_ones((2,)), tx.new_ones((2,))),
             (x.new_full((2, 1), 3), tx.new_full((2, 1), 3)),
             (x.new_full((2,), 3, dtype=np.float32), tx.new_full((2,), 3, dtype=torch.float32)),
             (x.new_ones(3, dtype=np.int32), tx.new_ones(3, dtype=torch.int32)),
             (x.new_tensor([1, 0], dtype=np.bool_), tx.new_tensor([1, 0], dtype=torch.bool))]
    for mine, reference in pairs:
        np.testing.assert_array_equal(mine.data, reference.numpy())
        assert mine.dtype == reference.numpy().dtype and not mine.requires_grad
    assert x.new_empty(2, 3).shape == (2, 3) and x.new_empty((4,)).dtype == dtype


def test_new_tensors_are_new_leaves() -> None:
    x = ag.ones(2, requires_grad=True)
    data = np.array([1.0, 2.0])
    made = x.new_tensor(data, requires_grad=True, device="cpu")
    assert made.requires_grad and made.grad_fn is None
    data[0] = 9.0  # a copy: the source is not shared
    assert made.tolist() == [1.0, 2.0]
    leaf = x.new_zeros(2, 2, requires_grad=True, device="cpu:0")
    (leaf * 3).sum().backward()
    assert leaf.grad.tolist() == [[3.0, 3.0], [3.0, 3.0]]

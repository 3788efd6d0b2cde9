"""PyTorch's module-level functions for Tensor methods (``autograd/torch_functions.py``):
``autograd.flatten(x, 1)`` gives what ``torch.flatten(x, 1)`` gives, values, gradients and
dtypes; the names where NumPy means something else are not taken."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import AxisError, DTypeError, ShapeError, Tensor, UsageError
from autograd import torch_functions

RNG = np.random.default_rng(11)
MASK = RNG.random((3, 4)) < 0.5
INDEX = np.array([[0, 3], [2, 2], [1, 0]])
PICK = np.array([3, 0, 3])

# (name, shapes of the inputs, call): the call takes the library (autograd or torch), a
# function turning a constant array into its tensor, and the input tensors. Inputs are
# standard normal float32: no ties, away from kinks.
CASES: list[tuple[str, list[tuple[int, ...]], Callable[..., Any]]] = [
    ("flatten", [(2, 3, 4)], lambda lib, of, x: lib.flatten(x)),
    ("flatten start_dim", [(2, 3, 4)], lambda lib, of, x: lib.flatten(x, 1)),
    ("flatten end_dim", [(2, 3, 4, 2)], lambda lib, of, x: lib.flatten(x, 0, -2)),
    ("unflatten", [(2, 12)], lambda lib, of, x: lib.unflatten(x, 1, (3, -1))),
    ("unsqueeze", [(2, 3)], lambda lib, of, x: lib.unsqueeze(x, -1)),
    ("permute", [(2, 3, 4)], lambda lib, of, x: lib.permute(x, (2, 0, 1))),
    ("narrow", [(3, 4)], lambda lib, of, x: lib.narrow(x, 1, 1, 2)),
    ("index_select", [(3, 4)], lambda lib, of, x: lib.index_select(x, 1, of(PICK))),
    ("masked_fill", [(3, 4)], lambda lib, of, x: lib.masked_fill(x, of(MASK), -2.0)),
    ("gather", [(3, 4)], lambda lib, of, x: lib.gather(x, 1, of(INDEX))),
    ("unbind", [(3, 4)], lambda lib, of, x: lib.unbind(x, 1)),
    ("chunk", [(5, 2)], lambda lib, of, x: lib.chunk(x, 2)),
    ("topk values", [(3, 5)], lambda lib, of, x: lib.topk(x, 2).values),
    ("topk smallest dim 0", [(4, 3)], lambda lib, of, x: lib.topk(x, 2, 0, False).values),
    ("amax", [(3, 4)], lambda lib, of, x: lib.amax(x)),
    ("amin dim keepdim", [(3, 4)], lambda lib, of, x: lib.amin(x, 1, True)),
    ("clamp_min", [(3, 4)], lambda lib, of, x: lib.clamp_min(x, 0.1)),
    ("clamp_max", [(3, 4)], lambda lib, of, x: lib.clamp_max(x, -0.1)),
    ("lerp", [(3, 4), (3, 4)], lambda lib, of, a, b: lib.lerp(a, b, 0.3)),
    ("clone", [(3, 4)], lambda lib, of, x: lib.clone(x)),
    ("mm", [(3, 4), (4, 2)], lambda lib, of, a, b: lib.mm(a, b)),
    ("bmm", [(2, 3, 4), (2, 4, 2)], lambda lib, of, a, b: lib.bmm(a, b)),
    ("addmm", [(3, 2), (3, 4), (4, 2)],
     lambda lib, of, s, a, b: lib.addmm(s, a, b, beta=0.5, alpha=2.0)),
    ("diag vector", [(3,)], lambda lib, of, x: lib.diag(x, 1)),
    ("diag matrix", [(3, 4)], lambda lib, of, x: lib.diag(x, -1)),
    ("nan_to_num", [(3, 4)], lambda lib, of, x: lib.nan_to_num(x, 0.5)),
    ("repeat_interleave", [(2, 3)], lambda lib, of, x: lib.repeat_interleave(x, 2)),
    ("repeat_interleave dim counts", [(3, 2)],
     lambda lib, of, x: lib.repeat_interleave(x, of(np.array([1, 0, 2])), dim=0)),
    ("repeat_interleave 0-d", [()], lambda lib, of, x: lib.repeat_interleave(x, 4)),
]


def _torch() -> Any:
    return pytest.importorskip("torch")


def _pieces(y: Any) -> list:
    return list(y) if isinstance(y, tuple) else [y]


@pytest.mark.parametrize("name, shapes, call", CASES, ids=[c[0] for c in CASES])
def test_functions_match_pytorch(name: str, shapes: list, call: Callable) -> None:
    torch = _torch()
    arrays = [RNG.standard_normal(shape).astype(np.float32) for shape in shapes]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    mine = _pieces(call(ag, Tensor, *ours))
    reference = _pieces(call(torch, torch.tensor, *theirs))
    assert len(mine) == len(reference), name
    weights = []
    for m, r in zip(mine, reference):
        assert m.shape == tuple(r.shape) and m.dtype == np.float32, name
        np.testing.assert_allclose(m.data, r.detach().numpy(), rtol=1e-6, atol=1e-6)
        weights.append(RNG.standard_normal(m.shape).astype(np.float32))
    sum(((m * w).sum() for m, w in zip(mine, weights)), Tensor(np.float32(0))).backward()
    sum((r * torch.tensor(w)).sum() for r, w in zip(reference, weights)).backward()
    for o, t in zip(ours, theirs):
        assert o.grad is not None and o.grad.dtype == np.float32, name
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "isclose"])
def test_comparisons_match_pytorch(name: str) -> None:
    torch = _torch()
    a = RNG.integers(0, 3, (3, 4)).astype(np.float32)
    b = RNG.integers(0, 3, (4,)).astype(np.float32)  # broadcasts
    mine = getattr(ag, name)(Tensor(a), Tensor(b))
    reference = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    assert mine.dtype == np.bool_ and not mine.requires_grad
    np.testing.assert_array_equal(mine.data, reference.numpy())


def test_functions_take_arrays_and_give_python_values_as_pytorch() -> None:
    torch = _torch()
    a = RNG.standard_normal((2, 3))
    assert ag.allclose(a, a + 1e-9) is True and ag.allclose(a, a + 1) is False
    assert torch.allclose(torch.tensor(a), torch.tensor(a + 1e-9))
    assert ag.numel(a) == torch.numel(torch.tensor(a)) == 6
    values, indices = ag.topk(a, 2)
    tv, ti = torch.topk(torch.tensor(a), 2)
    np.testing.assert_array_equal(values.data, tv.numpy())
    np.testing.assert_array_equal(indices.data, ti.numpy())
    assert indices.dtype == np.int64
    nans = np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)
    np.testing.assert_array_equal(ag.nan_to_num(nans, 0.5, 9.0, -9.0).data,
                                  torch.nan_to_num(torch.tensor(nans), 0.5, 9.0, -9.0).numpy())


def test_functions_are_the_methods_and_are_exported() -> None:
    assert set(torch_functions.__all__) <= set(ag.__all__)
    x = ag.randn(3, 4, requires_grad=True)
    assert ag.gradcheck(lambda t: ag.chunk(ag.flatten(t.double()), 5)[1], [x.double()])
    for skipped in ("equal", "t"):  # np.equal; t: by __getattr__
        assert skipped not in ag.__all__
    assert "split" in ag.__all__  # by its spelling, NumPy's or PyTorch's: test_split_function


@pytest.mark.parametrize("call, error, message", [
    (lambda x: ag.nan_to_num(x, False), UsageError, "NumPy's copy="),
    (lambda x: ag.bmm(x, x), ShapeError, "batches of matrices"),
    (lambda x: ag.mm(x[0], x), ShapeError, "two matrices"),
    (lambda x: ag.masked_fill(x, np.ones((2, 3)), 0.0), DTypeError, "boolean"),
    (lambda x: ag.narrow(x, 0, 1, 5), ShapeError, "narrow"),
    (lambda x: ag.topk(x, 4), ShapeError, "topk"),
    (lambda x: ag.permute(x, (0,)), AxisError, "permutation"),
])
def test_errors_are_the_methods(call: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(ag.ones(2, 3))


def test_repeat_interleave_of_counts_alone_gives_indices() -> None:
    """d2l's ``masked_softmax``: ``torch.repeat_interleave(valid_lens, shape[1])``;
    PyTorch's one-argument form repeats each index by its count."""
    torch = _torch()
    lens = np.array([2, 3])
    np.testing.assert_array_equal(ag.repeat_interleave(Tensor(lens), 2, dim=0).data,
                                  torch.repeat_interleave(torch.tensor(lens), 2, dim=0))
    counts = np.array([1, 0, 3])
    mine, reference = ag.repeat_interleave(Tensor(counts)), torch.repeat_interleave(
        torch.tensor(counts))
    assert mine.dtype == np.int64
    np.testing.assert_array_equal(mine.data, reference.numpy())
    with pytest.raises(DTypeError, match="repeat_interleave.*integer counts"):
        ag.repeat_interleave(Tensor(np.ones(2)))

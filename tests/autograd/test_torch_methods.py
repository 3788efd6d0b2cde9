"""PyTorch's Tensor methods over existing ops (``bmm addmm amax amin unbind diag topk
where nan_to_num lerp scatter``): the values and gradients PyTorch gives, gradients against
finite differences, and named errors for bad input."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import AxisError, DTypeError, ShapeError, Tensor

RNG = np.random.default_rng(0)
MASK = RNG.random((3, 4)) < 0.5
ROWS = np.array([[0, 3], [2, 1], [3, 2]])  # distinct positions in each row (scatter dim 1)
COLUMNS = np.array([[2, 0, 1, 2], [0, 1, 2, 1]])  # distinct in each column (dim 0)

# (name, shapes of the inputs, call): the call takes the input tensors and a function
# turning a constant array (an index, a mask) into the library's tensor; it returns a
# tensor or a tuple of them. Inputs are standard normal: no ties, away from kinks.
CASES: list[tuple[str, list[tuple[int, ...]], Callable[..., Any]]] = [
    ("bmm", [(2, 3, 4), (2, 4, 5)], lambda a, b, of: a.bmm(b)),
    ("addmm", [(3, 5), (3, 4), (4, 5)], lambda s, a, b, of: s.addmm(a, b)),
    ("addmm beta alpha", [(3, 5), (3, 4), (4, 5)],
     lambda s, a, b, of: s.addmm(a, b, beta=0.5, alpha=-2.0)),
    ("addmm broadcast", [(5,), (3, 4), (4, 5)], lambda s, a, b, of: s.addmm(a, b, beta=3)),
    ("addmm beta 0", [(3, 5), (3, 4), (4, 5)], lambda s, a, b, of: s.addmm(a, b, beta=0)),
    ("amax", [(3, 4, 2)], lambda t, of: t.amax()),
    ("amax dim", [(3, 4, 2)], lambda t, of: t.amax(1)),
    ("amax dims keepdim", [(3, 4, 2)], lambda t, of: t.amax(dim=(0, 2), keepdim=True)),
    ("amin dim", [(3, 4, 2)], lambda t, of: t.amin(dim=-1)),
    ("amin dims", [(3, 4, 2)], lambda t, of: t.amin((0, 1))),
    ("unbind", [(3, 4)], lambda t, of: t.unbind()),
    ("unbind dim", [(3, 4, 2)], lambda t, of: t.unbind(dim=-2)),
    ("diag vector", [(4,)], lambda t, of: t.diag()),
    ("diag vector above", [(4,)], lambda t, of: t.diag(2)),
    ("diag vector below", [(3,)], lambda t, of: t.diag(diagonal=-1)),
    ("diag matrix", [(3, 4)], lambda t, of: t.diag()),
    ("diag matrix offset", [(3, 4)], lambda t, of: t.diag(1)),
    ("diag matrix below", [(4, 3)], lambda t, of: t.diag(-2)),
    ("topk", [(3, 5)], lambda t, of: _values(t.topk(3))),
    ("topk dim smallest", [(4, 3)], lambda t, of: _values(t.topk(2, dim=0, largest=False))),
    ("topk all", [(6,)], lambda t, of: _values(t.topk(6))),
    ("where", [(3, 4), (3, 4)], lambda a, b, of: a.where(of(MASK), b)),
    ("where number", [(3, 4)], lambda a, of: a.where(of(MASK), -1.5)),
    ("where broadcast", [(3, 4), (4,)], lambda a, b, of: a.where(of(MASK), b)),
    ("nan_to_num finite", [(3, 4)], lambda t, of: t.nan_to_num()),
    ("lerp number", [(3, 4), (3, 4)], lambda a, b, of: a.lerp(b, 0.3)),
    ("lerp weight tensor", [(3, 4), (3, 4), (3, 4)], lambda a, b, w, of: a.lerp(b, w)),
    ("lerp broadcast", [(4,), (3, 4), (3, 1)], lambda a, b, w, of: a.lerp(b, w)),
    ("scatter src", [(3, 4), (3, 2)], lambda t, s, of: t.scatter(1, of(ROWS), s)),
    ("scatter dim 0", [(3, 4), (2, 4)], lambda t, s, of: t.scatter(0, of(COLUMNS), s)),
    ("scatter number", [(3, 4)], lambda t, of: t.scatter(1, of(ROWS), 2.5)),
    ("scatter value=", [(3, 4)], lambda t, of: t.scatter(-1, of(ROWS), value=-1.0)),
]


def _values(y: Any) -> Any:
    """topk's values (both libraries give (values, indices))."""
    return y.values


def _torch() -> Any:
    return pytest.importorskip("torch")


def _pieces(y: Any) -> list:
    return list(y) if isinstance(y, tuple) else [y]


def _inputs(shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    return [RNG.standard_normal(shape) for shape in shapes]


@pytest.mark.parametrize("name, shapes, call", CASES, ids=[c[0] for c in CASES])
def test_methods_are_differentiable(name: str, shapes: list, call: Callable) -> None:
    inputs = [Tensor(a, requires_grad=True) for a in _inputs(shapes)]
    flat = lambda *ts: ag.cat([p.reshape(-1) for p in _pieces(call(*ts, Tensor))])  # noqa
    assert ag.gradcheck(flat, inputs), name


@pytest.mark.parametrize("name, shapes, call", CASES, ids=[c[0] for c in CASES])
def test_methods_match_pytorch(name: str, shapes: list, call: Callable) -> None:
    torch = _torch()
    arrays = _inputs(shapes)
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    mine, reference = _pieces(call(*ours, Tensor)), _pieces(call(*theirs, torch.tensor))
    assert len(mine) == len(reference), name
    for m, r in zip(mine, reference):
        assert m.shape == tuple(r.shape), name
        np.testing.assert_allclose(m.data, r.detach().numpy(), rtol=1e-12, atol=1e-12)
    weights = [RNG.standard_normal(tuple(r.shape)) for r in reference]
    sum(((m * w).sum() for m, w in zip(mine, weights)), Tensor(0.0)).backward()
    sum((r * torch.tensor(w)).sum() for r, w in zip(reference, weights)).backward()
    for o, t in zip(ours, theirs):
        expected = np.zeros(o.shape) if t.grad is None else t.grad.numpy()
        got = np.zeros(o.shape) if o.grad is None else o.grad.data
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_addmm_with_beta_0_ignores_nan_in_self_as_pytorch() -> None:
    torch = _torch()
    s = np.array([[np.nan, np.inf], [1.0, -np.inf]])
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 2))
    x, tx = Tensor(s, requires_grad=True), torch.tensor(s, requires_grad=True)
    y, ty = x.addmm(Tensor(a), Tensor(b), beta=0), tx.addmm(torch.tensor(a), torch.tensor(b),
                                                             beta=0)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())  # zeros, no NaN


@pytest.mark.parametrize("call, error, message", [
    (lambda: ag.ones(3, 4).bmm(ag.ones(4, 5)), ShapeError, "batches of matrices"),
    (lambda: ag.ones(2, 3, 4).bmm(ag.ones(3, 4, 5)), ShapeError, r"\(2, 3, 4\) and \(3, 4"),
    (lambda: ag.ones(2, 3, 4).bmm(ag.ones(2, 5, 5)), ShapeError, "matmul"),
    (lambda: ag.ones(3).addmm(ag.ones(3), ag.ones(3, 3)), ShapeError, "must be matrices"),
    (lambda: ag.ones(2, 3).amax(dim=(0, 0)), AxisError, "repeated"),
    (lambda: ag.ones(2, 3).amin(2), AxisError, "axis"),
    (lambda: ag.ones(2, 3).unbind(2), AxisError, "axis"),
    (lambda: ag.tensor(2.0).unbind(), AxisError, "0-d"),
    (lambda: ag.tensor(2.0).diag(), ShapeError, "1-d tensor"),
    (lambda: ag.ones(2, 2, 2).diag(), ShapeError, r"got shape \(2, 2, 2\)"),
    (lambda: ag.ones(2, 3).topk(4), ShapeError, r"\[0, 3\]"),
    (lambda: ag.ones(2, 3).topk(-1), ShapeError, "k must be"),
    (lambda: ag.ones(2, 3).topk(1.5), ShapeError, "k must be an int"),
    (lambda: ag.ones(2, 3).where(ag.ones(2, 3), 0.0), DTypeError, "must be boolean"),
    (lambda: ag.ones(2, 3).lerp(ag.ones(3, 3), 0.5), ShapeError, "broadcast"),
])
def test_method_errors(call: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_amax_splits_ties_evenly_as_pytorch() -> None:
    torch = _torch()
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for kwargs in ({}, {"dim": 1}, {"dim": (0, 1)}, {"dim": 0, "keepdim": True}):
        x, tx = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        x.amax(**kwargs).sum().backward()
        tx.amax(**kwargs).sum().backward()
        np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


def test_topk_gives_pytorchs_values_and_indices() -> None:
    """``v, i = x.topk(k)`` unpacks (values, indices), as in PyTorch (values alone would
    silently unpack the rows of a 2-row result)."""
    torch = _torch()
    a = RNG.standard_normal((2, 5))
    for kwargs in ({}, {"dim": 0, "largest": False}, {"k": 0}):
        k = kwargs.pop("k", 2)
        values, indices = torch.tensor(a).topk(k, **kwargs)
        mine_values, mine_indices = Tensor(a).topk(k, **kwargs)
        np.testing.assert_array_equal(mine_values.data, values.numpy())
        np.testing.assert_array_equal(mine_indices.data, indices.numpy())
        assert mine_indices.dtype.kind == "i" and not mine_indices.requires_grad
    x, tx = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    x.topk(2).values.sum().backward()
    tx.topk(2).values.sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", [{}, {"nan": 1.0, "posinf": 2.0, "neginf": -3.0},
                                    {"posinf": 7.0}])
def test_nan_to_num_values_and_gradient_as_pytorch(kwargs: dict, dtype: str) -> None:
    torch = _torch()
    a = np.array([[1.5, np.nan, np.inf], [-np.inf, -2.0, 0.0]], dtype)
    x, tx = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = x.nan_to_num(**kwargs), tx.nan_to_num(**kwargs)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    g = RNG.standard_normal(a.shape).astype(dtype)
    y.backward(Tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())  # g where kept, 0 elsewhere


def test_nan_to_num_of_integers_gives_the_values_as_pytorch() -> None:
    torch = _torch()
    a = np.array([3, -1, 0])
    np.testing.assert_array_equal(Tensor(a).nan_to_num().data,
                                  torch.tensor(a).nan_to_num().numpy())


def test_scatter_from_a_bigger_src_uses_its_corner() -> None:
    torch = _torch()  # whose backward refuses a src bigger than index (2.14): values only
    a, b = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 5))
    x, s = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    np.testing.assert_array_equal(
        x.scatter(1, ROWS, s).data,
        torch.tensor(a).scatter(1, torch.tensor(ROWS), torch.tensor(b)).numpy())
    assert ag.gradcheck(lambda x, s: x.scatter(1, ROWS, s), [x, s])

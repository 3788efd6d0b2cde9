"""More of PyTorch's in-place methods (``scatter_ fill_diagonal_ exp_ sqrt_ abs_ relu_
sigmoid_ tanh_``): the values PyTorch gives, the rules of the other in-place methods
(refused on tensors that require grad unless under no_grad(), stamped so an older graph
refuses to backward), named errors."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, InplaceError, ShapeError, Tensor, TensorIndexError, UsageError

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
ROWS = np.array([[0, 3], [2, 1], [3, 2]])  # distinct positions in each row
COLUMNS = np.array([[2, 0, 1, 2], [0, 1, 2, 1]])  # distinct in each column


def _torch() -> Any:
    return pytest.importorskip("torch")


# (name, update): the update takes the tensor and a function turning an array into the
# library's tensor, and calls one in-place method
UPDATES: list[tuple[str, Callable[[Any, Callable], Any]]] = [
    ("scatter_ number", lambda t, of: t.scatter_(1, of(ROWS), 1.0)),
    ("scatter_ value=", lambda t, of: t.scatter_(1, of(ROWS[:, :1]), value=-2.0)),
    ("scatter_ src", lambda t, of: t.scatter_(1, of(ROWS), of(X[:, :2] * 10))),
    ("scatter_ dim 0", lambda t, of: t.scatter_(0, of(COLUMNS), of(X[:2] + 5))),
    ("exp_", lambda t, of: t.exp_()),
    ("sqrt_", lambda t, of: t.sqrt_()),  # NaN below 0
    ("abs_", lambda t, of: t.abs_()),
    ("relu_", lambda t, of: t.relu_()),
    ("sigmoid_", lambda t, of: t.sigmoid_()),
    ("tanh_", lambda t, of: t.tanh_()),
    ("abs_ then sqrt_", lambda t, of: t.abs_().sqrt_()),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, update", UPDATES, ids=[u[0] for u in UPDATES])
def test_in_place_methods_match_pytorch(name: str, update: Callable, dtype: str) -> None:
    torch = _torch()
    ours, theirs = Tensor(X.astype(dtype)), torch.tensor(X.astype(dtype))
    assert update(ours, lambda a: Tensor(a) if a.dtype.kind in "iu" else
                  Tensor(a.astype(dtype))) is ours  # returns self
    update(theirs, lambda a: torch.tensor(a if a.dtype.kind in "iu" else a.astype(dtype)))
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, atol=1e-6)


def test_one_hot_habit_works_as_in_pytorch() -> None:
    torch = _torch()
    y = np.array([2, 0, 3, 3, 1])
    ours = ag.zeros(5, 4).scatter_(1, Tensor(y).unsqueeze(1), 1.0)
    theirs = torch.zeros(5, 4).scatter_(1, torch.tensor(y).unsqueeze(1), 1.0)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    labels = Tensor(np.zeros((5, 4), np.int64)).scatter_(1, y[:, None], 1.7)  # truncates
    np.testing.assert_array_equal(
        labels.data, torch.zeros(5, 4, dtype=torch.long).scatter_(1, torch.tensor(y)[:, None],
                                                                   1.7).numpy())


# (name, the out-of-place form the refusal names, call): each writes the number o into a
# (3, 3) tensor
CALLS = [("scatter_", "x = x.scatter", lambda t, o: t.scatter_(0, np.array([[1]]), o)),
         ("fill_diagonal_", "x = x.index_put", lambda t, o: t.fill_diagonal_(o))] + [
    (f"{name}_", f"x = x.{name}\\(\\)", lambda t, o, name=name: getattr(t, f"{name}_")())
    for name in ("exp", "sqrt", "abs", "relu", "sigmoid", "tanh")]


@pytest.mark.parametrize("name, instead, call", CALLS, ids=[c[0] for c in CALLS])
def test_refused_on_a_tensor_requiring_grad_while_recording(name: str, instead: str,
                                                            call: Callable) -> None:
    w = Tensor(np.full((3, 3), -1.0), requires_grad=True)
    with pytest.raises(InplaceError, match=rf"in-place {name} on a leaf tensor that requires "
                                           rf"grad.*Write {instead}.*no_grad\(\)"):
        call(w, 0.5)
    if name == "fill_diagonal_":  # the others are recorded (test_inplace_methods_recorded)
        with pytest.raises(InplaceError, match=f"in-place {name} on a tensor that requires "
                                               f"grad.*is not recorded here"):
            call(w * 2, 0.5)
        with pytest.raises(InplaceError, match="with an operand that does"):
            call(Tensor(np.ones((3, 3))), Tensor(0.5, requires_grad=True))
    with ag.no_grad():
        assert call(w, 0.5) is w
    assert not np.all(w.data == -1.0)  # written


@pytest.mark.parametrize("name, instead, call", CALLS, ids=[c[0] for c in CALLS])
def test_writes_are_stamped_so_an_older_graph_refuses(name: str, instead: str,
                                                      call: Callable) -> None:
    a = Tensor(np.full((3, 3), 2.0))
    w = Tensor(np.ones((3, 3)), requires_grad=True)
    y = (a * w).sum()  # Mul saved a's values for w's gradient
    call(a, 0.5)
    with pytest.raises(InplaceError, match="modified in place"):
        y.backward()


@pytest.mark.parametrize("name, instead, call", CALLS, ids=[c[0] for c in CALLS])
def test_read_only_arrays_are_refused(name: str, instead: str, call: Callable) -> None:
    frozen = np.ones((3, 3))
    frozen.flags.writeable = False
    with pytest.raises(UsageError, match=f"in-place {name} into a read-only array"):
        call(Tensor(frozen), 0.5)


def test_a_src_that_requires_grad_is_recorded_while_recording() -> None:
    src = Tensor(np.full((1, 4), 2.0), requires_grad=True)  # as PyTorch: src gets gradient
    target = Tensor(X.copy()).scatter_(0, np.zeros((1, 4), int), src)
    assert target.requires_grad
    (target * target).sum().backward()
    np.testing.assert_array_equal(src.grad.data, np.full((1, 4), 4.0))


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.scatter(1, np.array([[0], [2], [4]]), 1.0), TensorIndexError, "0..3"),
    (lambda x: x.scatter_(1, np.array([[0], [-1], [2]]), 1.0), TensorIndexError, "-1..2"),
    (lambda x: x.scatter(1, np.array([0, 2, 1]), 1.0), ShapeError, "needs 2 axes"),
    (lambda x: x.scatter_(1, np.zeros((4, 1), int), 1.0), ShapeError, "no longer"),
    (lambda x: x.scatter(1, np.zeros((3, 1), int), Tensor(np.ones((2, 1)))), ShapeError,
     "nor than src's"),
    (lambda x: x.scatter(1, np.zeros((3, 1)), 1.0), DTypeError, "integer tensor"),
    (lambda x: x.scatter(1, np.zeros((3, 1), int), Tensor(np.ones((3, 1), np.float32))),
     DTypeError, "must match"),
    (lambda x: x.scatter(1, np.zeros((3, 1), int)), UsageError, "got none"),
    (lambda x: x.scatter(1, np.zeros((3, 1), int), np.ones((3, 1)), value=1.0), UsageError,
     "got both"),
    (lambda x: x.scatter_(1, np.zeros((3, 1), int), 1.0, reduce="add"), UsageError,
     "reduce= is not taken here.*scatter_reduce"),
    (lambda x: x.scatter(2, np.zeros((3, 1), int), 1.0), ag.AxisError, "axis"),
    (lambda x: Tensor(np.zeros(3, int)).scatter_(0, np.array([1]), np.nan), DTypeError,
     "cannot be stored"),
])
def test_scatter_errors_are_named(call: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(Tensor(X.copy()))


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (7, 3), (3, 3, 3), (1, 1)])
@pytest.mark.parametrize("wrap", [False, True])
def test_fill_diagonal_matches_pytorch(shape: tuple, wrap: bool) -> None:
    torch = _torch()
    ours = Tensor(np.ones(shape))
    assert ours.fill_diagonal_(-2.5, wrap=wrap) is ours
    np.testing.assert_array_equal(
        ours.data, torch.ones(shape, dtype=torch.float64).fill_diagonal_(-2.5, wrap).numpy())


def test_fill_diagonal_of_a_view_writes_through_and_integers_truncate_as_pytorch() -> None:
    torch = _torch()
    ours, theirs = ag.zeros(4, 6), torch.zeros(4, 6, dtype=torch.float64)
    ours.T.fill_diagonal_(1.0)
    theirs.T.fill_diagonal_(1.0)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(
        Tensor(np.zeros((3, 3), np.int64)).fill_diagonal_(1.7).data,
        torch.zeros(3, 3, dtype=torch.long).fill_diagonal_(1.7).numpy())


@pytest.mark.parametrize("call, error, message", [
    (lambda: ag.zeros(3).fill_diagonal_(1.0), ShapeError, r"needs a matrix.*\(3,\)"),
    (lambda: ag.zeros(2, 3, 2).fill_diagonal_(1.0), ShapeError, "one length"),
    (lambda: ag.zeros(2, 2).fill_diagonal_([1.0, 2.0]), UsageError, "one value"),
    (lambda: Tensor(np.zeros((2, 2), int)).fill_diagonal_(np.inf), DTypeError, "cannot be"),
])
def test_fill_diagonal_errors_are_named(call: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name", ["exp", "sqrt", "abs", "relu", "sigmoid", "tanh"])
def test_math_in_place_of_integers_and_bools_as_pytorch(name: str) -> None:
    torch = _torch()
    ints = np.array([[-3, 0, 4]])
    theirs = torch.tensor(ints)
    try:
        expected = getattr(theirs, f"{name}_")().numpy()
    except RuntimeError:  # Float can't be cast to Long: a float result
        with pytest.raises(DTypeError, match=f"in-place {name}_ cannot store .* int64"):
            getattr(Tensor(ints), f"{name}_")()
    else:
        np.testing.assert_array_equal(getattr(Tensor(ints), f"{name}_")().data, expected)
    with pytest.raises(DTypeError, match=f"in-place {name}_ on a bool tensor"):
        getattr(Tensor(np.array([True, False])), f"{name}_")()

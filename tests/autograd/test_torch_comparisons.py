"""PyTorch's comparison methods (``eq ne lt le gt ge allclose equal``): the
values PyTorch gives, boolean constants as the operators, and named errors."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

from autograd import DTypeError, ShapeError, Tensor

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
Y = np.where(RNG.random((3, 4)) < 0.5, X, RNG.standard_normal((3, 4)))  # some equal to X
ROW = X[1]  # broadcasts along the rows


def _torch() -> Any:
    return pytest.importorskip("torch")


# (name, call): the call takes self and a function turning an array into the library's
# tensor, and returns a boolean tensor
COMPARISONS: list[tuple[str, Callable[[Any, Callable], Any]]] = [
    ("eq", lambda t, of: t.eq(of(Y))),
    ("ne", lambda t, of: t.ne(of(Y))),
    ("lt", lambda t, of: t.lt(of(Y))),
    ("le", lambda t, of: t.le(of(Y))),
    ("gt", lambda t, of: t.gt(of(Y))),
    ("ge", lambda t, of: t.ge(of(Y))),
    ("gt number", lambda t, of: t.gt(0.25)),
    ("le broadcast", lambda t, of: t.le(of(ROW))),
    ("eq number", lambda t, of: t.eq(X[0, 0])),
    ("isclose", lambda t, of: t.isclose(of(X + 1e-7))),
    ("isclose rtol", lambda t, of: t.isclose(of(X * 1.001), rtol=1e-2)),
    ("isclose atol broadcast", lambda t, of: t.isclose(of(ROW), atol=0.5)),
]


def test_np_isclose_of_a_tensor_gives_what_the_method_gives() -> None:
    """The interop rule: np.f(t) is t.f() (a boolean constant Tensor here)."""
    x = Tensor(X)
    for other in (X + 1e-7, ROW, Tensor(ROW)):
        mine = np.isclose(x, other, atol=0.5)
        assert isinstance(mine, Tensor) and not mine.requires_grad
        np.testing.assert_array_equal(mine.data, x.isclose(other, atol=0.5).data)
        np.testing.assert_array_equal(mine.data, np.isclose(X, getattr(other, "data", other),
                                                            atol=0.5))
    with pytest.raises(ShapeError, match="do not broadcast"):
        x.isclose(np.ones(7))


@pytest.mark.parametrize("name, call", COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_comparisons_match_pytorch(name: str, call: Callable) -> None:
    torch = _torch()
    x = Tensor(X.copy(), requires_grad=True)
    mine, theirs = call(x, Tensor), call(torch.tensor(X), torch.tensor)
    assert mine.dtype == np.bool_ and not mine.requires_grad, name  # a constant
    np.testing.assert_array_equal(mine.data, theirs.numpy())


def test_methods_give_what_the_operators_give() -> None:
    x, y = Tensor(X), Tensor(Y)
    for method, operator in (("eq", x == y), ("ne", x != y), ("lt", x < y),
                             ("le", x <= y), ("gt", x > y), ("ge", x >= y)):
        np.testing.assert_array_equal(getattr(x, method)(y).data, operator.data)


@pytest.mark.parametrize("other, kwargs", [
    (X, {}), (X + 1e-7, {}), (X + 1e-3, {}), (X * 1.001, {"rtol": 1e-2}),
    (X + 0.5, {"atol": 0.6}), (ROW, {}), (X[1:2], {}),
])
def test_allclose_matches_pytorch(other: np.ndarray, kwargs: dict) -> None:
    torch = _torch()
    mine = Tensor(X[1:2]).allclose(Tensor(other), **kwargs)
    assert type(mine) is bool
    assert mine == torch.tensor(X[1:2]).allclose(torch.tensor(other), **kwargs)


def test_nan_is_close_only_with_equal_nan_as_pytorch() -> None:
    torch = _torch()
    a = np.array([1.0, np.nan, np.inf, -np.inf])
    for equal_nan in (False, True):
        assert Tensor(a).allclose(a, equal_nan=equal_nan) == torch.tensor(a).allclose(
            torch.tensor(a), equal_nan=equal_nan)


@pytest.mark.parametrize("other", [X, Y, X[:2], X.reshape(4, 3), np.full((3, 4), np.nan)],
                         ids=["same", "different", "fewer rows", "other shape", "nan"])
def test_equal_matches_pytorch(other: np.ndarray) -> None:
    torch = _torch()
    mine = Tensor(X).equal(Tensor(other))
    assert type(mine) is bool
    assert mine == torch.tensor(X).equal(torch.tensor(other))


def test_equal_with_nan_is_false_and_numbers_work() -> None:
    a = np.array([1.0, np.nan])
    assert not Tensor(a).equal(Tensor(a))  # NaN equals nothing
    assert Tensor(2.0).equal(2.0) and Tensor([1.0, 2.0]).equal([1.0, 2.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.allclose(np.ones((2, 4))), ShapeError, "do not broadcast"),
    (lambda x: x.allclose("a"), DTypeError, "numbers, numeric arrays"),
    (lambda x: x.lt("a"), DTypeError, "ordered"),
])
def test_comparison_errors(call: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(Tensor(X))

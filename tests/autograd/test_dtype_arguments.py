"""A ``dtype=`` argument (Tensor, astype, to, sum/mean, creation functions) is a bool,
integer or float NumPy dtype: one NumPy does not know (a typo, a torch dtype) is a named
DTypeError instead of NumPy's bare TypeError, and ``astype`` no longer makes the object,
text or complex tensors that ``Tensor(...)`` refuses."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, Tensor

X = Tensor(np.arange(3.0))

TAKES_A_DTYPE: list[tuple[str, Callable[[Any], Any]]] = [
    ("Tensor", lambda d: Tensor([1.0], dtype=d)),
    ("astype", lambda d: X.astype(d)),
    ("astype", lambda d: ag.astype(X, d)),
    ("astype", lambda d: X.to(d)),
    ("astype", lambda d: X.to(dtype=d)),
    ("sum", lambda d: X.sum(dtype=d)),
    ("mean", lambda d: X.mean(dtype=d)),
    ("dtype", lambda d: ag.zeros(2, dtype=d)),
    ("dtype", lambda d: ag.full((2,), 1.0, dtype=d)),
    ("dtype", lambda d: ag.ones_like(X, dtype=d)),
    ("dtype", lambda d: ag.arange(3, dtype=d)),
    ("dtype", lambda d: ag.rand(2, dtype=d)),
]


@pytest.mark.parametrize("name, call", TAKES_A_DTYPE)
def test_an_unknown_dtype_is_a_named_dtype_error(name: str, call: Callable) -> None:
    with pytest.raises(DTypeError, match=rf"^{name}.*: expected a NumPy dtype such as "
                                         r"np.float32, 'float32' or float; got 'flaot32'"):
        call("flaot32")


@pytest.mark.parametrize("name, call", TAKES_A_DTYPE)
@pytest.mark.parametrize("dtype", [object, str, complex, "datetime64[s]"])
def test_a_dtype_a_tensor_cannot_hold_is_refused(name: str, call: Callable,
                                                 dtype: Any) -> None:
    with pytest.raises(DTypeError, match=rf"^{name}.*: expected a bool, integer or float "
                                         r"dtype \(what a Tensor holds\); got "):
        call(dtype)


def test_a_torch_dtype_is_named_with_the_numpy_spelling() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(DTypeError, match=r"got torch.float32 \(a torch dtype: write "
                                         r"np.float32 or 'float32'\)"):
        X.to(torch.float32)


def test_the_error_is_still_the_type_error_numpy_raised() -> None:
    with pytest.raises(TypeError):
        X.astype("flaot32")


@pytest.mark.parametrize("dtype", [np.float32, "float16", float, int, bool, np.uint8, "i4"])
def test_numeric_dtypes_work_as_before(dtype: Any) -> None:
    expected = np.dtype(dtype)
    assert X.astype(dtype).dtype == expected
    assert Tensor([1.0], dtype=dtype).dtype == expected
    assert ag.zeros(2, dtype=dtype).dtype == expected
    assert X.sum(dtype=dtype).dtype == expected

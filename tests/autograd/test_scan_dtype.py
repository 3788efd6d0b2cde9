"""``prod``, ``cumsum`` and ``cumprod`` take ``dtype=``, as PyTorch's and NumPy's do (the
input is cast to it first): ``x.cumsum(0, dtype=torch.float64)`` on a float32 tensor, or
``counts.cumsum(0, dtype=torch.float32)`` on integers, raised TypeError (an unexpected
keyword), unlike ``sum`` and ``mean``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError

DATA = np.array([[1.5, -2.0, 0.5], [3.0, 0.25, -1.0]], dtype=np.float32)
CALLS = {"prod": lambda x, **k: x.prod(dim=1, **k), "cumsum": lambda x, **k: x.cumsum(1, **k),
         "cumprod": lambda x, **k: x.cumprod(dim=1, **k)}


@pytest.mark.parametrize("name", list(CALLS))
def test_float32_computed_in_float64_as_pytorch(torch, name: str) -> None:
    ours = ag.tensor(DATA, requires_grad=True)
    theirs = torch.tensor(DATA, requires_grad=True)
    mine, reference = CALLS[name](ours, dtype=np.float64), CALLS[name](theirs,
                                                                        dtype=torch.float64)
    assert mine.dtype == np.float64 and reference.dtype == torch.float64
    np.testing.assert_array_equal(mine.detach().numpy(), reference.detach().numpy())
    weights = np.cos(np.arange(mine.size)).reshape(mine.shape)
    (mine * ag.tensor(weights)).sum().backward()
    (reference * torch.tensor(weights)).sum().backward()
    assert ours.grad.dtype == np.float32  # the gradient comes back through the cast
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", list(CALLS))
def test_integers_in_a_float_dtype_and_the_function_forms(torch, name: str) -> None:
    counts = np.array([[1, 2, 3], [4, 5, 6]])
    mine = CALLS[name](ag.tensor(counts), dtype=np.float32)
    reference = CALLS[name](torch.tensor(counts), dtype=torch.float32)
    assert mine.dtype == np.float32
    np.testing.assert_array_equal(mine.numpy(), reference.numpy())
    function = getattr(ag, name)
    axis = {"dim": 1} if name == "prod" else {"axis": 1}
    np.testing.assert_array_equal(function(ag.tensor(counts), dtype=np.float32, **axis).numpy(),
                                  mine.numpy())


def test_numpys_dtype_argument_reaches_the_tensor() -> None:
    x = ag.tensor(DATA, requires_grad=True)
    result = np.cumsum(x, axis=1, dtype=np.float64)
    assert isinstance(result, ag.Tensor) and result.dtype == np.float64
    np.testing.assert_array_equal(result.data, np.cumsum(DATA, axis=1, dtype=np.float64))


def test_an_integer_dtype_of_a_tensor_that_requires_grad_is_named() -> None:
    with pytest.raises(DTypeError, match=r"cumsum\(dtype=int64\) of a tensor that requires"):
        ag.tensor(DATA, requires_grad=True).cumsum(1, dtype=np.int64)

"""A bad index on a Tensor raises ``TensorIndexError``, also an ``IndexError``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd.errors import AutogradError, TensorIndexError


def test_tensor_index_error_is_an_index_error() -> None:
    assert issubclass(TensorIndexError, IndexError)
    assert issubclass(TensorIndexError, AutogradError)


@pytest.mark.parametrize("index, message", [
    (np.array([5]), "shape \\(5,\\).*index 5 is out of bounds"),
    (np.array([1.0]), "integer or boolean array; got ndarray of dtype float64"),
    (1.5, "got float of dtype float64"),
    ((0, 0), "too many indices"),
])
def test_bad_tensor_index_is_tensor_index_error(index, message) -> None:
    x = autograd.tensor(np.arange(5.0), requires_grad=True)
    with pytest.raises(TensorIndexError, match=message):
        x[index]
    with pytest.raises(IndexError):
        x[index]

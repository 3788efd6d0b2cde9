"""An integer tensor to a negative integer number has no integer result: NumPy raises a
bare ValueError and PyTorch a RuntimeError; here it is a UsageError (both of those, and an
AutogradError) that says to convert first or use a float exponent. With a tensor of
exponents PyTorch computes 2 ** -1 = 0 (1 / 2 truncated), and so does this library
(``tests/autograd/test_dtype_arith_vs_torch.py``), where NumPy refuses."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import AutogradError, Tensor, UsageError

INTS = np.array([2, 3])
NEGATIVE = np.array([-1, 2])

POWERS: list[Callable[[Any], Any]] = [
    lambda m: m.ints ** -1,
    lambda m: m.ints.pow(-2),
]
TENSOR_EXPONENTS: list[Callable[[Any], Any]] = [
    lambda m: m.ints ** m.negative,
    lambda m: 2 ** m.negative,
]


class _Operands:
    def __init__(self, of: Callable[[np.ndarray], Any]) -> None:
        self.ints, self.negative = of(INTS), of(NEGATIVE)


@pytest.mark.parametrize("power", POWERS)
def test_integers_to_negative_integer_powers_are_a_named_error(power: Callable) -> None:
    with pytest.raises(UsageError, match=r"pow: an integer tensor to a negative integer "
                                         r"number .* has no integer result .*"
                                         r"x.astype\(np.float64\)"):
        power(_Operands(Tensor))


@pytest.mark.parametrize("power", POWERS[:1] + TENSOR_EXPONENTS)
def test_numpy_refuses_them_too(power: Callable) -> None:
    with pytest.raises(ValueError, match="Integers to negative integer powers"):
        power(_Operands(np.asarray))


@pytest.mark.parametrize("power", POWERS)
def test_pytorch_refuses_them_too(power: Callable) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        power(_Operands(torch.tensor))


def test_the_error_is_caught_as_numpys_and_pytorchs() -> None:
    for caught in (ValueError, RuntimeError, AutogradError):
        with pytest.raises(caught):
            Tensor(INTS) ** -1
    with pytest.raises(UsageError):
        np.power(Tensor(INTS), -1)


def test_what_numpy_computes_is_unchanged() -> None:
    np.testing.assert_array_equal((Tensor(INTS) ** 2).data, INTS ** 2)
    assert (Tensor(INTS) ** 2).dtype == np.int64
    np.testing.assert_allclose((Tensor(INTS) ** -1.0).data, INTS ** -1.0)
    np.testing.assert_allclose(ag.pow(Tensor(INTS.astype(float)), -1).data, 1.0 / INTS)

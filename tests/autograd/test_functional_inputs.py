"""``autograd.functional``'s rule for ``inputs`` and ``v``: a tuple is several inputs (as
PyTorch); a list of numbers, an array or a number is one input; a list holding Tensors is
refused; integer data is differentiated as float64, float arrays keep their dtype."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import DataError, DTypeError, Tensor, UsageError
from autograd import functional as F

POINT = [2.0, 1.0, 0.1]


def cube(x):
    return (x ** 3).sum() + (x[0] * x[1]).sin()


def test_a_list_of_numbers_is_one_input_as_a_tensor_of_it() -> None:
    torch = pytest.importorskip("torch")
    mine = F.jacobian(lambda t: t.softmax(axis=-1), POINT)
    theirs = torch.autograd.functional.jacobian(lambda t: t.softmax(-1), torch.tensor(POINT,
                                                dtype=torch.float64))
    np.testing.assert_allclose(mine.data, theirs.numpy(), rtol=1e-12, atol=1e-14)
    x = Tensor(POINT)
    np.testing.assert_array_equal(F.hessian(cube, POINT).data, F.hessian(cube, x).data)


@pytest.mark.parametrize("name", ["hvp", "vhp", "jvp", "vjp"])
def test_a_list_of_numbers_is_one_vector_v(name: str) -> None:
    torch = pytest.importorskip("torch")
    func = cube if name in ("hvp", "vhp") else (lambda t: t * t.sum())
    v = [1.0, -1.0, 0.5]
    _, mine = getattr(F, name)(func, POINT, v=v)
    _, expected = getattr(F, name)(func, Tensor(POINT), Tensor(v))
    np.testing.assert_array_equal(mine.data, expected.data)
    torch_func = ((lambda t: (t ** 3).sum() + (t[0] * t[1]).sin()) if func is cube
                  else (lambda t: t * t.sum()))
    _, theirs = getattr(torch.autograd.functional, name)(
        torch_func, torch.tensor(POINT, dtype=torch.float64),
        torch.tensor(v, dtype=torch.float64))
    np.testing.assert_allclose(mine.data, theirs.numpy(), rtol=1e-12)


def test_a_tuple_is_several_inputs_and_a_list_of_tensors_is_refused() -> None:
    a, b = F.jacobian(lambda x, y: x * y, (2.0, 3.0))
    assert (a.item(), b.item()) == (3.0, 2.0)
    x = Tensor(POINT)
    for call in (lambda: F.jacobian(lambda p, q: p * q, [x, x]),
                 lambda: F.hessian(cube, [x]),
                 lambda: F.vjp(lambda p: p * 2, [x], v=[x])):
        with pytest.raises(UsageError, match="is a list holding Tensors; pass a tuple"):
            call()
    with pytest.raises(UsageError, match="hvp: v is a list holding Tensors"):
        F.hvp(cube, x, v=[x])


@pytest.mark.parametrize("data", [[1, 2, 3], np.array([1, 2, 3]), Tensor(np.array([1, 2, 3]))],
                         ids=["list", "array", "tensor"])
def test_integer_inputs_are_differentiated_as_float64(data: object) -> None:
    jac = F.jacobian(lambda t: t * t / 2, data)
    assert jac.dtype == np.float64
    expected = F.jacobian(lambda t: t * t / 2, Tensor(np.array([1.0, 2.0, 3.0])))
    np.testing.assert_array_equal(jac.data, expected.data)


def test_float_arrays_keep_their_dtype_and_other_dtypes_are_refused() -> None:
    assert F.jacobian(lambda t: t * 2, np.ones(2, dtype=np.float32)).dtype == np.float32
    with pytest.raises(DTypeError, match="jacobian: input 0 has dtype bool; give real"):
        F.jacobian(lambda t: t * 2, np.array([True, False]))


def test_inputs_and_v_numpy_cannot_read_raise_named_errors() -> None:
    """A torch tensor that requires grad, ragged rows and strings gave NumPy's and
    torch's bare RuntimeError / ValueError."""
    torch = pytest.importorskip("torch")
    theirs = torch.ones(2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(DataError, match=r"jacobian: input 0: .*t\.detach\(\)\.numpy\(\)"):
        F.jacobian(lambda t: t * 2, theirs)
    with pytest.raises(DataError, match=r"hvp: input 1: .*ragged"):
        F.hvp(lambda a, b: (a * b).sum(), (Tensor(np.ones(2)), [[1.0, 2.0], [3.0]]), v=None)
    with pytest.raises(DataError, match=r"t\.detach\(\)\.numpy\(\)"):
        F.vjp(lambda t: t * 2, Tensor(np.ones(2)), theirs)
    with pytest.raises(DTypeError, match=r"bool, integer or float"):
        F.jvp(lambda t: t * 2, Tensor(np.ones(2)), ["a", "b"])
    # a torch tensor without history is data, as everywhere: one input
    assert F.jacobian(lambda t: t * 2, theirs.detach()).shape == (2, 2)

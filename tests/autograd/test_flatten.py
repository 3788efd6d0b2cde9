"""``flatten``: PyTorch's ``flatten(start_dim, end_dim)`` and NumPy's ``flatten(order)``
in one method (its values against PyTorch are in test_torch_spellings.py), ``ravel(order)``
and ``unflatten``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import AxisError, ShapeError, Tensor, UsageError

A = np.random.default_rng(1).standard_normal((2, 3, 4))


@pytest.mark.parametrize("order", ["C", "F", "c", "f"])
def test_flatten_and_ravel_take_numpys_order(order: str) -> None:
    x = Tensor(A.copy(), requires_grad=True)
    for y in (x.flatten(order), x.flatten(order=order), x.ravel(order), x.ravel(order=order)):
        np.testing.assert_array_equal(y.data, A.flatten(order))
    assert ag.gradcheck(lambda t: t.flatten(order) * np.arange(24.0), [x])


@pytest.mark.parametrize("args", [(), (0,), (1,), (1, 2), (0, 1), (-2, -1), (2, 2)])
def test_flatten_dims_give_pytorchs_shapes(args: tuple) -> None:
    torch = pytest.importorskip("torch")
    y = Tensor(A).flatten(*args)
    reference = torch.tensor(A).flatten(*args)
    np.testing.assert_array_equal(y.data, reference.numpy())


def test_flatten_of_a_scalar_is_one_element_as_numpy_and_pytorch() -> None:
    assert Tensor(2.0).flatten().shape == np.array(2.0).flatten().shape == (1,)
    assert Tensor(2.0).flatten(0, -1).shape == (1,)


@pytest.mark.parametrize("order", ["A", "K", "X", 1.5])
def test_orders_that_depend_on_the_memory_layout_are_refused(order: object) -> None:
    x = Tensor(A)
    with pytest.raises(UsageError, match=r"flatten: order=.* use 'C'"):
        x.flatten(order=order)
    with pytest.raises(UsageError, match=r"ravel: order=.* use 'C'"):
        x.ravel(order)
    if isinstance(order, str):
        with pytest.raises(UsageError, match=r"flatten: order="):
            x.flatten(order)


def test_flatten_names_bad_dims() -> None:
    x = Tensor(A)
    with pytest.raises(AxisError, match="start_dim 2 comes after end_dim 1"):
        x.flatten(2, 1)
    with pytest.raises(AxisError, match="flatten: start_dim: axis 3 is out of range"):
        x.flatten(3)
    with pytest.raises(AxisError, match=r"flatten: start_dim must be an int; got \(0, 1\)"):
        x.flatten((0, 1))
    with pytest.raises(UsageError, match="pass one or the other"):
        x.flatten(1, order="C")


def test_unflatten_inverts_flatten_and_names_bad_sizes() -> None:
    x = Tensor(A)
    np.testing.assert_array_equal(x.flatten(1).unflatten(1, (3, 4)).data, A)
    np.testing.assert_array_equal(x.flatten().unflatten(-1, [2, -1, 4]).data, A)
    for sizes in [(5, 2), (-1, -1, 2), (), (0, -1)]:
        with pytest.raises(ShapeError, match="unflatten: sizes .* do not split axis 1"):
            x.unflatten(1, sizes)

"""PyTorch's module-level ``logical_not/and/or/xor``, ``isnan/isinf/isfinite``,
``is_floating_point``, ``ravel`` and ``t`` (``autograd/torch_functions_more.py``): each
gives what ``torch.<name>`` gives, values, dtypes and gradients. They were Tensor methods
only, so ``torch.t(vectors)`` (siamese-triplet's ``pdist``) or ``torch.logical_not(mask)``
raised ``MissingNameError``. ``t`` is handed out by ``autograd.__getattr__`` and kept out
of ``__all__``: ``from autograd import *`` must not take a script's ``t``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError, Tensor

RNG = np.random.default_rng(5)
A = np.array([[0.0, 1.5, -2.0], [np.nan, 0.0, np.inf]])
B = np.array([1.0, 0.0, -np.inf])  # broadcasts against A


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_binary_logic_matches_pytorch(torch, name) -> None:
    mine = getattr(ag, name)(Tensor(A), Tensor(B))
    theirs = getattr(torch, name)(torch.tensor(A), torch.tensor(B))
    assert mine.dtype == np.bool_ and not mine.requires_grad
    np.testing.assert_array_equal(mine.data, theirs.numpy())
    masks = getattr(ag, name)(Tensor(A > 0), A < 0)  # bool tensors, an array
    np.testing.assert_array_equal(
        masks.data, getattr(torch, name)(torch.tensor(A > 0), torch.tensor(A < 0)).numpy())


@pytest.mark.parametrize("name", ["logical_not", "isnan", "isinf", "isfinite"])
def test_unary_tests_match_pytorch(torch, name) -> None:
    for data in (A, A.astype(np.float32), np.array([0, 3, -1]), np.eye(2, dtype=bool)):
        mine = getattr(ag, name)(Tensor(data))
        theirs = getattr(torch, name)(torch.tensor(data))
        assert mine.dtype == np.bool_ and not mine.requires_grad
        np.testing.assert_array_equal(mine.data, theirs.numpy())
    assert getattr(ag, name)(A).shape == A.shape  # data is made a constant tensor


def test_is_floating_point_matches_pytorch(torch) -> None:
    for data in (A, A.astype(np.float16), np.array([1, 2]), np.array([True])):
        assert ag.is_floating_point(Tensor(data)) is torch.is_floating_point(
            torch.tensor(data))


@pytest.mark.parametrize("name, shape", [("t", (3, 4)), ("t", (3,)), ("t", ()),
                                         ("ravel", (2, 3, 4))])
def test_t_and_ravel_match_pytorch_with_gradients(torch, name, shape) -> None:
    x = RNG.standard_normal(shape)
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mine, reference = getattr(ag, name)(ours), getattr(torch, name)(theirs)
    np.testing.assert_array_equal(mine.data, reference.detach().numpy())
    weight = RNG.standard_normal(mine.shape)
    (mine * weight).sum().backward()
    (reference * torch.tensor(weight)).sum().backward()
    np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())


def test_t_is_handed_out_but_not_star_imported() -> None:
    assert "t" not in ag.__all__
    namespace: dict = {"t": 3}
    exec("from autograd import *", namespace)
    assert namespace["t"] == 3
    for name in ("logical_not", "logical_and", "logical_or", "logical_xor", "isnan",
                 "isinf", "isfinite", "is_floating_point", "ravel"):
        assert name in ag.__all__
    with pytest.raises(ShapeError, match="t\\(\\) needs a tensor of at most 2 axes"):
        ag.t(ag.ones(2, 3, 4))


def test_logical_ops_write_out_as_torch(torch) -> None:
    out, theirs = ag.zeros(3, dtype=bool), torch.zeros(3, dtype=torch.bool)
    assert ag.logical_and(Tensor(B), Tensor(B[::-1]), out=out) is out
    torch.logical_and(torch.tensor(B), torch.tensor(B[::-1].copy()), out=theirs)
    np.testing.assert_array_equal(out.data, theirs.numpy())


@pytest.mark.parametrize("name", ["multiply", "subtract", "divide", "true_divide", "remainder",
                                  "mul", "sub", "div", "add"])
def test_a_python_number_on_either_side_keeps_a_float32_tensor_float32(name):
    """PyTorch's long names took the number as a float64 tensor when it came first
    (ag.multiply(2.0, x32) was float64, ag.mul(2.0, x32) float32, torch's both float32)."""
    torch = pytest.importorskip("torch")
    values = np.array([0.5, -1.0, 2.5], dtype=np.float32)
    for args in ((2.0, "t"), ("t", 2.0)):
        ours = getattr(ag, name)(*(ag.Tensor(values) if a == "t" else a for a in args))
        theirs = getattr(torch, name)(*(torch.tensor(values) if a == "t" else a for a in args))
        assert ours.dtype == np.float32 and theirs.dtype == torch.float32, args
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)

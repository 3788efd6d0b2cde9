"""PyTorch habits with one line each: ``masked_select``, ``std_mean`` / ``var_mean``,
``finfo`` / ``iinfo`` and ``set_printoptions``, next to PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import DTypeError, UsageError


@pytest.mark.parametrize("shape, mask_shape", [((2, 3), (2, 3)), ((2, 3), (3,)),
                                               ((3,), (2, 3)), ((), (4,))])
def test_masked_select_values_and_gradient_as_pytorch(torch, shape, mask_shape) -> None:
    rng = np.random.default_rng(0)
    x, mask = rng.normal(size=shape), rng.random(mask_shape) < 0.6
    weights = rng.normal(size=int(np.broadcast_to(mask, np.broadcast_shapes(shape,
                                                                           mask_shape)).sum()))
    ours = ag.tensor(x, requires_grad=True)
    picked = ag.masked_select(ours, ag.tensor(mask))
    (picked * ag.tensor(weights)).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    want = torch.masked_select(theirs, torch.tensor(mask))
    (want * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(picked.detach().numpy(), want.detach().numpy())
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    np.testing.assert_array_equal(ours.masked_select(mask).detach().numpy(), want.detach().numpy())
    ag.gradcheck(lambda t: t.masked_select(mask), [ag.tensor(x, requires_grad=True)])


def test_masked_select_needs_a_boolean_mask() -> None:
    with pytest.raises(DTypeError, match="masked_select: the mask must be boolean; got "
                                         "dtype int64"):
        ag.ones(3).masked_select(ag.tensor([1, 0, 1]))


@pytest.mark.parametrize("kwargs", [{}, {"dim": 1}, {"dim": (0, 1), "keepdim": True},
                                    {"dim": 0, "correction": 0}, {"unbiased": False},
                                    {"dim": -1, "keepdim": True, "correction": 2}])
@pytest.mark.parametrize("name", ["std_mean", "var_mean"])
def test_std_mean_and_var_mean_as_pytorch(torch, name, kwargs) -> None:
    x = np.random.default_rng(1).normal(size=(3, 4))
    got = getattr(ag, name)(ag.tensor(x), **kwargs)
    want = getattr(torch, name)(torch.tensor(x), **kwargs)
    for a, b in zip(got, want):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    ag.gradcheck(lambda t: sum(v.sum() for v in getattr(ag, name)(t, **kwargs)),
                 [ag.tensor(x, requires_grad=True)])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_finfo_has_pytorch_s_fields(torch, dtype) -> None:
    ours, theirs = ag.finfo(getattr(ag, dtype)), torch.finfo(getattr(torch, dtype))
    assert ours.bits == theirs.bits
    for field in ("eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        value = getattr(ours, field)  # of the dtype's type (PyTorch's: a Python float)
        assert value.dtype == np.dtype(dtype) and value == value.dtype.type(
            getattr(theirs, field)), field


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo_has_pytorch_s_fields(torch, dtype) -> None:
    ours, theirs = ag.iinfo(getattr(ag, dtype)), torch.iinfo(getattr(torch, dtype))
    assert (ours.min, ours.max, ours.bits) == (theirs.min, theirs.max, theirs.bits)


@pytest.fixture()
def default_printing():
    yield
    ag.set_printoptions(profile="default")


def test_set_printoptions_changes_how_tensors_print(default_printing) -> None:
    x = ag.tensor([1.23456789, 2.5, 3.0])
    assert repr(x) == "Tensor([1.23456789, 2.5       , 3.        ])"
    ag.set_printoptions(precision=2)
    assert repr(x) == "Tensor([1.23, 2.5 , 3.  ])"
    assert repr(nn.Parameter(x)) == "Parameter([1.23, 2.5 , 3.  ])"
    assert repr(np.array([1.23456789])) == "array([1.23456789])"  # NumPy's own stay
    ag.set_printoptions(sci_mode=True)
    assert repr(x) == "Tensor([1.23e+00, 2.50e+00, 3.00e+00])"
    ag.set_printoptions(sci_mode=False)  # fixed digits, as PyTorch's; whole values as 1.
    assert repr(ag.tensor([1e-9, 1.0])) == "Tensor([0.00, 1.00])"
    assert repr(ag.tensor([1e10, 1.0])) == "Tensor([10000000000.,           1.])"
    ag.set_printoptions(profile="short", threshold=4)
    assert repr(ag.arange(10.0)) == "Tensor([0., 1., ..., 8., 9.])"
    ag.set_printoptions(profile="full")
    assert "..." not in repr(ag.arange(2000))
    ag.set_printoptions(profile="default")
    assert repr(x) == "Tensor([1.23456789, 2.5       , 3.        ])"


@pytest.mark.parametrize("kwargs, message", [
    ({"profile": "long"}, r"profile must be one of \['default', 'full', 'short'\]"),
    ({"precision": -1}, "precision must be an int >= 0"),
    ({"linewidth": 2.5}, "linewidth must be an int >= 0")])
def test_bad_print_options_are_named(kwargs, message, default_printing) -> None:
    with pytest.raises(UsageError, match=message):
        ag.set_printoptions(**kwargs)


@pytest.mark.parametrize("p", [2, 1, 3.5, float("inf")])
@pytest.mark.parametrize("other_shape", [(3, 4), (4,), ()])
def test_dist_method_values_and_gradients_as_pytorch(torch, p, other_shape) -> None:
    """``a.dist(b, p)`` (it was missing as a method; ``autograd.dist`` existed)."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(3, 4)), rng.normal(size=other_shape)
    ours_x, ours_y = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
    theirs_x, theirs_y = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    ours, theirs = ours_x.dist(ours_y, p), theirs_x.dist(theirs_y, p)
    ours.backward()
    theirs.backward()
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours_y.grad, theirs_y.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert ours_x.dist(y).item() == pytest.approx(ag.dist(ours_x, y).item(), rel=1e-14)

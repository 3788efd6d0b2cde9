"""prod and cumprod through zeros, argmax/argmin, sort's gradient routing, and the
``dim=`` / ``keepdim=`` spelling. Expected values come from NumPy and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd.ops.scans import NormOrderError
from autograd.testing import arrays, axes, shapes

SEEDS = st.integers(0, 2**32 - 1)
WITH_ZEROS = st.sampled_from([0.0, 0.0, 0.5, -1.5, 2.0])  # zeros are frequent


def leaf(a: np.ndarray) -> ag.Tensor:
    return ag.Tensor(np.array(a, dtype=np.float64), requires_grad=True)


@given(st.data(), SEEDS)
def test_prod_with_zeros_matches_finite_differences(data: st.DataObject, seed: int) -> None:
    """First and second derivatives, with zeros among the factors."""
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape, elements=WITH_ZEROS))
    axis = data.draw(axes(len(shape)))
    ag.gradcheck(lambda t: ag.prod(t, axis), [leaf(x)], seed=seed)
    ag.gradgradcheck(lambda t: ag.prod(t, axis), [leaf(x)], seed=seed)


@given(st.data(), SEEDS)
def test_cumprod_with_zeros_matches_finite_differences(data: st.DataObject,
                                                       seed: int) -> None:
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape, elements=WITH_ZEROS))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    ag.gradcheck(lambda t: ag.cumprod(t, axis), [leaf(x)], seed=seed)
    ag.gradgradcheck(lambda t: ag.cumprod(t, axis), [leaf(x)], seed=seed)


def test_prod_gradient_at_one_zero_is_the_product_of_the_others() -> None:
    x = leaf([3.0, 0.0, 2.0])
    ag.prod(x).backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 6.0, 0.0])


@given(st.data())
def test_argmax_argmin_match_numpy(data: st.DataObject) -> None:
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape, elements=(-3.0, 3.0)))
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    keepdims = data.draw(st.booleans())
    for ours, theirs in ((ag.argmax, np.argmax), (ag.argmin, np.argmin)):
        result = ours(leaf(x), axis, keepdims)
        expected = theirs(x, axis=axis, keepdims=keepdims)
        assert result.dtype.kind == "i" and not result.requires_grad
        np.testing.assert_array_equal(result.data, expected)
    assert leaf(x).argmax(dim=axis).tolist() == np.argmax(x, axis=axis).tolist()


def test_sort_routes_each_gradient_to_where_its_value_came_from() -> None:
    x = leaf([3.0, 1.0, 2.0])
    upstream = np.array([10.0, 20.0, 30.0])  # for the sorted values 1, 2, 3
    ag.sort(x, axis=-1).backward(upstream)
    np.testing.assert_array_equal(x.grad.data, upstream[np.argsort(np.argsort(x.data))])
    np.testing.assert_array_equal(ag.argsort(x).data, np.argsort(x.data))


def test_norm_of_zero_has_gradient_zero_and_bad_order_is_named() -> None:
    x = leaf(np.zeros(3))
    ag.norm(x).backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(3))
    with pytest.raises(NormOrderError, match="ord must be"):
        ag.norm(x, "abc")  # "nuc" is the nuclear norm of a matrix: test_norm_nuclear


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "max", "min", "logsumexp",
                                  "prod", "norm", "argmax", "argmin"])
def test_dim_is_axis_and_keepdim_is_keepdims(name: str) -> None:
    x = np.arange(1.0, 7.0).reshape(2, 3) ** 1.5
    ddof = {"ddof": 1} if name in ("var", "std") else {}  # PyTorch's default correction=1
    numpy_style = getattr(ag.Tensor(x), name)(axis=1, keepdims=True, **ddof)
    torch_style = getattr(ag.Tensor(x), name)(dim=1, keepdim=True)
    function_style = getattr(ag, name)(x, dim=1, keepdim=True)
    if name in ("max", "min"):  # spelled as PyTorch's: its pair (values, indices)
        torch_style, function_style = torch_style.values, function_style.values
    np.testing.assert_array_equal(torch_style.data, numpy_style.data)
    np.testing.assert_array_equal(function_style.data, numpy_style.data)
    with pytest.raises(ag.AxisError, match="both axis=1 and dim=0"):
        getattr(ag.Tensor(x), name)(axis=1, dim=0)


@pytest.mark.parametrize("with_dim, with_axis", [
    (lambda x: x.softmax(dim=0), lambda x: x.softmax(axis=0)),
    (lambda x: x.log_softmax(dim=0), lambda x: x.log_softmax(axis=0)),
    (lambda x: x.cumsum(dim=1), lambda x: x.cumsum(axis=1)),
    (lambda x: x.cumprod(dim=1), lambda x: x.cumprod(axis=1)),
    (lambda x: x.flip(dim=1), lambda x: x.flip(axis=1)),
    (lambda x: x.squeeze(dim=0), lambda x: x.squeeze(axis=0)),
    (lambda x: x.sort(dim=0).values, lambda x: x.sort(axis=0)),
    (lambda x: x.roll(1, dim=1), lambda x: x.roll(1, axis=1)),
    (lambda x: x.expand_dims(dim=0), lambda x: x.expand_dims(axis=0)),
    (lambda x: x.unsqueeze(2), lambda x: x.expand_dims(2)),
    (lambda x: ag.concatenate([x, x], dim=1), lambda x: ag.concatenate([x, x], axis=1)),
    (lambda x: ag.stack([x, x], dim=2), lambda x: ag.stack([x, x], axis=2)),
    (lambda x: ag.softmax(x, dim=0), lambda x: ag.softmax(x, axis=0)),
])
def test_dim_is_accepted_by_the_other_axis_functions(with_dim, with_axis) -> None:
    x = ag.Tensor(np.array([[0.5, -1.0, 2.0]]))
    result, expected = with_dim(x), with_axis(x)
    assert result.shape == expected.shape
    np.testing.assert_array_equal(result.data, expected.data)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_low_precision_running_sums_and_products_round_as_pytorch(name: str, dtype: str,
                                                                  torch) -> None:
    """PyTorch's CPU cumsum/cumprod of float16/float32 accumulate in float64 and round each
    output once: a DDPM's ``torch.cumprod(1 - betas, 0)`` of float32 betas gives the same
    bits here (NumPy's running float32 product drifts an ulp per step)."""
    x = (1 - np.random.default_rng(0).uniform(0, 0.02, (3, 400))).astype(dtype)
    got = getattr(ag, name)(ag.tensor(x), dim=1)
    want = getattr(torch, name)(torch.tensor(x), dim=1).numpy()
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.numpy(), want)
    back = ag.tensor(x[:, :40], requires_grad=True)  # its float16 sum stays finite
    getattr(back, name)(dim=1).sum().backward()
    assert back.grad.dtype == np.dtype(dtype)

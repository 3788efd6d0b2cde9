"""Session 37 fixes in the scatter / gather / index families (differential fuzz against
PyTorch 2.13). Expected values are derived by hand or computed here with NumPy and
``autograd.gradcheck``; PyTorch is not needed.

- scatter_reduce / index_reduce 'prod' with include_self=False: self's gradient is 0
  where a value was received, also where the product is inf or NaN (not 0 * inf = NaN),
  and no NumPy RuntimeWarning leaks;
- masked_fill / index_fill with a 0-d tensor value keep self's dtype (float32 too);
- gather of a 1-d tensor with a 0-d index, index_copy with a 0-d index and source;
- scatter with a 0-d src tensor takes it as shape (1,) (a 2-d index is refused);
- index_put_ with None in the indices; take_along_dim out of range: named errors;
- error messages name the method called (put, put_, index_fill, index_reduce).
"""

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd.errors import (AutogradError, DTypeError, InplaceError, ShapeError,
                             TensorIndexError, UsageError)


# ------------------------------------------------------------ 1. prod, include_self=False
@pytest.mark.parametrize("src", [[1e200, 1e200], [np.inf, 2.0], [np.nan, 2.0],
                                 [0.0, np.inf]])
def test_prod_without_self_gives_self_zero_gradient_where_received(src):
    # position 0 takes both src values and forgets self's 1: d out / d self there is 0;
    # positions 1 and 2 receive nothing and keep self: derivative 1.
    x = ag.tensor([[1.0, 3.0, 5.0]], requires_grad=True)
    s = ag.tensor([src], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x.scatter_reduce(1, ag.tensor([[0, 0]]), s, "prod", include_self=False)
        out.sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), [[src[0] * src[1], 3.0, 5.0]])
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 1.0]])


def test_prod_without_self_second_order_path_gives_zero_too():
    x = ag.tensor([[1.0, 3.0, 5.0]], requires_grad=True)
    s = ag.tensor([[1e200, 1e200]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x.scatter_reduce(1, ag.tensor([[0, 0]]), s, "prod", include_self=False)
        gx, gs = ag.grad(out.sum(), [x, s], create_graph=True)
    np.testing.assert_array_equal(gx.detach().numpy(), [[0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(gs.detach().numpy(), [[np.inf, np.inf]])


def test_index_reduce_prod_without_self_overflow_gives_self_zero_gradient():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    source = ag.tensor([[1e200, 1.0], [1e200, 1.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x.index_reduce(0, ag.tensor([0, 0]), source, "prod", include_self=False)
        out.sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), [[np.inf, 1.0], [3.0, 4.0]])
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0], [1.0, 1.0]])


@pytest.mark.parametrize("include_self", [False, True])
def test_prod_finite_gradients_still_match_finite_differences(include_self):
    rng = np.random.default_rng(37)
    x = ag.tensor(rng.uniform(0.5, 2.0, (3, 4)), requires_grad=True)
    src = ag.tensor(rng.uniform(0.5, 2.0, (3, 3)), requires_grad=True)
    index = ag.tensor([[0, 1, 0], [2, 2, 3], [1, 1, 1]])
    ag.gradcheck(lambda a, b: a.scatter_reduce(1, index, b, "prod",
                                               include_self=include_self), (x, src))


# ------------------------------------------------------------ 2. fill keeps self's dtype
@pytest.mark.parametrize("value", [ag.tensor(1.7), ag.tensor(2), ag.tensor(True)])
def test_masked_fill_with_a_0d_tensor_keeps_float32(value):
    x = ag.tensor(np.arange(3, dtype=np.float32))
    mask = ag.tensor([True, False, True])
    out = x.masked_fill(mask, value)
    expected = np.where([True, False, True], np.float32(value.numpy()), np.arange(3.0))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.detach().numpy(), expected.astype(np.float32))


def test_index_fill_with_a_0d_tensor_keeps_float32_and_grads_flow():
    x = ag.tensor(np.arange(3, dtype=np.float32), requires_grad=True)
    value = ag.tensor(2.5, requires_grad=True)
    out = x.index_fill(0, ag.tensor([1]), value)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.detach().numpy(), np.float32([0.0, 2.5, 2.0]))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 1.0])
    assert value.grad.dtype == np.float64 and float(value.grad.numpy()) == 1.0


def test_masked_fill_refuses_a_value_the_dtype_cannot_hold():
    mask = ag.tensor([True, False])
    with pytest.raises(DTypeError, match="masked_fill.*float32"):
        ag.tensor(np.zeros(2, np.float32)).masked_fill(mask, ag.tensor(1e300))
    with pytest.raises(DTypeError, match="masked_fill.*int64"):
        ag.tensor([1, 2]).masked_fill(mask, float("nan"))
    # a whole-number range float into an int tensor is truncated, as PyTorch's
    np.testing.assert_array_equal(ag.tensor([1, 2]).masked_fill(mask, ag.tensor(2.7)).numpy(),
                                  [2, 2])


# ------------------------------------------------------------ 3. 0-d index forms
def test_gather_of_a_1d_tensor_with_a_0d_index_is_0d():
    x = ag.tensor([10.0, 20.0, 30.0], requires_grad=True)
    out = x.gather(0, ag.tensor(1))
    assert out.shape == ()
    assert float(out.detach().numpy()) == 20.0
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])
    assert float(ag.gather(x, -1, ag.tensor(2)).detach().numpy()) == 30.0
    with pytest.raises(TensorIndexError):
        x.gather(0, ag.tensor(3))


def test_index_copy_with_a_0d_index_and_0d_source():
    x = ag.tensor([0.0, 1.0, 2.0], requires_grad=True)
    source = ag.tensor(5.0, requires_grad=True)
    out = x.index_copy(0, ag.tensor(1), source)
    np.testing.assert_array_equal(out.detach().numpy(), [0.0, 5.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 1.0])
    assert float(source.grad.numpy()) == 1.0
    # a one-element index with a 0-d source, and the in-place form
    y = ag.tensor([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(y.index_copy(0, ag.tensor([2]), ag.tensor(7.0)).numpy(),
                                  [0.0, 1.0, 7.0])
    y.index_copy_(0, ag.tensor(0), ag.tensor(9.0))
    np.testing.assert_array_equal(y.numpy(), [9.0, 1.0, 2.0])


def test_index_copy_0d_source_needs_one_position():
    with pytest.raises(ShapeError, match="index_copy: a 0-d source.*got 2"):
        ag.tensor([0.0, 1.0, 2.0]).index_copy(0, ag.tensor([0, 1]), ag.tensor(5.0))


# ------------------------------------------------------------ sev 3
def test_scatter_0d_src_tensor_with_a_2d_index_is_refused():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    index = ag.tensor([[0], [2]])
    for call in (lambda: x.scatter(1, index, ag.tensor(5.0)),
                 lambda: x.scatter_add(1, index, ag.tensor(5.0)),
                 lambda: x.scatter_reduce(1, index, ag.tensor(5.0), "sum")):
        with pytest.raises(ShapeError, match="0-d tensor.*src.expand"):
            call()
    # a number is still the value form
    np.testing.assert_array_equal(x.scatter(1, index, 5.0).numpy(),
                                  [[5.0, 1.0, 2.0], [3.0, 4.0, 5.0]])


def test_scatter_0d_src_tensor_with_a_1d_index_is_shape_1():
    x = ag.tensor([0.0, 1.0, 2.0], requires_grad=True)
    src = ag.tensor(5.0, requires_grad=True)
    out = x.scatter(0, ag.tensor([1]), src)
    np.testing.assert_array_equal(out.detach().numpy(), [0.0, 5.0, 2.0])
    out.sum().backward()
    assert float(src.grad.numpy()) == 1.0  # written once (not broadcast)
    np.testing.assert_array_equal(x.detach().scatter_add(0, ag.tensor(1), ag.tensor(5.0)).numpy(),
                                  [0.0, 6.0, 2.0])
    with pytest.raises(ShapeError):  # two positions, one src value
        x.scatter(0, ag.tensor([1, 2]), ag.tensor(5.0))


def test_index_put_inplace_refuses_none_in_the_indices():
    x = ag.zeros(2, 3)
    with pytest.raises(UsageError, match=r"index_put_: indices\[0\] is None"):
        x.index_put_((None, ag.tensor([1])), ag.tensor(3.0))
    x.index_put_((ag.tensor([1]),), ag.tensor(3.0))
    np.testing.assert_array_equal(x.numpy(), [[0.0] * 3, [3.0] * 3])


@pytest.mark.parametrize("index, bad", [([[3], [0]], 3), ([[0], [-4]], -4)])
def test_take_along_dim_out_of_range_names_the_op_and_the_range(index, bad):
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(TensorIndexError) as info:
        ag.take_along_dim(x, ag.tensor(index), 1)
    assert isinstance(info.value, IndexError) and isinstance(info.value, AutogradError)
    message = str(info.value)
    assert "take_along_dim" in message and f"index {bad}" in message and "-3..2" in message
    # negative ones in range count from the end, as NumPy's and PyTorch's
    np.testing.assert_array_equal(x.take_along_dim(ag.tensor([[-1], [0]]), 1).numpy(),
                                  [[2.0], [3.0]])


# ------------------------------------------------------------ sev 4: names in messages
def test_errors_name_the_method_called():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(DTypeError, match="^put: source"):
        x.put(ag.tensor([0]), ag.tensor([1.0], dtype=np.float32))
    with pytest.raises(InplaceError, match="in-place put_ "):
        ag.ones(3, requires_grad=True).put_(ag.tensor([0]), ag.tensor([1.0]))
    with pytest.raises(UsageError, match="^index_fill takes one value"):
        x.index_fill(0, ag.tensor([0]), ag.tensor([1.0]))
    with pytest.raises(InplaceError, match="in-place index_fill_ "):
        ag.ones(3, requires_grad=True).index_fill_(0, ag.tensor([0]), 2.0)
    with pytest.raises(DTypeError, match="^index_reduce: source"):
        x.index_reduce(0, ag.tensor([0]), ag.ones(1, 3, dtype=np.float32), "prod")
    with pytest.raises(InplaceError, match="in-place index_reduce_ "):
        ag.ones(2, 3, requires_grad=True).index_reduce_(0, ag.tensor([0]), ag.ones(1, 3),
                                                        "prod")
    with pytest.raises(ShapeError, match="^index_reduce: index must be a vector"):
        x.index_reduce(0, ag.tensor([[0]]), ag.ones(1, 3), "prod")


def test_put_inplace_and_index_fill_inplace_still_write_and_record():
    y = ag.tensor(np.arange(6.0).reshape(2, 3))
    y.put_(ag.tensor([0, 0, -1]), ag.tensor([1.0, 2.0, 3.0]), accumulate=True)
    np.testing.assert_array_equal(y.numpy(), [[3.0, 1.0, 2.0], [3.0, 4.0, 8.0]])
    w = ag.ones(3, requires_grad=True)
    z = w * 1.0
    value = ag.tensor(5.0, requires_grad=True)
    z.index_fill_(0, ag.tensor([1]), value)
    z.put_(ag.tensor([2]), ag.tensor([4.0]))
    np.testing.assert_array_equal(z.detach().numpy(), [1.0, 5.0, 4.0])
    z.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 0.0, 0.0])
    assert float(value.grad.numpy()) == 1.0


def test_int32_indices_stay_accepted():
    # lenient where PyTorch 2.13 wants int64: an int32 position means the same position
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    i32 = ag.tensor(np.array([1], dtype=np.int32))
    np.testing.assert_array_equal(x.take(i32).numpy(), [1.0])
    np.testing.assert_array_equal(x.put(i32, ag.tensor([9.0])).numpy(),
                                  [[0.0, 9.0, 2.0], [3.0, 4.0, 5.0]])
    np.testing.assert_array_equal(x.index_fill(1, i32, 0.0).numpy(),
                                  [[0.0, 0.0, 2.0], [3.0, 0.0, 5.0]])
    np.testing.assert_array_equal(x.index_copy(0, i32, ag.ones(1, 3)).numpy(),
                                  [[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(
        x.take_along_dim(ag.tensor(np.array([[2], [0]], dtype=np.int32)), 1).numpy(),
        [[2.0], [3.0]])


def test_index_put_names_itself_and_refuses_none_while_at_takes_any_index():
    x = ag.zeros((2, 3))
    with pytest.raises(TensorIndexError, match="^index_put: index 5 is out of bounds"):
        x.index_put((ag.tensor([5]),), ag.tensor(1.0), accumulate=True)
    with pytest.raises(UsageError, match=r"index_put: indices\[0\] is None"):
        x.index_put((None,), ag.tensor(1.0))
    assert np.array_equal(x.at[:, None].set(1.0).numpy(), np.ones((2, 3)))
    summed = x.index_put((ag.tensor([1, 1]),), ag.tensor(2.0), accumulate=True)
    assert summed.numpy().tolist() == [[0.0] * 3, [4.0] * 3]

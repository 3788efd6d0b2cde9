"""Python's own protocols and the habits PyTorch and NumPy users bring to them:
``f"{loss:.3f}"``, keyword spellings, comparisons with named errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, ShapeError, Tensor, UsageError


def test_format_spec_on_a_0d_tensor_formats_its_value() -> None:
    loss = Tensor(np.float32(0.123456), requires_grad=True) * 2
    assert f"{loss:.3f}" == f"{loss.item():.3f}" == "0.247"
    assert f"{Tensor(np.int64(7)):>3d}" == "  7"
    x = Tensor([1.0, 2.0])
    assert f"{x}" == format(x, "") == str(x)  # no spec, n-d: the tensor as str() shows it


def test_a_0d_tensor_in_an_f_string_without_spec_is_its_value() -> None:
    """PyTorch (and NumPy's 0-d array) format a 0-d tensor's value for any spec, the empty
    one too: ``print(f"step {it}: loss {loss}")`` prints ``loss 2.5``, not ``Tensor(2.5)``."""
    loss = Tensor(2.5, requires_grad=True) * 1
    assert f"{loss}" == format(loss, "") == str(loss.item()) == "2.5"
    assert f"{Tensor(np.int64(7))}" == "7" and f"{Tensor(np.float32(0.5))}" == "0.5"
    assert f"{Tensor(np.bool_(True))}" == "True"
    with pytest.raises(UsageError, match=r"'\.2f' needs a 0-d tensor.*\(2,\).*item\(\)"):
        f"{Tensor([1.0, 2.0]):.2f}"
    with pytest.raises(TypeError):  # what format() raises for a spec it cannot use
        format(Tensor([1.0, 2.0]), ".2f")


def test_backward_takes_pytorchs_gradient_keyword() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    upstream = np.array([0.5, -1.0, 2.0])
    (x * x).backward(gradient=upstream)
    by_gradient = x.grad.data.copy()
    x.zero_grad()
    (x * x).backward(upstream)
    np.testing.assert_array_equal(by_gradient, x.grad.data)
    with pytest.raises(UsageError, match="both grad= and gradient=.*only one"):
        (x * x).backward(upstream, gradient=upstream)


def test_clip_takes_the_min_max_and_a_min_a_max_keywords() -> None:
    data = np.array([-2.0, -0.5, 0.5, 2.0])
    x = Tensor(data, requires_grad=True)
    for clipped, reference in [
            (x.clip(min=-1.0), data.clip(min=-1.0)),  # ndarray.clip, torch.clip
            (x.clip(max=1.0), data.clip(max=1.0)),
            (ag.clip(x, min=-1.0, max=1.0), np.clip(data, -1.0, 1.0)),
            (np.clip(x, a_min=-1.0, a_max=1.0), np.clip(data, a_min=-1.0, a_max=1.0)),
            (np.clip(x, max=1.0), np.clip(data, max=1.0))]:
        np.testing.assert_array_equal(clipped.data, reference)
        assert clipped.requires_grad
    with pytest.raises(UsageError, match="bound was given twice"):
        x.clip(0.0, min=1.0)


def test_comparing_shapes_that_do_not_broadcast_is_a_shape_error() -> None:
    x = Tensor([1.0, 2.0, 3.0])
    with pytest.raises(ShapeError, match=r"less: shapes \(3,\) and \(2,\) cannot broadcast"):
        x < Tensor([1.0, 2.0])
    with pytest.raises(ShapeError, match=r"equal: shapes \(3,\) and \(2,\)"):
        x == np.ones(2)
    assert (x >= np.ones((2, 1))).shape == (2, 3)  # what broadcasts still does


def test_a_0d_integer_tensor_is_an_index_as_a_0d_numpy_array() -> None:
    k = Tensor(np.int64(2))
    assert ["a", "b", "c"][k] == "c" and list(range(k)) == [0, 1]
    assert np.arange(5)[k:].tolist() == [2, 3, 4]
    with pytest.raises(UsageError, match=r"0-d integer tensor.*float64.*int\(t\.item\(\)\)"):
        ["a", "b"][Tensor(1.0)]
    with pytest.raises(TypeError, match=r"shape \(2,\)"):
        ["a", "b"][Tensor(np.array([0, 1]))]
    # one element is an index, as a torch tensor's is (session 37): NumPy reads a[t] as a[1]
    assert np.arange(5)[Tensor(np.array([1]))].shape == ()


@pytest.mark.parametrize("reduce", ["sum", "mean"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sum_and_mean_take_numpys_dtype(reduce: str, dtype: type) -> None:
    data = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float16)
    x = Tensor(data, requires_grad=True)
    for result, expected in ((getattr(x, reduce)(dtype=dtype), getattr(data, reduce)(dtype=dtype)),
                             (getattr(np, reduce)(x, axis=0, dtype=dtype),
                              getattr(np, reduce)(data, axis=0, dtype=dtype)),
                             (getattr(ag, reduce)(x, dim=1, keepdim=True, dtype=dtype),
                              getattr(data, reduce)(axis=1, keepdims=True, dtype=dtype))):
        assert result.dtype == expected.dtype == dtype and result.requires_grad
        np.testing.assert_allclose(result.data, expected, rtol=1e-6)
    x64 = Tensor(data.astype(np.float64), requires_grad=True)
    assert ag.gradcheck(lambda t: getattr(t, reduce)(axis=1, dtype=np.float64), [x64])
    integers = Tensor(np.arange(6).reshape(2, 3))
    assert getattr(integers, reduce)(dtype=np.float32).item() == \
        getattr(np.arange(6), reduce)(dtype=np.float32)


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_an_integer_dtype_on_a_tensor_that_requires_grad_names_the_reduction(reduce: str
                                                                             ) -> None:
    data = np.array([1.5, 2.5, -4.0])
    x = Tensor(data, requires_grad=True)
    message = rf"{reduce}\(dtype=int64\) of a tensor that requires grad.*x\.detach\(\)"
    for call in (lambda: getattr(x, reduce)(dtype=np.int64),
                 lambda: getattr(np, reduce)(x, dtype=np.int64),
                 lambda: getattr(ag, reduce)(x, dtype="int64")):
        with pytest.raises(DTypeError, match=message):
            call()
    constant = x.detach().sum(dtype=np.int64)
    assert constant.dtype == np.int64 and constant.item() == data.sum(dtype=np.int64)


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_mean_in_an_integer_dtype_truncates_as_numpy(dtype: type, axis: int | None) -> None:
    for data in (np.array([[1.5, 2.5, -4.0], [7.25, -0.5, 3.0]]), np.arange(6).reshape(2, 3)):
        mean = Tensor(data).mean(axis=axis, dtype=dtype)
        expected = data.mean(axis=axis, dtype=dtype)
        assert mean.dtype == expected.dtype
        np.testing.assert_array_equal(mean.data, expected)


def test_floor_division_and_remainder_follow_numpy_everywhere_they_are_spelled() -> None:
    data = np.array([[5.5, -3.25], [0.75, -7.0]])
    x = Tensor(data, requires_grad=True)
    divisor = np.array([2.0, -1.5])
    for ours, expected in ((x // 2, data // 2), (x % -1.5, data % -1.5),
                           (3 // x, 3 // data), (3 % x, 3 % data),
                           (np.floor_divide(x, divisor), np.floor_divide(data, divisor)),
                           (np.mod(x, divisor), np.mod(data, divisor)),
                           (divisor % x, divisor % data), (divisor // x, divisor // data)):
        assert isinstance(ours, Tensor) and ours.requires_grad
        np.testing.assert_array_equal(ours.data, expected)
    integers = Tensor(np.array([7, -7]))
    np.testing.assert_array_equal((integers // 2).data, np.array([7, -7]) // 2)
    np.testing.assert_array_equal((integers % 3).data, np.array([7, -7]) % 3)
    x32 = Tensor(data.astype(np.float32), requires_grad=True)
    assert (x32 // 2).dtype == (x32 % 2).dtype == (2 % x32).dtype == np.float32


@pytest.mark.parametrize("other", ["a", None, [1.0, "a"], np.array(["x", "y"]), object()])
def test_comparing_with_non_numbers_gives_numpys_answer_or_a_named_error(other) -> None:
    data = np.array([1.0, 2.0])
    x = Tensor(data)
    for ours, theirs in ((x == other, data == other), (x != other, data != other),
                         (other == x, other == data)):
        assert isinstance(ours, Tensor)
        np.testing.assert_array_equal(ours.data, theirs)
    for order in (lambda: x < other, lambda: x >= other, lambda: other < x):
        with pytest.raises(ag.DTypeError, match="ordered .* numbers.*Convert it first"):
            order()
    with pytest.raises(TypeError):  # what NumPy's users catch
        x > other


def test_a_tensor_from_a_torch_tensor_keeps_its_dtype_as_from_an_array() -> None:
    torch = pytest.importorskip("torch")
    for source in (torch.ones(2, 3), torch.ones(2, dtype=torch.float16),
                   torch.arange(3), torch.tensor([True, False]), torch.tensor(2.5)):
        expected = source.numpy()
        for made in (Tensor(source), ag.tensor(source)):
            assert made.dtype == expected.dtype and made.shape == expected.shape
            np.testing.assert_array_equal(made.data, expected)
    x = Tensor(torch.ones(2, 3), requires_grad=True)
    assert (x * 2).sum().dtype == np.float32  # a float32 graph, as from a float32 array


def test_divmod_is_floor_division_and_remainder_as_numpy() -> None:
    x = np.array([7.5, -3.25, 0.6])
    t = Tensor(x, requires_grad=True)
    for ours, expected in ((divmod(t, 2.0), divmod(x, 2.0)), (divmod(5.0, t), divmod(5.0, x)),
                           (np.divmod(t, 2.0), np.divmod(x, 2.0))):
        for part, want in zip(ours, expected):
            assert isinstance(part, Tensor)
            np.testing.assert_array_equal(part.data, want)
    assert ag.gradcheck(lambda a: divmod(a, 2.0)[1], [Tensor(x, requires_grad=True)])


def test_a_torch_tensor_with_history_is_refused_by_name() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ag.DataError, match=r"torch\.Tensor.*detach\(\)"):
        Tensor(torch.ones(2, requires_grad=True))
    assert Tensor(torch.ones(2, dtype=torch.float32)).dtype == np.float32

"""The micrograd habits on 0-d tensors, and Python numbers on either side of an operator:
results keep NumPy's dtypes, gradients agree with PyTorch and finite differences."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

INTEGER_DATA = [np.int64(7), np.array([7, -7, 3]), np.array([5, -2], dtype=np.int32),
                np.array([True, False])]


@pytest.mark.parametrize("data", INTEGER_DATA, ids=["0-d int64", "int64", "int32", "bool"])
def test_integer_tensors_with_a_python_number_keep_numpys_dtype(data: np.ndarray) -> None:
    t = Tensor(data)
    for ours, expected in ((t // 2, data // 2), (t % 3, data % 3),
                           (7 // t.maximum(1), 7 // np.maximum(data, 1)),
                           (t.maximum(2), np.maximum(data, 2)),
                           (t.minimum(2.5), np.minimum(data, 2.5)),
                           (ag.where(t > 1, t, 0), np.where(data > 1, data, 0)),
                           (np.add(t, 2), np.add(data, 2)),
                           (np.maximum(2, t), np.maximum(2, data))):
        assert isinstance(ours, Tensor)
        assert ours.dtype == expected.dtype, (ours, expected)
        np.testing.assert_array_equal(ours.data, expected)
    labels = Tensor(np.array([0, 3, 5]))
    assert Tensor(np.arange(6.0))[labels // 2].tolist() == [0.0, 1.0, 2.0]  # still an index


@pytest.mark.parametrize("data", INTEGER_DATA, ids=["0-d int64", "int64", "int32", "bool"])
def test_a_number_divided_by_an_integer_tensor_is_numpys_true_division(data: np.ndarray) -> None:
    divisor = np.where(data == 0, 1, data).astype(data.dtype)  # no division by zero
    t = Tensor(divisor)
    for number in (2, 2.5, np.int64(4)):
        ours, expected = number / t, number / divisor
        assert ours.dtype == expected.dtype
        np.testing.assert_array_equal(ours.data, expected)


def test_micrograds_zero_grad_p_grad_equals_0_works_on_scalars_and_is_refused_by_name() -> None:
    w = Tensor(np.float32(1.5), requires_grad=True)
    for _ in range(2):  # micrograd's loop: p.grad = 0, then backward accumulates into it
        w.grad = 0
        (w * w * 3).backward()
        assert w.grad.dtype == np.float32
        np.testing.assert_allclose(w.grad.data, 6 * w.data)
    v = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ag.ShapeError, match=r"shape \(2,\); got \(\)\. .*assign None.*zero_grad"):
        v.grad = 0


def test_a_grad_tensor_of_another_dtype_is_refused_not_kept() -> None:
    w = Tensor(np.float32(1.5), requires_grad=True)
    with pytest.raises(ag.DTypeError, match=r"dtype float32; got a float64 Tensor.*astype"):
        w.grad = Tensor(0.0)
    with pytest.raises(ag.DTypeError, match="got a int64 Tensor"):
        Tensor(1.0, requires_grad=True).grad = Tensor(np.int64(0))
    w.grad = np.float64(0.0)  # numbers and arrays are converted, as before
    (w * 2).backward()
    assert w.grad.dtype == np.float32


def test_if_on_a_tensor_needs_one_element_and_names_any_and_all() -> None:
    a = Tensor(2.0, requires_grad=True)
    assert (a > 0) and not (a < 0) and a == 2.0 and Tensor([[3]]) == 3  # one element
    for shape in [(2,), (0,), (2, 3)]:
        t = Tensor(np.ones(shape))
        message = re.escape(f"shape {shape} is ambiguous") + r".*t\.any\(\) or t\.all\(\)"
        with pytest.raises(ag.UsageError, match=message):
            bool(t > 0)
        with pytest.raises(ValueError):  # what NumPy's users catch
            bool(t)
        with pytest.raises(RuntimeError):  # and PyTorch's
            bool(t)


def test_a_tensor_built_from_a_list_of_tracked_scalars_is_refused_naming_stack() -> None:
    h = [Tensor(v, requires_grad=True) for v in (0.5, -1.0, 2.0)]
    for build in (lambda: Tensor(h), lambda: ag.tensor([h[:2], h[1:]]), lambda: Tensor(tuple(h))):
        with pytest.raises(ag.UsageError, match=r"cut them out of the graph.*autograd\.stack"):
            build()
    stacked = ag.stack(h)  # the way that keeps the graph
    (stacked * stacked).sum().backward()
    assert [g.item() for g in (t.grad for t in h)] == [2 * t.item() for t in h]
    constants = Tensor([t.detach() for t in h])  # values only, as asked
    assert constants.tolist() == [0.5, -1.0, 2.0] and not constants.requires_grad
    assert Tensor(h[0].detach()).shape == () and Tensor([[1.0, 2.0]]).shape == (1, 2)
    with pytest.raises(ag.UsageError, match=r"cut them out of the graph"):
        Tensor(h[0])  # alone too: an untracked tensor of it would drop its gradient


def test_a_tracked_tensor_anywhere_in_a_list_is_refused_not_only_the_first() -> None:
    x = Tensor(2.0, requires_grad=True)
    h = x * 3.0
    for data in ([0.0, h], [[1.0, 2.0], [h, 1.0]], (1.0, 2.0, h), [[1.0], [x]]):
        for build in (Tensor, ag.tensor):
            with pytest.raises(ag.UsageError, match=r"cut them out of the graph"):
                build(data)
    assert Tensor([0.0, h.detach()]).tolist() == [0.0, 6.0]  # constants are fine
    assert np.asarray(h) == 6.0  # reading a tracked tensor with NumPy alone is fine


def test_the_count_of_tracked_reads_behind_that_check_is_per_thread() -> None:
    import threading
    from autograd.tensor_protocols import TRACKED_READS
    x = Tensor(2.0, requires_grad=True)
    before = TRACKED_READS.count
    reader = threading.Thread(target=lambda: np.asarray(x))  # another thread's read...
    reader.start()
    reader.join()
    assert TRACKED_READS.count == before  # ...cannot make this thread's Tensor([...]) fail
    np.asarray(x)
    assert TRACKED_READS.count == before + 1


# ------------------------------------------------------- subtracting a Python number
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int64, np.float32, np.bool_])
@pytest.mark.parametrize("c", [1, 2.5, True])
def test_number_minus_and_minus_number_as_numpy(dtype, c):
    """x - c and c - x give NumPy's values and dtypes (x - 1 on a uint8 tensor, labels as
    MNIST stores them, raised OverflowError: it was computed as x + (-1)); where NumPy
    refuses (bool - True), a DTypeError."""
    data = np.array([3, 5, 0], dtype=dtype)
    for ours, theirs in ((lambda: ag.Tensor(data) - c, lambda: data - c),
                         (lambda: c - ag.Tensor(data), lambda: c - data)):
        try:
            expected = theirs()
        except TypeError:  # NumPy: bool - bool
            with pytest.raises(ag.DTypeError, match="not defined for boolean tensors"):
                ours()
            continue
        got = ours()
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got.data, expected)


def test_number_minus_tensor_is_one_node_with_gradient_minus_one():
    x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = 3.0 - x
    assert y.grad_fn.parents == (x,)  # one op, not -x then + 3
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.data, [-1.0, -10.0])

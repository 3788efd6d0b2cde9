"""``zeros``, ``ones``, ``full``, ``*_like``, ``eye``, ``arange``, ``linspace``, ``rand``,
``randn``, ``tolist`` and ``numpy``: each against its NumPy counterpart."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd.creation import GeneratorError
from autograd.testing import shapes


@given(shapes(), st.sampled_from([None, np.float32, np.float64]), st.booleans())
def test_constant_fills(shape, dtype, requires_grad) -> None:
    expected_dtype = np.dtype(np.float64 if dtype is None else dtype)
    cases = [(ag.zeros(*shape, dtype=dtype, requires_grad=requires_grad), np.zeros(shape)),
             (ag.ones(shape, dtype=dtype, requires_grad=requires_grad), np.ones(shape)),
             (ag.full(shape, 2.5, dtype=dtype, requires_grad=requires_grad),
              np.full(shape, 2.5))]
    for made, expected in cases:
        assert made.shape == shape and made.dtype == expected_dtype
        assert made.requires_grad == requires_grad and made.is_leaf
        np.testing.assert_array_equal(made.data, expected)


@given(shapes(), st.sampled_from([np.float32, np.float64, np.int64]))
def test_like_functions_copy_shape_and_dtype(shape, dtype) -> None:
    t = ag.Tensor(np.zeros(shape, dtype=dtype))
    for made, value in ((ag.zeros_like(t), 0), (ag.ones_like(t), 1),
                        (ag.full_like(t, 3), 3)):
        assert made.shape == shape and made.dtype == dtype
        np.testing.assert_array_equal(made.data, np.full(shape, value, dtype=dtype))
    assert ag.zeros_like(t, dtype=np.float32).dtype == np.float32


def test_eye_arange_linspace() -> None:
    np.testing.assert_array_equal(ag.eye(3).data, np.eye(3))
    np.testing.assert_array_equal(ag.eye(2, 4).data, np.eye(2, 4))
    np.testing.assert_array_equal(ag.arange(5).data, np.arange(5))
    assert ag.arange(5).dtype.kind == "i"  # integers stay integers, as NumPy and PyTorch
    np.testing.assert_array_equal(ag.arange(1, 2, 0.25).data, np.arange(1, 2, 0.25))
    np.testing.assert_array_equal(ag.linspace(0, 1, 5).data, np.linspace(0, 1, 5))
    x = ag.linspace(0, 1, 4, requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data)


def test_random_tensors_follow_the_generator() -> None:
    a = ag.randn(2, 3, generator=np.random.default_rng(7))
    b = ag.randn((2, 3), generator=np.random.default_rng(7))
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.data, np.random.default_rng(7).standard_normal((2, 3)))
    u = ag.rand(100, generator=np.random.default_rng(1), dtype=np.float32)
    assert u.dtype == np.float32 and (u.data >= 0).all() and (u.data < 1).all()
    assert ag.randn(3, requires_grad=True).requires_grad


def test_errors_are_named() -> None:
    with pytest.raises(GeneratorError, match="numpy.random.Generator"):
        ag.randn(2, generator=0)
    with pytest.raises(ag.ShapeError, match="sizes must be ints"):
        ag.zeros(2.5)
    with pytest.raises(ag.ShapeError, match=">= 0"):
        ag.ones(-1)
    with pytest.raises(ag.DTypeError):  # an integer leaf cannot require grad
        ag.arange(3, requires_grad=True)


def test_tolist_and_numpy() -> None:
    t = ag.Tensor(np.arange(6.0).reshape(2, 3))
    assert t.tolist() == np.arange(6.0).reshape(2, 3).tolist()
    assert ag.Tensor(2.5).tolist() == 2.5
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(t.numpy(), t.data)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_uniform_draws_stay_below_their_upper_bound_in_narrow_dtypes(dtype) -> None:
    """float64 draws in [a, b) rounded to float16 land on b about 3 times in 10^4: rand
    and uniform_ keep them below b (the largest value of the dtype under it)."""
    rng = np.random.default_rng(0)
    assert (ag.rand(200_000, generator=rng, dtype=dtype).data < 1).all()
    for a, b in ((0.0, 1.0), (-2.0, 3.0), (0.5, 0.75)):
        t = ag.zeros(200_000, dtype=dtype).uniform_(a, b, generator=rng)
        assert t.dtype == dtype and (t.data >= a).all() and (t.data < b).all()
    assert (ag.zeros(4, dtype=dtype).uniform_(1.0, 1.0).data == 1.0).all()  # a == b: a


def test_lists_of_numpy_float_scalars_keep_their_dtype_as_in_numpy_and_pytorch() -> None:
    """``tensor(list(a32))`` was float64 (a float64 cast after NumPy's inference)."""
    torch = pytest.importorskip("torch")
    for data in ([np.float32(1.5), np.float32(2.0)], [[np.float16(1.0)]],
                 [ag.tensor(1.0, dtype=np.float32), ag.tensor(2.0, dtype=np.float32)]):
        ours = ag.tensor(data)
        assert ours.dtype == np.asarray(data).dtype == np.dtype(
            str(torch.tensor(np.asarray(data)).dtype).removeprefix("torch."))
    assert ag.tensor([1.5, 2]).dtype == ag.Tensor([1, 2]).dtype == np.float64  # Python's
    assert ag.tensor([1, 2]).dtype == np.int64


def test_lists_of_numpy_integer_scalars_keep_their_dtype_in_tensor() -> None:
    """``tensor([np.int32(1)])`` was int64; ``Tensor(...)`` stays float, as torch.Tensor."""
    torch = pytest.importorskip("torch")
    for data in ([np.int32(1), np.int32(2)], [[np.uint8(7)]], [np.int16(-3)]):
        assert ag.tensor(data).dtype == np.asarray(data).dtype == np.dtype(
            str(torch.tensor(np.asarray(data)).dtype).removeprefix("torch."))
        assert ag.Tensor(data).dtype == np.float64
    assert ag.tensor([np.int32(1), 2]).dtype == np.asarray([np.int32(1), 2]).dtype


def test_numpy_takes_pytorchs_force_keyword(torch) -> None:
    """``t.grad.numpy(force=True)`` / ``pred.numpy(force=True)`` (PyTorch's detach and move
    to the CPU in one call) raised TypeError; it is the same shared array here."""
    data = np.arange(3.0)
    x, tx = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, want = (x * 2).numpy(force=True), (tx * 2).numpy(force=True)
    np.testing.assert_array_equal(got, want)
    assert x.numpy(force=True) is x.detach().numpy()

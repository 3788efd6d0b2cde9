"""Edges of the NumPy dispatch found by a fuzzing pass against NumPy: ``out`` given by
position or with a Tensor ``where=``, NumPy keywords the mapped functions lacked, integer
and bool inputs of the ufuncs NumPy computes in floats, promotion of ``np.copysign``,
integers that do not fit an integer Tensor's dtype, ``np.where`` with numbers, and
``interp``/``linspace``/``gradient``/``cov``/``cond`` on integer or singular input.
Expected values are NumPy's own on the arrays, gradients are checked against central
differences (``gradcheck``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, ShapeError, Tensor, UsageError

RNG = np.random.default_rng(31)
X = np.arange(6.0).reshape(2, 3)
SPD = RNG.standard_normal((3, 3))
SPD = SPD @ SPD.T + 3 * np.eye(3)


def leaf(data: np.ndarray) -> Tensor:
    return Tensor(np.array(data, dtype=np.float64), requires_grad=True)


def assert_same(ours: Tensor, numpys: np.ndarray) -> None:
    """Same dtype, shape and values (NaN where NumPy has NaN)."""
    assert isinstance(ours, Tensor)
    assert ours.dtype == np.asarray(numpys).dtype and ours.shape == np.shape(numpys)
    np.testing.assert_allclose(ours.data, numpys, rtol=1e-12, atol=0, equal_nan=True)


# ----------------------------------------------------------- 1, 2: out= untracked
@pytest.mark.parametrize("call", [
    lambda a, w, o: np.add(a, 1, out=o, where=w),
    lambda a, w, o: np.add.reduce(a, out=o[0], where=w),
], ids=["add", "add.reduce"])
def test_ufunc_out_with_a_tensor_where_is_plain_numpy(call) -> None:
    mask = X > 2
    expected = call(X, mask, np.zeros((2, 3)))
    out = np.zeros((2, 3))
    result = call(leaf(X), Tensor(mask), out)
    assert type(result) is np.ndarray
    np.testing.assert_array_equal(result, expected)


POSITIONAL_OUT = [  # (name, call with the out array last by position, shape of out)
    ("ptp", lambda a, o: np.ptp(a, 0, o), (3,)),
    ("take", lambda a, o: np.take(a, [0, 4], None, o), (2,)),
    ("nansum", lambda a, o: np.nansum(a, 0, None, o), (3,)),
    ("compress", lambda a, o: np.compress([1, 0, 1], a, 1, o), (2, 2)),
    ("dot", lambda a, o: np.dot(a[0], a[1], o), ()),
    ("clip", lambda a, o: np.clip(a, 1, 4, o), (2, 3)),
    ("trace", lambda a, o: np.trace(a, 0, 0, 1, None, o), ()),
    ("concatenate", lambda a, o: np.concatenate([a, a], 0, o), (4, 3)),
]


@pytest.mark.parametrize("name, call, shape", POSITIONAL_OUT,
                         ids=[case[0] for case in POSITIONAL_OUT])
def test_out_by_position_is_written_as_numpy(name, call, shape) -> None:
    expected = np.zeros(shape)
    returned = call(X, expected)
    out = np.zeros(shape)
    result = call(leaf(X), out)
    assert not isinstance(result, Tensor) and (result is out) == (returned is expected)
    np.testing.assert_array_equal(out, expected)


def test_a_positional_none_out_keeps_the_differentiable_result() -> None:
    t = leaf(X)
    assert_same(np.clip(t, 1, 4, None), np.clip(X, 1, 4, None))
    assert_same(np.trace(t, 0, 0, 1, None, None), np.trace(X))
    assert_same(np.sum(t, 1, None, None, True), np.sum(X, 1, None, None, True))
    assert ag.gradcheck(lambda a: np.clip(a, 1.5, 3.5, None), [t])
    assert ag.gradcheck(lambda a: np.concatenate([a, a * a], 1, None), [t])
    with pytest.raises(UsageError, match="cannot be a NumPy output"):
        np.clip(t, 1, 4, Tensor(np.zeros((2, 3))))


# ----------------------------------------------------------- 3: NumPy's keywords
KEYWORDS = [  # (name, function of arrays or Tensors, inputs, differentiable)
    ("concatenate dtype", lambda a: np.concatenate([a, a], dtype=np.float32), [X], False),
    ("concatenate casting", lambda a: np.concatenate([a, a], casting="no"), [X], True),
    ("stack dtype", lambda a: np.stack([a, a], dtype=np.float32), [X], False),
    ("stack casting", lambda a: np.stack([a, 2 * a], 1, casting="equiv"), [X], True),
    ("transpose axes", lambda a: np.transpose(a, axes=(1, 0)), [X], True),
    ("transpose axes 3-d", lambda a: np.transpose(a[None], axes=[2, 0, 1]), [X], True),
    ("trace dtype", lambda a: np.trace(a, dtype=np.float32), [X], False),
    ("trace dtype float64", lambda a: np.trace(a, 1, dtype=np.float64), [X], True),
    ("broadcast_to subok", lambda a: np.broadcast_to(a, (2, 2, 3), subok=True), [X], True),
    ("cholesky upper", lambda a: np.linalg.cholesky(a, upper=True), [SPD], False),
    ("cholesky lower", lambda a: np.linalg.cholesky(a, upper=False), [SPD], False),
]


@pytest.mark.parametrize("name, function, inputs, differentiable", KEYWORDS,
                         ids=[case[0] for case in KEYWORDS])
def test_numpy_keywords_of_the_mapped_functions(name, function, inputs,
                                                differentiable) -> None:
    tensors = [leaf(a) for a in inputs]
    ours = function(*tensors)
    expected = function(*inputs)
    assert ours.dtype == expected.dtype and ours.shape == expected.shape
    np.testing.assert_allclose(ours.data, expected, rtol=1e-6)
    if differentiable:
        assert ag.gradcheck(function, tensors)


def test_cholesky_upper_reads_the_upper_triangle_and_is_differentiable() -> None:
    lopsided = np.triu(SPD) + np.tril(RNG.standard_normal((3, 3)), -1)
    np.testing.assert_allclose(np.linalg.cholesky(leaf(lopsided), upper=True).data,
                               np.linalg.cholesky(lopsided, upper=True), rtol=1e-12)
    symmetric = leaf(SPD)  # (the gradient is the symmetric one, as lower's)
    assert ag.gradcheck(lambda a: np.linalg.cholesky((a + a.T) / 2, upper=True),
                        [symmetric])


def test_casting_that_numpy_refuses_is_a_named_error() -> None:
    t32, t64 = Tensor(X.astype(np.float32)), leaf(X)
    with pytest.raises(TypeError):
        np.concatenate([X.astype(np.float32), X], casting="no")
    with pytest.raises(DTypeError, match="casting='no'.*astype"):
        np.concatenate([t32, t64], casting="no")
    with pytest.raises(DTypeError, match="float64 to int64"):
        np.stack([t64, t64], dtype=np.int64)
    with pytest.raises(UsageError, match="casting must be one of"):
        np.concatenate([t64, t64], casting="sometimes")


# ----------------------------------------------------------- 4 and minor: np.where
@pytest.mark.parametrize("a, b", [(1.0, 0.0), (1, 0), ([1.5, 2.5, 3.5], -1)])
def test_where_of_a_tensor_condition_and_no_tensor_values_is_numpys(a, b) -> None:
    condition = np.array([True, False, True])
    ours = np.where(Tensor(condition), a, b)
    assert_same(ours, np.where(condition, a, b))
    assert not ours.requires_grad


def test_where_with_the_condition_alone_gives_constant_tensors() -> None:
    condition = X > 2
    found = np.where(Tensor(condition))
    assert len(found) == 2
    for ours, numpys in zip(found, np.where(condition)):
        assert_same(ours, numpys)


def test_argsort_of_a_0d_tensor_has_numpys_shape() -> None:
    for axis in (-1, 0, None):
        assert_same(np.argsort(Tensor(np.array(2.5)), axis=axis),
                    np.argsort(np.array(2.5), axis=axis))


# ----------------------------------------------------------- 5, 6, 7, 8: integer input
def test_interp_at_integer_x_is_computed_in_floats() -> None:
    x, xp, fp = np.array([0, 1, -2]), [-1.0, -1 / 3, 1 / 3, 1.0], np.array([1.0, 2, 3, 4])
    assert_same(np.interp(Tensor(x), xp, leaf(fp)), np.interp(x, xp, fp))
    assert ag.gradcheck(lambda f: np.interp(Tensor(x), xp, f), [leaf(fp)])


def test_linspace_with_integer_end_points_is_float64() -> None:
    start, stop = np.array(0), np.array(3)
    assert_same(np.linspace(Tensor(start), Tensor(stop), 4), np.linspace(start, stop, 4))
    assert_same(np.linspace(Tensor(np.array(-3)), Tensor(stop), 4, dtype=np.int64),
                np.linspace(-3, 3, 4, dtype=np.int64))


@pytest.mark.parametrize("num, endpoint", [(1, True), (0, True), (0, False)])
def test_linspace_step_of_no_interval_is_nan(num, endpoint) -> None:
    values, step = np.linspace(leaf(0.0), leaf(3.0), num, endpoint, retstep=True)
    expected, expected_step = np.linspace(0.0, 3.0, num, endpoint, retstep=True)
    assert_same(values, expected)
    assert np.isnan(expected_step) and np.isnan(step.data)
    assert ag.gradcheck(lambda a, b: np.linspace(a, b, num + 2, endpoint, retstep=True)[1],
                        [leaf(0.5), leaf(3.0)])


def test_gradient_of_integer_samples_is_float64() -> None:
    f = np.array([[1, 4, 0, 3], [2, 2, 7, 1], [5, 1, 1, 0]])
    for ours, numpys in zip(np.gradient(Tensor(f)), np.gradient(f)):
        assert_same(ours, numpys)
    for ours, numpys in zip(np.gradient(Tensor(f), 0.5, edge_order=2),
                            np.gradient(f, 0.5, edge_order=2)):
        assert_same(ours, numpys)
    assert_same(ag.gradient(Tensor(f[0]))[0], np.gradient(f[0]))


@pytest.mark.parametrize("function", [np.cov, np.corrcoef])
@pytest.mark.parametrize("m_shape, y_shape", [((1, 3), None), ((1, 3), (1, 1))])
def test_cov_and_corrcoef_without_rowvar_follow_numpy_2(function, m_shape,
                                                        y_shape) -> None:
    m = RNG.standard_normal(m_shape)
    y = None if y_shape is None else RNG.standard_normal(y_shape)
    with warnings.catch_warnings():  # (NumPy's: fewer observations than ddof)
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = function(m, y, rowvar=False)
        ours = function(leaf(m), None if y is None else leaf(y), rowvar=False)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours.data, expected, rtol=1e-10, equal_nan=True)


def test_cov_without_rowvar_refuses_what_numpy_2_refuses() -> None:
    m, y = RNG.standard_normal((1, 4)), RNG.standard_normal((1, 4))
    with pytest.raises(ValueError):  # m becomes (4, 1), y stays one row (1, 4)
        np.cov(m, y, rowvar=False)
    with pytest.raises(ShapeError):
        np.cov(leaf(m), leaf(y), rowvar=False)


# ----------------------------------------------------------- 9: copysign's promotion
def test_copysign_promotes_as_numpy() -> None:
    a32, b64 = np.array([1.0, -2.0], np.float32), np.array([-1.0, 1.0])
    assert_same(np.copysign(Tensor(a32), b64), np.copysign(a32, b64))
    u8, i64 = np.array([2], np.uint8), np.array([2, -3])
    assert_same(np.copysign(Tensor(u8), -1.0), np.copysign(u8, -1.0))
    assert_same(np.copysign(Tensor(i64), -1), np.copysign(i64, -1))
    assert_same(np.copysign(Tensor(i64), np.array([1, -1])), np.copysign(i64, [1, -1]))
    # NumPy scalars stay weak beside float32 (PyTorch's rule)
    assert np.copysign(Tensor(a32), np.float64(-1.0)).dtype == np.float32
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: np.copysign(t, np.array([-1.0, 1.0, -0.0])), [x])


def test_copysign_method_promotes_to_float_as_pytorch() -> None:
    ints = Tensor(np.array([2, -3]))
    for other in (-1, np.array([1, -1]), -1.0):
        result = ints.copysign(other)
        assert result.dtype == np.float64
        np.testing.assert_array_equal(result.data, np.copysign([2.0, -3.0], other))
    halves = Tensor(np.array([1.0, 2.0], np.float32))
    assert halves.copysign(Tensor(np.array([-1.0, 1.0]))).dtype == np.float64
    assert halves.copysign(-1.0).dtype == np.float32


# ----------------------------------------------------------- 10: cond of singular matrices
@pytest.mark.parametrize("p", [None, 2, -2])
def test_cond_of_an_exactly_singular_matrix_is_inf(p) -> None:
    batch = np.stack([np.zeros((2, 2)), np.eye(2), np.array([[2.0, 1.0], [1.0, 3.0]])])
    assert_same(np.linalg.cond(Tensor(batch), p), np.linalg.cond(batch, p))
    assert_same(np.linalg.cond(Tensor(np.zeros((1, 1))), p), np.asarray(np.inf))
    zeros = leaf(np.zeros((2, 2)))  # a constant inf there: gradient 0, not NaN
    np.linalg.cond(zeros, p).backward()
    np.testing.assert_array_equal(zeros.grad.data, np.zeros((2, 2)))
    assert ag.gradcheck(lambda a: np.linalg.cond(a, p), [leaf(batch[2])])


# ----------------------------------------------------------- 11, 16: integers, float loops
INTEGER_UFUNCS = [  # (name, ufunc call, input)
    ("modf bool", np.modf, np.array([True, False])),
    ("fabs int", np.fabs, np.array([-2, 3])),
    ("rint int", np.rint, np.array([-2, 3])),
    ("modf int", np.modf, np.array([-2, 3])),
    ("exp2 int8", np.exp2, np.array([-2, 3], np.int8)),
    ("deg2rad uint8", np.deg2rad, np.array([90, 180], np.uint8)),
    ("logaddexp uint8 -3", lambda u: np.logaddexp(u, -3), np.array([1, 2], np.uint8)),
    ("logaddexp uint8 2", lambda u: np.logaddexp(u, 2), np.array([1, 7], np.uint8)),
    ("logaddexp2 int8", lambda u: np.logaddexp2(u, u), np.array([1, -2], np.int8)),
    ("nextafter uint8 -3", lambda u: np.nextafter(u, -3), np.array([1, 2], np.uint8)),
    ("heaviside int", lambda u: np.heaviside(u, 0.5), np.array([-1, 0, 2])),
    ("divide uint8 -3", lambda u: np.divide(u, -3), np.array([1, 2], np.uint8)),
]


@pytest.mark.parametrize("name, call, data", INTEGER_UFUNCS,
                         ids=[case[0] for case in INTEGER_UFUNCS])
def test_float_ufuncs_of_integer_tensors_give_numpys_constants(name, call, data) -> None:
    expected, ours = call(data), call(Tensor(data))
    pairs = zip(ours, expected) if isinstance(expected, tuple) else [(ours, expected)]
    for mine, numpys in pairs:
        assert_same(mine, numpys)
        assert not mine.requires_grad


@pytest.mark.parametrize("rounding", [np.trunc, np.fix, np.floor, np.around])
def test_rounding_a_bool_tensor_is_refused_as_its_method(rounding) -> None:
    with pytest.raises(DTypeError, match="bool"):  # np.f(t) is t.f(), which PyTorch refuses
        rounding(Tensor(np.array([True, False])))


def test_a_numpy_integer_too_big_for_the_tensor_dtype_widens_as_numpy() -> None:
    i8 = np.array([0, 1], np.int8)
    assert_same(np.add(Tensor(i8), np.int64(300)), np.add(i8, np.int64(300)))
    assert_same(np.maximum(Tensor(i8), np.int64(-200)), np.maximum(i8, np.int64(-200)))
    assert np.add(Tensor(i8), np.int64(3)).dtype == np.int8  # weak when it fits
    with pytest.raises(DTypeError, match="does not fit in int8"):
        np.add(Tensor(i8), 2 ** 70)
    with pytest.raises(DTypeError, match="no loop for the dtypes"):
        np.ldexp(Tensor(np.array([1, 2])), 1.5)

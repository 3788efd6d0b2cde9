"""NumPy interop, session 35: NumPy functions on Tensors give NumPy's values (computed
here by NumPy on the same arrays) and dtypes, and their gradients match finite
differences (``autograd.gradcheck``) or PyTorch's. Covers the coordinates of
``np.gradient``, ``cov``'s weights, ``interp`` at a repeated last ``xp``, ``cond`` and
matrix norms of integer matrices, ``ldexp`` beyond 2^1023, ``modf``'s signs, NumPy 2's
``correction=``, ``np.copy``'s keywords, ``lstsq``/``geomspace`` of integers and bools,
``vecdot``/``vdot`` dtypes, ``linspace``/``logspace`` of float32, and the functions that
only read a Tensor (``np.save``, ``np.array2string``, ``rng.permutation``...)."""

from __future__ import annotations

import io

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor
from autograd.errors import DataError, DTypeError, UsageError

RNG = np.random.default_rng(35)
X = RNG.standard_normal((2, 5))
SINGULAR = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]])
INTEGERS = np.array([[1, -2, 3], [4, 5, -6], [0, 2, 1]])


def assert_same(ours: Tensor, numpys: object) -> None:
    """Same values (NaN and signed zeros included) and dtype as NumPy's answer."""
    numpys = np.asarray(numpys)
    assert ours.dtype == numpys.dtype, (ours.dtype, numpys.dtype)
    np.testing.assert_array_equal(ours.data, numpys)
    np.testing.assert_array_equal(np.signbit(ours.data), np.signbit(numpys))


# ------------------------------------------------------------------ np.gradient
@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_is_differentiable_in_coordinate_tensors(torch, edge_order: int) -> None:
    x = np.array([0.0, 1.0, 3.0, 4.5, 7.0])
    f = np.array([1.0, 2.0, 4.0, 8.0, 3.0])
    coordinates = Tensor(x, requires_grad=True)
    result = np.gradient(f, coordinates, edge_order=edge_order)
    assert result.requires_grad
    np.testing.assert_allclose(result.data, np.gradient(f, x, edge_order=edge_order))
    result.sum().backward()
    x_torch = torch.tensor(x, requires_grad=True)
    torch.gradient(torch.tensor(f), spacing=(x_torch,), edge_order=edge_order)[0].sum().backward()
    np.testing.assert_allclose(coordinates.grad.data, x_torch.grad.numpy(), rtol=1e-12)
    samples = Tensor(f, requires_grad=True)
    assert ag.gradcheck(lambda v, c: ag.gradient(v, spacing=(c,), edge_order=edge_order)[0],
                        [samples, Tensor(x, requires_grad=True)])


def test_gradient_with_a_tracked_uniform_step() -> None:
    f = np.array([1.0, 2.0, 4.0, 8.0])
    step = Tensor(np.array(2.0), requires_grad=True)
    np.testing.assert_allclose(np.gradient(Tensor(f), step).data, np.gradient(f, 2.0))
    assert ag.gradcheck(lambda h: np.gradient(Tensor(f), h), [step])
    f32 = Tensor(f.astype(np.float32))
    assert np.gradient(f32, step).dtype == np.float32  # the step does not widen f


# ------------------------------------------------------------------ cov's weights
@pytest.mark.parametrize("weights", [{"aweights": np.array([1.0, -0.5, 2.0, 1.0, 1.0])},
                                     {"fweights": np.array([1, -1, 2, 1, 1])}])
def test_cov_refuses_negative_weights_as_numpy(weights: dict) -> None:
    with pytest.raises(ValueError):
        np.cov(X, **weights)
    with pytest.raises(DataError, match="cannot be negative"):
        np.cov(Tensor(X), **weights)
    with pytest.raises(DataError, match="cannot be negative"):
        ag.cov(Tensor(X), **{k: ag.tensor(v) for k, v in weights.items()})


def test_cov_refuses_fractional_frequencies_as_numpy() -> None:
    fractional = np.array([1.0, 1.5, 2.0, 1.0, 1.0])
    with pytest.raises(TypeError):
        np.cov(X, fweights=fractional)
    with pytest.raises(DTypeError, match="fweights.*integers"):
        np.cov(Tensor(X), fweights=fractional)
    with pytest.raises(DTypeError, match="fweights.*integers"):
        ag.cov(Tensor(X), fweights=Tensor(fractional))
    whole = np.array([1.0, 0.0, 2.0, 1.0, 3.0])  # whole numbers of a float dtype: NumPy's
    np.testing.assert_allclose(np.cov(Tensor(X), fweights=whole).data,
                               np.cov(X, fweights=whole), rtol=1e-12)


# ------------------------------------------------------------------ interp
def test_interp_at_a_repeated_last_xp_is_the_last_fp() -> None:
    xp, fp = np.array([0.0, 1.0, 1.0]), np.array([0.0, 1.0, 2.0])
    x = np.array([0.5, 1.0, 1.5, -1.0])
    assert_same(np.interp(Tensor(x), xp, Tensor(fp)), np.interp(x, xp, fp))
    assert_same(np.interp(Tensor(np.array(1.0)), xp, Tensor(fp)), np.interp(1.0, xp, fp))
    x_integers = np.array([0, 1, 2])
    assert_same(np.interp(ag.tensor(x_integers), ag.tensor([0, 1, 1]), ag.tensor([0, 1, 2])),
                np.interp(x_integers, [0, 1, 1], [0, 1, 2]))
    values = Tensor(fp, requires_grad=True)
    np.interp(Tensor(x), xp, values).sum().backward()
    assert np.isfinite(values.grad.data).all()
    assert ag.gradcheck(lambda v: np.interp(Tensor(x), xp, v), [Tensor(fp, requires_grad=True)])


def test_interp_refuses_a_tracked_xp() -> None:
    xp = Tensor(np.array([0.0, 1.0, 3.0]), requires_grad=True)
    with pytest.raises(UsageError, match="xp is a constant.*xp.detach"):
        np.interp(np.array([0.5, 2.0]), xp, np.array([0.0, 1.0, 2.0]))
    assert_same(np.interp(np.array([0.5, 2.0]), xp.detach(), Tensor(np.array([0.0, 1.0, 2.0]))),
                np.interp([0.5, 2.0], [0.0, 1.0, 3.0], [0.0, 1.0, 2.0]))


# ------------------------------------------------------------------ cond, matrix norms
@pytest.mark.parametrize("p", [None, 1, -1, 2, -2, "fro", np.inf, -np.inf])
@pytest.mark.parametrize("matrix", [SINGULAR, SINGULAR.astype(bool), INTEGERS])
def test_cond_of_integer_and_bool_matrices_is_numpys(matrix: np.ndarray, p: object) -> None:
    want = np.linalg.cond(matrix, p)
    for got in (np.linalg.cond(Tensor(matrix), p), ag.linalg.cond(ag.tensor(matrix), p)):
        assert got.dtype == np.float64
        np.testing.assert_allclose(got.data, want, rtol=1e-12)


@pytest.mark.parametrize("ord", [1, -1, np.inf, -np.inf, "fro", "nuc", 2, -2])
@pytest.mark.parametrize("matrix", [INTEGERS, INTEGERS > 0])
def test_matrix_norms_of_integers_are_float64_as_numpy(matrix: np.ndarray, ord: object) -> None:
    want = np.linalg.norm(matrix, ord)
    for got in (np.linalg.norm(Tensor(matrix), ord), np.linalg.matrix_norm(Tensor(matrix), ord=ord),
                ag.linalg.matrix_norm(Tensor(matrix), ord)):
        assert got.dtype == np.float64
        np.testing.assert_allclose(got.data, want, rtol=1e-12)


# ------------------------------------------------------------------ ldexp
def test_ldexp_beyond_the_range_of_two_to_the_exponent(torch) -> None:
    x, e = np.array([0.0, 1e308, 1e-300, 3.0]), np.array([1100, -1100, 1100, -3])
    assert_same(np.ldexp(Tensor(x), e), np.ldexp(x, e))
    assert_same(ag.ldexp(Tensor(x), ag.tensor(e)), np.ldexp(x, e))
    np.testing.assert_array_equal(ag.ldexp(Tensor(x), ag.tensor(e)).data,
                                  torch.ldexp(torch.tensor(x), torch.tensor(e)).numpy())
    unsigned = np.array([3, 0, 2, 1], np.uint64)  # NumPy's ldexp has no uint64 loop
    assert_same(ag.ldexp(Tensor(x), ag.tensor(unsigned)), np.ldexp(x, unsigned.astype(int)))
    x32 = np.array([1.0, 3.0], np.float32)
    assert_same(np.ldexp(Tensor(x32), np.array([-140, 3])), np.ldexp(x32, np.array([-140, 3])))
    # a float exponent (PyTorch's, not NumPy's): the same values, and differentiable
    floats = Tensor(e.astype(np.float64))
    np.testing.assert_array_equal(ag.ldexp(Tensor(x), floats).data, np.ldexp(x, e))
    leaf = Tensor(x[1:3], requires_grad=True)
    ag.ldexp(leaf, ag.tensor(e[1:3])).sum().backward()
    with np.errstate(over="ignore"):  # 2^1100 is inf
        np.testing.assert_array_equal(leaf.grad.data, np.ldexp(1.0, e[1:3]))
    base = Tensor(np.array([0.3, 2.0, -1.5]), requires_grad=True)
    exponent = Tensor(np.array([-3.3, 2.1, 0.5]), requires_grad=True)
    assert ag.gradcheck(ag.ldexp, [base, exponent])
    assert ag.gradgradcheck(ag.ldexp, [base, exponent])


def test_ldexp_overflow_warns_nothing() -> None:
    with np.errstate(all="raise"):
        np.ldexp(Tensor(np.array([1e300, 1e-300])), np.array([2000, -2000]))


# ------------------------------------------------------------------ modf
def test_modf_signs_and_infinities_are_numpys() -> None:
    x = np.array([np.inf, -np.inf, -1.0, -2.5, 0.0, -0.0, 0.75, 3.0, np.nan])
    fraction, whole = np.modf(Tensor(x))
    want_fraction, want_whole = np.modf(x)
    assert_same(fraction, want_fraction)
    assert_same(whole, want_whole)
    finite = Tensor(np.array([-2.5, -1.3, 0.4, 1.75]), requires_grad=True)
    assert ag.gradcheck(lambda t: np.modf(t)[0], [finite])


# ------------------------------------------------------------------ keywords
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("correction", [0, 1])
def test_var_and_std_take_numpy_2s_correction(name: str, correction: int) -> None:
    got = getattr(np, name)(Tensor(X), correction=correction)
    np.testing.assert_allclose(got.data, getattr(np, name)(X, correction=correction),
                               rtol=1e-12)
    got = getattr(np, name)(Tensor(X), axis=1, correction=correction)
    np.testing.assert_allclose(got.data, getattr(np, name)(X, axis=1, correction=correction),
                               rtol=1e-12)


@pytest.mark.parametrize("keywords", [{"order": "F"}, {"order": "C"}, {"subok": True}])
def test_copy_takes_numpys_keywords(keywords: dict) -> None:
    t = Tensor(X, requires_grad=True)
    copied = np.copy(t, **keywords)
    np.testing.assert_array_equal(copied.data, np.copy(X, **keywords))
    assert copied.requires_grad and not np.shares_memory(copied.data, t.data)


# ------------------------------------------------------------------ integers and bools
def test_lstsq_of_integers_and_bools_is_computed_in_float64() -> None:
    a, b = np.array([[1, 0], [0, 1], [1, 1]]), np.array([1, 2, 3])
    for given_a, given_b in ((ag.tensor(a), ag.tensor(b)), (ag.tensor(a), b),
                             (ag.tensor(a.astype(bool)), b)):
        x, residuals, rank, s = np.linalg.lstsq(given_a, given_b, rcond=None)
        want = np.linalg.lstsq(np.asarray(given_a.data), b, rcond=None)
        assert x.dtype == np.float64
        np.testing.assert_allclose(x.data, want[0], rtol=1e-12)
        np.testing.assert_allclose(s.data, want[3], rtol=1e-12)
        assert int(rank.item()) == want[2]


def test_geomspace_from_a_bool_end_point() -> None:
    got = np.geomspace(Tensor(np.array(True)), 8.0, 3)
    np.testing.assert_allclose(got.data, np.geomspace(np.array(True), 8.0, 3), rtol=1e-15)
    half = np.array(0.5, np.float16)
    got = np.geomspace(Tensor(half), 1.0, 3)  # computed in float64, as NumPy's
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.data, np.geomspace(half, 1.0, 3), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.uint8, np.bool_, np.float32])
def test_vecdot_and_vdot_keep_numpys_dtype(dtype: type) -> None:
    a = np.array([[1, 2, 3], [0, 1, 1]]).astype(dtype)
    b = np.array([[1, 1, 0], [1, 0, 0]]).astype(dtype)
    assert_same(np.vecdot(Tensor(a), Tensor(b)), np.vecdot(a, b))
    assert_same(np.linalg.vecdot(Tensor(a), Tensor(b)), np.linalg.vecdot(a, b))
    assert_same(np.vdot(Tensor(a), Tensor(b)), np.vdot(a, b))


def test_vecdot_gradients_match_finite_differences() -> None:
    a = Tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    b = Tensor(RNG.standard_normal(3), requires_grad=True)
    assert ag.gradcheck(np.vecdot, [a, b])
    c = Tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    assert ag.gradcheck(lambda u, v: np.linalg.vecdot(u, v, axis=0), [a, c])
    assert ag.gradcheck(np.vdot, [a, c])


# ------------------------------------------------------------------ float32 end points
@pytest.mark.parametrize("start", [np.array(0.5, np.float32), np.array([0.5, 2.0], np.float32),
                                   np.array(0.5, np.float16), np.array(1), np.array(True)])
@pytest.mark.parametrize("call", [lambda s: np.linspace(s, 1.0, 4),
                                  lambda s: np.linspace(s, 3, 4, retstep=True)[1],
                                  lambda s: np.logspace(s, 1.0, 4),
                                  lambda s: np.logspace(s, 1.0, 4, base=2)])
def test_linspace_and_logspace_take_numpys_dtype(start: np.ndarray, call: object) -> None:
    want = np.asarray(call(start))
    got = call(Tensor(start))
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got.data, want, rtol=1e-6 if want.dtype == np.float32 else 1e-3
                               if want.dtype == np.float16 else 1e-12)


# ------------------------------------------------------------------ reads of a Tensor
def test_functions_that_only_read_a_tensor_work_on_its_values() -> None:
    t = Tensor(X, requires_grad=True)
    buffer = io.BytesIO()
    assert np.save(buffer, t) is None
    buffer.seek(0)
    np.testing.assert_array_equal(np.load(buffer), X)
    text = io.StringIO()
    np.savetxt(text, t)
    np.testing.assert_array_equal(np.loadtxt(io.StringIO(text.getvalue())), X)
    assert np.array2string(t) == np.array2string(X)
    assert np.array2string(t, precision=2) == np.array2string(X, precision=2)
    assert np.array_repr(t) == np.array_repr(X) and np.array_str(t) == np.array_str(X)
    assert np.iscomplexobj(t) is False and np.isrealobj(t) is True
    assert np.may_share_memory(t, t.data) and np.shares_memory(t, t.data)
    assert np.shares_memory(t, X) == np.shares_memory(t.data, X)
    assert not np.shares_memory(t, X.copy())


def test_permutation_of_a_tensor_is_a_shuffled_copy() -> None:
    values = np.arange(6.0)
    t = Tensor(values.copy(), requires_grad=True)
    for permutation in (np.random.default_rng(0).permutation, np.random.permutation):
        shuffled = permutation(t)
        np.testing.assert_array_equal(np.sort(shuffled), values)
        np.testing.assert_array_equal(t.data, values)  # t itself is not shuffled
    np.testing.assert_array_equal(np.random.default_rng(0).permutation(t),
                                  np.random.default_rng(0).permutation(values))


def test_a_tensor_mask_as_where_of_a_numpy_reduction() -> None:
    mask = np.array([True, False, True])
    got = np.ones((2, 3)).sum(axis=0, where=Tensor(mask))
    assert isinstance(got, np.ndarray)  # plain NumPy: a bool mask carries no gradient
    np.testing.assert_array_equal(got, np.ones((2, 3)).sum(axis=0, where=mask))


def test_ufunc_methods_name_their_axis_0_equivalent() -> None:
    t = Tensor(X, requires_grad=True)
    with pytest.raises(UsageError, match=r"np\.add\.reduce.*t\.sum\(axis=0\)"):
        np.add.reduce(t)
    with pytest.raises(UsageError, match=r"np\.multiply\.accumulate.*t\.cumprod\(axis=0\)"):
        np.multiply.accumulate(t)


def test_copy_false_refusal_is_a_value_error_as_numpys() -> None:
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        np.asarray(X, dtype=np.float32, copy=False)
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        np.asarray(Tensor(X), dtype=np.float32, copy=False)

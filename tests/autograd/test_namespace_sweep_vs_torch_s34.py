"""Fixes from session 34's sweep of the module-level functions against PyTorch: softmax,
log_softmax and logsumexp of small integers (no wrap-around), lerp/dist/renorm of integer
tensors refused, vander of small integers in int64, cov/corrcoef of one variable 0-d,
trace of a matrix only, trunc's gradient at NaN, gcd/lcm of an integer and a bool tensor,
integer division of an empty tensor by zero, manual_seed of negative and tensor seeds,
renorm of a slice holding NaN, square of bool, and the hints of missing names."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd.errors import DTypeError, MissingNameError, ShapeError, UsageError

SMALL_INTEGERS = [(np.uint8, [[3, 7, 0, 5], [255, 0, 128, 1]]),
                  (np.int8, [[-100, 100, 0, 7], [-128, 127, -1, 1]]),
                  (np.int16, [[-30000, 30000, 0, 7], [-5, 6, 300, -200]])]


def as_array(t) -> np.ndarray:
    return np.asarray(t.detach().numpy())


# ------------------------------------------------------------ 1. softmax family of ints
@pytest.mark.parametrize("dtype, values", SMALL_INTEGERS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_of_small_integers_computes_in_numpys_float(torch, name, dtype,
                                                                   values) -> None:
    """PyTorch refuses integer softmax and computes logsumexp in its float; ours take NumPy's
    float for the dtype (int8/uint8 float16, int16 float32), so compare with PyTorch's
    float64 values at that float's precision."""
    x = np.array(values, dtype=dtype)
    expected_dtype = np.result_type(dtype, np.float16)
    reference = getattr(torch, name)(torch.tensor(x.astype(np.float64)), 1).numpy()
    results = [getattr(ag, name)(ag.tensor(x), dim=1)]
    if name != "logsumexp":
        results.append(getattr(F, name)(ag.tensor(x), dim=1))
    else:
        results.append(ag.special.logsumexp(ag.tensor(x), 1))
    for result in results:
        assert result.dtype == expected_dtype
        tolerance = 10 * np.finfo(expected_dtype).eps
        np.testing.assert_allclose(as_array(result).astype(np.float64), reference,
                                   rtol=tolerance, atol=tolerance)


def test_softmax_of_int64_is_unchanged_and_bool_still_refused(torch) -> None:
    x = np.array([[3, -7, 0, 5]])
    np.testing.assert_allclose(as_array(ag.softmax(ag.tensor(x), dim=1)),
                               torch.softmax(torch.tensor(x, dtype=torch.float64), 1).numpy())
    with pytest.raises(DTypeError, match="boolean"):
        ag.softmax(ag.tensor([[True, False]]), dim=1)


# ------------------------------------------------------------ 2. lerp, dist, renorm of ints
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int64, np.bool_])
def test_lerp_dist_renorm_refuse_integer_tensors_as_torch(torch, dtype) -> None:
    a, b = np.array([[1, 0]], dtype=dtype), np.array([[0, 1]], dtype=dtype)
    ta, tb = torch.tensor(a), torch.tensor(b)
    calls = [(lambda: ag.lerp(ag.tensor(a), ag.tensor(b), 0.5),
              lambda: torch.lerp(ta, tb, 0.5)),
             (lambda: ag.dist(ag.tensor(a), ag.tensor(b)), lambda: torch.dist(ta, tb)),
             (lambda: ag.tensor(a).dist(ag.tensor(b)), lambda: ta.dist(tb)),
             (lambda: ag.renorm(ag.tensor(a), 2, 0, 1.0), lambda: torch.renorm(ta, 2, 0, 1.0)),
             (lambda: ag.tensor(a).renorm(2, 0, 1.0), lambda: ta.renorm(2, 0, 1.0))]
    for ours, theirs in calls:
        with pytest.raises((RuntimeError, TypeError)):
            theirs()
        # bool dist: the subtraction's own DTypeError, as PyTorch's
        with pytest.raises(DTypeError, match=r"needs float tensors|boolean tensors"):
            ours()


def test_dist_of_an_integer_and_a_float_tensor_as_torch(torch) -> None:
    a, b = np.array([200, 3], dtype=np.uint8), np.array([0.5, 1.0])
    np.testing.assert_allclose(as_array(ag.dist(ag.tensor(a), ag.tensor(b))),
                               torch.dist(torch.tensor(a), torch.tensor(b)).numpy())


# ------------------------------------------------------------ 3. vander
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.bool_])
@pytest.mark.parametrize("increasing", [False, True])
def test_vander_of_small_integers_is_int64_as_torch(torch, dtype, increasing) -> None:
    x = np.array([250, 3, 1, 0], dtype=np.int64).astype(dtype) if dtype != np.int32 \
        else np.array([100000, -7, 2], dtype=dtype)
    ours = ag.vander(ag.tensor(x), N=4, increasing=increasing)
    theirs = torch.vander(torch.tensor(x), N=4, increasing=increasing)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(as_array(ours), theirs.numpy())


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32])
def test_linalg_vander_of_small_integers_is_int64_as_torch(torch, dtype) -> None:
    x = np.array([[250, 3, 2], [1, 0, 100]]).astype(dtype)
    ours = ag.linalg.vander(ag.tensor(x), N=3)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(as_array(ours), torch.linalg.vander(torch.tensor(x),
                                                                       N=3).numpy())


def test_linalg_vander_refuses_bool_as_torch(torch) -> None:
    with pytest.raises(RuntimeError):
        torch.linalg.vander(torch.tensor([True, False]))
    with pytest.raises(DTypeError, match="bool"):
        ag.linalg.vander(ag.tensor([True, False]))


# ------------------------------------------------------------ 4. cov, corrcoef of one row
@pytest.mark.parametrize("shape", [(1, 4), (1, 1), (4,), (2, 5), (0, 3)])
def test_cov_and_corrcoef_shapes_as_torch(torch, shape) -> None:
    x = np.random.default_rng(1).normal(size=shape)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one observation: PyTorch warns of its NaN
        for name in ("cov", "corrcoef"):
            ours, theirs = getattr(ag, name)(ag.Tensor(x)), getattr(torch, name)(torch.tensor(x))
            assert ours.shape == tuple(theirs.shape)
            np.testing.assert_allclose(as_array(ours), theirs.numpy(), rtol=1e-12)


# ------------------------------------------------------------ 5. trace
@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)])
def test_trace_of_a_non_matrix_is_refused_as_torch(torch, shape) -> None:
    x = np.arange(float(np.prod(shape))).reshape(shape)
    with pytest.raises(RuntimeError):
        torch.trace(torch.tensor(x))
    for call in (lambda: ag.trace(ag.Tensor(x)), lambda: ag.Tensor(x).trace()):
        with pytest.raises(ShapeError, match=r"expected a matrix .*diagonal\(dim1=-2"):
            call()


def test_trace_of_a_matrix_as_torch_and_numpys_axes_when_given(torch) -> None:
    m = np.arange(12.0).reshape(3, 4)
    t = torch.tensor(m, requires_grad=True)
    ours = ag.Tensor(m, requires_grad=True)
    ag.trace(ours).backward()
    torch.trace(t).backward()
    np.testing.assert_array_equal(as_array(ours.grad), t.grad.numpy())
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(as_array(ag.trace(ag.Tensor(x), axis1=-2, axis2=-1)),
                                  np.trace(x, axis1=-2, axis2=-1))
    np.testing.assert_array_equal(as_array(np.trace(ag.Tensor(x))), np.trace(x))
    np.testing.assert_array_equal(as_array(ag.Tensor(x).trace(1, axis2=2)),
                                  np.trace(x, 1, axis2=2))


# ------------------------------------------------------------ 10. trunc and fix
@pytest.mark.parametrize("name", ["trunc", "fix"])
def test_trunc_gradient_is_zero_at_nan_as_torch(torch, name) -> None:
    values = np.array([np.nan, 1.5, -2.5, -0.0, np.inf, -np.inf])
    ours = ag.Tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    out, expected = getattr(ag, name)(ours), getattr(torch, name)(theirs)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(as_array(out), expected.detach().numpy())
    np.testing.assert_array_equal(np.signbit(as_array(out)), np.signbit(expected.detach().numpy()))
    np.testing.assert_array_equal(as_array(ours.grad), theirs.grad.numpy())


# ------------------------------------------------------------ 11. gcd, lcm with bool
@pytest.mark.parametrize("name", ["gcd", "lcm"])
@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8])
def test_gcd_lcm_of_an_integer_and_a_bool_tensor_as_torch(torch, name, dtype) -> None:
    a, b = np.array([4, 6, 0], dtype=dtype), np.array([True, False, True])
    for x, y in ((a, b), (b, a)):
        ours = getattr(ag, name)(ag.tensor(x), ag.tensor(y))
        theirs = getattr(torch, name)(torch.tensor(x), torch.tensor(y))
        assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
        np.testing.assert_array_equal(as_array(ours), theirs.numpy())
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.tensor(b), torch.tensor(b))
    with pytest.raises(DTypeError, match="one may be bool"):
        getattr(ag, name)(ag.tensor(b), ag.tensor(b))


# ------------------------------------------------------------ 12. empty integer division
@pytest.mark.parametrize("name", ["remainder", "fmod", "floor_divide"])
@pytest.mark.parametrize("shapes", [((0,), (1,)), ((0, 3), (3,)), ((2, 1), (0,))])
def test_integer_division_of_nothing_by_zero_is_empty_as_torch(torch, name, shapes) -> None:
    a, b = np.zeros(shapes[0], dtype=np.int64), np.zeros(shapes[1], dtype=np.int64)
    ours = getattr(ag, name)(ag.tensor(a), ag.tensor(b))
    theirs = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.int64


def test_integer_division_by_zero_is_still_refused() -> None:
    with pytest.raises(ag.IntegerDivisionError):
        ag.remainder(ag.tensor([1, 2]), ag.tensor([0]))
    with pytest.raises(ShapeError, match="cannot broadcast"):  # the shapes named first
        ag.remainder(ag.zeros((0, 3), dtype=ag.int64), ag.tensor([1, 0]))


# ------------------------------------------------------------ 13. manual_seed
@pytest.mark.parametrize("seed", [-1, -5, -2 ** 63, 2 ** 64 - 1])
def test_manual_seed_of_a_negative_int_wraps_as_torch(torch, seed) -> None:
    assert ag.manual_seed(seed).initial_seed() == torch.manual_seed(seed).initial_seed()
    assert ag.Generator().manual_seed(seed).initial_seed() == \
        torch.Generator().manual_seed(seed).initial_seed()
    first = ag.randn(3)
    ag.manual_seed(seed % 2 ** 64)
    np.testing.assert_array_equal(as_array(first), as_array(ag.randn(3)))


def test_manual_seed_of_a_one_element_integer_tensor_as_torch(torch) -> None:
    for seed in (ag.tensor(3), ag.tensor([7])):
        expected = torch.manual_seed(torch.tensor(seed.numpy())).initial_seed()
        assert ag.manual_seed(seed).initial_seed() == expected
    with pytest.raises(UsageError, match="from -2"):
        ag.manual_seed(-2 ** 63 - 1)
    with pytest.raises(UsageError, match="must be an int"):
        ag.manual_seed(ag.tensor([1, 2]))


# ------------------------------------------------------------ 14. renorm with NaN
@pytest.mark.parametrize("p", [1, 2, 3.5, float("inf")])
@pytest.mark.parametrize("dim", [0, 1])
def test_renorm_leaves_a_nan_slice_as_torch(torch, p, dim) -> None:
    x = np.array([[1.0, 0.5, np.nan], [3.0, 4.0, 0.2], [0.0, 0.0, 0.0]])
    weights = np.random.default_rng(2).normal(size=x.shape)
    ours = ag.Tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, expected = ag.renorm(ours, p, dim, 1.0), torch.renorm(theirs, p, dim, 1.0)
    (out * ag.Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(as_array(out), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(as_array(ours.grad), theirs.grad.numpy(), rtol=1e-12)


# ------------------------------------------------------------ 15. square of bool
def test_square_of_bool_is_int64_as_torch(torch) -> None:
    x = np.array([True, False])
    theirs = torch.square(torch.tensor(x))
    for ours in (ag.square(ag.tensor(x)), ag.tensor(x).square()):
        assert ours.dtype == np.int64 and str(theirs.dtype) == "torch.int64"
        np.testing.assert_array_equal(as_array(ours), theirs.numpy())


# ------------------------------------------------------------ missing names
@pytest.mark.parametrize("name, alternative", [
    ("set_default_tensor_type", "set_default_dtype"), ("set_num_interop_threads", "drop"),
    ("get_num_interop_threads", "drop"), ("scalar_tensor", "autograd.tensor"),
    ("rsub", "y - a * x"), ("is_nonzero", "bool(x)"), ("is_signed", "dtype.kind"),
    ("split_with_sizes", "split"), ("unsafe_chunk", "chunk"), ("unsafe_split", "split"),
    ("histogramdd", "np.histogramdd"),
    ("binomial", "Binomial"), ("angle", "where"), ("fill", "full_like"),
    ("empty_strided", "empty"), ("frombuffer", "np.frombuffer"),
    ("set_warn_always", "drop the line"), ("set_flush_denormal", "drop the line"),
    ("typename", "x.type()"), ("range", "arange"), ("dropout_", "nn.functional.dropout"),
    ("alpha_dropout_", "alpha_dropout"), ("feature_dropout", "dropout2d"), ("cond", "if")])
def test_everyday_missing_names_name_their_alternative(name, alternative) -> None:
    with pytest.raises(MissingNameError) as error:
        getattr(ag, name)
    assert alternative in str(error.value)
    assert "__all__ lists what it has" not in str(error.value)


def test_einsum_takes_a_list_of_one_tensor_as_pytorch(torch):
    a = np.arange(9.0).reshape(3, 3)
    ours = ag.einsum("ii", [ag.tensor(a)])
    assert float(ours) == float(torch.einsum("ii", [torch.tensor(a)]))
    assert float(ag.einsum("i->", [1.0, 2.0])) == 3.0  # a list of numbers: one array

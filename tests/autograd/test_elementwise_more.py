"""PyTorch's ``floor_divide fmax fmin nextafter frexp`` (functions and methods) and the
in-place forms of elementwise methods (``x.erf_()``, ``x.log1p_()``, ``x.nan_to_num_()``
...) against PyTorch: values, dtypes and gradients through them. Each raised
AttributeError here before (``torch.fmax(a, b)`` skipping NaN in a running maximum,
``p.data.erfinv_()`` in truncated-normal initialisers)."""

import math

import numpy as np
import pytest

import autograd as ag

NAN, INF = math.nan, math.inf
RNG = np.random.default_rng(0)
WEIGHTS = np.array([0.5, -1.0, 2.0, 0.25, 1.5, -0.75])


def _backward(T, function, *arrays):
    leaves = [T.tensor(a, requires_grad=True) for a in arrays]
    out = function(*leaves)
    (out * T.tensor(WEIGHTS[: out.numel()].reshape(tuple(out.shape)))).sum().backward()
    return [out.detach().numpy()] + [leaf.grad.numpy(force=True) for leaf in leaves]


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_skip_nan_and_send_ties_to_self(torch, name) -> None:
    a = np.array([1.0, 2.0, NAN, 3.0, NAN, -1.0])
    b = np.array([1.0, NAN, 0.0, 4.0, NAN, -2.0])  # a tie, NaN on either side, both NaN
    ours = _backward(ag, getattr(ag, name), a, b)
    want = _backward(torch, getattr(torch, name), a, b)
    for got, expected in zip(ours, want, strict=True):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(getattr(ag.tensor(a), name)(b).numpy(), want[0])


def test_numpy_spellings_dispatch_to_the_methods() -> None:
    a = ag.tensor([1.0, NAN, 3.0], requires_grad=True)
    b = np.array([2.0, 0.0, NAN])
    for function in (np.fmax, np.fmin, np.nextafter):
        np.testing.assert_array_equal(function(a, b).detach().numpy(), function(a.data, b))
    np.fmax(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0, 1.0])
    mantissa, exponent = np.frexp(ag.tensor([3.0, -0.1]))
    want = np.frexp(np.array([3.0, -0.1]))
    np.testing.assert_array_equal(mantissa.numpy(), want[0])
    np.testing.assert_array_equal(exponent.numpy(), want[1])


def test_nextafter_matches_pytorch(torch) -> None:
    a = np.array([1.0, 1.0, 0.0, -2.0, 1e300, 5e-324])
    b = np.array([2.0, 0.0, -1.0, -2.0, INF, 0.0])
    ours = _backward(ag, ag.nextafter, a, b)
    want = _backward(torch, torch.nextafter, a, b)
    for got, expected in zip(ours, want, strict=True):
        np.testing.assert_array_equal(got, expected)
    x = ag.tensor([1.0, 2.0])
    assert x.nextafter_(3.0) is x and x.numpy()[0] == np.nextafter(1.0, 3.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_frexp_matches_pytorch(torch, dtype) -> None:
    x = np.array([0.0, 3.0, -0.75, 1e-40, 5e-324, 1e300, INF, NAN, 1.0])
    if dtype == np.float32:
        x = x[np.abs(x) < 1e38]
    mantissa, exponent = ag.frexp(ag.tensor(x, dtype=dtype))
    want = torch.frexp(torch.tensor(x, dtype=getattr(torch, np.dtype(dtype).name)))
    np.testing.assert_array_equal(mantissa.numpy(), want.mantissa.numpy())
    np.testing.assert_array_equal(exponent.numpy(), want.exponent.numpy())
    assert mantissa.dtype == dtype and exponent.dtype == np.int32
    assert ag.tensor(x, dtype=dtype).frexp().mantissa.shape == mantissa.shape


def test_frexp_gradient_matches_pytorch(torch) -> None:
    x = np.array([0.3, -5.0, 1e-3, 7.5, 1e10, -2.0])
    ours = _backward(ag, lambda t: ag.frexp(t).mantissa, x)
    want = _backward(torch, lambda t: torch.frexp(t).mantissa, x)
    for got, expected in zip(ours, want, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_floor_divide_matches_pytorch_values(torch) -> None:
    a = np.array([7.0, -7.0, 7.5, -0.5, 3.0, 0.0])
    b = np.array([2.0, 2.0, -2.0, 3.0, 0.5, 4.0])
    np.testing.assert_array_equal(ag.floor_divide(ag.tensor(a), ag.tensor(b)).numpy(),
                                  torch.floor_divide(torch.tensor(a), torch.tensor(b)).numpy())
    np.testing.assert_array_equal(ag.floor_divide(ag.tensor([7, -7]), 2).numpy(),
                                  torch.floor_divide(torch.tensor([7, -7]), 2).numpy())
    y = ag.tensor(a)
    assert y.floor_divide_(2.0) is y
    np.testing.assert_array_equal(y.numpy(), np.floor_divide(a, 2.0))
    out = ag.empty(6)
    assert ag.fmax(ag.tensor(a), ag.tensor(b), out=out) is out


IN_PLACE = [  # (name, input values, extra argument)
    ("cosh_", RNG.uniform(-2, 2, 6), None), ("sinh_", RNG.uniform(-2, 2, 6), None),
    ("tan_", RNG.uniform(-1.2, 1.2, 6), None), ("erf_", RNG.uniform(-2, 2, 6), None),
    ("erfc_", RNG.uniform(-2, 2, 6), None), ("erfinv_", RNG.uniform(-0.9, 0.9, 6), None),
    ("exp2_", RNG.uniform(-2, 2, 6), None), ("expm1_", RNG.uniform(-2, 2, 6), None),
    ("lgamma_", RNG.uniform(0.2, 4, 6), None), ("digamma_", RNG.uniform(0.2, 4, 6), None),
    ("log10_", RNG.uniform(0.2, 4, 6), None), ("log1p_", RNG.uniform(-0.5, 4, 6), None),
    ("log2_", RNG.uniform(0.2, 4, 6), None), ("sinc_", RNG.uniform(-2, 2, 6), None),
    ("deg2rad_", RNG.uniform(-90, 90, 6), None), ("rad2deg_", RNG.uniform(-2, 2, 6), None),
    ("trunc_", np.array([-1.7, -0.2, 0.3, 1.5, 2.9, -3.1]), None),
    ("fix_", np.array([-1.7, -0.2, 0.3, 1.5, 2.9, -3.1]), None),
    ("frac_", np.array([-1.7, -0.2, 0.3, 1.5, 2.9, -3.1]), None),
    ("hypot_", RNG.uniform(0.5, 2, 6), RNG.uniform(0.5, 2, 6)),
    ("copysign_", RNG.uniform(0.5, 2, 6), np.array([1.0, -1.0, 2.0, -3.0, 0.5, -0.5])),
]


@pytest.mark.parametrize("name, values, other", IN_PLACE, ids=[c[0] for c in IN_PLACE])
def test_in_place_forms_match_pytorch(torch, name, values, other) -> None:
    """y = x * 1 (a non-leaf); y.<name>(...) in place; the gradient reaches x through it."""
    def run(T):
        x = T.tensor(values, requires_grad=True)
        y = x * 1
        result = getattr(y, name)(*(() if other is None else (T.tensor(other),)))
        assert result is y
        (y * T.tensor(WEIGHTS)).sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    rtol = 1e-8 if name == "digamma_" else 1e-12  # PyTorch's trigamma is off by ~1e-9
    for got, expected in zip(run(ag), run(torch), strict=True):
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-14)


def test_nan_to_num_and_heaviside_in_place(torch) -> None:
    values = np.array([NAN, INF, -INF, 1.5, 0.0, -2.0])
    for T in (ag, torch):
        y = T.tensor(values)
        y.nan_to_num_(0.5, posinf=9.0, neginf=-9.0)
        z = T.tensor(values[3:]).heaviside_(T.tensor([0.5]))
        if T is ag:
            ours = (y.numpy(), z.numpy())
    np.testing.assert_array_equal(ours[0], y.numpy())
    np.testing.assert_array_equal(ours[1], z.numpy())


def test_sgn_in_place_has_zero_gradient() -> None:
    """(PyTorch's sgn backward hands a ZeroTensor, and its first call takes ~8 s: not run.)"""
    x = ag.tensor([-1.7, 0.0, 2.5], requires_grad=True)
    y = x * 1
    y.sgn_()
    (y * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), 0.0)


def test_in_place_refuses_integer_tensors_as_pytorch(torch) -> None:
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.tensor([1, 2]).erf_()
    with pytest.raises(ag.DTypeError):
        ag.tensor([1, 2]).erf_()

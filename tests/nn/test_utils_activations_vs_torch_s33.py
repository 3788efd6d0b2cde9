"""Gradient-norm clipping and a few activations next to PyTorch (fuzzing pass s33):
norms in float64 without overflow or underflow, every norm order PyTorch takes, non-float
gradients refused; prelu's slope gradient at x = inf, the tanh GELU's gradient for large
float16 inputs, integer hardtanh/relu6, softplus with beta < 0; skip_init, the memory
format no-ops and the empty-generator warning."""

import math
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.errors import DTypeError, UsageError
from nn.errors import ConfigError

FLOATS = {"float16": (np.float16, 2e-3), "float32": (np.float32, 1e-6),
          "float64": (np.float64, 1e-12)}


def _ours_and_theirs(torch, grads):
    """Parameters holding ``grads`` (arrays) as gradients, ours and PyTorch's."""
    ours, theirs = [], []
    for g in grads:
        p = nn.Parameter(np.zeros(g.shape, g.dtype))
        p.grad = g.copy()
        ours.append(p)
        q = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype))
        q.grad = torch.from_numpy(g.copy())
        theirs.append(q)
    return ours, theirs


@pytest.mark.parametrize("dtype, values", [
    ("float16", [[300.0, 300.0], [150.0]]),       # 300^2 overflows float16: the norm was inf
    ("float16", [[1e-4, 1e-4, 1e-4, 1e-4], [5e-5]]),  # 1e-4^2 is subnormal there: 22% off
    ("float32", [[1e20]]),  # 1e40 overflows float32 (PyTorch's too for two or more entries)
])
def test_the_norm_and_the_clipped_gradients_are_torchs_for_small_float_dtypes(
        torch, dtype, values):
    np_dtype, rtol = FLOATS[dtype]
    ours, theirs = _ours_and_theirs(torch, [np.array(v, np_dtype) for v in values])
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_allclose(total, expected.item(), rtol=rtol)
    for p, q in zip(ours, theirs):
        assert p.grad.dtype == np_dtype
        np.testing.assert_allclose(p.grad.data.astype(np.float64),
                                   q.grad.numpy().astype(np.float64), rtol=rtol)


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e300])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5])
def test_norms_of_huge_and_tiny_float64_gradients_neither_overflow_nor_underflow(
        scale, norm_type):
    """PyTorch overflows (inf) or underflows (0) here too: the reference is the norm of the
    unscaled values, scaled back."""
    unit = np.random.default_rng(0).standard_normal((2, 3, 4))
    grads = [unit[0] * scale, unit[1] * scale]
    exact = scale * np.sum(np.abs(unit) ** norm_type) ** (1 / norm_type)
    np.testing.assert_allclose(nn.utils.get_total_norm(grads, norm_type), exact, rtol=1e-13)
    params = [nn.Parameter(np.zeros(g.shape)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    np.testing.assert_allclose(nn.utils.grad_norms(params)["0"],
                               scale * np.linalg.norm(unit[0]), rtol=1e-13)


def test_a_single_huge_gradient_is_finite_as_in_torch(torch):
    """A 0-d 1e200 gradient: PyTorch returns 1e200; the square overflowed here, and
    error_if_nonfinite=True raised."""
    ours, theirs = _ours_and_theirs(torch, [np.array(1e200)])
    total = nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    assert total == expected.item()
    np.testing.assert_allclose(ours[0].grad.data, theirs[0].grad.numpy(), rtol=1e-15)


def test_an_overflowing_sum_of_squares_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isfinite(nn.utils.get_total_norm([np.full(3, 1e200)]))
        assert nn.utils.get_total_norm([np.array([1e300, 1e-300])], -1.0) > 0


NORM_ORDERS = [-math.inf, 0.0, -1.0, -2.0, -0.5]


@pytest.mark.parametrize("norm_type", NORM_ORDERS)
def test_negative_zero_and_minus_infinite_norm_orders_are_torchs(torch, norm_type):
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal((3, 4)), np.array([3.0, -4.0, 0.0]), rng.standard_normal(5),
             np.zeros(2)]
    for chosen in (grads[:1], grads[:2], grads[2:], grads):
        expected = torch.nn.utils.get_total_norm([torch.from_numpy(g) for g in chosen],
                                                 norm_type)
        np.testing.assert_allclose(nn.utils.get_total_norm(chosen, norm_type),
                                   expected.item(), rtol=1e-13)
    ours, theirs = _ours_and_theirs(torch, [g * 10 for g in grads[:1] + grads[2:3]])
    total = nn.utils.clip_grad_norm_(ours, 0.5, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type)
    np.testing.assert_allclose(total, expected.item(), rtol=1e-13)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize("norm_type", [-math.inf, -1.0])
def test_an_empty_gradient_adds_nothing_to_a_negative_order_norm(torch, norm_type):
    """PyTorch refuses the negative-order norm of an empty tensor (no identity); as one
    vector of all entries, the empty gradient contributes none."""
    a = np.array([3.0, -4.0, 0.5])
    expected = torch.nn.utils.get_total_norm([torch.from_numpy(a)], norm_type).item()
    assert nn.utils.get_total_norm([np.zeros(0), a], norm_type) == pytest.approx(expected)


def test_a_nan_norm_order_is_still_refused_and_minus_inf_is_not():
    grads = [np.array([3.0, -4.0])]
    assert nn.utils.get_total_norm(grads, -math.inf) == 3.0 == np.min(np.abs(grads[0]))
    with pytest.raises(ConfigError, match="norm_type must be a number, not NaN; got nan"):
        nn.utils.get_total_norm(grads, math.nan)
    with pytest.raises(ConfigError, match="clip_grad_norm_: norm_type must be a number"):
        nn.utils.clip_grad_norm_([nn.Parameter(np.ones(2))], 1.0, math.nan)


@pytest.mark.parametrize("data", [np.array([True, True]), np.array([100, 100], np.int8),
                                  np.array([1, 2]), np.array([3 + 4j])],
                         ids=["bool", "int8", "int64", "complex"])
def test_non_float_gradients_are_a_dtype_error(torch, data):
    if data.dtype.kind in "bi":  # PyTorch refuses these too
        with pytest.raises(RuntimeError, match="floating point"):
            torch.nn.utils.get_total_norm([torch.from_numpy(data)])
    with pytest.raises(DTypeError, match=f"get_total_norm: gradients must hold floating-point "
                                         f"numbers .*got a {data.dtype} array"):
        nn.utils.get_total_norm([np.ones(2), data])
    if data.dtype.kind == "c":
        return  # a Tensor holds no complex numbers
    p = ag.tensor(data)  # an integer tensor (it cannot require grad) given an integer .grad
    p.grad = data
    assert p.grad.dtype == data.dtype
    with pytest.raises(DTypeError, match="clip_grad_norm_: gradients must hold"):
        nn.utils.clip_grad_norm_([p], 1.0)
    with pytest.raises(DTypeError, match="grad_norms: gradients must hold"):
        nn.utils.grad_norms([p])


def test_clip_grad_norm_of_an_empty_generator_warns_as_torch(torch):
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.nn.utils.clip_grad_norm_((p for p in []), 1.0)
    with pytest.warns(UserWarning) as ours:
        assert nn.utils.clip_grad_norm_((p for p in []), 1.0) == 0.0
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert ours[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a list, or a generator with items, is silent
        nn.utils.clip_grad_norm_([], 1.0)
        nn.utils.clip_grad_norm_((p for p in [nn.Parameter(np.ones(2))]), 1.0)


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("channels", [1, 2])
def test_prelu_weight_gradient_at_plus_infinity_is_torchs(torch, channels):
    x = np.array([[math.inf, -1.0], [2.0, -5.0], [math.inf, -3.0]])
    w = np.linspace(0.25, 0.5, channels)
    c = np.random.default_rng(0).uniform(0.5, 2.0, x.shape)  # finite output gradients
    xt, wt = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
    (F.prelu(xt, wt) * c).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    (torch.nn.functional.prelu(tx, tw) * torch.from_numpy(c)).sum().backward()
    np.testing.assert_allclose(wt.grad.data, tw.grad.numpy(), rtol=1e-15)
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_tanh_gelu_gradient_of_large_inputs_is_not_nan(torch, dtype):
    """float16 from |x| = 256 (x^2 overflows), float32 at 1e20: the gradient was 0 * inf;
    the reference is PyTorch's float64 gradient at the same points."""
    np_dtype, rtol = FLOATS[dtype]
    values = [300.0, -300.0, 256.0, -256.0, 6e4, -6e4, 3.0, -0.5]
    if dtype == "float32":
        values += [1e20, -1e20, 3e38]
    x = ag.tensor(np.array(values, np_dtype), requires_grad=True)
    F.gelu(x, "tanh").sum().backward()
    tx = torch.tensor(np.array(values, np_dtype).astype(np.float64), requires_grad=True)
    torch.nn.functional.gelu(tx, approximate="tanh").sum().backward()
    assert x.grad.dtype == np_dtype
    np.testing.assert_allclose(x.grad.data.astype(np.float64), tx.grad.numpy(), rtol=rtol,
                               atol=rtol)


@pytest.mark.parametrize("dtype", ["int64", "int8", "uint8", "int32"])
@pytest.mark.parametrize("bounds", [(-1.5, 2.5), (0.0, 6.0), (-2.7, -0.5), (-1.0, 1.0)])
def test_hardtanh_of_integers_keeps_the_dtype_and_truncates_the_bounds_as_torch(
        torch, dtype, bounds):
    if dtype == "uint8" and bounds[0] < 0:
        bounds = (0.0, bounds[1] + 3)  # PyTorch refuses negative limits for unsigned types
    data = np.array([1, 5, -3, 7, 0, 2, -1, 100]).astype(dtype)  # uint8 wraps -3 and -1
    expected = torch.nn.functional.hardtanh(torch.from_numpy(data), *bounds)
    for result in (F.hardtanh(ag.tensor(data), *bounds), nn.Hardtanh(*bounds)(ag.tensor(data))):
        assert result.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(result.data, expected.numpy())


@pytest.mark.parametrize("dtype", ["int64", "uint8"])
def test_relu6_of_integers_keeps_the_dtype_as_torch(torch, dtype):
    data = np.array([1, 7, 0, 6, 200, 3], dtype)
    if dtype == "int64":
        data[2] = -3
    expected = torch.nn.functional.relu6(torch.from_numpy(data)).numpy()
    for result in (F.relu6(ag.tensor(data)), nn.ReLU6()(ag.tensor(data)),
                   F.hardtanh(ag.tensor(data), 0, 6)):
        assert result.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(result.data, expected)


def test_hardtanh_of_integers_with_bounds_beyond_the_dtype_clips_nothing_there():
    """PyTorch refuses such bounds; a bound beyond every value clips none of them."""
    data = np.array([-128, -3, 0, 5, 127], np.int8)
    result = F.hardtanh(ag.tensor(data), -math.inf, 1e30)
    assert result.dtype == np.int8
    np.testing.assert_array_equal(result.data, data)
    np.testing.assert_array_equal(F.hardtanh(ag.tensor(data), -1e4, 2.5).data,
                                  np.minimum(data, 2))


@pytest.mark.parametrize("beta", [-1.0, -2.5, -0.1])
def test_softplus_with_a_negative_beta_is_torchs(torch, beta):
    values = np.array([0.5, -30.0, 30.0, -2.0, 0.0, 8.1, -8.1, 250.0])
    x = ag.tensor(values, requires_grad=True)
    F.softplus(x, beta=beta).sum().backward()
    tx = torch.tensor(values, requires_grad=True)
    expected = torch.nn.functional.softplus(tx, beta=beta)
    expected.sum().backward()
    np.testing.assert_allclose(F.softplus(ag.tensor(values), beta=beta).data,
                               expected.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-13, atol=1e-300)
    module = nn.Softplus(beta=beta, threshold=5.0)
    np.testing.assert_allclose(
        module(ag.tensor(values)).data,
        torch.nn.Softplus(beta=beta, threshold=5.0)(torch.tensor(values)).numpy(), rtol=1e-13)
    with pytest.raises(ConfigError, match="beta must be a finite number other than 0"):
        nn.Softplus(beta=0)


# ------------------------------------------------------------------ PyTorch's names
def test_skip_init_builds_the_module_as_torchs(torch):
    ours = nn.utils.skip_init(nn.Linear, 5, 3, bias=False)
    theirs = torch.nn.utils.skip_init(torch.nn.Linear, 5, 3, bias=False)
    assert type(ours) is nn.Linear and repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape), p.requires_grad) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape), p.requires_grad) for n, p in theirs.named_parameters()]
    ours = nn.utils.skip_init(nn.Conv2d, in_channels=2, out_channels=4, kernel_size=3,
                              device="cpu")
    assert ours.weight.shape == (4, 2, 3, 3)
    with pytest.raises(RuntimeError, match="device"):
        torch.nn.utils.skip_init(torch.nn.ReLU)
    with pytest.raises(UsageError, match="skip_init: ReLU takes no device argument"):
        nn.utils.skip_init(nn.ReLU)


@pytest.mark.parametrize("name, layer, fmt", [
    ("convert_conv2d_weight_memory_format", lambda: nn.Conv2d(2, 3, 3), "channels_last"),
    ("convert_conv3d_weight_memory_format", lambda: nn.Conv3d(2, 3, 3), "channels_last_3d"),
])
def test_the_memory_format_conversions_return_the_module_unchanged(torch, name, layer, fmt):
    model = nn.Sequential(layer(), nn.ReLU())
    before = {k: v.copy() for k, v in model.state_dict().items()}
    for memory_format in (getattr(ag, fmt), getattr(torch, fmt), ag.contiguous_format):
        assert getattr(nn.utils, name)(model, memory_format) is model
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    conv = getattr(torch.nn, type(model[0]).__name__)(2, 3, 3)
    assert getattr(torch.nn.utils, name)(conv, getattr(torch, fmt)) is conv

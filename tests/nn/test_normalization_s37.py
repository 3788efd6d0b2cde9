"""Session 37 fixes of the norms, checked against NumPy formulas, finite differences and
hand-derived cases (PyTorch's behaviour, derived): eps=0 is accepted where PyTorch
accepts it (an instance norm's constant channel then gives 0 with gradient 0, a layer
norm's NaN; batch norm refuses it only with batch statistics), a normalised shape may
hold a 0 (an empty output), the batch / instance norms take any finite momentum, and
``F.normalize`` takes ``out=``."""
import math
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, no_grad
from autograd.errors import DTypeError, UsageError
from nn.errors import ConfigError


def normal(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


def standardised(x, axes, eps=0.0):
    """(x - mean) / sqrt(var + eps) over ``axes`` (biased variance), in NumPy."""
    mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def standardise_vjp(x, g, axes):
    """d/dx of sum(g * x_hat) at eps = 0: (g - mean(g) - x_hat mean(g x_hat)) / std."""
    x_hat = standardised(x, axes)
    mean_g = g.mean(axes, keepdims=True)
    mean_gx = (g * x_hat).mean(axes, keepdims=True)
    return (g - mean_g - x_hat * mean_gx) / x.std(axes, keepdims=True)


# ---------------------------------------------------------------- 1. eps = 0
X = normal(0, (3, 4, 5))

ZERO_EPS_FUNCTIONS = {  # name: (our call at eps=0, the NumPy formula)
    "layer_norm": (lambda x: F.layer_norm(x, (4, 5), eps=0.0),
                   lambda x: standardised(x, (1, 2))),
    "group_norm": (lambda x: F.group_norm(x, 2, eps=0.0),
                   lambda x: standardised(x.reshape(3, 2, 10), 2).reshape(x.shape)),
    "instance_norm": (lambda x: F.instance_norm(x, eps=0.0),
                      lambda x: standardised(x, 2)),
    "rms_norm": (lambda x: F.rms_norm(x, 5, eps=0.0),
                 lambda x: x / np.sqrt((x * x).mean(2, keepdims=True))),
    "batch_norm_eval": (lambda x: F.batch_norm(x, np.full(4, 0.5), np.full(4, 2.0), eps=0.0),
                        lambda x: (x - 0.5) / np.sqrt(2.0)),
}


@pytest.mark.parametrize("name", sorted(ZERO_EPS_FUNCTIONS))
def test_every_norm_function_takes_eps_zero(name):
    ours, formula = ZERO_EPS_FUNCTIONS[name]
    np.testing.assert_allclose(ours(Tensor(X)).data, formula(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["layer_norm", "group_norm", "instance_norm", "rms_norm"])
def test_eps_zero_gradients_match_finite_differences(name):
    ours, _ = ZERO_EPS_FUNCTIONS[name]
    x = Tensor(normal(1, (3, 4, 5)), requires_grad=True)
    assert autograd.gradcheck(ours, [x])
    assert autograd.gradgradcheck(ours, [x])


ZERO_EPS_MODULES = {  # name: (the module at eps=0, an input, the NumPy formula)
    "LayerNorm": (lambda: nn.LayerNorm(5, eps=0), X, lambda x: standardised(x, 2)),
    "GroupNorm": (lambda: nn.GroupNorm(4, 4, eps=0), X, lambda x: standardised(x, 2)),
    "RMSNorm": (lambda: nn.RMSNorm(5, eps=0.0), X,
                lambda x: x / np.sqrt((x * x).mean(2, keepdims=True))),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(4, eps=0), X, lambda x: standardised(x, 2)),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(3, eps=0), X, lambda x: standardised(x, (1, 2))),
    "BatchNorm1d.eval": (lambda: nn.BatchNorm1d(4, eps=0).eval(), X, lambda x: x),
}


@pytest.mark.parametrize("name", sorted(ZERO_EPS_MODULES))
def test_every_norm_module_takes_eps_zero(name):
    build, x, formula = ZERO_EPS_MODULES[name]
    layer = build()
    assert layer.eps == 0.0 and "eps=0" in repr(layer)
    np.testing.assert_allclose(layer(Tensor(x)).data, formula(x), rtol=1e-12, atol=1e-12)


REFUSING_EPS = [
    lambda eps: F.layer_norm(X, 5, eps=eps),
    lambda eps: F.group_norm(X, 2, eps=eps),
    lambda eps: F.instance_norm(X, eps=eps),
    lambda eps: F.rms_norm(X, 5, eps=eps),
    lambda eps: F.batch_norm(X, np.zeros(4), np.ones(4), eps=eps),
    lambda eps: nn.LayerNorm(5, eps=eps),
    lambda eps: nn.GroupNorm(2, 4, eps=eps),
    lambda eps: nn.RMSNorm(5, eps=eps),
    lambda eps: nn.InstanceNorm1d(4, eps=eps),
    lambda eps: nn.BatchNorm1d(4, eps=eps),
]


@pytest.mark.parametrize("eps", [-1e-5, math.nan, math.inf])
@pytest.mark.parametrize("call", REFUSING_EPS)
def test_negative_or_non_finite_eps_is_still_refused(call, eps):
    with pytest.raises(ConfigError, match=r"eps must be a finite number >= 0"):
        call(eps)


def test_batch_norm_refuses_eps_zero_only_with_batch_statistics():
    """PyTorch's F.batch_norm: eps > 0 in training (a constant channel would be 0 / 0),
    eps >= 0 in evaluation; its modules build with eps=0 and fail in a training step."""
    with pytest.raises(ConfigError, match=r"batch_norm in training mode needs eps > 0"):
        F.batch_norm(X, None, None, training=True, eps=0.0)
    layer = nn.BatchNorm1d(4, eps=0.0)
    with pytest.raises(ConfigError, match=r"BatchNorm1d with eps=0 .* training mode"):
        layer(X)
    assert int(layer.num_batches_tracked.data) == 0  # the refused batch is not counted
    untracked = nn.BatchNorm1d(4, eps=0.0, track_running_stats=False).eval()
    with pytest.raises(ConfigError, match=r"evaluation mode without running statistics"):
        untracked(X)
    np.testing.assert_allclose(layer.eval()(X).data, X, rtol=0, atol=0)  # mean 0, var 1


def test_instance_norm_at_eps_zero_gives_zero_for_a_constant_channel():
    """PyTorch's native rule: 1 / sqrt(var + eps) is taken as 0 where var + eps = 0, so a
    constant channel gives x_hat = 0 (y = bias) with gradient 0, also the second one;
    the other channels are standardised with eps = 0."""
    x = normal(2, (2, 3, 4))
    x[0, 1], x[1, 2] = 1.5, 0.0
    constant = np.zeros(x.shape, bool)
    constant[0, 1] = constant[1, 2] = True
    weight, bias, g = normal(3, 3), normal(4, 3), normal(5, x.shape)
    xt = Tensor(x, requires_grad=True)
    y = F.instance_norm(xt, weight=weight, bias=bias, eps=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # NumPy's constant rows: 0 / 0
        x_hat = np.where(constant, 0.0, standardised(x, 2))
        want = np.where(constant, 0.0, standardise_vjp(x, g * weight[:, None], 2))
    np.testing.assert_allclose(y.data, x_hat * weight[:, None] + bias[:, None], rtol=1e-12,
                               atol=1e-12)
    (dx,) = autograd.grad((y * g).sum(), [xt], create_graph=True)
    np.testing.assert_allclose(dx.data, want, rtol=1e-10, atol=1e-12)
    (second,) = autograd.grad((dx * normal(6, x.shape)).sum(), [xt])
    assert np.all(second.data[constant] == 0) and np.isfinite(second.data).all()


def test_instance_norm_at_eps_zero_keeps_nan_and_float16():
    x = np.ones((1, 2, 3))
    x[0, 0, 1] = np.nan  # a NaN row is not a constant one: NaN stays NaN
    y = F.instance_norm(x, eps=0.0).data
    assert np.isnan(y[0, 0]).all() and (y[0, 1] == 0).all()
    half = F.instance_norm(np.ones((2, 2, 3), np.float16), eps=0.0)
    assert half.dtype == np.float16 and (half.data == 0).all()


def test_layer_and_rms_norm_at_eps_zero_give_nan_for_a_zero_variance_row():
    """(x - mean) / sqrt(0) = 0 / 0 and x / sqrt(mean(x^2)) = 0 / 0 for a zero row: NaN,
    as PyTorch's layer_norm, group_norm and rms_norm (only instance norm has the rule)."""
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    with np.errstate(divide="ignore", invalid="ignore"):
        y = F.layer_norm(x, 3, eps=0.0).data
        r = F.rms_norm(np.array([[0.0, 0.0], [3.0, 4.0]]), 2, eps=0.0).data
    assert np.isnan(y[0]).all()
    np.testing.assert_allclose(y[1], [-math.sqrt(1.5), 0.0, math.sqrt(1.5)], rtol=1e-12)
    assert np.isnan(r[0]).all()
    np.testing.assert_allclose(r[1], np.array([3.0, 4.0]) / math.sqrt(12.5), rtol=1e-12)


# ---------------------------------------------------------------- 2. empty normalised axes
def _quietly(function, *args):
    """``function(*args)`` with NumPy's RuntimeWarnings (empty means) as errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return function(*args)


@pytest.mark.parametrize("shape, normalized", [((2, 0), (0,)), ((2, 3, 0), (3, 0)),
                                               ((0, 3), (3,))])
def test_layer_norm_of_an_empty_normalised_shape_is_empty(shape, normalized):
    x = Tensor(np.zeros(shape), requires_grad=True)
    weight = Tensor(np.ones(normalized), requires_grad=True)
    bias = Tensor(np.zeros(normalized), requires_grad=True)
    y = _quietly(F.layer_norm, x, normalized, weight, bias)
    assert y.shape == shape and y.dtype == np.float64
    grads = _quietly(autograd.grad, (y * 2.0).sum(), [x, weight, bias])
    assert [g.shape for g in grads] == [shape, normalized, normalized]


def test_rms_norm_of_an_empty_normalised_shape_is_empty():
    x = Tensor(np.zeros((2, 0)), requires_grad=True)
    weight = Tensor(np.ones(0), requires_grad=True)
    y = _quietly(F.rms_norm, x, 0, weight)
    assert y.shape == (2, 0)
    assert [g.shape for g in autograd.grad(y.sum(), [x, weight])] == [(2, 0), (0,)]
    assert _quietly(F.rms_norm, np.zeros((2, 0), np.float16), 0).dtype == np.float16


def test_integer_input_keeps_its_float_result_when_empty():
    assert F.layer_norm(np.ones((2, 3), np.int64), 3).dtype == np.float64
    assert _quietly(F.layer_norm, np.zeros((2, 0), np.int64), 0).dtype == np.float64


@pytest.mark.parametrize("build", [lambda: nn.LayerNorm(0), lambda: nn.RMSNorm(0),
                                   lambda: nn.LayerNorm((2, 0))])
def test_norm_modules_of_size_zero_build_and_run(build):
    layer = build()
    shape = (5,) + layer.normalized_shape
    assert layer.weight.shape == layer.normalized_shape
    y = _quietly(layer, np.zeros(shape))
    assert y.shape == shape
    _quietly(y.sum().backward)
    assert layer.weight.grad.shape == layer.normalized_shape


def test_group_norm_of_zero_channels():
    layer = nn.GroupNorm(1, 0)
    assert repr(layer) == "GroupNorm(1, 0, eps=1e-05, affine=True, bias=True)"
    assert layer.weight.shape == (0,)
    assert _quietly(layer, np.zeros((2, 0, 3))).shape == (2, 0, 3)


@pytest.mark.parametrize("call", [lambda: nn.LayerNorm(-1), lambda: nn.RMSNorm((2, -1)),
                                  lambda: F.layer_norm(X, ()), lambda: nn.GroupNorm(1, -2)])
def test_negative_or_missing_sizes_are_still_refused(call):
    with pytest.raises(ConfigError):
        call()


# ---------------------------------------------------------------- 3. momentum
def _running_update(old, new, momentum):
    return (1 - momentum) * old + momentum * new


@pytest.mark.parametrize("momentum", [1.5, -0.5, 2.0])
def test_batch_norm_takes_any_finite_momentum(momentum):
    x = normal(7, (6, 3))
    mean, var = np.full(3, 0.2), np.full(3, 1.5)
    F.batch_norm(x, mean, var, training=True, momentum=momentum)
    np.testing.assert_allclose(mean, _running_update(0.2, x.mean(0), momentum), rtol=1e-12)
    np.testing.assert_allclose(var, _running_update(1.5, x.var(0, ddof=1), momentum),
                               rtol=1e-12)


@pytest.mark.parametrize("momentum", [1.5, -0.5])
def test_instance_norm_takes_any_finite_momentum(momentum):
    x = normal(8, (2, 3, 5))
    mean, var = np.zeros(3), np.ones(3)
    F.instance_norm(x, mean, var, momentum=momentum)
    np.testing.assert_allclose(mean, _running_update(0.0, x.mean(2).mean(0), momentum),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(var, _running_update(1.0, x.var(2, ddof=1).mean(0), momentum),
                               rtol=1e-12)


@pytest.mark.parametrize("build", [
    lambda m: nn.BatchNorm1d(3, momentum=m),
    lambda m: nn.InstanceNorm1d(3, momentum=m, track_running_stats=True)])
def test_norm_modules_take_any_finite_momentum(build):
    layer = build(1.5)
    x = normal(9, (4, 3, 5))
    layer(x)
    means = x.mean((0, 2)) if isinstance(layer, nn.BatchNorm1d) else x.mean(2).mean(0)
    np.testing.assert_allclose(layer.running_mean.data, 1.5 * means, rtol=1e-12)
    assert "momentum=1.5" in repr(layer)


@pytest.mark.parametrize("momentum", [math.nan, math.inf])
@pytest.mark.parametrize("call", [
    lambda m: F.batch_norm(X, None, None, training=True, momentum=m),
    lambda m: F.instance_norm(X, momentum=m),
    lambda m: nn.BatchNorm2d(3, momentum=m),
    lambda m: nn.InstanceNorm1d(3, momentum=m)])
def test_non_finite_momentum_is_refused(call, momentum):
    with pytest.raises(ConfigError, match="momentum must be a finite number"):
        call(momentum)


# ---------------------------------------------------------------- 4. normalize(out=)
V = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, -1.0]])


def test_normalize_writes_into_out_and_returns_it():
    out = autograd.zeros(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty out is resized without a warning
        result = F.normalize(Tensor(V), dim=1, out=out)
    assert result is out
    norms = np.maximum(np.sqrt((V * V).sum(1, keepdims=True)), 1e-12)
    np.testing.assert_allclose(out.data, V / norms, rtol=1e-15)
    F.normalize(V, p=1.0, dim=0, out=out)
    np.testing.assert_allclose(out.data, V / np.abs(V).sum(0, keepdims=True), rtol=1e-15)
    assert F.normalize(V, out=None).shape == V.shape  # PyTorch's default


def test_normalize_out_casts_and_resizes_as_other_out_functions():
    out = autograd.zeros(3, 2, dtype=np.float32)
    F.normalize(V, out=out)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, V / np.maximum(np.linalg.norm(V, axis=1)[:, None],
                                                        1e-12), rtol=1e-6)
    other = autograd.zeros(4)
    with pytest.warns(UserWarning, match=r"normalize: out of shape \(4,\) was resized"):
        F.normalize(V, out=other)
    assert other.shape == V.shape


def test_normalize_out_refusals_name_the_problem():
    with pytest.raises(DTypeError, match=r"normalize\(\.\.\., out=\.\.\.\).*float64.*int64"):
        F.normalize(V, out=autograd.zeros(3, 2, dtype=np.int64))
    with pytest.raises(UsageError, match=r"out=.*Tensor"):
        F.normalize(V, out=np.zeros((3, 2)))
    x = Tensor(V, requires_grad=True)
    with pytest.raises(UsageError, match=r"do not support automatic differentiation.*an input "
                                         r"requires grad"):
        F.normalize(x, out=autograd.zeros(0))
    with no_grad():
        out = F.normalize(x, out=autograd.zeros(0))
    assert not out.requires_grad and out.shape == V.shape


@pytest.mark.parametrize("norm", [lambda x: F.layer_norm(x, (3,), eps=0.0),
                                  lambda x: F.group_norm(x.reshape(2, 3, 1), 1, eps=0.0),
                                  lambda x: F.rms_norm(x * 0, (3,), eps=0.0)])
def test_eps_zero_on_a_constant_row_is_nan_without_numpy_warnings(norm):
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = norm(x)
        y.sum().backward()
    assert np.isnan(y.detach().numpy()).all() and np.isnan(x.grad.numpy()).all()

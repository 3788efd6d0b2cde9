"""BatchNorm1d and LayerNorm against NumPy references; gradients by finite differences."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Tensor
from autograd.errors import DTypeError, ShapeError
from nn.module import functional_call
from nn.normalization import BatchNorm1d, LayerNorm

SEEDS = st.integers(0, 2**32 - 1)


def normal(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


def channel_view(a, ndim):
    """A per-channel vector shaped to broadcast against (N, C) or (N, C, L)."""
    return a if ndim == 2 else a[:, None]


def reference_batch_norm(x, mean, var, weight, bias, eps):
    return ((x - channel_view(mean, x.ndim)) / np.sqrt(channel_view(var, x.ndim) + eps)
            * channel_view(weight, x.ndim) + channel_view(bias, x.ndim))


def batch_axes(x):
    return (0,) if x.ndim == 2 else (0, 2)


def randomise_affine(layer, seed):
    layer.weight.data[...] = normal(seed + 1, layer.weight.shape)
    layer.bias.data[...] = normal(seed + 2, layer.bias.shape)


def check_module_gradients(module, x):
    names = [n for n, _ in module.named_parameters()]
    params = list(module.parameters())
    assert autograd.gradcheck(
        lambda x, *ps: functional_call(module, dict(zip(names, ps)), x), [x, *params])


SHAPES_3D = st.tuples(st.integers(2, 5), st.integers(1, 3), st.integers(1, 3))
SHAPES_2D = st.tuples(st.integers(2, 5), st.integers(1, 3))


# ---------------------------------------------------------------- BatchNorm1d
@given(seed=SEEDS, shape=st.one_of(SHAPES_2D, SHAPES_3D))
def test_batchnorm_training_uses_batch_statistics(seed, shape):
    layer = BatchNorm1d(shape[1])
    randomise_affine(layer, seed)
    x = normal(seed, shape)
    axes = batch_axes(x)
    expected = reference_batch_norm(x, x.mean(axis=axes), x.var(axis=axes),
                                    layer.weight.data, layer.bias.data, layer.eps)
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-10, atol=1e-12)


@given(seed=SEEDS, shape=st.one_of(SHAPES_2D, SHAPES_3D))
def test_batchnorm_training_gradients(seed, shape):
    layer = BatchNorm1d(shape[1])
    randomise_affine(layer, seed)
    check_module_gradients(layer, Tensor(normal(seed, shape), requires_grad=True))


@given(seed=SEEDS, shape=st.one_of(SHAPES_2D, SHAPES_3D))
def test_batchnorm_eval_uses_running_statistics_and_its_gradients(seed, shape):
    c = shape[1]
    layer = BatchNorm1d(c)
    randomise_affine(layer, seed)
    layer.running_mean.data[...] = normal(seed + 3, c)
    layer.running_var.data[...] = np.exp(normal(seed + 4, c))
    layer.eval()
    x = normal(seed, shape)
    expected = reference_batch_norm(x, layer.running_mean.data, layer.running_var.data,
                                    layer.weight.data, layer.bias.data, layer.eps)
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-10, atol=1e-12)
    check_module_gradients(layer, Tensor(x, requires_grad=True))


@given(seed=SEEDS, shape=st.one_of(SHAPES_2D, SHAPES_3D))
def test_batchnorm_second_derivatives(seed, shape):
    layer = BatchNorm1d(shape[1])
    randomise_affine(layer, seed)
    assert autograd.gradgradcheck(layer, [Tensor(normal(seed, shape), requires_grad=True)])


@pytest.mark.parametrize("shape", [(8, 3), (6, 3, 4)])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_running_statistics_follow_the_momentum_rule(shape, momentum):
    layer = BatchNorm1d(3, momentum=momentum)
    mean, var = np.zeros(3), np.ones(3)
    for step in range(1, 6):
        x = normal(step, shape) * step + step
        layer(Tensor(x))
        axes = batch_axes(x)
        m = 1 / step if momentum is None else momentum
        mean = (1 - m) * mean + m * x.mean(axis=axes)
        var = (1 - m) * var + m * x.var(axis=axes, ddof=1)  # unbiased, as PyTorch
    np.testing.assert_allclose(layer.running_mean.data, mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.data, var, rtol=1e-12)
    assert int(layer.num_batches_tracked.data) == 5


def test_eval_leaves_running_statistics_alone():
    layer = BatchNorm1d(2)
    layer(Tensor(normal(0, (5, 2))))
    before = layer.state_dict()
    layer.eval()(Tensor(normal(1, (5, 2))))
    for key, value in before.items():
        np.testing.assert_array_equal(layer.state_dict()[key], value)


def test_training_output_is_standardised_per_channel():
    x = normal(0, (500, 4)) * [1, 10, 0.1, 3] + [5, -2, 0, 1]
    y = BatchNorm1d(4)(Tensor(x)).data
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    var = x.var(axis=0)
    np.testing.assert_allclose(y.var(axis=0), var / (var + 1e-5), rtol=1e-12)


def test_without_running_statistics_batch_statistics_are_used_in_eval_too():
    layer = BatchNorm1d(3, track_running_stats=False).eval()
    assert layer.running_mean is None and list(layer.buffers()) == []
    assert set(layer.state_dict()) == {"weight", "bias"}
    x = normal(0, (4, 3))
    expected = reference_batch_norm(x, x.mean(0), x.var(0), np.ones(3), np.zeros(3), 1e-5)
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-12)


def test_batchnorm_without_affine_has_no_parameters():
    layer = BatchNorm1d(3, affine=False)
    assert list(layer.parameters()) == []
    x = normal(0, (4, 3))
    expected = reference_batch_norm(x, x.mean(0), x.var(0), np.ones(3), np.zeros(3), 1e-5)
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-12)
    assert autograd.gradcheck(layer, [Tensor(x, requires_grad=True)])


def test_batchnorm_state_and_defaults_follow_pytorch():
    layer = BatchNorm1d(3)
    assert (layer.eps, layer.momentum) == (1e-5, 0.1)
    assert list(layer.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                        "num_batches_tracked"]
    np.testing.assert_array_equal(layer.weight.data, np.ones(3))
    np.testing.assert_array_equal(layer.running_var.data, np.ones(3))
    layer(Tensor(normal(0, (4, 3))))
    layer.reset_running_stats()
    assert int(layer.num_batches_tracked.data) == 0 and not layer.running_mean.data.any()
    assert repr(layer) == ("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                           "track_running_stats=True)")


def test_batchnorm_errors_name_the_layer_and_the_shapes():
    layer = BatchNorm1d(3)
    with pytest.raises(ShapeError, match=r"BatchNorm1d\(3.*\(N, 3\).*\(4, 2\)"):
        layer(Tensor(np.ones((4, 2))))
    with pytest.raises(ShapeError, match=r"\(3,\)"):
        layer(Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="more than one value per channel"):
        layer(Tensor(np.ones((1, 3))))
    assert layer.eval()(Tensor(np.ones((1, 3)))).shape == (1, 3)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm1d(3, momentum=math.nan)
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm1d(0)
    with pytest.raises(DTypeError, match="floating"):
        BatchNorm1d(3, dtype=int)


def test_batchnorm_in_float32():
    layer = BatchNorm1d(3, dtype=np.float32)
    y = layer(Tensor(normal(0, (4, 3)).astype(np.float32)))
    assert y.dtype == np.float32 and layer.running_var.dtype == np.float32


# ---------------------------------------------------------------- LayerNorm
LAYER_SHAPES = st.tuples(st.lists(st.integers(1, 3), max_size=2),
                         st.lists(st.integers(1, 3), min_size=1, max_size=2))


@given(seed=SEEDS, shapes=LAYER_SHAPES)
def test_layernorm_matches_numpy_and_its_gradients(seed, shapes):
    lead, normalized = shapes
    if np.prod(normalized) < 2:
        normalized = normalized + [2]
    layer = LayerNorm(tuple(normalized))
    randomise_affine(layer, seed)
    x = normal(seed, (*lead, *normalized))
    axes = tuple(range(len(lead), x.ndim))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5) * layer.weight.data + layer.bias.data
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-10, atol=1e-12)
    check_module_gradients(layer, Tensor(x, requires_grad=True))


def test_layernorm_second_derivatives():
    x = Tensor(normal(0, (3, 4)), requires_grad=True)
    assert autograd.gradgradcheck(LayerNorm(4), [x])


def test_layernorm_options_and_errors():
    assert LayerNorm(4).normalized_shape == (4,)
    assert list(LayerNorm(4, elementwise_affine=False).parameters()) == []
    assert [n for n, _ in LayerNorm(4, bias=False).named_parameters()] == ["weight"]
    x = normal(0, (3, 4))
    plain = LayerNorm(4, elementwise_affine=False)(Tensor(x)).data
    np.testing.assert_allclose(plain.mean(axis=1), 0, atol=1e-12)
    with pytest.raises(ShapeError, match=r"\(4,\).*\(3, 5\)"):
        LayerNorm(4)(Tensor(np.ones((3, 5))))
    with pytest.raises(ShapeError, match=r"\(2, 4\).*\(4,\)"):
        LayerNorm((2, 4))(Tensor(np.ones(4)))
    with pytest.raises(ValueError, match="normalized_shape"):
        LayerNorm(-1)
    with pytest.raises(ValueError, match="eps"):
        LayerNorm(3, eps=-1e-5)

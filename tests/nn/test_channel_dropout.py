"""F.dropout1d/2d/3d, F.feature_alpha_dropout and their layers: whole channels dropped with
one draw per (sample, channel) from the generator, PyTorch's rank rules and warnings, the
gradient (the mask / (1 - p)) by finite differences, and the layer's generator found by
fit's resume."""

import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ConfigError
from nn.functional.more_activations import SELU_ALPHA, SELU_SCALE

FUNCTIONS = ["dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]


def _varying_axes(y):
    """The axes along which y is not constant."""
    return tuple(a for a in range(y.ndim) if not np.all(y == np.take(y, [0], axis=a)))


def _run(fn, x, **kwargs):
    """(raised?, warning count, output or None) of fn(x, 0.5, True)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            y = fn(x, 0.5, True, **kwargs)
        except (RuntimeError, ShapeError):
            return True, len(record), None
    return False, len(record), y.data if isinstance(y, Tensor) else y.numpy()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_ranks_warnings_and_mask_axes_as_torch(name):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    for ndim in range(7):
        x = np.ones((4,) * ndim)
        raised, warned, y = _run(getattr(F, name), x, generator=np.random.default_rng(0))
        t_raised, t_warned, t_y = _run(getattr(torch.nn.functional, name),
                                       torch.tensor(x))
        assert (raised, warned) == (t_raised, t_warned), (name, ndim)
        if y is not None:  # the same axes share one draw
            assert _varying_axes(y) == _varying_axes(t_y), (name, ndim)


@pytest.mark.parametrize("name, shape, mask_shape", [
    ("dropout1d", (3, 5, 4), (3, 5, 1)), ("dropout1d", (5, 4), (5, 1)),
    ("dropout2d", (2, 5, 3, 4), (2, 5, 1, 1)), ("dropout2d", (2, 5, 3), (2, 5, 1)),
    ("dropout3d", (2, 3, 2, 2, 2), (2, 3, 1, 1, 1)), ("dropout3d", (4, 2, 2, 2), (4, 1, 1, 1)),
])
def test_one_draw_per_channel_from_the_generator(name, shape, mask_shape):
    x = np.random.default_rng(1).standard_normal(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout2d of (N, C, L) warns, as torch
        y = getattr(F, name)(x, 0.3, generator=np.random.default_rng(7))
    keep = np.random.default_rng(7).random(mask_shape) >= 0.3
    np.testing.assert_allclose(y.data, x * keep / 0.7, rtol=1e-15)


def test_feature_alpha_dropout_values():
    x = np.random.default_rng(2).standard_normal((3, 4, 5))
    p, saturation = 0.25, SELU_SCALE * SELU_ALPHA
    y = F.feature_alpha_dropout(x, p, True, generator=np.random.default_rng(3))
    keep = np.random.default_rng(3).random((3, 4, 1)) >= p
    a = ((1 - p) * (1 + p * saturation ** 2)) ** -0.5
    expected = np.where(keep, a * x + a * saturation * p, a * saturation * (p - 1))
    np.testing.assert_allclose(y.data, expected, rtol=1e-14)
    np.testing.assert_array_equal(F.feature_alpha_dropout(x, p).data, x)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_gradient_is_the_scaled_mask(name):
    shape = (2, 3, 2) if name == "dropout1d" else (2, 3, 2, 2)
    x = Tensor(np.random.default_rng(4).standard_normal(shape), requires_grad=True)

    def fn(x):
        return getattr(F, name)(x, 0.4, True, generator=np.random.default_rng(5))
    assert autograd.gradcheck(fn, [x])
    assert autograd.gradgradcheck(fn, [x])


@pytest.mark.parametrize("name", FUNCTIONS)
def test_edges(name):
    fn = getattr(F, name)
    x = np.arange(24.0).reshape(2, 3, 4) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.all(fn(x, 1.0, True).data == 0)
        np.testing.assert_array_equal(fn(x, 0.0, True).data, x)
        np.testing.assert_array_equal(fn(x, 0.5, False).data, x)
        assert fn(x.astype(np.float32), 0.5, True).dtype == np.float32
        assert fn(x.astype(int), 0.5, True).dtype == np.float64
    with pytest.raises(ConfigError, match=f"{name}: p must be"):
        fn(x, 1.5)


def test_dropout1d_refuses_other_ranks_also_in_evaluation():
    with pytest.raises(ShapeError, match=r"dropout1d: expected 2-d \(C, L\) or 3-d"):
        F.dropout1d(np.ones((2, 3, 4, 5)), 0.5, False)
    with pytest.raises(ShapeError, match="dropout2d: channel-wise dropout needs"), \
            pytest.warns(UserWarning, match="dropout2d: got a 1-d input"):
        F.dropout2d(np.ones(3), 0.5, True)


@pytest.mark.parametrize("layer", ["Dropout1d", "Dropout2d", "Dropout3d",
                                   "FeatureAlphaDropout"])
def test_layers(layer):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, layer)(0.2)) == repr(getattr(torch.nn, layer)(0.2))
    shape = {"Dropout2d": (2, 3, 2, 2), "Dropout3d": (2, 3, 2, 2, 2)}.get(layer, (2, 3, 4))
    x = np.random.default_rng(6).standard_normal(shape)
    module = getattr(nn, layer)(0.5, rng=8)
    function = getattr(F, layer.lower().replace("featurealpha", "feature_alpha_"))
    np.testing.assert_array_equal(module(x).data,
                                  function(x, 0.5, True, generator=np.random.default_rng(8))
                                  .data)
    module.eval()
    np.testing.assert_array_equal(module(x).data, x)
    # fit's resume saves and restores the generator the layer draws from
    assert nn.train.model_generators(nn.Sequential(module)) == {"0.rng": module.rng}

"""Unusual use of layers: one-sample batch statistics, and data wider than the model."""
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import ShapeError
from nn.layers import DTypePromotionWarning


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_without_running_stats_rejects_one_value_per_channel(shape, training):
    bn = nn.BatchNorm1d(3, track_running_stats=False).train(training)
    match = "training mode" if training else "track_running_stats=False"
    with pytest.raises(ShapeError, match=match) as info:
        bn(Tensor(np.ones(shape)))
    assert isinstance(info.value, ValueError)  # what PyTorch raises


def test_batchnorm_with_one_sample_but_several_positions_still_works():
    """(1, C, L) with L > 1 has L values per channel: a variance exists (PyTorch too)."""
    x = np.random.default_rng(0).normal(size=(1, 3, 4))
    y = nn.BatchNorm1d(3, track_running_stats=False).eval()(Tensor(x)).data
    want = (x - x.mean(axis=(0, 2), keepdims=True)) / np.sqrt(
        x.var(axis=(0, 2), keepdims=True) + 1e-5)
    np.testing.assert_allclose(y, want, rtol=1e-12)
    tracked = nn.BatchNorm1d(3).eval()  # running statistics: one sample is fine
    np.testing.assert_allclose(tracked(Tensor(x[:, :, :1])).data,
                               x[:, :, :1] / np.sqrt(1 + 1e-5), rtol=1e-12)


def test_batchnorm_one_sample_matches_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3, track_running_stats=False).eval()(torch.ones(1, 3))
    with pytest.raises(ValueError):
        nn.BatchNorm1d(3, track_running_stats=False).eval()(Tensor(np.ones((1, 3))))


@pytest.mark.parametrize("data", [np.zeros((2, 4)), Tensor(np.zeros((2, 4))),
                                  [[1, 2, 3, 4]], np.zeros((2, 4), dtype=np.int64)],
                         ids=["ndarray", "Tensor", "list of ints", "int64"])
def test_float32_linear_fed_wider_data_warns_once(data):
    layer = nn.Linear(4, 3).astype(np.float32)
    with pytest.warns(DTypePromotionWarning, match=r"float32 parameters.*x\.astype"):
        y = layer(data)
    assert y.dtype == np.float64  # computed, correctly, in the wider dtype
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(data)  # once per layer


def test_matching_or_narrower_data_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = nn.Linear(4, 3).astype(np.float32)(np.zeros((2, 4), dtype=np.float32))
        assert y.dtype == np.float32
        nn.Linear(4, 3)(np.zeros((2, 4), dtype=np.float32))  # float64 layer: no speed lost
        nn.Linear(4, 3)(np.zeros((2, 4)))

"""Review fixes for F.batch_norm / BatchNorm1d / LayerNorm: in-place updates of the
running statistics count as writes, outputs keep x's dtype, bad arguments get named
errors, LayerNorm's errors name the module."""

import re

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import InplaceError, ShapeError


def batch(seed=0, shape=(4, 3), dtype=np.float64):
    return Tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype))


@pytest.mark.parametrize("wrap", [Tensor, lambda a: a], ids=["tensor", "ndarray"])
@pytest.mark.parametrize("name", ["running_mean", "running_var"])
def test_training_update_of_a_running_statistic_counts_as_an_inplace_write(wrap, name):
    stats = {"running_mean": np.zeros(3), "running_var": np.ones(3)}
    saved = Tensor(stats[name])  # a graph saving the statistic's array
    w = Tensor(np.ones(3), requires_grad=True)
    y = (w * saved).sum()
    F.batch_norm(batch(), wrap(stats["running_mean"]), wrap(stats["running_var"]),
                 training=True)
    with pytest.raises(InplaceError, match="modified in place"):
        y.backward()


def test_batchnorm1d_counter_update_counts_as_an_inplace_write():
    bn = nn.BatchNorm1d(3)
    w = Tensor(np.ones(()), requires_grad=True)
    y = w * bn.num_batches_tracked
    bn(batch())
    with pytest.raises(InplaceError, match="modified in place"):
        y.backward()


def test_reset_running_stats_counts_as_an_inplace_write():
    bn = nn.BatchNorm1d(3)
    bn(batch())
    w = Tensor(np.ones(3), requires_grad=True)
    y = (w * bn.running_mean).sum()
    bn.reset_running_stats()
    with pytest.raises(InplaceError, match="modified in place"):
        y.backward()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("stats_dtype", [np.float32, np.float64])
def test_both_modes_return_the_dtype_of_x(dtype, stats_dtype):
    x = batch(dtype=dtype)
    running_mean, running_var = np.zeros(3, stats_dtype), np.ones(3, stats_dtype)
    for training in (True, False):
        y = F.batch_norm(x, running_mean, running_var, training=training)
        assert y.dtype == dtype, training
    x.requires_grad_()
    F.batch_norm(x, running_mean, running_var).sum().backward()
    assert x.grad.dtype == dtype


def test_float32_module_in_eval_with_float64_statistics_stays_float32():
    bn = nn.BatchNorm1d(3, affine=False).eval()
    assert bn(batch(dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("shape, normalized", [((3, 5), 4), ((4,), (2, 4))])
def test_layernorm_shape_error_names_the_module_as_batchnorm_does(shape, normalized):
    layer = nn.LayerNorm(normalized)
    with pytest.raises(ShapeError, match=rf"^{re.escape(repr(layer))} normalises the last "
                                         rf"axes of shape .*{re.escape(str(shape))}"):
        layer(Tensor(np.ones(shape)))
    with pytest.raises(ShapeError, match=r"^layer_norm normalises"):
        F.layer_norm(Tensor(np.ones(shape)), normalized)

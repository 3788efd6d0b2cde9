"""Session 36 fixes of the batch and instance norms' running statistics, against NumPy:
the buffers (not ``track_running_stats``) decide batch statistics in evaluation, the
flag decides updates, a missing ``num_batches_tracked`` is tolerated, running statistics
that require grad are refused, and an instance norm refuses running statistics it does
not keep when loading."""
import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, no_grad
from autograd.errors import AutogradError, ShapeError, UsageError
from nn.errors import StateDictError

EPS = 1e-5


def normal(seed, shape, scale=1.0, offset=0.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale + offset


def normalised(x, mean, var, eps=EPS):
    """(x - mean) / sqrt(var + eps) per channel of an (N, C) array (weight 1, bias 0)."""
    return (x - mean) / np.sqrt(var + eps)


def batch_normalised(x, eps=EPS):
    """x of shape (N, C) standardised with its own batch mean and biased variance."""
    return normalised(x, x.mean(0), x.var(0), eps)


def buffers(layer):
    return {name: None if t is None else t.detach().numpy().copy()
            for name, t in layer.named_buffers()}


def test_eval_after_switching_tracking_off_uses_the_running_statistics():
    layer = nn.BatchNorm1d(3)
    x = normal(0, (4, 3))
    layer(x)  # one training step: running statistics from x
    layer.track_running_stats = False
    layer.eval()
    x2 = x * 2 + 1
    expected = normalised(x2, 0.1 * x.mean(0), 0.9 + 0.1 * x.var(0, ddof=1))
    np.testing.assert_allclose(layer(x2).detach().numpy(), expected, rtol=1e-12, atol=1e-12)


def test_training_with_tracking_switched_off_leaves_the_statistics_alone():
    layer = nn.BatchNorm1d(3)
    layer(normal(1, (5, 3)))
    before = buffers(layer)
    layer.track_running_stats = False
    x = normal(2, (6, 3), 3.0, 1.0)
    np.testing.assert_allclose(layer(x).detach().numpy(), batch_normalised(x), rtol=1e-12,
                               atol=1e-12)
    after = buffers(layer)
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value)


def test_eval_with_running_statistics_set_to_none_uses_batch_statistics():
    layer = nn.BatchNorm1d(3).eval()
    layer.running_mean = layer.running_var = None  # test-time adaptation's idiom
    x = normal(3, (4, 3), 2.0, -1.0)
    np.testing.assert_allclose(layer(x).detach().numpy(), batch_normalised(x), rtol=1e-12,
                               atol=1e-12)
    assert layer.running_mean is None and layer.running_var is None


def test_eval_batch_of_one_without_running_statistics_is_a_shape_error():
    layer = nn.BatchNorm1d(3).eval()
    layer.running_mean = layer.running_var = None
    with pytest.raises(ShapeError, match="without running statistics"):
        layer(np.ones((1, 3)))


@pytest.mark.parametrize("training", [True, False])
def test_tracking_switched_on_without_buffers_uses_batch_statistics(training):
    layer = nn.BatchNorm1d(3, track_running_stats=False)
    layer.track_running_stats = True
    layer.train(training)
    x = normal(4, (5, 3))
    np.testing.assert_allclose(layer(x).detach().numpy(), batch_normalised(x), rtol=1e-12,
                               atol=1e-12)
    assert all(value is None for value in buffers(layer).values())


def test_reset_running_stats_without_buffers_is_a_clear_error():
    layer = nn.BatchNorm1d(3, track_running_stats=False)
    layer.track_running_stats = True
    with pytest.raises(UsageError, match="track_running_stats=True but running_mean"):
        layer.reset_running_stats()


def test_missing_counter_with_a_momentum_updates_without_counting():
    layer = nn.BatchNorm1d(3, momentum=0.5)
    layer.num_batches_tracked = None
    x = normal(5, (6, 3))
    layer(x)
    np.testing.assert_allclose(layer.running_mean.numpy(), 0.5 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.numpy(), 0.5 + 0.5 * x.var(0, ddof=1),
                               rtol=1e-12)
    assert layer.num_batches_tracked is None


def test_missing_counter_with_cumulative_average_is_recreated():
    layer = nn.BatchNorm1d(3, momentum=None)
    layer.num_batches_tracked = None
    batches = [normal(6 + i, (4, 3), 1.0 + i, float(i)) for i in range(3)]
    for x in batches:
        layer(x)
    assert int(layer.num_batches_tracked.numpy()) == 3
    np.testing.assert_allclose(layer.running_mean.numpy(),
                               np.mean([x.mean(0) for x in batches], axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.numpy(),
                               np.mean([x.var(0, ddof=1) for x in batches], axis=0),
                               rtol=1e-12)


def test_loading_without_counter_into_a_layer_without_one():
    layer = nn.BatchNorm1d(3)
    layer.num_batches_tracked = None
    state = {"weight": np.ones(3), "bias": np.zeros(3), "running_mean": np.full(3, 2.0),
             "running_var": np.full(3, 3.0)}
    layer.load_state_dict(state)
    np.testing.assert_array_equal(layer.running_mean.numpy(), np.full(3, 2.0))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("which", ["running_mean", "running_var"])
def test_batch_norm_refuses_running_statistics_that_require_grad(training, which):
    stats = {"running_mean": Tensor(np.zeros(3)), "running_var": Tensor(np.ones(3))}
    stats[which] = Tensor(stats[which].numpy(), requires_grad=True)
    with pytest.raises(UsageError, match=f"{which} requires grad"):
        F.batch_norm(Tensor(normal(7, (4, 3))), stats["running_mean"],
                     stats["running_var"], training=training)


def test_batch_norm_under_no_grad_accepts_running_statistics_that_require_grad():
    x = normal(8, (4, 3))
    running_mean = Tensor(np.full(3, 0.5), requires_grad=True)
    with no_grad():
        y = F.batch_norm(Tensor(x), running_mean, Tensor(np.full(3, 2.0)), training=False)
    np.testing.assert_allclose(y.numpy(), normalised(x, 0.5, 2.0), rtol=1e-12)


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_refuses_running_statistics_that_require_grad(use_input_stats):
    running_var = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(UsageError, match="running_var requires grad"):
        F.instance_norm(Tensor(normal(9, (2, 3, 5))), Tensor(np.zeros(3)), running_var,
                        use_input_stats=use_input_stats)


@pytest.mark.parametrize("strict", [True, False])
def test_instance_norm_without_tracking_refuses_loaded_running_statistics(strict):
    model = nn.Sequential(nn.Conv1d(3, 3, 1), nn.InstanceNorm1d(3, affine=True))
    state = dict(model.state_dict())
    state["1.running_mean"] = np.full(3, 2.0)
    given = dict(state)
    weight = model[0].weight.detach().numpy().copy()
    with pytest.raises(StateDictError, match='Unexpected running stats buffer.*"1.running_mean"'
                       ) as caught:
        model.load_state_dict({**state, "0.weight": weight + 1}, strict=strict)
    assert isinstance(caught.value, AutogradError)
    assert "track_running_stats=True" in str(caught.value)
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), weight)  # nothing loaded
    assert state.keys() == given.keys()  # the caller's dict is left alone


def test_instance_norm_with_tracking_loads_its_running_statistics():
    layer = nn.InstanceNorm1d(3, track_running_stats=True)
    state = dict(layer.state_dict())
    state["running_mean"] = np.full(3, 2.0)
    layer.load_state_dict(state)
    np.testing.assert_array_equal(layer.running_mean.numpy(), np.full(3, 2.0))

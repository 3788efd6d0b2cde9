"""PyTorch names a training script uses that were missing: ``nn.SyncBatchNorm`` (one
process: BatchNorm, as PyTorch's CPU fallback) with ``convert_sync_batchnorm``,
``nn.RNNBase`` / ``nn.RNNCellBase`` for isinstance checks, ``F.*_with_indices``, and the
BatchNorm fusions at ``nn.utils``. Expected values come from PyTorch in float64."""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.errors import ConfigError

RNG = np.random.default_rng(7)


def test_sync_batchnorm_trains_as_pytorchs(torch):
    x = RNG.normal(size=(4, 3, 2, 5))
    ours, theirs = nn.SyncBatchNorm(3, momentum=0.3), torch.nn.SyncBatchNorm(3, momentum=0.3)
    weight = RNG.normal(size=3)
    with ag.no_grad():
        ours.weight[...] = weight
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(weight))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for module, inp in ((ours, xa), (theirs, xt)):
        (module(inp) ** 3).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(),
                               rtol=1e-10)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(ours, name).numpy(),
                                   getattr(theirs, name).numpy(), rtol=1e-12)
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(x[:1]).data, theirs(torch.tensor(x[:1])).detach().numpy(),
                               rtol=1e-12)
    assert repr(ours) == repr(theirs)


def test_convert_sync_batchnorm_keeps_parameters_statistics_and_mode():
    model = nn.Sequential(nn.Conv2d(1, 3, 1), nn.BatchNorm2d(3),
                          nn.Sequential(nn.Flatten(), nn.BatchNorm1d(12)))
    model(ag.tensor(RNG.normal(size=(5, 1, 2, 2))))  # statistics move away from 0 and 1
    model[2].eval()
    inner = model[2][1]
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert converted is model and isinstance(model[0], nn.Conv2d)
    sync = model[2][1]
    assert type(sync) is nn.SyncBatchNorm and not sync.training and model[1].training
    assert sync.weight is inner.weight and sync.bias is inner.bias
    np.testing.assert_array_equal(sync.running_mean.numpy(), inner.running_mean.numpy())
    assert int(sync.num_batches_tracked.item()) == 1
    lone = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(2))
    assert type(lone) is nn.SyncBatchNorm and lone.num_features == 2


def test_sync_batchnorm_refuses_a_process_group_and_wrong_channels():
    with pytest.raises(ConfigError, match="process_group=None"):
        nn.SyncBatchNorm(3, process_group="group")
    with pytest.raises(ag.ShapeError, match=r"\(N, 3, \.\.\.\)"):
        nn.SyncBatchNorm(3)(ag.zeros(4, 2, 5))


def test_recurrent_base_classes_are_pytorchs_names():
    assert all(isinstance(m, nn.RNNBase) for m in (nn.RNN(2, 3), nn.LSTM(2, 3), nn.GRU(2, 3)))
    assert all(isinstance(m, nn.RNNCellBase)
               for m in (nn.RNNCell(2, 3), nn.LSTMCell(2, 3), nn.GRUCell(2, 3)))
    assert not isinstance(nn.Linear(2, 3), (nn.RNNBase, nn.RNNCellBase))


@pytest.mark.parametrize("name, shape, args", [
    ("max_pool1d_with_indices", (2, 3, 9), (3, 2, 1)),
    ("max_pool2d_with_indices", (2, 3, 6, 7), (2,)),
    ("max_pool3d_with_indices", (1, 2, 4, 5, 4), (2, 1)),
    ("adaptive_max_pool1d_with_indices", (2, 3, 9), (4,)),
    ("adaptive_max_pool2d_with_indices", (2, 3, 6, 7), ((3, 2),)),
    ("adaptive_max_pool3d_with_indices", (1, 2, 4, 5, 4), (2,))])
def test_pooling_with_indices_is_pytorchs(name, shape, args, torch):
    x = RNG.normal(size=shape)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, indices = getattr(F, name)(xa, *args)
    out_t, indices_t = getattr(torch.nn.functional, name)(xt, *args)
    np.testing.assert_array_equal(out.detach().numpy(), out_t.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), indices_t.numpy())
    (out * out).sum().backward()
    (out_t * out_t).sum().backward()
    np.testing.assert_array_equal(xa.grad.numpy(), xt.grad.numpy())


def test_fractional_max_pool_with_indices_and_the_fusions_at_nn_utils(torch):
    x = RNG.normal(size=(1, 2, 8, 8))
    samples = RNG.uniform(size=(1, 2, 2))
    out, indices = F.fractional_max_pool2d_with_indices(
        ag.tensor(x), 2, output_size=4, _random_samples=ag.tensor(samples))
    out_t, indices_t = torch.nn.functional.fractional_max_pool2d_with_indices(
        torch.tensor(x), 2, output_size=4, _random_samples=torch.tensor(samples))
    np.testing.assert_array_equal(out.numpy(), out_t.numpy())
    np.testing.assert_array_equal(indices.numpy(), indices_t.numpy())
    for name in ("fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
                 "fuse_linear_bn_weights"):
        assert getattr(nn.utils, name) is getattr(nn.utils.fusion, name)

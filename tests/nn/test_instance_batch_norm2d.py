"""F.instance_norm, nn.InstanceNorm1d and nn.BatchNorm2d against PyTorch (forward,
gradients, running statistics, state_dict); gradients by finite differences."""

import math
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import ShapeError, UsageError
from nn.errors import ArgumentTypeError, ConfigError
from torch_compare_helpers import (copy_parameters, module_gradients_match_finite_differences,
                                   normal, run_both)


# ---------------------------------------------------------------- F.instance_norm
@pytest.mark.parametrize("shape", [(2, 3, 5), (3, 2, 4, 2), (1, 2, 2)])
@pytest.mark.parametrize("affine", [(True, True), (True, False), (False, False)])
def test_instance_norm_matches_torch_and_updates_running_stats(shape, affine):
    torch = pytest.importorskip("torch")
    c = shape[1]
    mean, var = normal(3, c), np.abs(normal(4, c)) + 0.5
    mean_t, var_t = torch.tensor(mean), torch.tensor(var)
    running_mean, running_var = Tensor(mean.copy()), var.copy()  # a buffer, a bare array
    run_both(torch,
             lambda x, w, b: F.instance_norm(x, running_mean, running_var, w, b,
                                             momentum=0.3, eps=1e-3),
             lambda x, w, b: torch.nn.functional.instance_norm(
                 x, mean_t, var_t, w, b, momentum=0.3, eps=1e-3),
             [normal(0, shape) * 2 + 1, normal(1, c) if affine[0] else None,
              normal(2, c) if affine[1] else None])
    np.testing.assert_allclose(running_mean.data, mean_t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(running_var, var_t.numpy(), rtol=1e-12)


def test_instance_norm_with_running_statistics_matches_torch():
    torch = pytest.importorskip("torch")
    mean, var = normal(3, 3), np.abs(normal(4, 3)) + 0.5
    run_both(torch,
             lambda x, w, b: F.instance_norm(x, mean, var, w, b, use_input_stats=False),
             lambda x, w, b: torch.nn.functional.instance_norm(
                 x, torch.tensor(mean), torch.tensor(var), w, b, use_input_stats=False),
             [normal(0, (2, 3, 4)), normal(1, 3), normal(2, 3)])


def test_instance_norm_gradients_match_finite_differences_to_second_order():
    x, w, b = (Tensor(normal(s, shape), requires_grad=True)
               for s, shape in ((0, (2, 3, 4)), (1, (3,)), (2, (3,))))
    assert gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [x, w, b])
    assert gradgradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [x, w, b])


def test_instance_norm_errors_name_the_problem():
    x = np.ones((2, 3, 4))
    with pytest.raises(ShapeError, match="more than one value per sample and channel"):
        F.instance_norm(np.ones((2, 3)))  # as PyTorch
    with pytest.raises(ShapeError, match=r"\(N, C, \.\.\.\)"):
        F.instance_norm(np.ones(3))
    with pytest.raises(UsageError, match="both running_mean and running_var"):
        F.instance_norm(x, np.zeros(3))
    with pytest.raises(UsageError, match="use_input_stats=False.*running_mean"):
        F.instance_norm(x, use_input_stats=False)
    with pytest.raises(ShapeError, match=r"instance_norm: running_var must have shape \(3,\)"):
        F.instance_norm(x, np.zeros(3), np.ones(4))
    with pytest.raises(ArgumentTypeError, match="instance_norm: running_mean is updated"):
        F.instance_norm(x, [0.0] * 3, [1.0] * 3)
    with pytest.raises(ShapeError, match=r"weight must have shape \(3,\)"):
        F.instance_norm(x, weight=np.ones(2))
    with pytest.raises(ConfigError, match="momentum"):
        F.instance_norm(x, momentum=math.nan)


# ---------------------------------------------------------------- nn.InstanceNorm1d
@pytest.mark.parametrize("options", [{}, {"affine": True},
                                     {"track_running_stats": True, "momentum": 0.2},
                                     {"affine": True, "track_running_stats": True},
                                     {"track_running_stats": True, "momentum": None}])
def test_instance_norm1d_follows_torch_over_steps_and_in_eval(options):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.InstanceNorm1d(3, **options), torch.nn.InstanceNorm1d(3, **options)
    theirs.double()
    copy_parameters(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for step, shape in enumerate([(4, 3, 5), (2, 3, 6), (3, 5)]):  # the last unbatched
        x = normal(step, shape) * 3 - 1
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-12)
    ours.eval(), theirs.eval()
    x = normal(7, (2, 3, 4))
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_instance_norm1d_defaults_repr_reset_and_gradients():
    layer = nn.InstanceNorm1d(3)
    assert layer.weight is None and not list(layer.state_dict())
    assert repr(layer) == ("InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
                           "track_running_stats=False)")
    tracked = nn.InstanceNorm1d(3, affine=True, track_running_stats=True)
    tracked(normal(0, (2, 3, 4)) + 5)
    assert int(tracked.num_batches_tracked.data) == 0  # as PyTorch's
    tracked.weight.data[...] = 2.0
    tracked.reset_parameters()
    assert (tracked.running_mean.data == 0).all() and (tracked.weight.data == 1).all()
    module_gradients_match_finite_differences(nn.InstanceNorm1d(3, affine=True),
                                              normal(1, (2, 3, 4)))
    assert nn.InstanceNorm1d(2, dtype=np.float32)(np.ones((1, 2, 3), np.float32)).dtype == \
        np.float32


def test_instance_norm1d_channel_errors_and_warning_as_torch():
    with pytest.warns(UserWarning, match="num_features=4, which is not used"):
        y = nn.InstanceNorm1d(4)(normal(0, (2, 3, 5)))
    assert y.shape == (2, 3, 5)
    for options in ({"affine": True}, {"track_running_stats": True}):
        with pytest.raises(ShapeError, match="got 3 channels.*num_features=4"):
            nn.InstanceNorm1d(4, **options)(normal(0, (2, 3, 5)))
    with pytest.raises(ShapeError, match=r"\(N, C, L\) or \(C, L\)"):
        nn.InstanceNorm1d(3)(np.ones((2, 3, 4, 5)))
    with pytest.raises(ConfigError, match="momentum.*no update"):
        nn.InstanceNorm1d(3, momentum=math.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.InstanceNorm1d(3)(normal(0, (2, 3, 5)))  # no warning when the count fits


# ---------------------------------------------------------------- nn.BatchNorm2d
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"momentum": None},
                                     {"track_running_stats": False}])
def test_batchnorm2d_follows_torch_over_steps_and_in_eval(options):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.BatchNorm2d(3, **options), torch.nn.BatchNorm2d(3, **options).double()
    copy_parameters(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for step in range(3):
        x = normal(step, (4, 3, 2, 3)) * 2 + 1
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-12)
    ours.eval(), theirs.eval()
    x = normal(7, (2, 3, 2, 2))
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_batchnorm2d_gradients_repr_reset_and_errors():
    layer = nn.BatchNorm2d(2)
    module_gradients_match_finite_differences(layer, normal(0, (2, 2, 2, 3)))
    assert repr(layer) == ("BatchNorm2d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                           "track_running_stats=True)")
    layer.running_mean.data[...] = 3.0
    layer.reset_parameters()
    assert (layer.running_mean.data == 0).all()
    with pytest.raises(ShapeError, match=r"\(N, 2, H, W\).*use BatchNorm1d"):
        layer(np.ones((4, 2, 3)))
    with pytest.raises(ShapeError, match="BatchNorm2d in training mode needs more than one"):
        layer(np.ones((1, 2, 1, 1)))
    with pytest.raises(ConfigError, match="BatchNorm2d: num_features"):
        nn.BatchNorm2d(0)
    assert not isinstance(layer, nn.BatchNorm1d)  # siblings, as in PyTorch

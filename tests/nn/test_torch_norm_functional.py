"""F.layer_norm, F.batch_norm, F.hardtanh and nn.Hardtanh against PyTorch; gradients
by finite differences too."""

import math

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.errors import AutogradError, ShapeError
from nn.errors import ConfigError


def normal(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


def run_both(torch, ours_fn, torch_fn, arrays, grad_shape_seed=99):
    """Outputs and input gradients of ours_fn and torch_fn on the same arrays (None
    entries are passed as None), with one random upstream gradient."""
    ours = [None if a is None else Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = ours_fn(*ours), torch_fn(*theirs)
    g = normal(grad_shape_seed, y.shape)
    y.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    for a, at in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a.grad, at.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("x_shape, normalized", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)),
                                                 ((5,), (5,))])
@pytest.mark.parametrize("affine", [(True, True), (True, False), (False, False)])
def test_layer_norm_matches_torch(x_shape, normalized, affine):
    torch = pytest.importorskip("torch")
    arrays = [normal(0, x_shape), normal(1, normalized) if affine[0] else None,
              normal(2, normalized) if affine[1] else None]
    run_both(torch, lambda x, w, b: F.layer_norm(x, normalized, w, b, eps=1e-3),
             lambda x, w, b: torch.nn.functional.layer_norm(x, normalized, w, b, eps=1e-3),
             arrays)


def test_layer_norm_gradients_match_finite_differences_and_the_module_agrees():
    x, w, b = (Tensor(normal(s, shape), requires_grad=True)
               for s, shape in ((0, (3, 4)), (1, (4,)), (2, (4,))))
    assert gradcheck(lambda x, w, b: F.layer_norm(x, 4, w, b), [x, w, b])
    layer = nn.LayerNorm(4)
    layer.weight.data[...], layer.bias.data[...] = w.data, b.data
    np.testing.assert_array_equal(layer(x).data, F.layer_norm(x, (4,), w, b).data)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 2)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_matches_torch_and_updates_running_stats(shape, affine):
    torch = pytest.importorskip("torch")
    c = shape[1]
    mean, var = normal(3, c), np.abs(normal(4, c)) + 0.5
    mean_t, var_t = torch.tensor(mean), torch.tensor(var)
    running_mean, running_var = Tensor(mean.copy()), var.copy()  # a buffer, a bare array
    run_both(torch,
             lambda x, w, b: F.batch_norm(x, running_mean, running_var, w, b,
                                          training=True, momentum=0.3),
             lambda x, w, b: torch.nn.functional.batch_norm(
                 x, mean_t, var_t, w, b, training=True, momentum=0.3),
             [normal(0, shape), normal(1, c) if affine else None,
              normal(2, c) if affine else None])
    np.testing.assert_allclose(running_mean.data, mean_t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(running_var, var_t.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 2)])
def test_batch_norm_running_statistics_follow_torch(shape):
    torch = pytest.importorskip("torch")
    c = shape[1]
    mean, var = Tensor(np.zeros(c)), np.ones(c)
    mean_t, var_t = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
    for step in range(3):
        x = normal(step, shape) * 2 + 1
        F.batch_norm(x, mean, var, training=True, momentum=0.25)
        torch.nn.functional.batch_norm(torch.tensor(x), mean_t, var_t, training=True,
                                       momentum=0.25)
    np.testing.assert_allclose(mean.data, mean_t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(var, var_t.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 2)])
def test_batch_norm_evaluation_matches_torch(shape):
    torch = pytest.importorskip("torch")
    c = shape[1]
    mean, var = normal(3, c), np.abs(normal(4, c)) + 0.5
    run_both(torch,
             lambda x, w, b: F.batch_norm(x, mean, var, w, b),
             lambda x, w, b: torch.nn.functional.batch_norm(
                 x, torch.tensor(mean), torch.tensor(var), w, b),
             [normal(0, shape), normal(1, c), normal(2, c)])


def test_batch_norm_gradients_match_finite_differences():
    x, w, b = (Tensor(normal(s, shape), requires_grad=True)
               for s, shape in ((0, (4, 3, 2)), (1, (3,)), (2, (3,))))
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                     [x, w, b])
    assert gradcheck(lambda x, w, b: F.batch_norm(x, np.ones(3), np.full(3, 2.0), w, b),
                     [x, w, b])


def test_batchnorm1d_module_follows_torch_over_steps_with_cumulative_momentum():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.BatchNorm1d(3, momentum=None), torch.nn.BatchNorm1d(3, momentum=None)
    theirs.double()
    for step in range(3):
        x = normal(step, (5, 3)) * 3 - 1
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-12)


def test_batch_norm_errors_name_the_problem():
    x = np.ones((4, 3))
    with pytest.raises(RuntimeError, match="evaluation mode.*running_mean"):
        F.batch_norm(x, None, None)
    with pytest.raises(ValueError, match="both running_mean and running_var"):
        F.batch_norm(x, np.zeros(3), None, training=True)
    with pytest.raises(ShapeError, match="more than one value per channel"):
        F.batch_norm(np.ones((1, 3)), None, None, training=True)
    with pytest.raises(ShapeError, match=r"running_mean must have shape \(3,\)"):
        F.batch_norm(x, np.zeros(4), np.ones(4))
    with pytest.raises(TypeError, match="updated in place"):
        F.batch_norm(x, [0.0] * 3, [1.0] * 3, training=True)
    with pytest.raises(ShapeError, match=r"\(N, C\)"):
        F.batch_norm(np.ones(3), None, None, training=True)
    with pytest.raises(ValueError, match="momentum"):
        F.batch_norm(x, None, None, training=True, momentum=math.nan)
    with pytest.raises(ShapeError, match=r"weight must have shape \(3,\); got \(4,\)"):
        F.layer_norm(x, (3,), np.ones(4))
    with pytest.raises(ShapeError, match=r"\(4,\).*\(4, 3\)"):
        F.layer_norm(x, 4)


@pytest.mark.parametrize("bounds", [(-1.0, 1.0), (-2, 3), (0.5, 0.5)])
def test_hardtanh_matches_torch_including_at_the_bounds(bounds):
    torch = pytest.importorskip("torch")
    x = np.concatenate([normal(0, 20) * 2, [-1.0, 1.0, -2.0, 3.0, 0.5]])
    run_both(torch, lambda x: F.hardtanh(x, *bounds),
             lambda x: torch.nn.functional.hardtanh(x, *bounds), [x])
    if bounds[0] < bounds[1]:  # torch's module refuses equal bounds; its function not
        assert repr(nn.Hardtanh(*bounds)) == repr(torch.nn.Hardtanh(*bounds))
        assert repr(nn.Hardtanh(*bounds, True)) == repr(torch.nn.Hardtanh(*bounds, True))
    else:  # so does ours (a named error where torch asserts)
        with pytest.raises(AssertionError):
            torch.nn.Hardtanh(*bounds)
        with pytest.raises(ConfigError, match="max_val must be greater than min_val"):
            nn.Hardtanh(*bounds)


def test_hardtanh_gradient_matches_finite_differences_and_keeps_float32():
    x = Tensor(np.array([-1.7, -0.4, 0.2, 0.9, 1.6]), requires_grad=True)
    assert gradcheck(F.hardtanh, [x])
    assert F.hardtanh(np.ones(3, np.float32)).dtype == np.float32
    np.testing.assert_array_equal(nn.Hardtanh(-0.5, 0.5)(x).data, np.clip(x.data, -0.5, 0.5))


def test_hardtanh_bounds_are_checked():
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val") as info:
        nn.Hardtanh(1.0, -1.0)
    assert isinstance(info.value, AutogradError)
    with pytest.raises(TypeError, match="max_val must be a number"):
        F.hardtanh(np.ones(2), -1.0, "1")

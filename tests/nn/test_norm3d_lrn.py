"""nn.BatchNorm3d, nn.InstanceNorm2d/3d, nn.LocalResponseNorm / F.local_response_norm and
nn.Softmax2d against PyTorch (forward, gradients, running statistics, state_dict);
gradients also by finite differences."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.errors import ShapeError
from nn.errors import ConfigError
from torch_compare_helpers import (copy_parameters, module_gradients_match_finite_differences,
                                   normal, run_both)


def _follow_torch(torch, ours, theirs, train_shapes, eval_shape):
    """Several training steps then one evaluation step; outputs and state_dicts equal."""
    theirs.double()
    copy_parameters(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for step, shape in enumerate(train_shapes):
        x = normal(step, shape) * 2 + 1
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-12)
    ours.eval(), theirs.eval()
    x = normal(7, eval_shape)
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("options", [{}, {"affine": False}, {"momentum": None},
                                     {"track_running_stats": False}])
def test_batchnorm3d_follows_torch_over_steps_and_in_eval(options):
    torch = pytest.importorskip("torch")
    _follow_torch(torch, nn.BatchNorm3d(2, **options), torch.nn.BatchNorm3d(2, **options),
                  [(3, 2, 2, 2, 3)] * 3, (2, 2, 1, 2, 2))


def test_batchnorm3d_gradients_repr_and_errors():
    layer = nn.BatchNorm3d(2)
    module_gradients_match_finite_differences(layer, normal(0, (2, 2, 2, 1, 2)), second=False)
    assert repr(layer) == ("BatchNorm3d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                           "track_running_stats=True)")
    with pytest.raises(ShapeError, match=r"\(N, 2, D, H, W\).*use BatchNorm2d"):
        layer(np.ones((4, 2, 3, 3)))
    with pytest.raises(ShapeError, match="BatchNorm3d in training mode needs more than one"):
        layer(np.ones((1, 2, 1, 1, 1)))


@pytest.mark.parametrize("name, shapes", [
    ("InstanceNorm2d", [(3, 2, 2, 3), (2, 2, 3, 2), (2, 2, 3)]),  # the last unbatched
    ("InstanceNorm3d", [(2, 2, 2, 1, 3), (2, 2, 2, 2)])])
@pytest.mark.parametrize("options", [{}, {"affine": True},
                                     {"track_running_stats": True, "momentum": 0.2},
                                     {"affine": True, "track_running_stats": True},
                                     {"track_running_stats": True, "momentum": None}])
def test_instance_norm_2d_3d_follow_torch(name, shapes, options):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(2, **options), getattr(torch.nn, name)(2, **options)
    _follow_torch(torch, ours, theirs, shapes, shapes[0])


def test_instance_norm_2d_3d_gradients_repr_and_errors():
    module_gradients_match_finite_differences(nn.InstanceNorm2d(2, affine=True),
                                              normal(1, (2, 2, 2, 2)), second=False)
    module_gradients_match_finite_differences(nn.InstanceNorm3d(2, affine=True),
                                              normal(2, (2, 1, 2, 2)), second=False)
    assert repr(nn.InstanceNorm3d(3)) == ("InstanceNorm3d(3, eps=1e-05, momentum=0.1, "
                                          "affine=False, bias=False, track_running_stats=False)")
    with pytest.raises(ShapeError, match=r"\(N, C, H, W\) or \(C, H, W\)"):
        nn.InstanceNorm2d(3)(np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"\(N, C, D, H, W\) or \(C, D, H, W\)"):
        nn.InstanceNorm3d(3)(np.ones((2, 3, 4)))
    with pytest.raises(ShapeError, match="got 3 channels.*num_features=4"):
        nn.InstanceNorm2d(4, affine=True)(normal(0, (2, 3, 2, 2)))
    assert not isinstance(nn.InstanceNorm2d(2), nn.InstanceNorm1d)  # siblings, as PyTorch


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("shape", [(2, 5, 3), (1, 4, 2, 3), (2, 3, 1, 2, 2)])
def test_local_response_norm_follows_torch(size, shape):
    torch = pytest.importorskip("torch")
    run_both(torch, lambda x: F.local_response_norm(x, size, 0.3, 0.6, 1.5),
             lambda x: torch.nn.functional.local_response_norm(x, size, 0.3, 0.6, 1.5),
             [normal(size, shape) * 2])


def test_local_response_norm_module_gradients_and_errors():
    torch = pytest.importorskip("torch")
    layer, theirs = nn.LocalResponseNorm(3), torch.nn.LocalResponseNorm(3)
    assert repr(layer) == repr(theirs)
    x = normal(0, (2, 4, 3))
    np.testing.assert_allclose(layer(x).data, theirs(torch.tensor(x)).numpy(), rtol=1e-12)
    assert gradcheck(lambda x: F.local_response_norm(x, 3, alpha=0.5),
                     [Tensor(x, requires_grad=True)])
    with pytest.raises(ShapeError, match="at least 3 axes"):
        F.local_response_norm(np.ones((2, 3)), 2)
    with pytest.raises(ConfigError, match="size"):
        nn.LocalResponseNorm(0)
    assert F.local_response_norm(np.ones((0, 3, 2)), 2).shape == (0, 3, 2)


@pytest.mark.parametrize("shape", [(2, 3, 2, 2), (3, 1, 2)])
def test_softmax2d_follows_torch(shape):
    torch = pytest.importorskip("torch")
    run_both(torch, nn.Softmax2d(), torch.nn.Softmax2d(), [normal(0, shape)])
    assert repr(nn.Softmax2d()) == "Softmax2d()"
    with pytest.raises(ShapeError, match=r"Softmax2d expects .*\(C, H, W\)"):
        nn.Softmax2d()(np.ones((2, 3)))

"""``F.interpolate(..., mode="area")`` and ``nn.Upsample(mode="area")``, against PyTorch:
each output entry the mean of the input window adaptive average pooling gives it (how
segmentation code shrinks logits or soft masks; it was a ConfigError here)."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import DTypeError
from nn.errors import ConfigError


@pytest.mark.parametrize("shape, kwargs", [
    ((2, 3, 9, 7), {"size": (4, 3)}),
    ((2, 3, 5, 6), {"size": 8}),
    ((1, 2, 6, 6), {"scale_factor": 0.5}),
    ((1, 2, 7, 5), {"scale_factor": (0.6, 1.5)}),
    ((2, 3, 10), {"size": 4}),
    ((2, 3, 4), {"scale_factor": 2.5}),
])
def test_area_values_and_gradients_as_pytorch(torch, shape, kwargs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    ours_x, theirs_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours = F.interpolate(ours_x, mode="area", **kwargs)
    theirs = torch.nn.functional.interpolate(theirs_x, mode="area", **kwargs)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    upstream = rng.standard_normal(tuple(theirs.shape))
    ours.backward(Tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_upsample_layer_with_area(torch):
    x = np.random.default_rng(1).standard_normal((1, 2, 6, 9))
    ours, theirs = nn.Upsample(size=(4, 4), mode="area"), torch.nn.Upsample(size=(4, 4),
                                                                          mode="area")
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(),
                               rtol=1e-12)


def test_area_refuses_what_pytorch_refuses():
    with pytest.raises(DTypeError, match="mode='area'.*float input"):
        F.interpolate(np.ones((1, 1, 4, 4), np.int64), size=2, mode="area")
    with pytest.raises(ConfigError, match="align_corners can only be set"):
        F.interpolate(np.ones((1, 1, 4, 4)), size=2, mode="area", align_corners=False)

"""``F.interpolate(..., antialias=True)`` against PyTorch: the antialiased "bilinear" and
"bicubic" resize (PIL's filters, torchvision's ``Resize`` default) that shrinks images
before a warp or a pyramid. It was a ConfigError here; a Kornia or torchvision user
passing ``antialias=True`` got no resize at all."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.errors import ConfigError
from nn.functional.antialias import antialias_weights


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("shape, kwargs", [
    ((2, 3, 12, 16), {"size": (5, 7)}),  # downsampling: the filter widens
    ((1, 2, 7, 9), {"size": (14, 12)}),  # upsampling: the plain filter, renormalised
    ((1, 2, 9, 11), {"scale_factor": 0.37}),
    ((1, 1, 8, 6), {"scale_factor": (0.5, 1.7)}),
    ((1, 1, 9, 7), {"scale_factor": 0.4, "recompute_scale_factor": True}),
    ((1, 1, 5, 6), {"size": (1, 1)}),
])
def test_antialiased_values_and_gradients_as_pytorch(torch, mode, align_corners, shape,
                                                       kwargs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    ours_x, theirs_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours = F.interpolate(ours_x, mode=mode, align_corners=align_corners, antialias=True,
                         **kwargs)
    theirs = torch.nn.functional.interpolate(theirs_x, mode=mode, antialias=True,
                                             align_corners=align_corners, **kwargs)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-13)
    upstream = rng.standard_normal(tuple(theirs.shape))
    (ours * Tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_float32_stays_float32_and_close_to_torch(torch):
    x = np.random.default_rng(1).standard_normal((1, 2, 9, 11)).astype(np.float32)
    ours = F.interpolate(Tensor(x), size=(4, 5), mode="bilinear", antialias=True)
    theirs = torch.nn.functional.interpolate(torch.tensor(x), size=(4, 5), mode="bilinear",
                                             antialias=True)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_upsample_layer_does_not_take_antialias_and_weights_sum_to_one():
    """Rows of each axis's matrix are normalised: a constant image stays constant."""
    for mode in ("bilinear", "bicubic"):
        weights = antialias_weights(13, 4, None, mode, False)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-12)
    out = F.interpolate(Tensor(np.full((1, 1, 13, 9), 2.5)), size=(4, 3), mode="bicubic",
                        antialias=True)
    np.testing.assert_allclose(out.data, 2.5, rtol=1e-12)
    assert not hasattr(nn.Upsample(scale_factor=2), "antialias")  # as PyTorch's layer


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "area"])
def test_antialias_with_other_modes_is_a_named_error(mode):
    with pytest.raises(ConfigError, match="antialias=True is offered for the modes"):
        F.interpolate(Tensor(np.zeros((1, 1, 4, 4))), size=2, mode=mode, antialias=True)

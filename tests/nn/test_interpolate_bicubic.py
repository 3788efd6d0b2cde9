"""F.interpolate(mode="bicubic") (and nn.Upsample's) against PyTorch: values and gradients
in float64 for PyTorch's size and scale rules, with and without ``align_corners``; float32
to single precision; second-order gradients by finite differences. It is how DeiT and MAE
resize a ViT's position embedding for another image size (``interpolate(pos_tokens,
size=(new_size, new_size), mode='bicubic', align_corners=False)``)."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.errors import DTypeError, ShapeError

from test_interpolate import SIZES
from torch_compare_helpers import normal, run_both


@pytest.mark.parametrize("kwargs", SIZES)
@pytest.mark.parametrize("align_corners", [None, False, True])
def test_bicubic_matches_torch(torch, kwargs, align_corners):
    if align_corners and kwargs.get("size") == 1:
        kwargs = dict(size=(1, 3))
    run_both(torch, lambda x: F.interpolate(x, mode="bicubic", align_corners=align_corners,
                                            **kwargs),
             lambda x: torch.nn.functional.interpolate(x, mode="bicubic",
                                                       align_corners=align_corners,
                                                       **kwargs), [normal(0, (2, 3, 5, 4))])


def test_position_embedding_resize_as_deit(torch):
    """DeiT's interpolate_pos_embed: a 4x4 grid of width 8 to 6x6, the class token kept."""
    pos_embed = normal(1, (1, 1 + 16, 8))

    def resize(T, F, pos_embed):
        extra_tokens = pos_embed[:, :1]
        pos_tokens = pos_embed[:, 1:]
        pos_tokens = pos_tokens.reshape(-1, 4, 4, 8).permute(0, 3, 1, 2)
        pos_tokens = F.interpolate(pos_tokens, size=(6, 6), mode='bicubic',
                                   align_corners=False)
        pos_tokens = pos_tokens.permute(0, 2, 3, 1).flatten(1, 2)
        return T.cat((extra_tokens, pos_tokens), dim=1)

    run_both(torch, lambda p: resize(autograd, F, p),
             lambda p: resize(torch, torch.nn.functional, p), [pos_embed])


def test_bicubic_float32_and_upsample_module(torch):
    x = normal(2, (1, 2, 3, 5)).astype(np.float32)
    ours = nn.Upsample(scale_factor=1.5, mode="bicubic")(x)
    theirs = torch.nn.Upsample(scale_factor=1.5, mode="bicubic")(torch.tensor(x))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_bicubic_second_order_gradients():
    x = autograd.tensor(normal(3, (1, 1, 3, 3)), requires_grad=True)
    assert autograd.gradgradcheck(lambda t: F.interpolate(t, size=(5, 4), mode="bicubic"),
                                  (x,))


def test_bicubic_needs_4d_float_input():
    with pytest.raises(ShapeError, match="mode='bicubic' needs 4-d input"):
        F.interpolate(np.ones((1, 1, 4)), scale_factor=2, mode="bicubic")
    with pytest.raises(DTypeError, match="mode='bicubic' weighs neighbouring entries"):
        F.interpolate(np.ones((1, 1, 4, 4), dtype=np.int64), scale_factor=2, mode="bicubic")

"""``F.upsample``, ``F.upsample_bilinear`` and ``F.upsample_nearest``, PyTorch's deprecated
spellings of ``F.interpolate`` that older Grad-CAM code resizes its maps with
(``F.upsample(cam, size=(H, W), mode='bilinear')``): they were AttributeErrors here. As
PyTorch's, they warn and give ``interpolate``'s values (``upsample_bilinear`` with
``align_corners=True``); gradients flow."""

import numpy as np
import pytest

import autograd as ag
import nn.functional as F

X = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
G = np.random.default_rng(1).normal(size=(2, 3, 8, 10))

CALLS = [("upsample", dict(size=(8, 10), mode="bilinear")),
         ("upsample", dict(scale_factor=2)),
         ("upsample", dict(scale_factor=2, mode="bicubic", align_corners=True)),
         ("upsample_bilinear", dict(size=(8, 10))),
         ("upsample_nearest", dict(scale_factor=2))]


@pytest.mark.parametrize("name, kwargs", CALLS)
def test_deprecated_upsample_spellings_as_pytorch(torch, name, kwargs) -> None:
    x, tx = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    with pytest.warns(UserWarning, match=f"nn.functional.{name}` is deprecated"):
        out = getattr(F, name)(x, **kwargs)
    with pytest.warns(UserWarning, match=f"nn.functional.{name}` is deprecated"):
        t_out = getattr(torch.nn.functional, name)(tx, **kwargs)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12,
                               atol=1e-14)
    (out * ag.tensor(G)).sum().backward()
    (t_out * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)

"""PyTorch 2.13's keyword-only ``bias=`` of ``BatchNorm1d/2d/3d``, ``InstanceNorm1d/2d/3d`` and
``GroupNorm`` (a learned scale without a shift: ``bias=False``), and their printed form,
which names it (``print(netG)`` in pytorch/examples' DCGAN prints
``BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)``).
"""

from __future__ import annotations

import numpy as np
import pytest

import nn

LAYERS = [("BatchNorm1d", (3,), (4, 3)), ("BatchNorm2d", (3,), (4, 3, 2, 2)),
          ("BatchNorm3d", (3,), (2, 3, 2, 1, 2)), ("InstanceNorm2d", (3,), (2, 3, 2, 3)),
          ("GroupNorm", (1, 3), (2, 3, 4))]


@pytest.mark.parametrize("name, args, shape", LAYERS)
@pytest.mark.parametrize("options", [{}, {"bias": False}, {"affine": False},
                                     {"affine": False, "bias": True}])
def test_bias_keyword_and_repr_as_torch(torch, name, args, shape, options) -> None:
    if name == "InstanceNorm2d" and "affine" not in options:
        options = {**options, "affine": True}
    ours = getattr(nn, name)(*args, **options)
    theirs = getattr(torch.nn, name)(*args, **options)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert (ours.bias is None) == (theirs.bias is None)
    if ours.weight is not None:
        weight = np.linspace(0.5, 1.5, ours.weight.shape[0])
        ours.weight.data[...] = weight
        theirs.weight.data[...] = torch.tensor(weight)
    x = np.random.default_rng(0).standard_normal(shape)
    y = ours(x)
    y.sum().backward() if ours.weight is not None else None
    z = theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=1e-10, atol=1e-12)
    if ours.weight is not None:
        z.sum().backward()
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-10)
    ours.reset_parameters()
    assert ours.bias is None or not ours.bias.detach().numpy().any()

"""``sin_ cos_ log_``: PyTorch's in-place forms (the mechanics note's ``t.cos_()``), under
the rules of ``exp_``: recorded on a computed tensor, refused on a leaf that requires grad."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("name", ["sin_", "cos_", "log_"])
def test_in_place_trig_and_log_agree_with_pytorch(torch, name: str) -> None:
    got = []
    for T in (ag, torch):
        x = T.tensor([0.5, 1.5, 2.5], requires_grad=True)
        t = x * 1.0
        assert getattr(t, name)() is t
        t.sum().backward()
        c = T.tensor([0.25, 2.0])
        getattr(c, name)()
        got.append([t.detach().numpy(), x.grad.numpy(), c.numpy()])
    for a, b in zip(*got):
        np.testing.assert_allclose(a, b, rtol=1e-14)
    with pytest.raises(ag.InplaceError):
        getattr(ag.tensor([1.0], requires_grad=True), name)()

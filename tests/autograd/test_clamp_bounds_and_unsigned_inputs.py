"""Out-of-place clamp with bounds that require grad (PyTorch's gradients), igamma of shapes
that do not broadcast (a named error), and sigmoid-like functions of unsigned integers
(-|x| of uint8 wrapped around: sigmoid of 1, 2, 7 gave 0)."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import ShapeError


def _clamps(lib):
    return {"method": lambda x, lo, hi: x.clamp(min=lo, max=hi),
            "function": lambda x, lo, hi: lib.clamp(x, min=lo, max=hi),
            "clip": lambda x, lo, hi: x.clip(lo, hi),
            "clamp_min": lambda x, lo, hi: x.clamp_min(lo),
            "clamp_max": lambda x, lo, hi: x.clamp_max(hi)}


@pytest.mark.parametrize("spelling", ["method", "function", "clip", "clamp_min", "clamp_max"])
def test_clamp_sends_the_gradient_to_bounds_that_require_grad_as_torch(torch, spelling):
    rng = np.random.default_rng(3)
    data = rng.uniform(-2, 2, (4, 3))
    lows, highs = rng.uniform(-1, 0, (4, 3)), rng.uniform(0, 1, 3)
    weights = rng.standard_normal((4, 3))
    grads = []
    for lib in (ag, torch):
        x, lo, hi = (lib.tensor(v, requires_grad=True) for v in (data, lows, highs))
        out = _clamps(lib)[spelling](x, lo, hi)
        (out * lib.tensor(weights)).sum().backward()
        grads.append([np.zeros(0) if t.grad is None else t.grad.numpy() for t in (x, lo, hi)])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs)


def test_igamma_of_shapes_that_do_not_broadcast_is_a_shape_error():
    for call in (lambda: ag.igamma(ag.ones(2), ag.ones(3)),
                 lambda: ag.igammac(ag.ones(2), ag.ones(3)),
                 lambda: ag.special.gammainc(ag.ones(2), ag.ones(3))):
        with pytest.raises(ShapeError, match="cannot broadcast"):
            call()


def test_sigmoid_family_of_unsigned_integers_as_torch(torch):
    data = np.array([0, 1, 2, 7, 200], np.uint8)
    floats = torch.tensor(data).double()
    pairs = [(ag.sigmoid(ag.tensor(data)), torch.sigmoid(floats)),
             (nn.functional.logsigmoid(ag.tensor(data)),
              torch.nn.functional.logsigmoid(floats)),
             (nn.functional.softplus(ag.tensor(data)), torch.nn.functional.softplus(floats))]
    for ours, theirs in pairs:
        assert ours.dtype == np.float16  # NumPy's float for uint8, as the README says
        np.testing.assert_allclose(ours.numpy().astype(float), theirs.numpy(), rtol=2e-3,
                                   atol=2e-3)

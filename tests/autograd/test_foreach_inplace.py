"""PyTorch's ``torch._foreach_*_`` in-place list ops (``autograd/foreach.py``), as the EMA
code of BYOL-style and diffusion models writes the target update (lucidrains' ema-pytorch,
timm's ``ModelEmaV3``, ``torch.optim.swa_utils``): ``torch._foreach_lerp_(ema_params,
params, 1 - decay)`` or ``_foreach_mul_`` then ``_foreach_add_(..., alpha=1 - decay)``,
``_foreach_copy_`` for the buffers. They were missing (``MissingNameError``); each now
does the method of its name on every tensor of the list, with the same values as
PyTorch's, scalars, lists of scalars and lists of tensors alike, and returns the list."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError, Tensor

RNG = np.random.default_rng(4)
SHAPES = [(3, 2), (3,), ()]


def _lists(lib, count=2):
    arrays = [[RNG.standard_normal(s) for s in SHAPES] for _ in range(count)]
    return arrays, [[lib.tensor(a.copy()) for a in group] for group in arrays]


CALLS = {  # name: (call on a library and the lists of tensors)
    "lerp_ scalar": lambda lib, a, b: lib._foreach_lerp_(a, b, 0.1),
    "mul_ scalar": lambda lib, a, b: lib._foreach_mul_(a, 0.9),
    "mul_ scalars": lambda lib, a, b: lib._foreach_mul_(a, [0.5, 2.0, -1.0]),
    "mul_ tensors": lambda lib, a, b: lib._foreach_mul_(a, b),
    "add_ tensors alpha": lambda lib, a, b: lib._foreach_add_(a, b, alpha=0.1),
    "add_ scalar": lambda lib, a, b: lib._foreach_add_(a, 1.5),
    "sub_ tensors alpha": lambda lib, a, b: lib._foreach_sub_(a, b, alpha=2.0),
    "div_ scalar": lambda lib, a, b: lib._foreach_div_(a, 4.0),
    "copy_": lambda lib, a, b: lib._foreach_copy_(a, b),
    "zero_": lambda lib, a, b: lib._foreach_zero_(a),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_foreach_matches_pytorch(torch, name) -> None:
    arrays, theirs = _lists(torch)
    ours = [[Tensor(a.copy()) for a in group] for group in arrays]
    assert CALLS[name](ag, *ours) is ours[0] and CALLS[name](torch, *theirs) is theirs[0]
    for mine, reference in zip(ours[0], theirs[0]):
        assert mine.shape == tuple(reference.shape)
        np.testing.assert_allclose(mine.data, reference.numpy(), rtol=1e-14, atol=1e-15)


def test_the_ema_update_of_parameters_under_no_grad(torch) -> None:
    """ema-pytorch's update: the EMA model's parameters move towards the model's."""
    import nn
    ema, model = nn.Linear(3, 2), nn.Linear(3, 2)
    before = [p.data.copy() for p in ema.parameters()]
    with ag.no_grad():
        ag._foreach_lerp_(list(ema.parameters()), list(model.parameters()), 1 - 0.99)
    for p, old, new in zip(ema.parameters(), before, model.parameters()):
        assert p.requires_grad
        np.testing.assert_allclose(p.data, 0.99 * old + 0.01 * new.data, rtol=1e-14)


def test_lists_of_different_lengths_are_an_error() -> None:
    with pytest.raises(ShapeError, match="_foreach_add_: .*2 tensors and 3"):
        ag._foreach_add_([ag.zeros(1), ag.zeros(1)], [ag.ones(1)] * 3)

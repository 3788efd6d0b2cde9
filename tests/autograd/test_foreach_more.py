"""More of PyTorch's ``torch._foreach_*`` list ops, as multi-tensor optimizers written by
hand use them (a foreach Adam: ``_foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)``,
``denom = torch._foreach_sqrt(exp_avg_sqs)``, ``_foreach_addcdiv_(params, exp_avgs,
denom, value=-step_size)``; a foreach Lion: ``torch._foreach_sign(...)``; LAMB's norms:
``torch._foreach_norm(grads)``). They were missing (``MissingNameError``); each now gives
PyTorch's values, returns the list it wrote (in-place ones) or a new tuple (as PyTorch's)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError, Tensor

RNG = np.random.default_rng(5)
SHAPES = [(3, 2), (3,), ()]


def _arrays(count: int = 3) -> list:
    return [[RNG.uniform(0.5, 2.0, s) * RNG.choice([-1, 1], s) for s in SHAPES]
            for _ in range(count)]


CALLS = {  # name: (call on a library and three lists of tensors)
    "addcmul_ value": lambda lib, a, b, c: lib._foreach_addcmul_(a, b, c, value=0.1),
    "addcmul_ positional": lambda lib, a, b, c: lib._foreach_addcmul_(a, b, c, 0.1),
    "addcmul_ scalars": lambda lib, a, b, c: lib._foreach_addcmul_(a, b, c, [0.1, 2., -1.]),
    "addcdiv_ value": lambda lib, a, b, c: lib._foreach_addcdiv_(a, b, c, value=-0.01),
    "addcdiv_ default": lambda lib, a, b, c: lib._foreach_addcdiv_(a, b, c),
    "sqrt_": lambda lib, a, b, c: lib._foreach_sqrt_(lib._foreach_abs_(a)),
    "neg_": lambda lib, a, b, c: lib._foreach_neg_(a),
    "sign_": lambda lib, a, b, c: lib._foreach_sign_(a),
    "maximum_": lambda lib, a, b, c: lib._foreach_maximum_(a, b),
    "clamp_min_": lambda lib, a, b, c: lib._foreach_clamp_min_(a, 0.7),
    "add tensors alpha": lambda lib, a, b, c: lib._foreach_add(a, b, alpha=0.5),
    "add scalar": lambda lib, a, b, c: lib._foreach_add(a, 1e-8),
    "sub": lambda lib, a, b, c: lib._foreach_sub(a, b),
    "mul scalar": lambda lib, a, b, c: lib._foreach_mul(a, 3.0),
    "mul tensors": lambda lib, a, b, c: lib._foreach_mul(a, b),
    "div tensors": lambda lib, a, b, c: lib._foreach_div(a, b),
    "sqrt": lambda lib, a, b, c: lib._foreach_sqrt(lib._foreach_abs(a)),
    "sign": lambda lib, a, b, c: lib._foreach_sign(a),
    "neg": lambda lib, a, b, c: lib._foreach_neg(a),
    "norm": lambda lib, a, b, c: lib._foreach_norm(a),
    "norm 1": lambda lib, a, b, c: lib._foreach_norm(a, 1),
    "lerp": lambda lib, a, b, c: lib._foreach_lerp(a, b, 0.25),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_foreach_matches_pytorch(torch, name) -> None:
    arrays = _arrays()
    ours = [[Tensor(a.copy()) for a in group] for group in arrays]
    theirs = [[torch.tensor(a.copy()) for a in group] for group in arrays]
    got, want = CALLS[name](ag, *ours), CALLS[name](torch, *theirs)
    if name.endswith("_") or "_ " in name:
        assert got is ours[0] and want is theirs[0]
    else:
        assert type(got) is type(want) is tuple and len(got) == len(want)
    for mine, reference in zip(got, want):
        assert isinstance(mine, Tensor) and mine.shape == tuple(reference.shape)
        np.testing.assert_allclose(mine.data, reference.numpy(), rtol=1e-14, atol=1e-15)
    for mine, reference in zip(ours[0], theirs[0]):  # the inputs, written or not
        np.testing.assert_allclose(mine.data, reference.numpy(), rtol=1e-14, atol=1e-15)


def test_lists_of_other_lengths_are_refused() -> None:
    a, b = [ag.ones(2), ag.ones(3)], [ag.ones(2)]
    with pytest.raises(ShapeError, match="_foreach_addcdiv_: the lists"):
        ag._foreach_addcdiv_(a, b, b, value=0.1)
    with pytest.raises(ShapeError, match="_foreach_mul: the lists"):
        ag._foreach_mul(a, b)


def test_a_foreach_adam_step_equals_the_per_tensor_one() -> None:
    """The multi-tensor Adam step a hand-written optimizer takes, next to nn.optim.Adam."""
    params = [ag.tensor(a, requires_grad=True) for a in _arrays(1)[0]]
    reference = [ag.tensor(p.data.copy(), requires_grad=True) for p in params]
    grads = [ag.tensor(a) for a in _arrays(1)[0]]
    exp_avgs = [ag.zeros_like(p) for p in params]
    exp_avg_sqs = [ag.zeros_like(p) for p in params]
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    with ag.no_grad():
        ag._foreach_lerp_(exp_avgs, grads, 1 - beta1)
        ag._foreach_mul_(exp_avg_sqs, beta2)
        ag._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
        denom = ag._foreach_sqrt(exp_avg_sqs)
        ag._foreach_div_(denom, (1 - beta2) ** 0.5)
        ag._foreach_add_(denom, eps)
        ag._foreach_addcdiv_(params, exp_avgs, denom, value=-lr / (1 - beta1))
    for p, q, g in zip(params, reference, grads):
        m, v = (1 - beta1) * g.data, (1 - beta2) * g.data ** 2
        want = q.data - lr * (m / (1 - beta1)) / (np.sqrt(v / (1 - beta2)) + eps)
        np.testing.assert_allclose(p.data, want, rtol=1e-13)
        assert p.grad_fn is None and p.requires_grad

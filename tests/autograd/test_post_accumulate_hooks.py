"""``register_post_accumulate_grad_hook``: PyTorch's hook that runs on a leaf once its
``.grad`` holds the pass's gradient (the optimizer-in-backward habit)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn


def test_the_hook_sees_the_leaf_after_its_grad_is_accumulated() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.numpy().copy()))
    (x * x).sum().backward()  # x reaches the op twice: the hook runs once, on the sum
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen, [[2.0, 4.0], [5.0, 7.0]])
    handle.remove()
    x.sum().backward()
    assert len(seen) == 2
    with pytest.raises(ag.UsageError, match="leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda p: None)


def test_optimizer_in_backward_agrees_with_pytorch(torch) -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    losses = []
    for lib, optim, T in ((nn, nn.optim, ag), (torch.nn, torch.optim, torch)):
        model = lib.Linear(3, 2)
        with T.no_grad():
            model.weight.copy_(T.tensor(np.linspace(-1, 1, 6).reshape(2, 3)))
            model.bias.copy_(T.tensor([0.1, -0.2]))
        optimizer_dict = {p: optim.Adam([p], lr=0.01) for p in model.parameters()}

        def optimizer_hook(parameter) -> None:
            optimizer_dict[parameter].step()
            optimizer_dict[parameter].zero_grad()

        for p in model.parameters():
            p.register_post_accumulate_grad_hook(optimizer_hook)
        record = []
        for _ in range(3):
            loss = ((model(T.tensor(X)) - T.tensor(Y)) ** 2).mean()
            loss.backward()
            record += [loss.item(), model.weight.grad is None]
        losses.append(record + [model.weight.detach().numpy().copy()])
    for a, b in zip(*losses):
        np.testing.assert_allclose(a, b, rtol=1e-12)

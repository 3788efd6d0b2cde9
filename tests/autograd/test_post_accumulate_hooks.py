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


def test_backward_with_inputs_runs_a_leafs_post_accumulate_hooks() -> None:
    """``backward(inputs=[x])`` writes x.grad and then calls x's post-accumulate hooks,
    as PyTorch (the optimizer-in-backward pattern with ``inputs=``); also through
    ``autograd.backward``."""
    for run in (lambda loss, x: loss.backward(inputs=[x]),
                lambda loss, x: ag.backward(loss, inputs=[x])):
        x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
        seen = []
        x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.numpy().copy()))
        run((x * x).sum(), x)
        assert len(seen) == 1
        np.testing.assert_array_equal(seen[0], x.grad.numpy())
        np.testing.assert_array_equal(seen[0], 2 * x.detach().numpy())


def test_backward_with_a_non_leaf_input_keeps_its_gradient_afterwards() -> None:
    """A non-leaf passed as ``inputs=`` retains its gradient from then on (PyTorch calls
    retain_grad() on it), reached by that pass or not: a later plain backward adds in."""
    x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3.0
    (y * y).sum().backward(inputs=[y], retain_graph=True)
    assert y.retains_grad
    first = y.grad.numpy().copy()
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), 2 * first)
    unreached = x * 5.0
    y.sum().backward(inputs=[unreached])
    assert unreached.retains_grad and unreached.grad is None

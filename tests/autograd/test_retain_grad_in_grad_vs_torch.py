"""``retain_grad()`` tensors that ``autograd.grad`` (or ``backward(inputs=)``) passes
through get their ``.grad``, as PyTorch's; those it does not visit, and the leaves, do not."""

import numpy as np
import pytest

import autograd as ag


def _program(lib, grad, case):
    """y = 3x retains its gradient; L = sum((2y + 0 w)^2) or a branch y does not reach."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    w = lib.tensor([0.5, -1.0], requires_grad=True)
    y = (w if case == "off the way" else x) * 3
    y.retain_grad()
    z = (x if case == "off the way" else y) * 2
    z.retain_grad()
    loss = (z * z).sum() + (w * 0).sum()
    if case == "backward(inputs=)":
        loss.backward(inputs=[x])
    else:
        target = {"to x": x, "to y": y, "to z": z, "off the way": x}[case]
        grad(loss, target, create_graph=case == "to y")
    return [None if t.grad is None else np.asarray(t.grad.detach().numpy()).tolist()
            for t in (x, y, z)]


@pytest.mark.parametrize("case", ["to x", "to y", "to z", "off the way", "backward(inputs=)"])
@pytest.mark.filterwarnings("ignore::UserWarning")  # reading .grad of a non-leaf with None
def test_retained_gradients_of_grad_as_torch(torch, case):
    ours = _program(ag, ag.grad, case)
    theirs = _program(torch, torch.autograd.grad, case)
    assert ours == theirs

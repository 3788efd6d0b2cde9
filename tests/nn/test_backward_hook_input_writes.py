"""A module with full backward hooks passes its forward stand-ins for the inputs (identity
ops that collect grad_input); an in-place write to one inside forward used to change
only the stand-in, so the caller's tensor silently kept its values. PyTorch refuses the
write ("Output 0 of BackwardHookFunction is a view and is being modified inplace"); so
does this library now, with a UsageError that says what to do."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import UsageError


def _writes_input(lib):
    class WritesInput(lib.Module):
        def forward(self, x):
            x.add_(1.0)
            return x * 2

    return WritesInput()


@pytest.mark.parametrize("make", [
    lambda lib: _writes_input(lib),
    lambda lib: lib.ReLU(inplace=True),
])
def test_an_in_place_write_to_a_hooked_input_is_refused_as_in_pytorch(torch, make):
    theirs = make(torch.nn)
    theirs.register_full_backward_hook(lambda m, gi, go: None)
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="modified inplace"):
        theirs(w * 1)
    ours = make(nn)
    ours.register_full_backward_hook(lambda m, gi, go: None)
    v = ag.Tensor(np.ones(3), requires_grad=True)
    x = v * 1
    with pytest.raises(UsageError, match="modified its input 0 in place"):
        ours(x)
    np.testing.assert_array_equal(x.data, np.ones(3))  # refused, not half done


def test_writes_stay_allowed_without_hooks_and_on_outputs_and_inputs_without_grad():
    module = _writes_input(nn)
    x = ag.Tensor(np.ones(3), requires_grad=True) * 1
    module(x)  # no hooks: the caller's x takes the write, as in PyTorch
    np.testing.assert_array_equal(x.data, np.full(3, 2.0))
    module.register_full_backward_hook(lambda m, gi, go: None)
    plain = ag.Tensor(np.ones(3))  # needs no gradient: passed as it is, not a stand-in
    module(plain)
    np.testing.assert_array_equal(plain.data, np.full(3, 2.0))
    layer = nn.Linear(3, 2)
    layer.register_full_backward_hook(lambda m, gi, go: None)
    w = ag.Tensor(np.ones((1, 3)), requires_grad=True)
    y = layer(w)
    y += 1.0  # an output: recorded on top of the hook's identity op, gradients right
    y.sum().backward()
    np.testing.assert_allclose(w.grad.data, layer.weight.data.sum(0, keepdims=True))

"""What a graph keeps for backward, read PyTorch's way: ``y.grad_fn._saved_self`` is the
input itself; ``autograd.graph.save_on_cpu`` is a no-op block (everything is on the
CPU); ``saved_tensors_hooks`` and ``_raw_saved_*`` are named errors (nothing is packed)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_saved_inputs_are_the_inputs_as_in_pytorch(torch) -> None:
    for T in (torch, ag):
        x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.pow(2)
        assert x.equal(y.grad_fn._saved_self) and x is y.grad_fn._saved_self
        b = T.tensor([3.0, 4.0, 5.0], requires_grad=True)
        z = x * b
        assert z.grad_fn._saved_self is x and z.grad_fn._saved_other is b
        y.sum().backward()
    with pytest.raises(ag.GraphFreedError, match="released"):
        y.grad_fn._saved_self
    e = ag.tensor([1.0], requires_grad=True).exp()
    with pytest.raises(ag.UsageError, match="the output itself"):
        e.grad_fn._saved_result
    with pytest.raises(ag.UsageError, match="saved_tensors_hooks"):
        e.grad_fn._raw_saved_self
    with pytest.raises(AttributeError):
        e.grad_fn.no_such_field


def test_save_on_cpu_runs_as_written_and_saved_tensors_hooks_says_why_not() -> None:
    x = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)
    with ag.graph.save_on_cpu(pin_memory=True):
        y = (x * x).sin()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data * np.cos(x.data ** 2))
    with pytest.raises(ag.UsageError, match="keeps the input tensors themselves"):
        with ag.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            pass

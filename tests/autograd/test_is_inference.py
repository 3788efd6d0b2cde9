"""``t.is_inference()``: inference_mode is an alias of no_grad here, so every tensor is
an ordinary one (PyTorch's "inference tensors" have no counterpart) and the answer is
False, made under inference_mode or not."""

from __future__ import annotations

import autograd as ag


def test_no_tensor_is_an_inference_tensor_here() -> None:
    x = ag.ones(2, requires_grad=True)
    with ag.inference_mode():
        y = x * x
    assert not x.is_inference() and not y.is_inference()
    (y * x).sum().backward()  # y enters a graph later, as an ordinary tensor does
    assert x.grad is not None

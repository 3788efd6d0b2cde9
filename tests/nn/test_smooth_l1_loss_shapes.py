"""The DQN tutorial's classic slip, ``criterion(state_action_values,
expected_state_action_values)`` without ``.unsqueeze(1)`` (shapes (B, 1) and (B,)):
PyTorch warns and broadcasts to (B, B); here it is a ShapeError (the losses never
broadcast), and for ``nn.SmoothL1Loss``/``F.smooth_l1_loss`` it now names
``smooth_l1_loss``, the loss the program called (it named ``huber_loss``, which computes
it), for beta = 0 (``l1_loss`` inside) too."""

from __future__ import annotations

import pytest

import autograd as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
def test_smooth_l1_shape_mismatch_names_smooth_l1_loss(torch, beta) -> None:
    q, target = ag.randn(6, 1, requires_grad=True), ag.randn(6)
    for call in (lambda: nn.SmoothL1Loss(beta=beta)(q, target),
                 lambda: F.smooth_l1_loss(q, target, beta=beta)):
        with pytest.raises(ag.ShapeError, match=r"^smooth_l1_loss: input shape \(6, 1\) and "
                                                r"target shape \(6,\) differ"):
            call()
    with pytest.warns(UserWarning, match="different to the input size"):
        torch.nn.SmoothL1Loss(beta=beta)(torch.randn(6, 1), torch.randn(6))
    assert F.smooth_l1_loss(q, target.unsqueeze(1), beta=beta).shape == ()

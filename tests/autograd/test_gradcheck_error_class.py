"""A failed gradcheck raises ``GradcheckError``, caught as PyTorch's is (a
``RuntimeError``) and as before (an ``AssertionError``, as a test's failure)."""

from __future__ import annotations

import pytest

import autograd as ag


@pytest.mark.parametrize("caught", [RuntimeError, AssertionError, ag.GradcheckError])
def test_a_failed_check_is_caught_as_pytorchs(caught: type) -> None:
    x = ag.tensor([0.5, -1.2], requires_grad=True)
    with pytest.raises(caught):
        ag.gradcheck(lambda t: ag.tensor(t.data * 2.0) + t * 0.0, (x,))

"""logit(eps) at NaN keeps a NaN gradient, and round() of a bool tensor stays bool, as
PyTorch's logit and NumPy's integer rounding (NumPy alone would give float16)."""

import numpy as np
import pytest

import autograd as ag


def test_logit_with_eps_keeps_a_nan_gradient_at_nan(torch):
    values = [float("nan"), 0.0, 0.3, 1.0, 1.5]
    for eps in (1e-6, 0.1):
        x = ag.tensor(values, requires_grad=True)
        x.logit(eps).sum().backward()
        t = torch.tensor(values, requires_grad=True)
        t.logit(eps).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), equal_nan=True)


def test_round_of_bool_is_refused_as_pytorch():  # (session 38: it kept the mask before)
    b = ag.tensor([True, False, True])
    for rounding in (b.round, lambda: ag.round(b), b.floor, b.ceil, b.trunc, b.fix):
        with pytest.raises(ag.errors.DTypeError, match="bool"):
            rounding()

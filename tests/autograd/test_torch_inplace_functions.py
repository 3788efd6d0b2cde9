"""PyTorch's module-level in-place functions (``torch.log_(t)``...) and the methods
``clamp_min_``/``clamp_max_``, against PyTorch: the values written, the tensor returned
being the argument, gradients through them on a computed tensor, and the refusals (a
number, a leaf that requires grad)."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import InplaceError, UsageError

X = np.random.default_rng(0).uniform(0.2, 2.0, size=(3, 4))
NAMES = ["abs_", "ceil_", "cos_", "exp_", "floor_", "log_", "neg_", "negative_",
         "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sqrt_", "square_",
         "tanh_"]
WITH_ARGUMENTS = [("clamp_", (0.5, 1.5)), ("clamp_min_", (0.7,)), ("clamp_max_", (1.1,))]


@pytest.mark.parametrize("name, args", [(n, ()) for n in NAMES] + WITH_ARGUMENTS)
def test_module_in_place_functions_match_pytorch(torch, name, args):
    ours, theirs = ag.tensor(X), torch.tensor(X)
    assert getattr(ag, name)(ours, *args) is ours
    assert getattr(torch, name)(theirs, *args) is theirs
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-15)


@pytest.mark.parametrize("name, args", [("clamp_min_", (0.7,)), ("clamp_max_", (1.1,)),
                                        ("log_", ()), ("sqrt_", ())])
def test_in_place_functions_on_a_computed_tensor_pass_gradients_as_pytorch(torch, name, args):
    """HGCN's ``(z + torch.sqrt_(1 + z.pow(2))).clamp_min_(1e-15).log_()`` shape."""
    weights = np.random.default_rng(1).standard_normal(X.shape)
    grads = []
    for T in (ag, torch):
        x = T.tensor(X, requires_grad=True)
        y = getattr(T, name)(x * 1.5, *args)
        (y * T.tensor(weights)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_in_place_functions_refuse_numbers_and_leaves_that_require_grad():
    with pytest.raises(UsageError, match=r"writes into a Tensor.*autograd.log\(x\)"):
        ag.log_(2.0)
    with pytest.raises(InplaceError):
        ag.sqrt_(ag.tensor(X, requires_grad=True))

"""``Module.register_backward_hook``, PyTorch's older (deprecated) module backward hook,
as guided backpropagation code registers it on ReLU modules: on a module that owns no
parameters and no submodules it is the full backward hook (PyTorch's gives the same
gradients when the forward is one operation); elsewhere PyTorch's ``grad_input`` holds
the last operation's gradients (a Linear's weight gradient among them), so it is a
named error that says to use ``register_full_backward_hook``."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import UsageError

RNG = np.random.default_rng(7)
X = RNG.normal(size=(4, 3))


def guided(lib_nn, tensor, clamp, weights):
    """Guided backpropagation's ReLU hook on an MLP 3 -> 5 -> 2; returns x.grad."""
    model = lib_nn.Sequential(lib_nn.Linear(3, 5), lib_nn.ReLU(), lib_nn.Linear(5, 2))
    model.load_state_dict({k: tensor(v) for k, v in weights.items()})
    seen = []

    def relu_backward_hook_function(module, grad_in, grad_out):
        seen.append((len(grad_in), len(grad_out)))
        return (clamp(grad_in[0], min=0.0),)

    handles = [m.register_backward_hook(relu_backward_hook_function)
               for m in model.modules() if isinstance(m, lib_nn.ReLU)]
    x = tensor(X, requires_grad=True)
    model(x)[:, 1].sum().backward()
    for handle in handles:
        handle.remove()
    model(x)[:, 1].sum().backward()  # the hook removed: plain gradients accumulate
    return x.grad.numpy(), seen


def test_register_backward_hook_on_relu_is_pytorchs(torch):
    weights = {"0.weight": RNG.normal(size=(5, 3)), "0.bias": RNG.normal(size=5),
               "2.weight": RNG.normal(size=(2, 5)), "2.bias": RNG.normal(size=2)}

    ours = guided(nn, ag.tensor, ag.clamp, weights)
    theirs = guided(torch.nn, torch.tensor, torch.clamp, weights)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-14)
    assert ours[1] == theirs[1] == [(1, 1)]


@pytest.mark.parametrize("module", [nn.Linear(3, 2), nn.Sequential(nn.ReLU())])
def test_register_backward_hook_elsewhere_is_a_named_error(module):
    with pytest.raises(UsageError, match="register_full_backward_hook"):
        module.register_backward_hook(lambda m, grad_in, grad_out: None)

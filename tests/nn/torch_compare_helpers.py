"""Helpers of the tests that compare nn layers and functions with PyTorch: random
arrays, and one forward + backward run through ours and torch's with the same inputs."""

import numpy as np

import autograd
from autograd import Tensor
from nn.module import functional_call


def normal(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


def run_both(torch, ours_fn, torch_fn, arrays, seed=99, rtol=1e-10):
    """Outputs and input gradients of ours_fn and torch_fn on the same float64 arrays
    (None entries are passed as None), with one random upstream gradient; a gradient
    that torch leaves at None (no path to the input) counts as zeros."""
    ours = [None if a is None else Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = ours_fn(*ours), torch_fn(*theirs)
    g = normal(seed, y.shape)
    y.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=rtol, atol=1e-12)
    for a, at in zip(ours, theirs):
        if a is not None:
            expected = np.zeros(a.shape) if at.grad is None else at.grad.numpy()
            np.testing.assert_allclose(a.grad, expected, rtol=rtol * 10, atol=1e-11)


def copy_parameters(ours, theirs, seed=5):
    """Random values into ``ours``' parameters, and the same into torch's module."""
    for i, (name, p) in enumerate(ours.named_parameters()):
        p.data[...] = normal(seed + i, p.shape)
        theirs.get_parameter(name).data.copy_(theirs.get_parameter(name).new_tensor(p.data))


def module_gradients_match_finite_differences(module, x, second=True):
    """gradcheck (and gradgradcheck) of module(x) in x and in every parameter."""
    names = [n for n, _ in module.named_parameters()]
    params = [Tensor(p.data.copy(), requires_grad=True) for p in module.parameters()]
    x = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)

    def fn(x, *ps):
        return functional_call(module, dict(zip(names, ps)), x)

    assert autograd.gradcheck(fn, [x, *params])
    if second:
        assert autograd.gradgradcheck(fn, [x, *params])

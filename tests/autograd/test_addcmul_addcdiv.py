"""PyTorch's ``addcmul``/``addcdiv`` (methods, functions, in place) and ``lerp_``, which
every optimizer written after PyTorch's own uses (``exp_avg.lerp_(grad, 1 - beta1)`` or
``exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)``, ``exp_avg_sq.mul_(beta2).addcmul_(
grad, grad, value=1 - beta2)``, ``p.addcdiv_(exp_avg, denom, value=-step_size)``): they
were missing. Values as PyTorch's (bit for bit but where its CPU kernel fuses addcmul's
multiply-add, which NumPy cannot), gradients next to PyTorch's, the in-place rules of the
other in-place methods."""

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError

RNG = np.random.default_rng(4)
X, A, B = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)), RNG.standard_normal(4)


def _torch():
    torch = pytest.importorskip("torch")
    return torch


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("value", [1, -0.37, 0.001])
def test_values_and_gradients_match_pytorch(name, value):
    torch = _torch()
    ours = [ag.tensor(v, requires_grad=True) for v in (X, A, B)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (X, A, B)]
    got = getattr(ours[0], name)(ours[1], ours[2], value=value)
    want = getattr(theirs[0], name)(theirs[1], theirs[2], value=value)
    same = (np.testing.assert_array_equal if name == "addcdiv" else  # addcmul: fused there
            lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-15, atol=1e-16))
    same(got.detach().numpy(), want.detach().numpy())
    same(getattr(ag, name)(X, A, B, value=value).numpy(),
         getattr(torch, name)(*(torch.tensor(v) for v in (X, A, B)), value=value).numpy())
    upstream = RNG.standard_normal(X.shape)
    got.backward(ag.tensor(upstream))
    want.backward(torch.tensor(upstream))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("update", [
    lambda lib, x, a, b: x.addcmul_(a, b, value=0.25),
    lambda lib, x, a, b: x.addcdiv_(a, b, value=-0.1),
    lambda lib, x, a, b: x.addcmul_(a, a),
    lambda lib, x, a, b: x.lerp_(a, 0.1),
    lambda lib, x, a, b: x.lerp_(a, 0.9),
    lambda lib, x, a, b: x.mul_(0.9).add_(a, alpha=0.1).addcmul_(a, b, value=0.5),
])
def test_in_place_values_match_pytorch(update):
    torch = _torch()
    ours, theirs = ag.tensor(X), torch.tensor(X)
    result = update(ag, ours, ag.tensor(A), ag.tensor(B))
    update(torch, theirs, torch.tensor(A), torch.tensor(B))
    assert result is ours
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-15, atol=1e-16)


def test_in_place_follows_the_rules_of_the_other_in_place_methods():
    leaf = ag.tensor(X, requires_grad=True)
    with pytest.raises(InplaceError, match="addcmul_ on a leaf"):
        leaf.addcmul_(ag.tensor(A), ag.tensor(B))
    with ag.no_grad():  # an optimizer's step
        leaf.addcdiv_(ag.tensor(A), ag.tensor(B) ** 2 + 1, value=-0.5)
    np.testing.assert_allclose(leaf.detach().numpy(), X - 0.5 * (A / (B ** 2 + 1)))
    w = ag.tensor(A, requires_grad=True)
    y = ag.tensor(X) * 1.0
    y.lerp_(w, 0.25)  # recorded, as PyTorch records it
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.full(A.shape, 0.25))


def adam_as_pytorch_wrote_it(torch, Optimizer):
    """A custom optimizer as countless scripts copy PyTorch's pre-2.0 ``Adam.step``."""
    class MyAdam(Optimizer):
        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
            super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                beta1, beta2 = group['betas']
                for p in group['params']:
                    if p.grad is None:
                        continue
                    if p.grad.is_sparse:
                        raise RuntimeError('Adam does not support sparse gradients')
                    state = self.state[p]
                    if len(state) == 0:
                        state['step'] = 0
                        state['exp_avg'] = torch.zeros_like(p, memory_format=torch.preserve_format)
                        state['exp_avg_sq'] = torch.zeros_like(p)
                    exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                    state['step'] += 1
                    bias_correction1 = 1 - beta1 ** state['step']
                    bias_correction2 = 1 - beta2 ** state['step']
                    exp_avg.mul_(beta1).add_(p.grad, alpha=1 - beta1)
                    exp_avg_sq.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                    denom = (exp_avg_sq.sqrt() / bias_correction2 ** 0.5).add_(group['eps'])
                    p.addcdiv_(exp_avg, denom, value=-group['lr'] / bias_correction1)

    return MyAdam


def test_a_custom_adam_runs_as_pytorchs():
    torch = _torch()
    runs = []
    for T, Optimizer in ((ag, None), (torch, torch.optim.Optimizer)):
        import nn
        Optimizer = Optimizer or nn.optim.Optimizer
        w = T.tensor(X, requires_grad=True)
        opt = adam_as_pytorch_wrote_it(T, Optimizer)([w], lr=0.1)
        trace = []
        for _ in range(5):
            opt.zero_grad()
            ((w - T.tensor(A)) ** 2 * T.tensor(B)).sum().backward()
            opt.step()
            trace.append(w.detach().numpy().copy())
        runs.append(trace)
    for a, b in zip(*runs):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)

"""AdaHessian (Yao et al., 2021) as ``amirgholami/adahessian`` writes it
(``image_classification/optim_adahessian.py`` and its training step): Hutchinson's
estimate of the Hessian diagonal ``|H v|`` from ``torch.autograd.grad(grads, params,
grad_outputs=v, only_inputs=True, retain_graph=True)`` on the gradients that
``loss.backward(create_graph=True)`` left in ``p.grad``, averaged over a conv kernel's
spatial dimensions (``torch.mean(hv.abs(), dim=[2, 3], keepdim=True)``), Adam-like moments
of the gradient (``grad.detach_()``) and of that diagonal, and the update written as
``p.data = p.data - lr * (...)``. A small conv + linear net trains next to PyTorch
(float64) with a ``MultiStepLR``: losses, parameters and states agree to 1e-10.

Lines written differently here, and why:
- ``torch.randint_like(p, high=2)``: the Rademacher signs come from one NumPy generator
  for both runs (the two libraries' generators differ);
- ``torch.autograd.grad`` and ``torch.optim`` are ``autograd.grad`` and ``nn.optim`` here
  (``autograd.autograd``'s and ``autograd.optim``'s errors say so): the program takes the
  library's two;
- the ``single_gpu=False`` branches (``dist.all_reduce``) are left out.
"""

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional
from optim_port_helpers import assert_records, task


def adahessian(torch, optim, grad, signs):
    """``Adahessian`` for library ``torch``; ``signs(p)`` draws ``randint_like(p, high=2)``."""

    class Adahessian(optim.Optimizer):
        def __init__(self, params, lr=0.15, betas=(0.9, 0.999), eps=1e-4, weight_decay=0,
                     hessian_power=1, single_gpu=True):
            if not 0.0 <= lr:
                raise ValueError("Invalid learning rate: {}".format(lr))
            if not 0.0 <= hessian_power <= 1.0:
                raise ValueError("Invalid Hessian power value: {}".format(hessian_power))
            defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                            hessian_power=hessian_power)
            self.single_gpu = single_gpu
            super(Adahessian, self).__init__(params, defaults)

        def get_trace(self, params, grads):
            # Check backward was called with create_graph set to True
            for i, g in enumerate(grads):
                if g.grad_fn is None:
                    raise RuntimeError('Gradient tensor {:} does not have grad_fn. '
                                       'When calling loss.backward(), make sure the option '
                                       'create_graph is set to True.'.format(i))
            v = [2 * signs(p) - 1 for p in params]  # 2 * torch.randint_like(p, high=2) - 1
            hvs = grad(grads, params, grad_outputs=v, only_inputs=True, retain_graph=True)
            hutchinson_trace = []
            for hv in hvs:
                param_size = hv.size()
                if len(param_size) <= 2:  # for 0/1/2D tensor
                    tmp_output = hv.abs()
                elif len(param_size) == 4:  # Conv kernel
                    tmp_output = torch.mean(hv.abs(), dim=[2, 3], keepdim=True)
                hutchinson_trace.append(tmp_output)
            return hutchinson_trace

        def step(self, closure=None):
            loss = None
            if closure is not None:
                loss = closure()
            params = []
            groups = []
            grads = []
            for group in self.param_groups:
                for p in group['params']:
                    if p.grad is not None:
                        params.append(p)
                        groups.append(group)
                        grads.append(p.grad)
            hut_traces = self.get_trace(params, grads)
            for (p, group, g, hut_trace) in zip(params, groups, grads, hut_traces):
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = 0
                    state['exp_avg'] = torch.zeros_like(p.data)
                    state['exp_hessian_diag_sq'] = torch.zeros_like(p.data)
                exp_avg, exp_hessian_diag_sq = state['exp_avg'], state['exp_hessian_diag_sq']
                beta1, beta2 = group['betas']
                state['step'] += 1
                exp_avg.mul_(beta1).add_(g.detach_(), alpha=1 - beta1)
                exp_hessian_diag_sq.mul_(beta2).addcmul_(hut_trace, hut_trace,
                                                         value=1 - beta2)
                bias_correction1 = 1 - beta1 ** state['step']
                bias_correction2 = 1 - beta2 ** state['step']
                k = group['hessian_power']
                denom = ((exp_hessian_diag_sq.sqrt() ** k)
                         / math.sqrt(bias_correction2) ** k).add_(group['eps'])
                p.data = p.data - \
                    group['lr'] * (exp_avg / bias_correction1 / denom
                                   + group['weight_decay'] * p.data)
            return loss

    return Adahessian


def network(nn):
    return nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 3, 3, stride=2), nn.Tanh(),
                         nn.Flatten(), nn.Linear(27, 10))


def train(libs, model, hessian_power) -> list:
    """main.py's loop: ``loss.backward(create_graph=True)``, ``optimizer.step()``, and a
    ``MultiStepLR`` stepped every epoch."""
    torch, nn, F, optim, grad = libs
    draws = np.random.default_rng(11)

    def signs(p):
        return torch.tensor(draws.integers(0, 2, size=tuple(p.shape)).astype(float))

    Adahessian = adahessian(torch, optim, grad, signs)
    optimizer = Adahessian(model.parameters(), lr=0.15, weight_decay=5e-4,
                           hessian_power=hessian_power)
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, [2], gamma=0.1)
    criterion = nn.CrossEntropyLoss()
    X, y = task(48)
    X, y = torch.tensor(X), torch.tensor(y)
    records = []
    for epoch in range(3):
        for i in range(2):
            data, target = X[24 * i:24 * (i + 1)], y[24 * i:24 * (i + 1)]
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output, target)
            loss.backward(create_graph=True)
            optimizer.step()
            records.append(loss.item())
        scheduler.step()
    records.extend(p.detach() for p in model.parameters())
    for p in model.parameters():
        state = optimizer.state[p]
        records.extend(state[k] for k in sorted(state))
    return records


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("hessian_power", [1.0, 0.5])
def test_adahessian(torch, hessian_power):
    torch.manual_seed(0)
    theirs_model = network(torch.nn)
    start = {k: v.detach().numpy().copy() for k, v in theirs_model.state_dict().items()}
    theirs = train((torch, torch.nn, torch.nn.functional, torch.optim, torch.autograd.grad),
                   theirs_model, hessian_power)
    ours_model = network(nn)
    ours_model.load_state_dict(start)  # the test's glue: the generators differ
    ours = train((autograd, nn, nn.functional, nn.optim, autograd.grad), ours_model,
                 hessian_power)
    assert_records(ours, theirs)

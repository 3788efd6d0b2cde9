"""Custom optimizers as blog posts and papers' reference code write them, subclassing
``torch.optim.Optimizer``: Lion (lucidrains' ``lion-pytorch``), LAMB (cybertronai's
``pytorch-lamb``) and LARS (Barlow Twins' reference code). Each is written once for a
library ``torch`` (a ``defaults`` dict, ``super().__init__(params, defaults)``, a
``@torch.no_grad()`` ``step(closure)``, ``self.state[p]`` filled lazily, in-place tensor
updates) and trains the same MLP on a generated task next to PyTorch (float64): losses,
parameters and optimizer states agree to 1e-10, also after a ``state_dict`` /
``load_state_dict`` round trip into a fresh optimizer.

Lines written differently here, and why:
- ``p.data.mul_(...)``, ``p.data.add_(...)``, ``grad = p.grad.data``: ``.data`` is the
  NumPy array here (by design), so the update is written on ``p`` and ``p.grad``
  themselves; ``step`` already runs under ``no_grad()``, so nothing is recorded.
"""

import numpy as np

from optim_port_helpers import assert_records, both, task


def optimizers(torch, optim) -> dict:
    """The three optimizers, as their authors wrote them, for library ``torch``."""

    def exists(val):
        return val is not None

    class Lion(optim.Optimizer):
        def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
            assert lr > 0.
            assert all([0. <= beta <= 1. for beta in betas])
            defaults = dict(lr=lr, betas=betas, weight_decay=weight_decay)
            super().__init__(params, defaults)

        @torch.no_grad()
        def step(self, closure=None):
            loss = None
            if exists(closure):
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in filter(lambda p: exists(p.grad), group['params']):
                    grad, lr, wd, beta1, beta2, state = (p.grad, group['lr'],
                                                         group['weight_decay'],
                                                         *group['betas'], self.state[p])
                    if len(state) == 0:
                        state['exp_avg'] = torch.zeros_like(p)
                    exp_avg = state['exp_avg']
                    p.mul_(1 - lr * wd)  # lion-pytorch: p.data.mul_(1 - lr * wd)
                    update = exp_avg.clone().mul_(beta1).add(grad, alpha=1 - beta1).sign_()
                    p.add_(update, alpha=-lr)
                    exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)
            return loss

    class Lamb(optim.Optimizer):
        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6,
                     weight_decay=0, adam=False):
            if not 0.0 <= lr:
                raise ValueError("Invalid learning rate: {}".format(lr))
            if not 0.0 <= eps:
                raise ValueError("Invalid epsilon value: {}".format(eps))
            defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
            self.adam = adam
            super(Lamb, self).__init__(params, defaults)

        def step(self, closure=None):
            loss = None
            if closure is not None:
                loss = closure()
            for group in self.param_groups:
                for p in group['params']:
                    if p.grad is None:
                        continue
                    grad = p.grad  # pytorch-lamb: p.grad.data
                    if grad.is_sparse:
                        raise RuntimeError('Lamb does not support sparse gradients.')
                    state = self.state[p]
                    if len(state) == 0:
                        state['step'] = 0
                        state['exp_avg'] = torch.zeros_like(p)
                        state['exp_avg_sq'] = torch.zeros_like(p)
                    exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                    beta1, beta2 = group['betas']
                    state['step'] += 1
                    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                    step_size = group['lr']
                    with torch.no_grad():  # pytorch-lamb works on p.data (no graph)
                        weight_norm = p.pow(2).sum().sqrt().clamp(0, 10)
                        adam_step = exp_avg / exp_avg_sq.sqrt().add(group['eps'])
                        if group['weight_decay'] != 0:
                            adam_step.add_(p, alpha=group['weight_decay'])
                        adam_norm = adam_step.pow(2).sum().sqrt()
                        if weight_norm == 0 or adam_norm == 0:
                            trust_ratio = 1
                        else:
                            trust_ratio = weight_norm / adam_norm
                        state['weight_norm'] = weight_norm
                        state['adam_norm'] = adam_norm
                        state['trust_ratio'] = trust_ratio
                        if self.adam:
                            trust_ratio = 1
                        p.add_(adam_step, alpha=-step_size * trust_ratio)
            return loss

    class LARS(optim.Optimizer):
        def __init__(self, params, lr, weight_decay=0, momentum=0.9, eta=0.001,
                     weight_decay_filter=False, lars_adaptation_filter=False):
            defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                            eta=eta, weight_decay_filter=weight_decay_filter,
                            lars_adaptation_filter=lars_adaptation_filter)
            super().__init__(params, defaults)

        def exclude_bias_and_norm(self, p):
            return p.ndim == 1

        @torch.no_grad()
        def step(self):
            for g in self.param_groups:
                for p in g['params']:
                    dp = p.grad
                    if dp is None:
                        continue
                    if not g['weight_decay_filter'] or not self.exclude_bias_and_norm(p):
                        dp = dp.add(p, alpha=g['weight_decay'])
                    if not g['lars_adaptation_filter'] or not self.exclude_bias_and_norm(p):
                        param_norm = torch.norm(p)
                        update_norm = torch.norm(dp)
                        one = torch.ones_like(param_norm)
                        q = torch.where(param_norm > 0.,
                                        torch.where(update_norm > 0,
                                                    (g['eta'] * param_norm / update_norm),
                                                    one), one)
                        dp = dp.mul(q)
                    param_state = self.state[p]
                    if 'mu' not in param_state:
                        param_state['mu'] = torch.zeros_like(p)
                    mu = param_state['mu']
                    mu.mul_(g['momentum']).add_(dp)
                    p.add_(mu, alpha=-g['lr'])

    return {"Lion": Lion, "Lamb": Lamb, "LARS": LARS}


SETTINGS = {"Lion": dict(lr=1e-3, weight_decay=0.1),
            "Lamb": dict(lr=0.05, weight_decay=0.01),
            "LARS": dict(lr=0.5, weight_decay=1e-4, lars_adaptation_filter=True)}


def train(libs, model, name: str) -> list:
    """Six full-batch steps (a closure where the optimizer takes one), a state-dict round
    trip into a fresh optimizer, and six more steps; records losses, params, states."""
    torch, nn, F, optim = libs
    X, y = task()
    X, y = torch.tensor(X), torch.tensor(y)
    opt_class = optimizers(torch, optim)[name]
    optimizer = opt_class(model.parameters(), **SETTINGS[name])
    records = []

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        return loss

    def one_step():
        if name == "LARS":  # Barlow Twins' step() takes no closure
            loss = closure()
            optimizer.step()
        else:
            loss = optimizer.step(closure)
        records.append(loss.item())

    for _ in range(6):
        one_step()
    saved = optimizer.state_dict()
    optimizer = opt_class(model.parameters(), **SETTINGS[name])
    optimizer.load_state_dict(saved)
    for _ in range(6):
        one_step()
    records.extend(p.detach() for p in model.parameters())
    for p in model.parameters():
        state = optimizer.state[p]
        records.extend(state[k] for k in sorted(state) if k != 'step')
    return records


def test_lion(torch):
    assert_records(*both(train, torch, "Lion"))


def test_lamb(torch):
    ours, theirs = both(train, torch, "Lamb")
    assert_records(ours, theirs)
    assert np.isfinite(ours[-1]).all()


def test_lars(torch):
    assert_records(*both(train, torch, "LARS"))

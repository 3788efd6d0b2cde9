"""Schedule-Free AdamW (Defazio et al., 2024) as ``facebookresearch/schedule_free`` writes
it (``schedulefree/adamw_schedulefree.py``, with its ``foreach`` path of
``torch._foreach_*`` calls and its per-parameter path), and the training loop its README
asks for: ``optimizer.train()`` before training, ``optimizer.eval()`` before evaluating
and before saving a checkpoint. It trains the MLP on a generated task next to PyTorch
(float64) with a linear warmup and weight decay; losses, evaluation losses, parameters
and the ``z``/``exp_avg_sq`` states agree to 1e-10, also after a ``state_dict`` round trip
into a fresh optimizer taken in eval mode.

Lines written differently here, and why:
- ``y = p.data``, ``torch.clone(p.data)``, ``p.data.lerp_(end=state['z'], ...)``: ``.data``
  is the NumPy array here (by design), so the program writes on ``p`` itself under
  ``torch.no_grad()`` (``step`` as a ``@torch.no_grad()`` method, ``train``/``eval`` in a
  ``with`` block), which records nothing in either library.
"""

import math

import pytest

from optim_port_helpers import assert_records, both, task


def schedule_free(torch, optim):
    """``AdamWScheduleFree`` for library ``torch``."""

    class AdamWScheduleFree(optim.Optimizer):
        def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                     warmup_steps=0, r=0.0, weight_lr_power=2.0, foreach=True):
            defaults = dict(lr=lr, betas=betas, eps=eps, r=r, k=0,
                            warmup_steps=warmup_steps, train_mode=True, weight_sum=0.0,
                            lr_max=-1.0, weight_lr_power=weight_lr_power,
                            weight_decay=weight_decay, foreach=foreach)
            super().__init__(params, defaults)

        @torch.no_grad()  # the reference writes on p.data: see the docstring
        def eval(self):
            for group in self.param_groups:
                train_mode = group['train_mode']
                beta1, _ = group['betas']
                if train_mode:
                    for p in group['params']:
                        state = self.state[p]
                        if 'z' in state:
                            # Set p.data to x
                            p.lerp_(end=state['z'], weight=1 - 1 / beta1)
                    group['train_mode'] = False

        @torch.no_grad()
        def train(self):
            for group in self.param_groups:
                train_mode = group['train_mode']
                beta1, _ = group['betas']
                if not train_mode:
                    for p in group['params']:
                        state = self.state[p]
                        if 'z' in state:
                            # Set p.data to y
                            p.lerp_(end=state['z'], weight=1 - beta1)
                    group['train_mode'] = True

        @torch.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                eps = group['eps']
                beta1, beta2 = group['betas']
                decay = group['weight_decay']
                k = group['k']
                r = group['r']
                warmup_steps = group['warmup_steps']
                weight_lr_power = group['weight_lr_power']
                if k < warmup_steps:
                    sched = (k + 1) / warmup_steps
                else:
                    sched = 1.0
                bias_correction2 = 1 - beta2 ** (k + 1)
                lr = group['lr'] * sched * math.sqrt(bias_correction2)
                lr_max = group['lr_max'] = max(lr, group['lr_max'])
                weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
                weight_sum = group['weight_sum'] = group['weight_sum'] + weight
                try:
                    ckp1 = weight / weight_sum
                except ZeroDivisionError:
                    ckp1 = 0
                if not group['train_mode']:
                    raise Exception("Not in train mode!")
                active_p = [p for p in group['params'] if p.grad is not None]
                for p in active_p:
                    if 'z' not in self.state[p]:
                        self.state[p]['z'] = torch.clone(p)  # torch.clone(p.data)
                        self.state[p]['exp_avg_sq'] = torch.zeros_like(p)
                if group['foreach'] and len(active_p) > 0:
                    y, grad, exp_avg_sq, z = zip(*[(p,  # the reference: p.data
                                                    p.grad,
                                                    self.state[p]['exp_avg_sq'],
                                                    self.state[p]['z'])
                                                   for p in active_p])
                    torch._foreach_mul_(exp_avg_sq, beta2)
                    torch._foreach_addcmul_(exp_avg_sq, grad, grad, value=1 - beta2)
                    denom = torch._foreach_sqrt(exp_avg_sq)
                    torch._foreach_add_(denom, eps)
                    torch._foreach_div_(grad, denom)
                    if decay != 0:
                        torch._foreach_add_(grad, y, alpha=decay)
                    torch._foreach_lerp_(y, z, weight=ckp1)
                    torch._foreach_add_(y, grad, alpha=lr * (beta1 * (1 - ckp1) - 1))
                    torch._foreach_sub_(z, grad, alpha=lr)
                else:
                    for p in active_p:
                        y = p  # the reference: p.data
                        grad = p.grad
                        state = self.state[p]
                        z = state['z']
                        exp_avg_sq = state['exp_avg_sq']
                        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                        denom = exp_avg_sq.sqrt().add_(eps)
                        grad_normalized = grad.div_(denom)
                        if decay != 0:
                            grad_normalized.add_(y, alpha=decay)
                        y.lerp_(end=z, weight=ckp1)
                        y.add_(grad_normalized, alpha=lr * (beta1 * (1 - ckp1) - 1))
                        z.sub_(grad_normalized, alpha=lr)
                group['k'] = k + 1
            return loss

    return AdamWScheduleFree


def train(libs, model, foreach) -> list:
    """Three epochs of four batches: ``optimizer.train()`` / ``model.train()`` before
    training, ``optimizer.eval()`` / ``model.eval()`` before the evaluation; after the
    second epoch a checkpoint (taken in eval mode) is loaded into a fresh optimizer."""
    torch, nn, F, optim = libs
    AdamWScheduleFree = schedule_free(torch, optim)
    X, y = task()
    X, y = torch.tensor(X), torch.tensor(y)
    optimizer = AdamWScheduleFree(model.parameters(), lr=0.01, weight_decay=1e-3,
                                  warmup_steps=3, foreach=foreach)
    records = []
    for epoch in range(3):
        model.train()
        optimizer.train()
        for i in range(4):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X[24 * i:24 * (i + 1)]), y[24 * i:24 * (i + 1)])
            loss.backward()
            optimizer.step()
            records.append(loss.item())
        model.eval()
        optimizer.eval()
        with torch.no_grad():
            records.append(F.cross_entropy(model(X), y).item())
        records.extend(p.detach().clone() for p in model.parameters())
        if epoch == 1:
            checkpoint = optimizer.state_dict()
            optimizer = AdamWScheduleFree(model.parameters(), lr=0.01, weight_decay=1e-3,
                                          warmup_steps=3, foreach=foreach)
            optimizer.load_state_dict(checkpoint)
            records.append([g['train_mode'] for g in optimizer.param_groups])
    for p in model.parameters():
        records.extend([optimizer.state[p]['z'], optimizer.state[p]['exp_avg_sq']])
    records.append([optimizer.param_groups[0][k] for k in ('k', 'weight_sum', 'lr_max')])
    return records


@pytest.mark.parametrize("foreach", [True, False], ids=["foreach", "per-parameter"])
def test_adamw_schedule_free(torch, foreach):
    assert_records(*both(train, torch, foreach))


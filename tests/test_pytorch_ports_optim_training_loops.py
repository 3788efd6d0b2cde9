"""Training-loop techniques as people write them, next to PyTorch (float64): gradient
accumulation (``loss / accum_steps``, ``clip_grad_norm_`` and a step every
``accum_steps`` batches of a ``DataLoader``), activation checkpointing
(``torch.utils.checkpoint.checkpoint(block, x, use_reentrant=False)`` in a model's
``forward``, and ``checkpoint_sequential``), and hypergradient descent (Baydin et al.'s
``SGDHD`` from ``hypergradient-descent/sgd_hd.py``: the learning rate learns from the dot
product of successive gradients; and a learned log-learning-rate trained by Adam through
one unrolled step, ``torch.func.functional_call`` on ``p - lr * g`` from
``torch.autograd.grad(..., create_graph=True)``). Losses, gradients, parameters and
learning rates agree to 1e-10.

Lines written differently here, and why:
- ``torch.utils.checkpoint`` is ``nn.checkpoint`` here (as ``torch.utils.data`` is
  ``nn.data``): the program takes the library's checkpoint module;
- ``torch.autograd.grad`` is ``autograd.grad`` here (``autograd.autograd``'s error says
  so), and ``torch.func`` is ``autograd.func``: the program takes the library's two;
- ``sgd_hd.py``'s ``p.grad.data.view(-1)`` and ``p.data.add_(step_size, update)`` (the
  removed number-first form) are ``p.grad.view(-1)`` and ``p.add_(update,
  alpha=step_size)`` under ``no_grad()``: ``.data`` is the NumPy array here.
"""

import math
from functools import reduce

import numpy as np

from optim_port_helpers import assert_records, both, task


def accumulate(libs, model, data) -> list:
    """Four batches of 24 per step, against the full-batch gradient of the same 96."""
    torch, nn, F, optim = libs
    X, y = task()
    loader = data.DataLoader(data.TensorDataset(torch.tensor(X), torch.tensor(y)),
                             batch_size=24)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.AdamW(model.parameters(), lr=0.01)
    accum_steps = 4
    records = []
    criterion(model(torch.tensor(X)), torch.tensor(y)).backward()  # the full batch's
    full_grads = [p.grad.clone() for p in model.parameters()]
    optimizer.zero_grad()
    for epoch in range(3):
        for i, (inputs, labels) in enumerate(loader):
            loss = criterion(model(inputs), labels) / accum_steps
            loss.backward()
            records.append(loss.item())
            if (i + 1) % accum_steps == 0:
                if epoch == 0:
                    records.extend(p.grad.clone() for p in model.parameters())
                    records.extend(full_grads)
                records.append(nn.utils.clip_grad_norm_(model.parameters(), 1.0))
                optimizer.step()
                optimizer.zero_grad()
    records.extend(p.detach() for p in model.parameters())
    return records


def checkpointed(libs, model, ckpt) -> list:
    """A residual MLP whose blocks run under ``checkpoint`` in ``forward``, trained with
    Adam; its gradients equal the plain run's (recorded too)."""
    torch, nn, F, optim = libs

    class Block(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.fc1 = nn.Linear(width, width)
            self.fc2 = nn.Linear(width, width)

        def forward(self, x):
            return x + self.fc2(torch.tanh(self.fc1(x)))

    class Net(nn.Module):
        def __init__(self, stem, use_checkpoint=True):
            super().__init__()
            self.stem = stem
            self.blocks = nn.ModuleList([Block(10) for _ in range(3)])
            self.use_checkpoint = use_checkpoint

        def forward(self, x):
            x = self.stem(x)
            for block in self.blocks:
                if self.use_checkpoint and self.training:
                    x = ckpt.checkpoint(block, x, use_reentrant=False)
                else:
                    x = block(x)
            return x

    net = Net(model)
    for p in net.blocks.parameters():  # small, shared starting weights for the blocks
        with torch.no_grad():
            p.copy_(torch.tensor(np.random.default_rng(p.numel()).normal(0, 0.2, p.shape)))
    X, y = task()
    X, y = torch.tensor(X), torch.tensor(y)
    optimizer = optim.Adam(net.parameters(), lr=0.01)
    records = []
    for step in range(5):
        optimizer.zero_grad()
        loss = F.cross_entropy(net(X), y)
        loss.backward()
        records.append(loss.item())
        if step == 0:  # the checkpointed gradients are the plain ones
            checked = [p.grad.clone() for p in net.parameters()]
            net.use_checkpoint = False
            optimizer.zero_grad()
            F.cross_entropy(net(X), y).backward()
            records.append(max((a - p.grad).abs().max().item()
                               for a, p in zip(checked, net.parameters())))
            net.use_checkpoint = True
        optimizer.step()
    sequential = nn.Sequential(*[b for b in net.blocks])
    out = ckpt.checkpoint_sequential(sequential, 2, net.stem(X), use_reentrant=False)
    F.cross_entropy(out, y).backward()
    records.extend(p.grad for p in sequential.parameters())
    records.extend(p.detach() for p in net.parameters())
    return records


def hypergradient(libs, model) -> list:
    """``SGDHD`` as ``sgd_hd.py`` writes it (one flat gradient, ``grad_prev`` in the first
    parameter's state, ``group['lr'] += hypergrad_lr * h``), with momentum."""
    torch, nn, F, optim = libs

    class SGDHD(optim.Optimizer):
        def __init__(self, params, lr=0.01, momentum=0, dampening=0, weight_decay=0,
                     nesterov=False, hypergrad_lr=1e-6):
            defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                            weight_decay=weight_decay, nesterov=nesterov,
                            hypergrad_lr=hypergrad_lr)
            if nesterov and (momentum <= 0 or dampening != 0):
                raise ValueError("Nesterov momentum requires a momentum and zero dampening")
            super(SGDHD, self).__init__(params, defaults)
            if len(self.param_groups) != 1:
                raise ValueError("SGDHD doesn't support per-parameter options "
                                 "(parameter groups)")
            self._params = self.param_groups[0]['params']
            self._numel_cache = None

        def _numel(self):
            if self._numel_cache is None:
                self._numel_cache = reduce(lambda total, p: total + p.numel(), self._params, 0)
            return self._numel_cache

        def _gather_flat_grad_with_weight_decay(self, weight_decay=0):
            views = []
            for p in self._params:
                if p.grad is None:
                    view = torch.zeros_like(p).view(-1)
                else:
                    view = p.grad.view(-1)  # sgd_hd.py: p.grad.data.view(-1)
                if weight_decay != 0:
                    view = view.add(p.view(-1), alpha=weight_decay)
                views.append(view)
            return torch.cat(views, 0)

        def _add_grad(self, step_size, update):
            offset = 0
            for p in self._params:
                numel = p.numel()
                with torch.no_grad():  # sgd_hd.py: p.data.add_(step_size, update[...])
                    p.add_(update[offset:offset + numel].view_as(p), alpha=step_size)
                offset += numel
            assert offset == self._numel()

        def step(self, closure=None):
            loss = None
            if closure is not None:
                loss = closure()
            group = self.param_groups[0]
            weight_decay = group['weight_decay']
            momentum = group['momentum']
            dampening = group['dampening']
            nesterov = group['nesterov']
            grad = self._gather_flat_grad_with_weight_decay(weight_decay)
            param = self._params[0]
            param_state = self.state[param]
            if 'grad_prev' not in param_state:
                param_state['grad_prev'] = torch.zeros_like(grad)
            grad_prev = param_state['grad_prev']
            # the hypergradient of the loss w.r.t. the lr (sgd_hd.py keeps the tensor, and
            # passes lr to the removed add_(number, tensor); PyTorch 2's alpha= is a number)
            h = torch.dot(grad, grad_prev).item()
            if momentum != 0:
                if 'momentum_buffer' not in param_state:
                    buf = param_state['momentum_buffer'] = torch.zeros_like(grad)
                    buf.mul_(momentum).add_(grad)
                else:
                    buf = param_state['momentum_buffer']
                    buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                grad = grad.add(buf, alpha=momentum) if nesterov else buf
            param_state['grad_prev'] = grad
            group['lr'] += group['hypergrad_lr'] * h
            self._add_grad(-group['lr'], grad)
            return loss

    X, y = task()
    X, y = torch.tensor(X), torch.tensor(y)
    optimizer = SGDHD(model.parameters(), lr=0.05, momentum=0.5, weight_decay=1e-4,
                      hypergrad_lr=0.01)
    records = []
    for _ in range(10):
        def closure():
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X), y)
            loss.backward()
            return loss
        records.append(optimizer.step(closure).item())
        records.append(optimizer.param_groups[0]['lr'])
    records.extend(p.detach() for p in model.parameters())
    return records


def unrolled(libs, model, grad, func) -> list:
    """The lr as a parameter: each step's validation loss after ``p - lr * g`` is
    differentiated with respect to ``log_lr``, which Adam trains."""
    torch, nn, F, optim = libs
    X, y = task()
    train_x, train_y = torch.tensor(X[:64]), torch.tensor(y[:64])
    val_x, val_y = torch.tensor(X[64:]), torch.tensor(y[64:])
    log_lr = torch.tensor(math.log(0.5), requires_grad=True)
    hyper_optimizer = optim.Adam([log_lr], lr=0.1)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in model.named_parameters()}
    records = []
    for step in range(6):
        lr = log_lr.exp()
        loss = F.cross_entropy(func.functional_call(model, params, (train_x,)), train_y)
        grads = grad(loss, list(params.values()), create_graph=True)
        updated = {k: p - lr * g for (k, p), g in zip(params.items(), grads)}
        val_loss = F.cross_entropy(func.functional_call(model, updated, (val_x,)), val_y)
        hyper_optimizer.zero_grad()
        val_loss.backward()
        records.extend([loss.item(), val_loss.item(), log_lr.grad.clone(), lr.item()])
        hyper_optimizer.step()
        params = {k: v.detach().requires_grad_() for k, v in updated.items()}
    records.extend(params.values())
    return records


def test_learned_learning_rate(torch):
    import autograd as ag
    import torch.func

    ours, theirs = both(lambda libs, model: unrolled(
        libs, model, *((ag.grad, ag.func) if libs[0] is ag
                       else (torch.autograd.grad, torch.func))), torch)
    assert_records(ours, theirs)


def test_gradient_accumulation(torch):
    import nn.data

    ours, theirs = both(lambda libs, model: accumulate(
        libs, model, nn.data if libs[0].__name__ == "autograd" else torch.utils.data), torch)
    assert_records(ours, theirs)


def test_activation_checkpointing(torch):
    import nn.checkpoint

    ours, theirs = both(lambda libs, model: checkpointed(
        libs, model, nn.checkpoint if libs[0].__name__ == "autograd"
        else torch.utils.checkpoint), torch)
    assert_records(ours, theirs)
    assert ours[1] == 0 and theirs[1] == 0  # checkpointed gradients are the plain ones


def test_hypergradient_descent(torch):
    ours, theirs = both(hypergradient, torch)
    assert_records(ours, theirs)
    learned = ours[1:20:2]
    assert learned[0] == 0.05 and len(set(learned)) == len(learned)  # the lr moves

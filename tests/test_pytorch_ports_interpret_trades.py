"""TRADES (yaodongyu/TRADES, ``trades.py``), adversarial training as its readers write it,
on a small conv net trained briefly on scikit-learn's digits, run step for step next to
PyTorch from the same weights and noise (float64): every loss, adversarial example,
gradient and parameter agrees to 1e-10.

Program: ``trades_loss`` with ``criterion_kl = nn.KLDivLoss(size_average=False)`` (the
legacy argument, warned in both), ``model.eval()`` / ``model.train()``, the starting point
``x_natural.detach() + 0.001 * torch.randn(x_natural.shape)``; the L-inf inner loop
(``x_adv.requires_grad_()``, ``with torch.enable_grad():``, ``torch.autograd.grad(loss_kl,
[x_adv])[0]``, ``torch.min(torch.max(x_adv, x_natural - epsilon), x_natural + epsilon)``)
and the L2 one (an ``optim.SGD([delta])`` over the perturbation, the gradient renormed
in place by ``delta.grad.div_(grad_norms.view(-1, 1, 1, 1))``, ``delta.grad[grad_norms ==
0] = torch.randn_like(...)`` for zero gradients, the projection ``add_``, ``clamp_(0,
1).sub_(x_natural)`` and ``renorm_(p=2, dim=0, maxnorm=epsilon)``); then the robust loss
``loss_natural + beta * loss_robust`` and ``train``'s loop over batches with SGD.

Fixed for it: ``renorm_`` (and ``renorm``, ``torch.renorm``) was an AttributeError here.

Lines written differently here, and why:
- ``delta.data.add_(x_natural)``, ``delta.data.clamp_(0, 1).sub_(x_natural)`` and
  ``delta.data.renorm_(...)``: ``.data`` is NumPy's array here, so the three in-place
  writes go to ``delta`` under ``torch.no_grad()`` (the untracked update ``.data`` makes);
- ``Variable(delta.data, requires_grad=True)`` is ``delta.detach().requires_grad_(True)``
  and ``Variable(x, requires_grad=False)`` is ``x.detach()``;
- ``torch.randn(x_natural.shape).cuda()``: the device moves are dropped (CPU in both);
- ``torch.autograd.grad`` is ``autograd.grad`` (this library is the autograd package);
- the test's glue: PyTorch's initial weights, the same 8 Adam steps in both
  (``interpret_helpers.trained_pair``); our ``randn`` draws replayed on PyTorch's side.
"""

import copy

import numpy as np
import pytest

import nn
import nn.data
from interpret_helpers import Draws, libraries, numpy_of, trained_pair
from pytorch_examples_helpers import assert_steps, record_steps

pytestmark = pytest.mark.filterwarnings("ignore:.*size_average and reduce args")


def trades(torch, nn, F, autograd, optim, data, model, images, labels, distance):
    records, steps = [], []

    def trades_loss(model, x_natural, y, optimizer, step_size=0.02, epsilon=0.1,
                    perturb_steps=4, beta=1.0, distance='l_inf'):
        # define KL-loss
        criterion_kl = nn.KLDivLoss(size_average=False)
        model.eval()
        batch_size = len(x_natural)
        # generate adversarial example
        x_adv = x_natural.detach() + 0.001 * torch.randn(x_natural.shape).detach()
        if distance == 'l_inf':
            for _ in range(perturb_steps):
                x_adv.requires_grad_()
                with torch.enable_grad():
                    loss_kl = criterion_kl(F.log_softmax(model(x_adv), dim=1),
                                           F.softmax(model(x_natural), dim=1))
                grad = autograd.grad(loss_kl, [x_adv])[0]
                records.append([loss_kl.item(), numpy_of(grad)])
                x_adv = x_adv.detach() + step_size * torch.sign(grad.detach())
                x_adv = torch.min(torch.max(x_adv, x_natural - epsilon), x_natural + epsilon)
                x_adv = torch.clamp(x_adv, 0.0, 1.0)
        elif distance == 'l_2':
            delta = 0.001 * torch.randn(x_natural.shape).detach()
            delta = delta.detach().requires_grad_(True)  # Variable(delta.data, ...)

            # Setup optimizers
            optimizer_delta = optim.SGD([delta], lr=epsilon / perturb_steps * 2)

            for _ in range(perturb_steps):
                adv = x_natural + delta

                # optimize
                optimizer_delta.zero_grad()
                with torch.enable_grad():
                    loss = (-1) * criterion_kl(F.log_softmax(model(adv), dim=1),
                                               F.softmax(model(x_natural), dim=1))
                loss.backward()
                # renorming gradient
                grad_norms = delta.grad.view(batch_size, -1).norm(p=2, dim=1)
                delta.grad.div_(grad_norms.view(-1, 1, 1, 1))
                # avoid nan or inf if gradient is 0
                if (grad_norms == 0).any():
                    delta.grad[grad_norms == 0] = torch.randn_like(delta.grad[grad_norms == 0])
                optimizer_delta.step()

                # projection (delta.data.add_(...): see the top)
                with torch.no_grad():
                    delta.add_(x_natural)
                    delta.clamp_(0, 1).sub_(x_natural)
                    delta.renorm_(p=2, dim=0, maxnorm=epsilon)
                records.append([loss.item(), numpy_of(delta)])
            x_adv = (x_natural + delta).detach()  # Variable(..., requires_grad=False)
        else:
            x_adv = torch.clamp(x_adv, 0.0, 1.0)
        model.train()

        x_adv = torch.clamp(x_adv, 0.0, 1.0).detach()
        # zero gradient
        optimizer.zero_grad()
        # calculate robust loss
        logits = model(x_natural)
        loss_natural = F.cross_entropy(logits, y)
        loss_robust = (1.0 / batch_size) * criterion_kl(F.log_softmax(model(x_adv), dim=1),
                                                        F.softmax(model(x_natural), dim=1))
        loss = loss_natural + beta * loss_robust
        return loss

    def train(model, train_loader, optimizer, epoch):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            optimizer.zero_grad()
            # calculate robust loss
            loss = trades_loss(model=model, x_natural=data, y=target, optimizer=optimizer,
                               distance=distance)
            loss.backward()
            optimizer.step()
            records.append(loss.item())

    model = copy.deepcopy(model)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    record_steps(optimizer, steps)
    loader = data.DataLoader(data.TensorDataset(torch.tensor(images), torch.tensor(labels)),
                             batch_size=8)
    train(model, loader, optimizer, 1)
    return records, steps


@pytest.mark.parametrize("distance", ["l_inf", "l_2"])
def test_trades_runs_step_for_step_as_pytorch(torch, distance):
    ours, theirs, images, labels = trained_pair(torch)
    images, labels = images[:24], labels[:24]
    draws = []
    T = libraries()
    got, got_steps = trades(Draws(T[0], draws=draws), *T[1:], nn.optim, nn.data, ours,
                            images, labels, distance)
    T = libraries(torch)
    want, want_steps = trades(Draws(T[0], replay=draws), *T[1:], torch.optim,
                              torch.utils.data, theirs, images, labels, distance)
    assert draws == []
    assert len(got) == len(want) == 3 * 4 + 3
    for a, b in zip(got, want):
        for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
    assert_steps(got_steps, want_steps)

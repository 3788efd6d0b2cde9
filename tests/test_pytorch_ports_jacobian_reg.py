"""Input gradients of a classifier inside and after training, as their readers write them:
facebookresearch/jacobian_regularizer (``JacobianReg``: (1/2) tr |dy/dx|^2 from random
projections, ``torch.autograd.grad(flat_y, x, flat_v, retain_graph=True,
create_graph=True)``, and its ``examples/mnist.py`` training an MLP with
``loss_super + lambda_JR * loss_JR``), then CS231n's saliency maps
(``scores.gather(1, y.view(-1, 1)).squeeze()``, ``scores.backward(torch.ones(...))``,
``torch.max(X.grad.abs(), dim=1)``). Written once for a library ``T`` (``autograd`` here,
``torch`` there), it runs step for step next to PyTorch's from the same weights (float64):
losses, regularisers, gradients, parameters and saliency maps agree to 1e-10.
The same regulariser through ``torch.autograd.functional.jacobian`` / ``vjp`` with
``create_graph=True``: ``test_pytorch_ports_jacobian_functional.py``.

Data: scikit-learn's 8x8 digits (96 to train, 32 to test) for MNIST; the MLP is 64-32-32-10;
one epoch of 3 batches of 32. Lines written differently here, and why:
- ``torch.randn`` of the random projections: ours draws, PyTorch's replays our draws
  (the two generators differ), through the test's stand-in for the ``torch`` module;
- ``torch.max(output, 1)`` names ``dim=1``: a positional axis is ambiguous here (NumPy's
  max gives the values, PyTorch's the pair), a named error that says so;
- the loaders are built with ``shuffle=False`` (the same reason);
- our initial weights (``xavier_uniform_``) are loaded into PyTorch's, the test's glue.

Fixed for it: ``torch.addcdiv(arxilirary_zero, 1.0, v, vnorm)``, PyTorch's deprecated
value-first overload, was a TypeError (it warns now, as PyTorch does).

Time of the whole program (3 training steps, two exact evaluations of 10 projections
each, the saliency maps), this loaded 2-core machine, 2026-12-01, noted, not asserted:
about 55 ms here, 35 ms in PyTorch.
"""

from __future__ import division

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from test_pytorch_ports_pinn import assert_same

# torch.addcdiv(zero, 1.0, v, vnorm): PyTorch's deprecated overload, which warns in both
pytestmark = [pytest.mark.filterwarnings("ignore:x.addcdiv.value:FutureWarning"),
              pytest.mark.filterwarnings("ignore:This overload of addcdiv:UserWarning")]


class Glue:
    """The ``torch`` module as a program sees it, with ``randn`` recorded (ours) or
    replayed (PyTorch's): the two libraries' generators differ."""

    def __init__(self, library, draws: list, replay: bool) -> None:
        self.library, self.draws, self.replay = library, draws, replay

    def randn(self, *size):
        if self.replay:
            return self.library.tensor(self.draws.pop(0))
        v = self.library.randn(*size)
        self.draws.append(v.numpy().copy())
        return v

    def __getattr__(self, name: str):
        return getattr(self.library, name)


def jacobian_program(T, lib, F, optim, data, images, labels, start=None) -> list:
    torch, autograd = T, (T.autograd if T.library is not ag else ag)

    class JacobianReg(lib.Module):
        '''
        Loss criterion that computes the trace of the square of the Jacobian.
        '''
        def __init__(self, n=1):
            assert n == -1 or n > 0
            self.n = n
            super(JacobianReg, self).__init__()

        def forward(self, x, y):
            '''
            computes (1/2) tr |dy/dx|^2
            '''
            B, C = y.shape
            if self.n == -1:
                num_proj = C
            else:
                num_proj = self.n
            J2 = 0
            for ii in range(num_proj):
                if self.n == -1:
                    # orthonormal vector, sequentially spanned
                    v = torch.zeros(B, C)
                    v[:, ii] = 1
                else:
                    # random properly-normalized vector for each sample
                    v = self._random_vector(C=C, B=B)
                if x.is_cuda:
                    v = v.to(x.device)
                Jv = self._jacobian_vector_product(y, x, v, create_graph=True)
                J2 += C*torch.norm(Jv)**2 / (num_proj*B)
            R = (1/2)*J2
            return R

        def _random_vector(self, C, B):
            '''
            creates a random vector of dimension C with a norm of C^(1/2)
            '''
            if C == 1:
                return torch.ones(B)
            v = torch.randn(B, C)
            arxilirary_zero = torch.zeros(B, C)
            vnorm = torch.norm(v, 2, 1, True)
            v = torch.addcdiv(arxilirary_zero, 1.0, v, vnorm)
            return v

        def _jacobian_vector_product(self, y, x, v, create_graph=False):
            '''
            Produce jacobian-vector product dy/dx dot v.
            '''
            flat_y = y.reshape(-1)
            flat_v = v.reshape(-1)
            grad_x, = autograd.grad(flat_y, x, flat_v,
                                    retain_graph=True,
                                    create_graph=create_graph)
            return grad_x

    class MLP(lib.Module):
        '''
        Simple MLP to demonstrate Jacobian regularization.
        '''
        def __init__(self, in_channel=1, im_size=8, num_classes=10,
                     fc_channel1=32, fc_channel2=32):
            super(MLP, self).__init__()
            compression = in_channel*im_size*im_size
            self.compression = compression
            self.fc1 = lib.Linear(compression, fc_channel1)
            self.fc2 = lib.Linear(fc_channel1, fc_channel2)
            self.fc3 = lib.Linear(fc_channel2, num_classes)
            lib.init.xavier_uniform_(self.fc1.weight)
            lib.init.xavier_uniform_(self.fc2.weight)
            lib.init.xavier_uniform_(self.fc3.weight)

        def forward(self, x):
            x = x.view(-1, self.compression)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    def eval(model, loader, criterion, lambda_JR):
        correct = 0
        total = 0
        reg_full = JacobianReg(n=-1)
        for data_, targets in loader:
            data_.requires_grad = True  # this is essential!
            output = model(data_)
            _, predicted = torch.max(output, dim=1)  # mnist.py: torch.max(output, 1)
            correct += (predicted == targets).sum().item()
            total += targets.size(0)
            loss_super = criterion(output, targets)  # supervised loss
            loss_JR = reg_full(data_, output)  # Jacobian regularization
            loss = loss_super + lambda_JR*loss_JR  # full loss
        return correct, total, loss_super.item(), loss_JR.item(), loss.item()

    def compute_saliency_maps(X, y, model):
        """CS231n's saliency: the largest |d score_y / d pixel| over the channels."""
        model.eval()
        X.requires_grad_()
        saliency = None
        scores = model(X)
        scores = (scores.gather(1, y.view(-1, 1)).squeeze())
        scores.backward(torch.ones(scores.shape))
        saliency, _ = torch.max(X.grad.abs(), dim=1)
        return saliency

    batch_size, lambda_JR, n_proj = 32, .1, 1
    train = data.TensorDataset(torch.tensor(images[:96]), torch.tensor(labels[:96]))
    test = data.TensorDataset(torch.tensor(images[96:]), torch.tensor(labels[96:]))
    trainloader = data.DataLoader(train, batch_size=batch_size, shuffle=False)
    testloader = data.DataLoader(test, batch_size=batch_size, shuffle=False)
    model = MLP()
    if start is not None:  # the test's glue: our initial weights
        model.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
    record = [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]
    criterion = lib.CrossEntropyLoss()
    reg = JacobianReg(n=n_proj)
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    record.append(list(eval(model, testloader, criterion, lambda_JR)))
    for idx, (data_, target) in enumerate(trainloader):
        data_.requires_grad = True  # this is essential!
        optimizer.zero_grad()
        output = model(data_)  # forward pass
        loss_super = criterion(output, target)  # supervised loss
        loss_JR = reg(data_, output)  # Jacobian regularization
        loss = loss_super + lambda_JR*loss_JR  # full loss
        loss.backward()  # computes gradients
        optimizer.step()
        record += [loss_super.item(), loss_JR.item(), data_.grad.numpy().copy(),
                   [p.grad.numpy().copy() for p in model.parameters()]]
    record.append(list(eval(model, testloader, criterion, lambda_JR)))
    X, y = torch.tensor(images[96:]), torch.tensor(labels[96:])
    record.append(compute_saliency_maps(X, y, model).numpy().copy())
    return record + [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]


def digits(n: int = 128) -> tuple:
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return (images[:n] / 16.0).reshape(n, 1, 8, 8), labels[:n].astype(np.int64)


def test_jacobian_regularizer_and_saliency_train_as_torch(torch):
    images, labels = digits()
    draws: list = []
    ag.manual_seed(0)
    got = jacobian_program(Glue(ag, draws, replay=False), nn, nn.functional, nn.optim,
                           nn.data, images, labels)
    assert len(draws) == 3  # one projection per training step
    want = jacobian_program(Glue(torch, draws, replay=True), torch.nn, torch.nn.functional,
                            torch.optim, torch.utils.data, images, labels, start=got[0])
    assert_same(got[1:], want[1:])
    assert got[1][1] == 32 and got[-2].shape == (32, 8, 8)

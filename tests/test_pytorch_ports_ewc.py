"""Elastic weight consolidation ("Overcoming catastrophic forgetting in neural networks",
Kirkpatrick et al. 2017) as its readers write it from ``moskomule/ewc.pytorch``: an
``EWC`` object keeps the first task's parameters and the diagonal of the Fisher
information (squared gradients of the log-likelihood of the predicted class, one sample at
a time), and ``ewc_train`` adds ``importance * sum F (p - p*)^2`` while the second task is
learned. Tasks: scikit-learn's digits, then the same digits with their pixels permuted
(permuted MNIST, small). A second program takes the per-sample gradients for the Fisher
with ``torch.func`` (``functional_call``, ``vmap``, ``grad``), as newer EWC code does.
Each program is written once for a library ``torch`` (``autograd`` here, PyTorch there)
and runs step for step next to PyTorch's from the same weights (float64): losses, Fisher
diagonals, penalties and accuracies agree to 1e-10.

Lines written differently here, and why (the repository predates PyTorch 0.4):
- ``variable(t)`` (``Variable``, gone from PyTorch) is dropped; ``loss.data[0]`` is
  ``loss.item()``;
- ``p.data.zero_()`` on the deep copies is ``p.zero_()`` under ``no_grad()``: ``.data``
  is NumPy's array here (by design), and NumPy has no ``zero_``; the means keep
  ``p.detach()`` of the copies where the repository wrapped ``p.data``;
- ``output.max(1)[1]`` is ``output.max(dim=1)[1]``: a positional axis means NumPy's
  values-only max here (``UsageError`` names both spellings);
- the loaders do not shuffle (the two libraries' generators differ).
"""

from copy import deepcopy

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def permuted_digits(n: int = 200) -> tuple:
    """Task A: n digits (inputs in [0, 1]); task B: the same with a fixed pixel shuffle."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    images, labels = images[:n] / 16.0, labels[:n]
    permutation = np.random.default_rng(0).permutation(64)
    return (images, labels), (images[:, permutation], labels)


def ewc_program(torch, state: dict | None) -> tuple[list, dict]:
    """Train on task A, then on task B with the EWC penalty; returns (record, state)."""
    T, nn, F, optim, data = libraries(torch)
    record = []

    class EWC(object):
        def __init__(self, model: nn.Module, dataset: list):
            self.model = model
            self.dataset = dataset
            self.params = {n: p for n, p in self.model.named_parameters() if p.requires_grad}
            self._means = {}
            self._precision_matrices = self._diag_fisher()
            for n, p in deepcopy(self.params).items():
                self._means[n] = p.detach()  # repository: variable(p.data)

        def _diag_fisher(self):
            precision_matrices = {}
            for n, p in deepcopy(self.params).items():
                with T.no_grad():
                    p.zero_()  # repository: p.data.zero_() (see the top)
                precision_matrices[n] = p.detach()
            self.model.eval()
            for input in self.dataset:
                self.model.zero_grad()
                output = self.model(input).view(1, -1)
                label = output.max(dim=1)[1].view(-1)  # repository: output.max(1)[1]
                loss = F.nll_loss(F.log_softmax(output, dim=1), label)
                loss.backward()
                for n, p in self.model.named_parameters():
                    precision_matrices[n].data += p.grad.data ** 2 / len(self.dataset)
            precision_matrices = {n: p for n, p in precision_matrices.items()}
            return precision_matrices

        def penalty(self, model: nn.Module):
            loss = 0
            for n, p in model.named_parameters():
                _loss = self._precision_matrices[n] * (p - self._means[n]) ** 2
                loss += _loss.sum()
            return loss

    def normal_train(model, optimizer, data_loader):
        model.train()
        epoch_loss = 0
        for input, target in data_loader:
            optimizer.zero_grad()
            output = model(input)
            loss = F.cross_entropy(output, target)
            epoch_loss += loss.item()  # repository: loss.data[0]
            loss.backward()
            optimizer.step()
        return epoch_loss / len(data_loader)

    def ewc_train(model, optimizer, data_loader, ewc: EWC, importance: float):
        model.train()
        epoch_loss = 0
        for input, target in data_loader:
            optimizer.zero_grad()
            output = model(input)
            loss = F.cross_entropy(output, target) + importance * ewc.penalty(model)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()
        return epoch_loss / len(data_loader)

    def test(model, data_loader):
        model.eval()
        correct = 0
        for input, target in data_loader:
            output = model(input)
            correct += (F.softmax(output, dim=1).max(dim=1)[1] == target).data.sum()
        return correct / len(data_loader.dataset)

    (xa, ya), (xb, yb) = permuted_digits()
    loaders = [data.DataLoader(data.TensorDataset(T.tensor(x), T.tensor(y)), batch_size=40)
               for x, y in ((xa, ya), (xb, yb))]
    T.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    optimizer = optim.SGD(params=model.parameters(), lr=0.3)
    for _ in range(15):
        record.append(normal_train(model, optimizer, loaders[0]))
    old_tasks = [T.tensor(x) for x in xa[:30]]  # one sample at a time, as the repository
    ewc = EWC(model, old_tasks)
    record += [ewc._precision_matrices[n] for n in ewc.params]
    record.append(ewc.penalty(model))  # 0 at the means
    for _ in range(5):
        record.append(ewc_train(model, optimizer, loaders[1], ewc, importance=10))
        record += [ewc.penalty(model), test(model, loaders[0]), test(model, loaders[1])]
    return record, state


def fisher_by_vmap_program(torch, state: dict) -> list:
    """The empirical Fisher's diagonal from per-sample gradients (torch.func), and one
    penalised step."""
    T, nn, F, optim, _ = libraries(torch)
    func = T.func
    (xa, ya), (xb, yb) = permuted_digits(60)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss_fn(params, x, y):
        logits = func.functional_call(model, params, (x.unsqueeze(0),))
        return F.cross_entropy(logits, y.unsqueeze(0))

    per_sample = func.vmap(func.grad(loss_fn), in_dims=(None, 0, 0))(
        params, T.tensor(xa), T.tensor(ya))
    fisher = {k: g.pow(2).mean(0) for k, g in per_sample.items()}
    record = [fisher[k] for k in params]
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(3):
        optimizer.zero_grad()
        penalty = sum((fisher[n] * (p - params[n]).pow(2)).sum()
                      for n, p in model.named_parameters())
        loss = F.cross_entropy(model(T.tensor(xb)), T.tensor(yb)) + 50.0 * penalty
        loss.backward()
        optimizer.step()
        record += [loss, penalty] + [p.grad for p in model.parameters()]
    return record


def assert_records(got: list, want: list) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = (v.detach().numpy() if hasattr(v, "detach") else v for v in (a, b))
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-10,
                                   atol=1e-12, err_msg=f"record {i}")


def test_ewc_diagonal_fisher_and_penalised_training(torch):
    want, state = ewc_program(torch, None)
    got, _ = ewc_program(None, state)
    assert_records(got, want)
    assert float(want[-1]) > 0.9 and float(want[-2]) > 0.5  # B learned, A partly kept


def test_ewc_fisher_from_per_sample_gradients(torch):
    _, state = ewc_program(torch, None)
    assert_records(fisher_by_vmap_program(None, state), fisher_by_vmap_program(torch, state))

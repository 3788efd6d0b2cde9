""""Dive into Deep Learning" (d2l.ai, PyTorch edition), section "Learning Rate Scheduling",
ported as its readers write it and run step for step next to PyTorch (float64): every
epoch's losses, accuracies, learning rates and the final weights agree to 1e-10.

The section's program: ``net_fn`` (a LeNet with ReLU and max-pooling), ``train`` with its
``scheduler.__module__ == lr_scheduler.__name__`` test choosing between PyTorch's built-in
schedulers (``scheduler.step()``) and d2l's own (``param_group['lr'] = scheduler(epoch)``),
``trainer.param_groups[0]["lr"] = lr``, ``SquareRootScheduler``, ``FactorScheduler``,
``lr_scheduler.MultiStepLR`` with ``get_lr`` (``scheduler.get_last_lr()[0]``, then
``trainer.step()`` with no gradients, then ``scheduler.step()``) and the same scheduler
handed on to ``train``, ``CosineScheduler`` with and without warmup. (Our schedulers'
``__module__`` was ``nn.optim.schedulers``, so ``train`` called ``MultiStepLR`` as a
function: fixed, it is ``nn.optim.lr_scheduler`` as PyTorch's is ``torch.optim.lr_scheduler``.)

Lines written differently here, and why:
- Fashion-MNIST (a download) is scikit-learn's 8x8 digits (64 to train, 32 to test,
  batches of 32), read in order (``shuffle=False``: the libraries' shuffles differ), so
  the LeNet is sized for 8x8: the second convolution's kernel is 3 and the first
  ``Linear`` takes ``16 * 1 * 1``;
- each ``net_fn()`` draws its weights in both, then ours loads PyTorch's (the test's glue,
  marked: the generators differ);
- ``torch.optim.SGD`` is ``optim.SGD`` (``torch.optim`` is ``nn.optim`` here: ``autograd``
  never imports ``nn``, and ``autograd.optim``'s error says so);
- ``num_epochs`` is 30 as in d2l; the ``Animator`` is replaced by a record of its points.
"""

import contextlib
import io
import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from test_pytorch_ports_d2l import digits

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


class Accumulator:
    """For accumulating sums over `n` variables."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def section(torch, nn, optim, lr_scheduler, data, starts: list, theirs: bool) -> list:
    """The section's program for the library ``torch`` (its ``nn``, ``optim``,
    ``lr_scheduler`` and ``torch.utils.data``); ``starts`` carries PyTorch's initial
    weights to ours."""
    record = []

    def try_gpu(i=0):
        if torch.cuda.device_count() >= i + 1:
            return torch.device(f'cuda:{i}')
        return torch.device('cpu')

    def accuracy(y_hat, y):
        if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(axis=1)
        cmp = y_hat.type(y.dtype) == y
        return float(cmp.type(y.dtype).sum())

    def evaluate_accuracy_gpu(net, data_iter, device=None):
        if isinstance(net, nn.Module):
            net.eval()  # Set the model to evaluation mode
            if not device:
                device = next(iter(net.parameters())).device
        metric = Accumulator(2)
        with torch.no_grad():
            for X, y in data_iter:
                X = X.to(device)
                y = y.to(device)
                metric.add(accuracy(net(X), y), y.numel())
        return metric[0] / metric[1]

    def net_fn():
        model = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=3), nn.ReLU(),  # d2l: kernel_size=5 (28x28)
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.Linear(16 * 1 * 1, 120), nn.ReLU(),  # d2l: 16 * 5 * 5
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))
        if theirs:  # the test's glue: the same start in both
            starts.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
        else:
            model.load_state_dict(starts.pop(0))
        return model

    loss = nn.CrossEntropyLoss()
    device = try_gpu()

    images, labels = digits(96)
    X, y = torch.tensor(images), torch.tensor(labels)
    train_iter = data.DataLoader(data.TensorDataset(X[:64], y[:64]), 32)  # see the top
    test_iter = data.DataLoader(data.TensorDataset(X[64:], y[64:]), 32)

    def train(net, train_iter, test_iter, num_epochs, loss, trainer, device,
              scheduler=None):
        net.to(device)
        for epoch in range(num_epochs):
            metric = Accumulator(3)  # train_loss, train_acc, num_examples
            for i, (X, y) in enumerate(train_iter):
                net.train()
                trainer.zero_grad()
                X, y = X.to(device), y.to(device)
                y_hat = net(X)
                l = loss(y_hat, y)  # noqa: E741 (d2l's name)
                l.backward()
                trainer.step()
                with torch.no_grad():
                    metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
                train_loss = metric[0] / metric[2]
                train_acc = metric[1] / metric[2]
            test_acc = evaluate_accuracy_gpu(net, test_iter)
            record.append((train_loss, train_acc, test_acc, trainer.param_groups[0]["lr"]))

            if scheduler:
                if scheduler.__module__ == lr_scheduler.__name__:
                    # Using PyTorch In-Built scheduler
                    scheduler.step()
                else:
                    # Using custom defined scheduler
                    for param_group in trainer.param_groups:
                        param_group['lr'] = scheduler(epoch)

        print(f'train loss {train_loss:.3f}, train acc {train_acc:.3f}, '
              f'test acc {test_acc:.3f}')
        record.extend(p.detach().numpy().copy() for p in net.parameters())

    lr, num_epochs = 0.3, 30
    net = net_fn()
    trainer = optim.SGD(net.parameters(), lr=lr)  # d2l: torch.optim (see the top)
    train(net, train_iter, test_iter, num_epochs, loss, trainer, device)

    lr = 0.1
    trainer.param_groups[0]["lr"] = lr
    print(f'learning rate is now {trainer.param_groups[0]["lr"]:.2f}')

    class SquareRootScheduler:
        def __init__(self, lr=0.1):
            self.lr = lr

        def __call__(self, num_update):
            return self.lr * pow(num_update + 1.0, -0.5)

    scheduler = SquareRootScheduler(lr=0.1)
    record.append([scheduler(t) for t in range(num_epochs)])  # d2l.plot(...)
    net = net_fn()
    trainer = optim.SGD(net.parameters(), lr)
    train(net, train_iter, test_iter, num_epochs, loss, trainer, device,
          scheduler)

    class FactorScheduler:
        def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
            self.factor = factor
            self.stop_factor_lr = stop_factor_lr
            self.base_lr = base_lr

        def __call__(self, num_update):
            self.base_lr = max(self.stop_factor_lr, self.base_lr * self.factor)
            return self.base_lr

    scheduler = FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
    record.append([scheduler(t) for t in range(50)])

    net = net_fn()
    trainer = optim.SGD(net.parameters(), lr=0.5)
    scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[15, 30], gamma=0.5)

    def get_lr(trainer, scheduler):
        lr = scheduler.get_last_lr()[0]
        trainer.step()
        scheduler.step()
        return lr

    record.append([get_lr(trainer, scheduler) for t in range(num_epochs)])
    train(net, train_iter, test_iter, num_epochs, loss, trainer, device,
          scheduler)

    class CosineScheduler:
        def __init__(self, max_update, base_lr=0.01, final_lr=0,
                     warmup_steps=0, warmup_begin_lr=0):
            self.base_lr_orig = base_lr
            self.max_update = max_update
            self.final_lr = final_lr
            self.warmup_steps = warmup_steps
            self.warmup_begin_lr = warmup_begin_lr
            self.max_steps = self.max_update - self.warmup_steps

        def get_warmup_lr(self, epoch):
            increase = (self.base_lr_orig - self.warmup_begin_lr) \
                * float(epoch) / float(self.warmup_steps)
            return self.warmup_begin_lr + increase

        def __call__(self, epoch):
            if epoch < self.warmup_steps:
                return self.get_warmup_lr(epoch)
            if epoch <= self.max_update:
                self.base_lr = self.final_lr + (
                    self.base_lr_orig - self.final_lr) * (1 + math.cos(
                        math.pi * (epoch - self.warmup_steps) / self.max_steps)) / 2
            return self.base_lr

    for scheduler in (CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01),
                      CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)):
        record.append([scheduler(t) for t in range(num_epochs)])
        net = net_fn()
        trainer = optim.SGD(net.parameters(), lr=0.3)
        train(net, train_iter, test_iter, num_epochs, loss, trainer, device,
              scheduler)
    return record


def test_learning_rate_scheduling(torch):
    starts, outs = [], []
    runs = []
    for args in [(torch, torch.nn, torch.optim, torch.optim.lr_scheduler, torch.utils.data,
                  starts, True),
                 (ag, nn, nn.optim, nn.optim.lr_scheduler, nn.data, starts, False)]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            runs.append(section(*args))
        outs.append(out.getvalue())
    want, got = runs
    assert outs[1] == outs[0]
    assert len(got) == len(want) > 0
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=1e-10, atol=1e-12, err_msg=f"record {i}")

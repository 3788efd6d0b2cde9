"""pytorch/examples' ``mnist/main.py``, ported as written: ``Net`` (two ``Conv2d``, two
``Dropout``, ``F.max_pool2d``, ``torch.flatten(x, 1)``, ``F.log_softmax(x, dim=1)``),
``train`` with its log line, ``test`` with ``F.nll_loss(..., reduction='sum').item()``,
``output.argmax(dim=1, keepdim=True)`` and ``pred.eq(target.view_as(pred)).sum().item()``,
``main`` with its argparse options, ``use_accel = not args.no_accel and
torch.accelerator.is_available()``, the loaders' ``**train_kwargs``, ``Adadelta`` with
``StepLR(step_size=1, gamma=args.gamma)`` and ``--save-model``. It runs step for step next
to PyTorch (float64) on scikit-learn's 8x8 digits, dropout on: the printed lines, every
step's gradients and parameters, and the saved weights agree. (``torch.accelerator`` was
missing: fixed.)

Lines written differently here:
- ``device = torch.device("cpu")`` is ``device = "cpu"`` (``autograd.device``'s
  ``MissingNameError`` says so; ``.to()`` takes the str in both);
- ``torch.save(model.state_dict(), "mnist_cnn.pt")`` is
  ``nn.save("mnist_cnn.pt", model=model.state_dict())`` (NumPy's format, never pickle);
- ``datasets.MNIST('../data', train=True, download=True, transform=transform)`` is
  ``Digits`` (scikit-learn's digits, 8x8, normalised with MNIST's mean and std); the
  network is sized for 8x8 (``Conv2d(1, 8, 3, 1)``, ``Conv2d(8, 16, 3, 1)``,
  ``Linear(64, 32)``);
- the test's glue (marked): PyTorch's initial weights loaded into both, PyTorch's side
  reading the samples in the order ours drew and keeping what our dropout kept, hooks
  recording each optimizer step (PyTorch's loaders read in this process: its workers
  would replay in theirs). ``accel_kwargs`` (``num_workers``,
  ``persistent_workers``, ``pin_memory``, ``shuffle``) are applied on the CPU too, as on a
  machine with a GPU, so the loaders shuffle (``persistent_workers`` was a TypeError:
  fixed).
"""

import argparse
import contextlib
import io

import numpy as np

import autograd as ag
import nn
from pytorch_examples_helpers import (Digits, assert_steps, digits, libraries, record_dropout,
                                      record_steps, replay_dropout)


def mnist(torch, nn, optim, data):
    """The script's definitions for the library ``torch`` (autograd or PyTorch)."""
    F = nn.functional
    StepLR = optim.lr_scheduler.StepLR

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, 1)
            self.conv2 = nn.Conv2d(8, 16, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(64, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            return output

    def train(args, model, device, train_loader, optimizer, epoch):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                    epoch, batch_idx * len(data), len(train_loader.dataset),
                    100. * batch_idx / len(train_loader), loss.item()))
                if args.dry_run:
                    break

    def test(model, device, test_loader):
        model.eval()
        test_loss = 0
        correct = 0
        with torch.no_grad():
            for data, target in test_loader:
                data, target = data.to(device), target.to(device)
                output = model(data)
                test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
                pred = output.argmax(dim=1, keepdim=True)  # the index of the max log-probability
                correct += pred.eq(target.view_as(pred)).sum().item()

        test_loss /= len(test_loader.dataset)

        print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
            test_loss, correct, len(test_loader.dataset),
            100. * correct / len(test_loader.dataset)))

    def main(argv, glue):
        # Training settings
        parser = argparse.ArgumentParser(description='PyTorch MNIST Example')
        parser.add_argument('--batch-size', type=int, default=64, metavar='N',
                            help='input batch size for training (default: 64)')
        parser.add_argument('--test-batch-size', type=int, default=1000, metavar='N',
                            help='input batch size for testing (default: 1000)')
        parser.add_argument('--epochs', type=int, default=14, metavar='N',
                            help='number of epochs to train (default: 14)')
        parser.add_argument('--lr', type=float, default=1.0, metavar='LR',
                            help='learning rate (default: 1.0)')
        parser.add_argument('--gamma', type=float, default=0.7, metavar='M',
                            help='Learning rate step gamma (default: 0.7)')
        parser.add_argument('--no-accel', action='store_true',
                            help='disables accelerator')
        parser.add_argument('--dry-run', action='store_true',
                            help='quickly check a single pass')
        parser.add_argument('--seed', type=int, default=1, metavar='S',
                            help='random seed (default: 1)')
        parser.add_argument('--log-interval', type=int, default=10, metavar='N',
                            help='how many batches to wait before logging training status')
        parser.add_argument('--save-model', action='store_true',
                            help='For Saving the current Model')
        args = parser.parse_args(argv)

        use_accel = not args.no_accel and torch.accelerator.is_available()

        torch.manual_seed(args.seed)

        if use_accel:
            device = torch.accelerator.current_accelerator()
        else:
            device = "cpu"  # torch.device("cpu")

        train_kwargs = {'batch_size': args.batch_size}
        test_kwargs = {'batch_size': args.test_batch_size}
        if use_accel or glue["accel_kwargs"]:
            accel_kwargs = {'num_workers': 1,
                            'persistent_workers': True,
                            'pin_memory': True,
                            'shuffle': True}
            train_kwargs.update(accel_kwargs)
            test_kwargs.update(accel_kwargs)
            glue["workers"](train_kwargs, test_kwargs)  # the test's glue

        dataset1 = glue["dataset1"]  # datasets.MNIST('../data', train=True, ...)
        dataset2 = glue["dataset2"]  # datasets.MNIST('../data', train=False, ...)
        train_loader = data.DataLoader(dataset1, **train_kwargs)
        test_loader = data.DataLoader(dataset2, **test_kwargs)

        model = Net().to(device)
        model.load_state_dict(glue["start"])  # the test's glue: the same start
        glue["model"](model)
        optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
        glue["optimizer"](optimizer)

        scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
        for epoch in range(1, args.epochs + 1):
            train(args, model, device, train_loader, optimizer, epoch)
            test(model, device, test_loader)
            scheduler.step()

        if args.save_model:
            if torch is ag:  # torch.save(model.state_dict(), "mnist_cnn.pt")
                nn.save("mnist_cnn.pt", model=model.state_dict())
            else:
                torch.save(model.state_dict(), "mnist_cnn.pt")
        return model

    return Net, main


def _in_this_process(*kwargs: dict) -> None:
    """PyTorch's workers are processes: its replay of our order must run in this one."""
    for options in kwargs:
        options.update(num_workers=0, persistent_workers=False, pin_memory=False)


def _run(torch, argv, start, images, labels, orders, masks, steps):
    """Run main(argv) for ``torch`` (None: this library); what it printed."""
    T, lib, optim, data = libraries(torch)
    n = len(images) * 4 // 5
    if torch is None:
        datasets = [Digits(T, images[:n], labels[:n], order=orders[0]),
                    Digits(T, images[n:], labels[n:], order=orders[1])]
        model_glue = lambda model: record_dropout(model, masks)  # noqa: E731
        start = {k: T.tensor(v.numpy()) for k, v in start.items()}
        workers = lambda *kwargs: None  # noqa: E731
    else:
        datasets = [Digits(T, images[:n], labels[:n], replay=orders[0]),
                    Digits(T, images[n:], labels[n:], replay=orders[1])]
        model_glue = lambda model: replay_dropout(torch, model, masks)  # noqa: E731
        workers = _in_this_process
    glue = {"dataset1": datasets[0], "dataset2": datasets[1], "start": start,
            "accel_kwargs": True, "model": model_glue, "workers": workers,
            "optimizer": lambda opt: record_steps(opt, steps)}
    _, main = mnist(T, lib, optim, data)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model = main(argv, glue)
    return printed.getvalue(), model


def test_mnist_example_runs_step_for_step_as_torch(torch, tmp_path, monkeypatch):
    images, labels = digits(200, lambda a: (a - 0.1307) / 0.3081)
    torch.manual_seed(0)
    start = mnist(*libraries(torch))[0]().state_dict()
    argv = ['--batch-size', '32', '--test-batch-size', '25', '--epochs', '2',
            '--log-interval', '2', '--save-model']
    orders, masks, got_steps, want_steps = ([], []), [], [], []
    (tmp_path / "ours").mkdir(), (tmp_path / "theirs").mkdir()
    monkeypatch.chdir(tmp_path / "ours")
    got, ours = _run(None, argv, start, images, labels, orders, masks, got_steps)
    assert sorted(orders[0][:160]) == list(range(160)) and orders[0][:160] != orders[0][160:]
    monkeypatch.chdir(tmp_path / "theirs")
    want, theirs = _run(torch, argv, start, images, labels, orders, masks, want_steps)
    assert orders == ([], []) and masks == []  # PyTorch's run used every one
    assert got == want
    assert got.startswith('Train Epoch: 1 [0/160 (0%)]\tLoss: ')
    assert '\nTest set: Average loss: ' in got and got.count('Train Epoch: 2 [') == 3
    assert len(got_steps) == 2 * 2 * 5  # grads and parameters, 5 steps an epoch
    assert_steps(got_steps, want_steps)
    saved = nn.load(tmp_path / "ours" / "mnist_cnn.pt")["model"]
    their_saved = torch.load(tmp_path / "theirs" / "mnist_cnn.pt")
    for name, value in their_saved.items():
        np.testing.assert_allclose(saved[name], value.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(ours.state_dict()[name], saved[name])

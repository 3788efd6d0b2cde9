"""pytorch/examples' ``mnist/main.py`` as it stood from PyTorch 0.4 (2018), the version most
tutorials and course notes copied, ported as written: ``Net`` with ``kernel_size=5``
convolutions, ``nn.Dropout2d()`` between ``conv2`` and the pooling,
``F.relu(F.max_pool2d(..., 2))``, ``x.view(-1, 320)``, ``F.dropout(x,
training=self.training)``; ``test`` with ``F.nll_loss(output, target, size_average=False)``
and ``pred = output.max(1, keepdim=True)[1]`` (PyTorch's spelling: the pair, then the
indices); ``optim.SGD(..., momentum=args.momentum)``; ``device = torch.device("cuda" if
use_cuda else "cpu")``. It runs step for step next to PyTorch (float64) on scikit-learn's
8x8 digits, dropout on: the printed lines and every step's gradients and parameters agree.

Lines written differently here:
- ``torch.device("cuda" if use_cuda else "cpu")`` is ``"cuda" if use_cuda else "cpu"``;
- ``datasets.MNIST(...)`` is ``Digits``; 5 / 320 / 50 are 3 then 2 / 20 / 16;
- the test's glue: PyTorch's initial weights in both, PyTorch's side reading the samples
  in our order and keeping what our ``Dropout2d`` and ``F.dropout`` kept, hooks recording
  each step.
"""

import argparse
import contextlib
import io

import pytest

from pytorch_examples_helpers import (Digits, assert_steps, digits, libraries, record_dropout,
                                      record_steps, replay_dropout)

# size_average is deprecated in PyTorch (and here): the 2018 script still passes it
pytestmark = pytest.mark.filterwarnings("ignore:.*size_average")


class Functional:
    """``F`` as the program reads it, with ``F.dropout``'s masks recorded (ours) or
    replayed (PyTorch's)."""

    def __init__(self, F, masks: list, replay: bool) -> None:
        self._F, self._masks, self._replay = F, masks, replay

    def __getattr__(self, name: str):
        return getattr(self._F, name)

    def dropout(self, input, p=0.5, training=True, inplace=False):
        if not training:
            return self._F.dropout(input, p, training, inplace)
        if self._replay:
            mask = input.new_tensor(self._masks.pop(0))
            return input * (mask / (1 - p))
        output = self._F.dropout(input, p, training, inplace)
        self._masks.append(output.detach().numpy() != 0)
        return output


def mnist_2018(torch, nn, F, optim, data):
    """The script's definitions for the library ``torch``."""

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=3)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=2)
            self.conv2_drop = nn.Dropout2d()
            self.fc1 = nn.Linear(20, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x):
            x = F.relu(F.max_pool2d(self.conv1(x), 2))
            x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
            x = x.view(-1, 20)
            x = F.relu(self.fc1(x))
            x = F.dropout(x, training=self.training)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

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

    def test(args, model, device, test_loader):
        model.eval()
        test_loss = 0
        correct = 0
        with torch.no_grad():
            for data, target in test_loader:
                data, target = data.to(device), target.to(device)
                output = model(data)
                test_loss += F.nll_loss(output, target, size_average=False).item()  # sum up
                pred = output.max(1, keepdim=True)[1]  # get the index of the max log-probability
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
        parser.add_argument('--epochs', type=int, default=10, metavar='N',
                            help='number of epochs to train (default: 10)')
        parser.add_argument('--lr', type=float, default=0.01, metavar='LR',
                            help='learning rate (default: 0.01)')
        parser.add_argument('--momentum', type=float, default=0.5, metavar='M',
                            help='SGD momentum (default: 0.5)')
        parser.add_argument('--no-cuda', action='store_true', default=False,
                            help='disables CUDA training')
        parser.add_argument('--seed', type=int, default=1, metavar='S',
                            help='random seed (default: 1)')
        parser.add_argument('--log-interval', type=int, default=10, metavar='N',
                            help='how many batches to wait before logging training status')
        args = parser.parse_args(argv)
        use_cuda = not args.no_cuda and torch.cuda.is_available()

        torch.manual_seed(args.seed)

        device = "cuda" if use_cuda else "cpu"  # torch.device("cuda" if use_cuda else "cpu")

        kwargs = {'num_workers': 1, 'pin_memory': True} if use_cuda else {}
        train_loader = data.DataLoader(
            glue["dataset1"],  # datasets.MNIST('../data', train=True, download=True, ...)
            batch_size=args.batch_size, shuffle=True, **kwargs)
        test_loader = data.DataLoader(
            glue["dataset2"],  # datasets.MNIST('../data', train=False, ...)
            batch_size=args.test_batch_size, shuffle=True, **kwargs)

        model = Net().to(device)
        model.load_state_dict(glue["start"])  # the test's glue: the same start
        glue["model"](model)
        optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
        record_steps(optimizer, glue["steps"])  # the test's glue

        for epoch in range(1, args.epochs + 1):
            train(args, model, device, train_loader, optimizer, epoch)
            test(args, model, device, test_loader)
        return model

    return Net, main


def _run(torch, argv, start, images, labels, orders, masks, steps):
    T, lib, optim, data = libraries(torch)
    F = Functional(lib.functional, masks, replay=torch is not None)
    n = len(images) * 4 // 5
    if torch is None:
        datasets = [Digits(T, images[:n], labels[:n], order=orders[0]),
                    Digits(T, images[n:], labels[n:], order=orders[1])]
        model_glue = lambda model: record_dropout(model, masks)  # noqa: E731
        start = {k: T.tensor(v.numpy()) for k, v in start.items()}
    else:
        datasets = [Digits(T, images[:n], labels[:n], replay=orders[0]),
                    Digits(T, images[n:], labels[n:], replay=orders[1])]
        model_glue = lambda model: replay_dropout(torch, model, masks)  # noqa: E731
    glue = {"dataset1": datasets[0], "dataset2": datasets[1], "start": start,
            "model": model_glue, "steps": steps}
    _, main = mnist_2018(T, lib, F, optim, data)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model = main(argv, glue)
    return printed.getvalue(), model


def test_mnist_2018_example_runs_step_for_step_as_torch(torch):
    images, labels = digits(200, lambda a: (a - 0.1307) / 0.3081)
    torch.manual_seed(0)
    start = mnist_2018(*libraries(torch)[:2], torch.nn.functional,
                       *libraries(torch)[2:])[0]().state_dict()
    argv = ['--batch-size', '32', '--test-batch-size', '20', '--epochs', '2', '--lr', '0.05',
            '--log-interval', '2']
    orders, masks, got_steps, want_steps = ([], []), [], [], []
    got, ours = _run(None, argv, start, images, labels, orders, masks, got_steps)
    assert len(masks) == 2 * 2 * 5  # Dropout2d and F.dropout, 5 steps an epoch
    want, theirs = _run(torch, argv, start, images, labels, orders, masks, want_steps)
    assert orders == ([], []) and masks == []
    assert got == want
    assert got.count('\nTest set: Average loss: ') == 2
    assert_steps(got_steps, want_steps)

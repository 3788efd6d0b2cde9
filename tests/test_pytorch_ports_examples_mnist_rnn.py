"""pytorch/examples' ``mnist_rnn/main.py``, ported as written: ``Net`` reading each image
row by row (``input.reshape(-1, 28, 28)``, ``nn.LSTM(input_size=28, hidden_size=64,
batch_first=True)``, ``output, hidden = self.rnn(input)``, ``output[:, -1, :]``), then
``BatchNorm1d``, ``Dropout2d`` on its 2-d features (PyTorch warns and drops single
elements; so does this library), two ``Linear`` layers and ``log_softmax``; ``train`` and
``test`` as in the MNIST example (with ``if args.dry_run: break``), both loaders shuffled,
``Adadelta`` with ``StepLR``. It runs step for step next to PyTorch (float64) on
scikit-learn's 8x8 digits (8 rows of 8 pixels), dropout on: the printed lines, every step's
gradients and parameters (BatchNorm's running statistics too) agree.

Lines written differently here:
- ``device = torch.device(device)`` is dropped (``device`` stays the str "cpu";
  ``autograd.device``'s error says so);
- ``datasets.MNIST('../data', train=True, download=True, transform=...)`` is ``Digits``,
  and 28 / 64 / 32 are 8 / 16 / 16;
- ``torch.save(model.state_dict(), "mnist_rnn.pt")`` is ``nn.save("mnist_rnn.pt",
  model=model.state_dict())``;
- the test's glue (marked): PyTorch's initial weights in both, PyTorch's side reading the
  samples in our order and keeping what our dropout kept, hooks recording each step.
"""

import argparse
import contextlib
import io

import numpy as np
import pytest

import nn
from pytorch_examples_helpers import (Digits, assert_steps, digits, libraries, record_dropout,
                                      record_steps, replay_dropout)

pytestmark = pytest.mark.filterwarnings("ignore:dropout2d")


def mnist_rnn(torch, nn, optim, data):
    """The script's definitions for the library ``torch`` (autograd or PyTorch)."""
    F = nn.functional
    StepLR = optim.lr_scheduler.StepLR

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.rnn = nn.LSTM(input_size=8, hidden_size=16, batch_first=True)
            self.batchnorm = nn.BatchNorm1d(16)
            self.dropout1 = nn.Dropout2d(0.25)
            self.dropout2 = nn.Dropout2d(0.5)
            self.fc1 = nn.Linear(16, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, input):
            # Shape of input is (batch_size,1, 28, 28)
            # converting shape of input to (batch_size, 28, 28)
            # as required by RNN when batch_first is set True
            input = input.reshape(-1, 8, 8)
            output, hidden = self.rnn(input)

            # RNN output shape is (seq_len, batch, input_size)
            # Get last output of RNN
            output = output[:, -1, :]
            output = self.batchnorm(output)
            output = self.dropout1(output)
            output = self.fc1(output)
            output = F.relu(output)
            output = self.dropout2(output)
            output = self.fc2(output)
            output = F.log_softmax(output, dim=1)
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

    def test(args, model, device, test_loader):
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
                if args.dry_run:
                    break

        test_loss /= len(test_loader.dataset)

        print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
            test_loss, correct, len(test_loader.dataset),
            100. * correct / len(test_loader.dataset)))

    def main(argv, glue):
        # Training settings
        parser = argparse.ArgumentParser(description='PyTorch MNIST Example using RNN')
        parser.add_argument('--batch-size', type=int, default=64, metavar='N',
                            help='input batch size for training (default: 64)')
        parser.add_argument('--test-batch-size', type=int, default=1000, metavar='N',
                            help='input batch size for testing (default: 1000)')
        parser.add_argument('--epochs', type=int, default=14, metavar='N',
                            help='number of epochs to train (default: 14)')
        parser.add_argument('--lr', type=float, default=0.1, metavar='LR',
                            help='learning rate (default: 0.1)')
        parser.add_argument('--gamma', type=float, default=0.7, metavar='M',
                            help='learning rate step gamma (default: 0.7)')
        parser.add_argument('--cuda', action='store_true', default=False,
                            help='enables CUDA training')
        parser.add_argument('--mps', action="store_true",
                            help="enables MPS training")
        parser.add_argument('--xpu', action='store_true',
                            help='enables XPU training')
        parser.add_argument('--dry-run', action='store_true',
                            help='quickly check a single pass')
        parser.add_argument('--seed', type=int, default=1, metavar='S',
                            help='random seed (default: 1)')
        parser.add_argument('--log-interval', type=int, default=10, metavar='N',
                            help='how many batches to wait before logging training status')
        parser.add_argument('--save-model', action='store_true',
                            help='for Saving the current Model')
        args = parser.parse_args(argv)

        if args.cuda and not args.mps:
            device = "cuda"
        elif args.mps and not args.cuda:
            device = "mps"
        elif args.xpu:
            device = "xpu"
        else:
            device = "cpu"

        torch.manual_seed(args.seed)

        kwargs = {'num_workers': 1, 'pin_memory': True} if args.cuda else {}
        train_loader = data.DataLoader(
            glue["dataset1"],  # datasets.MNIST('../data', train=True, ...)
            batch_size=args.batch_size, shuffle=True, **kwargs)
        test_loader = data.DataLoader(
            glue["dataset2"],  # datasets.MNIST('../data', train=False, ...)
            batch_size=args.test_batch_size, shuffle=True, **kwargs)

        model = Net().to(device)
        model.load_state_dict(glue["start"])  # the test's glue: the same start
        glue["model"](model)
        optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
        record_steps(optimizer, glue["steps"])  # the test's glue

        scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
        for epoch in range(1, args.epochs + 1):
            train(args, model, device, train_loader, optimizer, epoch)
            test(args, model, device, test_loader)
            scheduler.step()

        if args.save_model:
            if not hasattr(torch, 'save'):  # here: torch.save(...) is nn.save(path, ...)
                nn.save("mnist_rnn.pt", model=model.state_dict())
            else:
                torch.save(model.state_dict(), "mnist_rnn.pt")
        return model

    return Net, main


def _run(torch, argv, start, images, labels, orders, masks, steps):
    T, lib, optim, data = libraries(torch)
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
    _, main = mnist_rnn(T, lib, optim, data)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model = main(argv, glue)
    return printed.getvalue(), model


def test_mnist_rnn_example_runs_step_for_step_as_torch(torch, tmp_path, monkeypatch):
    images, labels = digits(200, lambda a: (a - 0.1307) / 0.3081)
    torch.manual_seed(0)
    start = mnist_rnn(*libraries(torch))[0]().state_dict()
    argv = ['--batch-size', '32', '--test-batch-size', '20', '--epochs', '2',
            '--log-interval', '2', '--save-model']
    orders, masks, got_steps, want_steps = ([], []), [], [], []
    (tmp_path / "ours").mkdir(), (tmp_path / "theirs").mkdir()
    monkeypatch.chdir(tmp_path / "ours")
    got, ours = _run(None, argv, start, images, labels, orders, masks, got_steps)
    assert sorted(orders[1][:40]) == list(range(40)) and orders[1][:40] != orders[1][40:]
    assert len(masks) == 2 * 2 * 5  # two Dropout2d, 5 steps an epoch
    monkeypatch.chdir(tmp_path / "theirs")
    want, theirs = _run(torch, argv, start, images, labels, orders, masks, want_steps)
    assert orders == ([], []) and masks == []
    assert got == want
    assert got.count('\nTest set: Average loss: ') == 2
    assert_steps(got_steps, want_steps)
    saved = nn.load(tmp_path / "ours" / "mnist_rnn.pt")["model"]
    for name, value in torch.load(tmp_path / "theirs" / "mnist_rnn.pt").items():
        np.testing.assert_allclose(saved[name], value.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


def test_mnist_rnn_dry_run_takes_one_batch_each(torch):
    images, labels = digits(200, lambda a: (a - 0.1307) / 0.3081)
    torch.manual_seed(0)
    start = mnist_rnn(*libraries(torch))[0]().state_dict()
    got, _ = _run(None, ['--batch-size', '32', '--test-batch-size', '20', '--epochs', '1',
                         '--dry-run'], start, images, labels, ([], []), [], [])
    assert got.count('Train Epoch: ') == 1 and 'Accuracy: ' in got

"""pytorch/examples' ``mnist_hogwild`` (``main.py`` and ``train.py``): Hogwild training,
several processes updating one model whose parameters live in shared memory
(``model.share_memory()``, then ``torch.multiprocessing``'s ``mp.Process(target=train,
args=(rank, args, model, device, dataset1, kwargs))`` per rank). Ported: ``Net``
(``Conv2d``, ``nn.Dropout2d()``, ``F.max_pool2d``, ``x.view(-1, ...)``, ``F.dropout(x,
training=self.training)``, ``F.log_softmax``), ``train`` (``torch.manual_seed(args.seed +
rank)``, a shuffling ``DataLoader(dataset, **dataloader_kwargs)``, ``SGD`` with momentum),
``train_epoch`` (its log line with ``os.getpid()``, ``--dry-run``), ``test``/``test_epoch``
(``F.nll_loss(..., reduction='sum').item()``, ``output.max(1)[1]``,
``pred.eq(target).sum().item()``) and the main block with its options. It runs step for
step next to PyTorch (float64) on scikit-learn's 8x8 digits, dropout on: the printed
lines and every step's gradients and parameters agree.

What runs here, and why: one training process, ``--num-processes 1``, with ``train(rank,
...)`` called in this process. Parameters here are NumPy arrays private to a process: a
child process would train its own copy and leave the parent's model as it was, so a
``share_memory()`` that did nothing would make this program silently print the test of an
untrained model. ``model.share_memory()`` (and ``Tensor.share_memory_()``) is therefore an
``UnsupportedError`` saying to train in one process, and ``torch.multiprocessing`` a
``MissingNameError`` saying the same (``tests/nn/test_module_device.py``); with one worker
in this process, Hogwild is plain SGD and nothing is lost. The first test runs the lines as
written up to those errors.

Lines written differently here:
- ``mp.set_start_method('spawn', force=True)`` and ``model.share_memory()`` are dropped,
  and ``p = mp.Process(target=train, args=...); p.start()`` / ``p.join()`` is ``train(...)``
  called directly (see above);
- ``torch.utils.data.DataLoader`` is ``data.DataLoader`` (``nn.data`` here);
- ``output.max(1)[1]`` is ``output.max(dim=1)[1]``: ``x.max(1)`` is NumPy's values or
  PyTorch's pair, and the library asks which (a ``UsageError`` naming both spellings);
- ``datasets.MNIST(...)`` is ``Digits`` (scikit-learn's digits, normalised with MNIST's
  mean and std), and the network is sized for 8x8 (``Conv2d(1, 10, kernel_size=3)``,
  ``Conv2d(10, 20, kernel_size=2)``, ``x.view(-1, 20)``, ``Linear(20, 50)``);
- the test's glue (marked): the same starting weights, PyTorch's side reading the samples
  in our order and keeping what our dropouts kept, hooks recording each optimizer step.
"""

import argparse
import contextlib
import io
import os

import pytest

import autograd as ag
import nn as our_nn
from pytorch_examples_helpers import (Digits, MaskedDropout, assert_steps, digits, libraries,
                                      record_dropout, record_steps, replay_dropout)


def hogwild_main(torch, nn, F, optim, data, argv, glue):
    """``train.py``'s functions, then ``main.py``, for the library ``torch``."""
    # ---------------------------------------------------------------- train.py
    def train(rank, args, model, device, dataset, dataloader_kwargs):
        torch.manual_seed(args.seed + rank)

        train_loader = data.DataLoader(dataset, **dataloader_kwargs)

        optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
        record_steps(optimizer, glue["steps"])  # the test's glue
        for epoch in range(1, args.epochs + 1):
            train_epoch(epoch, args, model, device, train_loader, optimizer)

    def test(args, model, device, dataset, dataloader_kwargs):
        torch.manual_seed(args.seed)

        test_loader = data.DataLoader(dataset, **dataloader_kwargs)

        test_epoch(model, device, test_loader)

    def train_epoch(epoch, args, model, device, data_loader, optimizer):
        model.train()
        pid = os.getpid()
        for batch_idx, (data, target) in enumerate(data_loader):
            optimizer.zero_grad()
            output = model(data.to(device))
            loss = F.nll_loss(output, target.to(device))
            loss.backward()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print('{}\tTrain Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                    pid, epoch, batch_idx * len(data), len(data_loader.dataset),
                    100. * batch_idx / len(data_loader), loss.item()))
                if args.dry_run:
                    break

    def test_epoch(model, device, data_loader):
        model.eval()
        test_loss = 0
        correct = 0
        with torch.no_grad():
            for data, target in data_loader:
                output = model(data.to(device))
                # sum up batch loss
                test_loss += F.nll_loss(output, target.to(device), reduction='sum').item()
                # get the index of the max log-probability (output.max(1): see above)
                pred = output.max(dim=1)[1]
                correct += pred.eq(target.to(device)).sum().item()

        test_loss /= len(data_loader.dataset)
        print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
            test_loss, correct, len(data_loader.dataset),
            100. * correct / len(data_loader.dataset)))

    # ---------------------------------------------------------------- main.py
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
    parser.add_argument('--seed', type=int, default=1, metavar='S',
                        help='random seed (default: 1)')
    parser.add_argument('--log-interval', type=int, default=10, metavar='N',
                        help='how many batches to wait before logging training status')
    parser.add_argument('--num-processes', type=int, default=2, metavar='N',
                        help='how many training processes to use (default: 2)')
    parser.add_argument('--cuda', action='store_true', default=False,
                        help='enables CUDA training')
    parser.add_argument('--mps', action='store_true', default=False,
                        help='enables macOS GPU training')
    parser.add_argument('--device', type=str, default='cpu',
                        help='backend device')
    parser.add_argument('--save_model', action='store_true', default=False,
                        help='save the trained model to state_dict')
    parser.add_argument('--dry-run', action='store_true', default=False,
                        help='quickly check a single pass')

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=3)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=2)
            self.conv2_drop = nn.Dropout2d()
            self.fc1 = nn.Linear(20, 50)
            self.fc2 = nn.Linear(50, 10)

        def forward(self, x):
            x = F.relu(F.max_pool2d(self.conv1(x), 2))
            x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
            x = x.view(-1, 20)
            x = F.relu(self.fc1(x))
            x = F.dropout(x, training=self.training)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    # if __name__ == '__main__':
    args = parser.parse_args(argv)

    use_cuda = args.cuda and torch.cuda.is_available()
    use_mps = args.mps and torch.backends.mps.is_available()
    if use_cuda:
        device = torch.device("cuda")
    elif use_mps:
        device = torch.device("mps")
    else:
        device = torch.device(args.device)

    dataset1 = glue["dataset1"]  # datasets.MNIST('../data', train=True, ...)
    dataset2 = glue["dataset2"]  # datasets.MNIST('../data', train=False, ...)
    kwargs = {'batch_size': args.batch_size,
              'shuffle': True}
    if use_cuda:
        kwargs.update({'num_workers': 1,
                       'pin_memory': True,
                       })

    torch.manual_seed(args.seed)
    glue["as_written"](torch)  # the test's glue: mp.set_start_method('spawn', force=True)

    model = Net().to(device)
    model.load_state_dict(glue["start"])  # the test's glue: the same start
    glue["dropout"](model)  # the test's glue
    glue["as_written"](model)  # the test's glue: model.share_memory()

    for rank in range(args.num_processes):
        # p = mp.Process(target=train, args=(...)); p.start(), then p.join(): here
        train(rank, args, model, device, dataset1, kwargs)

    if args.save_model:
        torch.save(model.state_dict(), "MNIST_hogwild.pt")

    # Once training is complete, we can test the model
    test(args, model, device, dataset2, kwargs)


def _run(torch, argv, start, orders, masks, as_written=lambda _: None):
    """Run the program for ``torch`` (None: this library): what it printed, each step."""
    T, nn, optim, data = libraries(torch)
    images, labels = digits(150, lambda a: (a - 0.1307) / 0.3081)
    n = 120
    if torch is None:
        sets = [Digits(T, images[:n], labels[:n], order=orders[0]),
                Digits(T, images[n:], labels[n:], order=orders[1])]
        F = MaskedDropout(our_nn.functional, masks, False, None)
        dropout = lambda model: record_dropout(model, masks)  # noqa: E731
        start = {k: T.tensor(v) for k, v in start.items()}
    else:
        sets = [Digits(T, images[:n], labels[:n], replay=orders[0]),
                Digits(T, images[n:], labels[n:], replay=orders[1])]
        F = MaskedDropout(torch.nn.functional, masks, True,
                          lambda mask: torch.tensor(mask, dtype=torch.float64))
        dropout = lambda model: replay_dropout(torch, model, masks)  # noqa: E731
        start = {k: torch.tensor(v) for k, v in start.items()}
    glue = {"dataset1": sets[0], "dataset2": sets[1], "start": start, "steps": [],
            "dropout": dropout, "as_written": as_written}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        hogwild_main(T, nn, F, optim, data, argv, glue)
    return printed.getvalue(), glue["steps"]


def _pytorch_start(torch) -> dict:
    torch.manual_seed(0)
    shapes = {"conv1": torch.nn.Conv2d(1, 10, kernel_size=3),
              "conv2": torch.nn.Conv2d(10, 20, kernel_size=2),
              "fc1": torch.nn.Linear(20, 50), "fc2": torch.nn.Linear(50, 10)}
    return {f"{name}.{k}": v.detach().numpy().copy() for name, module in shapes.items()
            for k, v in module.state_dict().items()}


def test_the_hogwild_lines_as_written_are_named_errors_saying_to_train_in_one_process(
        torch) -> None:
    """``torch.multiprocessing`` and ``model.share_memory()``, reached as the program
    reaches them; PyTorch's return (a module already in shared memory)."""
    def multiprocessing(library):
        library.multiprocessing.set_start_method  # import torch.multiprocessing as mp

    with pytest.raises(ag.MissingNameError, match="one process"):
        _run(None, ['--num-processes', '1'], _pytorch_start(torch), ([], []), [],
             multiprocessing)

    def share_memory(model):
        if isinstance(model, (our_nn.Module, torch.nn.Module)):
            assert model.share_memory() is model
    with pytest.raises(ag.UnsupportedError, match="one process") as caught:
        _run(None, ['--num-processes', '1'], _pytorch_start(torch), ([], []), [],
             share_memory)
    assert "share_memory()" in str(caught.value)
    torch_model = torch.nn.Linear(2, 2)
    share_memory(torch_model)
    assert torch_model.weight.is_shared()


def test_hogwild_example_in_one_process_runs_step_for_step_as_torch(torch) -> None:
    argv = ['--batch-size', '16', '--test-batch-size', '30', '--epochs', '2',
            '--log-interval', '3', '--num-processes', '1', '--lr', '0.05']
    start, orders, masks = _pytorch_start(torch), ([], []), []
    got, got_steps = _run(None, argv, start, orders, masks)
    assert sorted(orders[0][:120]) == list(range(120)) and len(orders[0]) == 240
    assert len(masks) == 2 * 2 * 8  # Dropout2d and F.dropout, 8 batches, 2 epochs
    want, want_steps = _run(torch, argv, start, orders, masks)
    assert orders == ([], []) and masks == []  # PyTorch's run used every one
    assert got == want
    pid = os.getpid()
    assert got.startswith(f'{pid}\tTrain Epoch: 1 [0/120 (0%)]\tLoss: ')
    assert got.count('\tTrain Epoch: ') == 2 * 3 and '\nTest set: Average loss: ' in got
    assert_steps(got_steps, want_steps)

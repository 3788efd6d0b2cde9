"""DARTS architecture search (``quark0/darts``'s ``cnn/train_search.py`` with
``darts_program.py``'s search network and ``Architect``), next to PyTorch (float64) from
the same starting weights and architecture alphas: the first-order search
(``--unrolled`` off: the alphas follow the validation loss's gradient) and the
second-order one (``--unrolled``: one virtual SGD step with momentum and weight decay on
a rebuilt network, then the implicit term from finite differences of the weights,
``_hessian_vector_product``). Losses, architecture gradients and their clipped norms,
alphas, learning rates, genotypes and final weights agree to 1e-10 (the finite
differences are the same arithmetic in both libraries).

Lines written differently here, and why (beyond ``darts_program.py``'s):
- ``SubsetRandomSampler(indices[:split])`` is a list of indices permuted by one NumPy
  generator (the two libraries' generators differ); ``DataLoader`` takes any iterable
  of indices as its ``sampler`` in both;
- ``loss.data[0]`` / ``prec1.data[0]`` (0-d indexing, an error since PyTorch 0.5) are
  ``.item()``, and ``correct[:k].view(-1)`` of a transposed comparison is
  ``.reshape(-1)``, as ``utils.accuracy`` reads in later copies of the code;
- ``torch.optim`` and ``torch.utils.data`` are ``nn.optim`` and ``nn.data`` here: the
  program takes the library's two;
- ``lr = scheduler.get_lr()[0]`` is ``get_last_lr()[0]``: in PyTorch 0.3, which DARTS
  was written for, ``get_lr()`` gave the current lr; today's PyTorch applies the step
  rule once more to the current lr outside ``step()`` (and warns), while ours warns and
  gives ``get_last_lr()`` (by design, as in the SimCLR port). The lr is the unrolled
  step's ``eta``, so both runs take the value DARTS meant;
- ``utils.AvgrageMeter``, logging and saving are left out: the records keep the values.
"""

from types import SimpleNamespace

import numpy as np

import autograd
import nn
import nn.data
from darts_program import programs
from optim_port_helpers import assert_records


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, autograd.grad, autograd.Variable) of either library."""
    if torch is None:
        return autograd, nn, nn.functional, nn.optim, autograd.grad, autograd.Variable
    return (torch, torch.nn, torch.nn.functional, torch.optim, torch.autograd.grad,
            torch.autograd.Variable)


def images() -> tuple:
    """16 generated 3x8x8 images, labels from a random linear teacher over 10 classes;
    the first half trains the weights, the second the alphas."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 3, 8, 8))
    y = (x.reshape(16, -1) @ rng.standard_normal((192, 10))).argmax(axis=1)
    return x, y, rng.permutation(8), 8 + rng.permutation(8)


def accuracy(output, target, topk=(1,)):
    """``cnn/utils.py``'s ``accuracy``."""
    maxk = max(topk)
    batch_size = target.size(0)
    _, pred = output.topk(maxk, 1, True, True)
    pred = pred.t()
    correct = pred.eq(target.view(1, -1).expand_as(pred))
    res = []
    for k in topk:
        correct_k = correct[:k].reshape(-1).float().sum(0)
        res.append(correct_k.mul_(100.0 / batch_size))
    return res


def search(libs, unrolled, epochs, batch_size, start=None) -> tuple[list, dict]:
    """train_search.py's ``main`` and ``train`` (8 images an epoch); returns the records and
    the starting weights (PyTorch's, loaded into ours)."""
    torch, nn, F, optim, grad, Variable = libs
    Network, Architect = programs(libs)
    data = nn.data if torch is autograd else torch.utils.data
    args = SimpleNamespace(batch_size=batch_size, learning_rate=0.025, learning_rate_min=0.001,
                           momentum=0.9, weight_decay=3e-4, epochs=epochs, init_channels=2,
                           layers=3, grad_clip=5, unrolled=unrolled,
                           arch_learning_rate=3e-2, arch_weight_decay=1e-3)
    criterion = nn.CrossEntropyLoss()
    model = Network(args.init_channels, 10, args.layers, criterion)
    if start is None:
        start = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
        start["alphas"] = [a.detach().numpy().copy() for a in model.arch_parameters()]
    else:  # the test's glue: the generators differ
        model.load_state_dict({k: v for k, v in start.items() if k != "alphas"})
        with torch.no_grad():
            for a, value in zip(model.arch_parameters(), start["alphas"]):
                a.copy_(torch.tensor(value))
    optimizer = optim.SGD(model.parameters(), args.learning_rate,
                          momentum=args.momentum, weight_decay=args.weight_decay)
    x, y, train_order, search_order = images()
    train_data = data.TensorDataset(torch.tensor(x), torch.tensor(y))
    train_queue = data.DataLoader(train_data, batch_size=args.batch_size,
                                              sampler=list(train_order))
    search_queue = data.DataLoader(train_data, batch_size=args.batch_size,
                                               sampler=list(search_order))
    scheduler = optim.lr_scheduler.CosineAnnealingLR(
        optimizer, float(args.epochs), eta_min=args.learning_rate_min)
    architect = Architect(model, args)
    records = []
    for epoch in range(args.epochs):
        scheduler.step()
        lr = scheduler.get_last_lr()[0]  # train_search.py: get_lr()[0], see the docstring
        records.append(lr)
        records.append(str(model.genotype()))
        records.append(F.softmax(model.alphas_normal, dim=-1))
        records.append(F.softmax(model.alphas_reduce, dim=-1))
        records.extend(train(train_queue, search_queue, model, architect, criterion,
                             optimizer, lr, args, libs))
    records.extend(p.detach() for p in model.parameters())
    records.extend(b.detach() for b in model.buffers())
    return records, start


def train(train_queue, search_queue, model, architect, criterion, optimizer, lr, args,
          libs) -> list:
    """train_search.py's ``train``: an architecture step, then a weight step."""
    torch, nn = libs[:2]
    records = []
    search_batches = iter(search_queue)
    for step, (input, target) in enumerate(train_queue):
        model.train()
        input_search, target_search = next(search_batches)
        arch_grad_norm = architect.step(input, target, input_search, target_search, lr,
                                        optimizer, unrolled=args.unrolled)
        records.append(arch_grad_norm)
        records.extend(a.detach().clone() for a in model.arch_parameters())
        optimizer.zero_grad()
        logits = model(input)
        loss = criterion(logits, target)
        loss.backward()
        records.append(nn.utils.clip_grad_norm(model.parameters(), args.grad_clip))
        optimizer.step()
        prec1, prec5 = accuracy(logits, target, topk=(1, 5))
        records.extend([loss.item(), prec1.item(), prec5.item()])
    return records


def run_both(torch, unrolled: bool, epochs: int, batch_size: int) -> tuple[list, list]:
    """PyTorch's run, then ours from its starting weights and alphas."""
    torch.manual_seed(0)
    theirs, start = search(libraries(torch), unrolled, epochs, batch_size)
    ours, _ = search(libraries(), unrolled, epochs, batch_size, start)
    return ours, theirs


def _assert_same(ours: list, theirs: list) -> None:
    texts = [i for i, r in enumerate(theirs) if isinstance(r, str)]
    assert [ours[i] for i in texts] == [theirs[i] for i in texts]
    keep = [i for i in range(len(theirs)) if i not in texts]
    assert_records([ours[i] for i in keep], [theirs[i] for i in keep], rtol=1e-9)


def test_darts_first_order(torch):
    _assert_same(*run_both(torch, unrolled=False, epochs=2, batch_size=8))


def test_darts_second_order(torch):
    _assert_same(*run_both(torch, unrolled=True, epochs=1, batch_size=4))

""""Deep Learning with PyTorch", chapter 6 ("Using a neural network to fit the data"), as
its readers type it: the thermometer again, now with ``nn.Linear`` (on one sample and on a
batch), ``nn.MSELoss``, ``nn.Sequential`` plain and of an ``OrderedDict``,
``named_parameters`` and the submodules read by name. Written once for ``T``/``lib``/
``optim`` and run next to PyTorch from the same weights (float64), as
``test_pytorch_ports_dlwpt.py``, whose notes apply here too.
"""

from collections import OrderedDict

import numpy as np

import autograd as ag
from test_pytorch_ports_dlwpt import T_C, T_U, assert_records, libraries


def same_start(ours, theirs) -> None:
    """Give our module PyTorch's freshly drawn weights."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def training_loop(n_epochs, optimizer, model, loss_fn, t_u_train, t_u_val, t_c_train,
                  t_c_val, record):
    for epoch in range(1, n_epochs + 1):
        t_p_train = model(t_u_train)
        loss_train = loss_fn(t_p_train, t_c_train)
        t_p_val = model(t_u_val)
        loss_val = loss_fn(t_p_val, t_c_val)
        optimizer.zero_grad()
        loss_train.backward()
        optimizer.step()
        record += [loss_train.item(), loss_val.item()]


def loss_fn(t_p, t_c):
    squared_diffs = (t_p - t_c) ** 2
    return squared_diffs.mean()


def _split(T, shuffled_indices):
    t_c = T.tensor(T_C).unsqueeze(1)  # <1> a batch of one-feature samples
    t_u = T.tensor(T_U).unsqueeze(1)
    n_val = int(0.2 * t_u.shape[0])
    train_indices = shuffled_indices[:-n_val]
    val_indices = shuffled_indices[-n_val:]
    t_un_train, t_un_val = 0.1 * t_u[train_indices], 0.1 * t_u[val_indices]
    return t_un_train, t_un_val, t_c[train_indices], t_c[val_indices]


def _linear(T, lib, optim, starts, shuffled_indices, record) -> None:
    t_un_train, t_un_val, t_c_train, t_c_val = _split(T, shuffled_indices)
    linear_model = lib.Linear(1, 1)
    starts(linear_model)
    record += [linear_model(t_un_val).detach().numpy(), linear_model.weight.detach().numpy(),
               linear_model.bias.detach().numpy()]
    x = T.ones(1)
    record.append(linear_model(x).detach().numpy())
    x = T.ones(10, 1)
    record.append(linear_model(x).detach().numpy())
    optimizer = optim.SGD(linear_model.parameters(), lr=1e-2)
    record.append(len(list(linear_model.parameters())))
    training_loop(30, optimizer, linear_model, loss_fn, t_un_train, t_un_val, t_c_train,
                  t_c_val, record)
    record += [linear_model.weight.detach().numpy(), linear_model.bias.detach().numpy()]
    linear_model = lib.Linear(1, 1)
    starts(linear_model)
    optimizer = optim.SGD(linear_model.parameters(), lr=1e-2)
    training_loop(30, optimizer, linear_model, lib.MSELoss(), t_un_train, t_un_val,
                  t_c_train, t_c_val, record)
    record += [linear_model.weight.detach().numpy(), linear_model.bias.detach().numpy()]


def _starts(torch, modules):
    """A ``starts(module)`` that gives our modules, in order, the weights of ``modules``."""
    queue = list(modules)

    def starts(module):
        theirs = queue.pop(0)
        if not isinstance(module, torch.nn.Module):
            same_start(module, theirs)
        else:
            module.load_state_dict(theirs.state_dict())
    return starts


def test_chapter6_linear_model(torch) -> None:
    shuffled_indices = ag.randperm(len(T_U))  # the book's torch.randperm, for both runs
    firsts = [torch.nn.Linear(1, 1), torch.nn.Linear(1, 1)]
    got, want = [], []
    _linear(*libraries(), _starts(torch, firsts), shuffled_indices, got)
    _linear(*libraries(torch), _starts(torch, firsts),
            torch.tensor(shuffled_indices.numpy()), want)
    assert_records(got, want)


def _sequential(T, lib, optim, starts, shuffled_indices, record) -> None:
    t_un_train, t_un_val, t_c_train, t_c_val = _split(T, shuffled_indices)
    seq_model = lib.Sequential(
        lib.Linear(1, 13),
        lib.Tanh(),
        lib.Linear(13, 1))
    record.append([tuple(param.shape) for param in seq_model.parameters()])
    record.append([(name, tuple(param.shape)) for name, param in seq_model.named_parameters()])
    seq_model = lib.Sequential(OrderedDict([
        ('hidden_linear', lib.Linear(1, 8)),
        ('hidden_activation', lib.Tanh()),
        ('output_linear', lib.Linear(8, 1))
    ]))
    starts(seq_model)
    record.append(repr(seq_model))
    record.append([(name, tuple(param.shape)) for name, param in seq_model.named_parameters()])
    record.append(seq_model.output_linear.bias.detach().numpy())
    optimizer = optim.SGD(seq_model.parameters(), lr=1e-3)
    training_loop(20, optimizer, seq_model, lib.MSELoss(), t_un_train, t_un_val, t_c_train,
                  t_c_val, record)
    record += [seq_model(t_un_val).detach().numpy(), seq_model.hidden_linear.weight.grad.numpy()]
    t_range = T.arange(20., 90.).unsqueeze(1)
    record.append(seq_model(0.1 * t_range).detach().numpy())  # the book plots it


def test_chapter6_sequential_with_named_layers(torch) -> None:
    shuffled_indices = ag.randperm(len(T_U))
    theirs = torch.nn.Sequential(OrderedDict([
        ('hidden_linear', torch.nn.Linear(1, 8)), ('hidden_activation', torch.nn.Tanh()),
        ('output_linear', torch.nn.Linear(8, 1))]))
    got, want = [], []
    _sequential(*libraries(), _starts(torch, [theirs]), shuffled_indices, got)
    _sequential(*libraries(torch), _starts(torch, [theirs]),
                torch.tensor(shuffled_indices.numpy()), want)
    for i in range(4):  # shapes, names and the printed model
        assert got[i] == want[i], f"record {i}"
    assert_records(got[4:], want[4:])
    assert np.isfinite(got[-1]).all()

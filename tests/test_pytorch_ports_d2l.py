""""Dive into Deep Learning" (d2l.ai, PyTorch edition), ported as its readers write it:
each program is written once, for a library ``T`` (``autograd`` here, ``torch`` there) and
its ``lib`` (``nn`` / ``torch.nn``), ``optim`` and ``data`` (``nn.data`` /
``torch.utils.data``), and runs step for step next to PyTorch's from the same weights
and batches: losses, gradients and parameters agree to 1e-10 (float64).

Chapters here: linear regression from scratch and concise, softmax regression from
scratch and concise, the MLP from scratch and concise, weight decay, dropout. Builders'
guide and initialisation: ``test_pytorch_ports_d2l_builders.py``; convolutions:
``test_pytorch_ports_d2l_conv.py``; recurrent networks and seq2seq:
``test_pytorch_ports_d2l_rnn*.py``; attention and the transformer:
``test_pytorch_ports_d2l_attention*.py``; the habits that needed a fix:
``test_pytorch_ports_d2l_habits.py``.

Data are generated or scikit-learn's 8x8 digits (64 inputs) in place of Fashion-MNIST.
Where d2l's line is written differently here, the line says so:
- ``param.data.normal_(0, 0.01)`` and ``.data.fill_(0)``: ``.data`` is NumPy's array
  here, so the update is written on the parameter under ``no_grad()`` (the same in both);
- PyTorch runs with float64 as its default dtype (``torch.set_default_dtype``), ours;
- loaders are built with ``shuffle=False`` (the two libraries' generators differ), and
  ``random.shuffle`` of ``data_iter`` is a seeded ``random.Random`` shared by both runs.
"""

import random

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data

# d2l's float(l.sum()) of a loss that requires grad: PyTorch 2.13 warns there
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


def libraries(torch=None) -> tuple:
    """(T, lib, optim, data) for this library, or for PyTorch when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim, nn.data
    return torch, torch.nn, torch.optim, torch.utils.data


def digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n of scikit-learn's digits as d2l's images: (n, 1, 8, 8) in [0, 1], int64 labels."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return (images[:n] / 16.0).reshape(n, 1, 8, 8), labels[:n].astype(np.int64)


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def copy_values(T, tensors: list, start: list) -> None:
    """Give from-scratch tensors of library ``T`` the starting values ``start`` (PyTorch
    tensors): d2l draws them at random."""
    for a, b in zip(tensors, start, strict=True):
        a.data[...] = T.tensor(b.detach().numpy())


# ------------------------------------------------------------------ linear regression
def synthetic_data(T, w, b, num_examples):
    """Generate y = Xw + b + noise."""
    X = T.normal(0, 1, (num_examples, len(w)))
    y = T.matmul(X, w) + b
    y += T.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(T, batch_size, features, labels, shuffler):
    num_examples = len(features)
    indices = list(range(num_examples))
    shuffler.shuffle(indices)  # d2l: random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = T.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(T, X, w, b):
    return T.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(T, params, lr, batch_size):
    with T.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def _linreg_scratch(T, features, labels, w, b, record) -> None:
    lr, num_epochs, batch_size = 0.03, 3, 10
    shuffler = random.Random(0)
    for epoch in range(num_epochs):
        for X, y in data_iter(T, batch_size, features, labels, shuffler):
            l = squared_loss(linreg(T, X, w, b), y)  # noqa: E741 (d2l's name)
            l.sum().backward()
            record += [l.sum().item(), w.grad.numpy().copy(), b.grad.numpy().copy()]
            sgd(T, [w, b], lr, batch_size)
        with T.no_grad():
            train_l = squared_loss(linreg(T, features, w, b), labels)
            record.append(float(train_l.mean()))
    record += [w.detach().numpy().copy(), b.detach().numpy().copy()]


def test_linear_regression_from_scratch(torch):
    true_w = ag.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(ag, true_w, true_b, 1000)
    assert (features.shape, labels.shape) == ((1000, 2), (1000, 1))
    runs = {}
    for T, X, y in [(ag, features, labels),
                    (torch, torch.tensor(features.numpy()), torch.tensor(labels.numpy()))]:
        w = T.normal(0, 0.01, size=(2, 1), requires_grad=True)
        b = T.zeros(1, requires_grad=True)
        runs[T] = [w, b]
        assert (w.shape, w.requires_grad, b.requires_grad) == ((2, 1), True, True)
    copy_values(ag, runs[ag], runs[torch])
    got, want = [], []
    _linreg_scratch(ag, features, labels, *runs[ag], got)
    _linreg_scratch(torch, torch.tensor(features.numpy()), torch.tensor(labels.numpy()),
                    *runs[torch], want)
    assert_records(got, want)
    np.testing.assert_allclose(got[-2].ravel(), [2, -3.4], atol=0.05)  # it learned


def _linreg_concise(T, lib, optim, data, features, labels, state, record) -> None:
    def load_array(data_arrays, batch_size, is_train=True):
        dataset = data.TensorDataset(*data_arrays)
        return data.DataLoader(dataset, batch_size, shuffle=is_train)

    data_iter = load_array((features, labels), 10, is_train=False)  # see the top
    net = lib.Sequential(lib.Linear(2, 1))
    with T.no_grad():  # d2l: net[0].weight.data.normal_(0, 0.01); bias.data.fill_(0)
        net[0].weight.normal_(0, 0.01)
        net[0].bias.fill_(0)
    net.load_state_dict(state)  # the same start in both
    loss = lib.MSELoss()
    trainer = optim.SGD(net.parameters(), lr=0.03)
    for epoch in range(3):
        for X, y in data_iter:
            l = loss(net(X), y)  # noqa: E741
            trainer.zero_grad()
            l.backward()
            trainer.step()
            record += [l.item(), net[0].weight.grad.numpy().copy()]
        l = loss(net(features), labels)  # noqa: E741
        record.append(l.item())  # d2l prints f"{l:f}"
    record += [net[0].weight.data.reshape((1, 2)), net[0].bias.data]


def test_linear_regression_concise(torch):
    features, labels = synthetic_data(ag, ag.tensor([2, -3.4]), 4.2, 200)
    theirs = torch.nn.Linear(2, 1)
    state = {"0." + k: v.detach() for k, v in theirs.state_dict().items()}
    got, want = [], []
    _linreg_concise(*libraries(), features, labels,
                    {k: v.numpy() for k, v in state.items()}, got)
    _linreg_concise(*libraries(torch), torch.tensor(features.numpy()),
                    torch.tensor(labels.numpy()), state, want)
    assert_records(got, want)


# ------------------------------------------------------------------ softmax regression
def softmax(T, X):
    X_exp = T.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting


def cross_entropy(T, y_hat, y):
    return -T.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    """The number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


class Accumulator:
    """Sums over n variables."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def evaluate_accuracy(T, lib, net, data_iter):
    if isinstance(net, lib.Module):
        net.eval()
    metric = Accumulator(2)
    with T.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_epoch_ch3(lib, optim, net, train_iter, loss, updater, record):
    if isinstance(net, lib.Module):
        net.train()
    metric = Accumulator(3)
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741
        if isinstance(updater, optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
        record.append(float(l.sum()))
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(T, lib, optim, net, train_iter, test_iter, loss, num_epochs, updater):
    record = []
    for epoch in range(num_epochs):
        record += train_epoch_ch3(lib, optim, net, train_iter, loss, updater, record)
        record.append(evaluate_accuracy(T, lib, net, test_iter))
    return record


def _loaders(T, data, n_train: int = 160, n_test: int = 64, batch_size: int = 32):
    images, labels = digits(n_train + n_test)
    X, y = T.tensor(images), T.tensor(labels)
    train = data.DataLoader(data.TensorDataset(X[:n_train], y[:n_train]), batch_size,
                            shuffle=False)  # d2l: shuffle=True (see the top)
    test = data.DataLoader(data.TensorDataset(X[n_train:], y[n_train:]), batch_size)
    return train, test


def _softmax_scratch(T, lib, optim, data, start) -> list:
    train_iter, test_iter = _loaders(T, data)
    num_inputs, num_outputs = 64, 10
    W = T.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    b = T.zeros(num_outputs, requires_grad=True)
    copy_values(T, [W, b], start)
    grads = []

    def net(X):
        return softmax(T, T.matmul(X.reshape((-1, W.shape[0])), W) + b)

    def updater(batch_size):
        grads.append(W.grad.numpy().copy())
        return sgd(T, [W, b], 0.1, batch_size)

    loss = lambda y_hat, y: cross_entropy(T, y_hat, y)  # noqa: E731
    record = train_ch3(T, lib, optim, net, train_iter, test_iter, loss, 3, updater)
    return record + grads + [W.detach().numpy(), b.detach().numpy()]


def test_softmax_regression_from_scratch(torch):
    start = [torch.normal(0, 0.01, size=(64, 10)), torch.zeros(10)]
    got = _softmax_scratch(*libraries(), start)
    want = _softmax_scratch(*libraries(torch), start)
    assert_records(got, want)


def _softmax_concise(T, lib, optim, data, state) -> list:
    train_iter, test_iter = _loaders(T, data)
    net = lib.Sequential(lib.Flatten(), lib.Linear(64, 10))

    def init_weights(m):
        if type(m) == lib.Linear:  # noqa: E721 (d2l's test)
            lib.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    net.load_state_dict(state)
    loss = lib.CrossEntropyLoss(reduction="none")
    trainer = optim.SGD(net.parameters(), lr=0.1)
    record = train_ch3(T, lib, optim, net, train_iter, test_iter, loss, 3, trainer)
    return record + [p.grad.numpy() for p in net.parameters()] + [
        np.asarray(v) for v in net.state_dict().values()]


def _double_state(module) -> tuple[dict, dict]:
    """A PyTorch module's state in float64, for PyTorch and (as arrays) for us."""
    theirs = {k: v.detach().double() for k, v in module.state_dict().items()}
    return theirs, {k: v.numpy() for k, v in theirs.items()}


def test_softmax_regression_concise(torch):
    theirs, ours = _double_state(torch.nn.Sequential(torch.nn.Flatten(),
                                                     torch.nn.Linear(64, 10)))
    assert_records(_softmax_concise(*libraries(), ours),
                   _softmax_concise(*libraries(torch), theirs))

"""d2l's multilayer perceptrons, ported as in ``test_pytorch_ports_d2l.py`` (the same
conventions, helpers and float64 PyTorch): the MLP from scratch (``torch.randn(...) *
0.01`` parameters, ``relu`` as ``torch.max(X, torch.zeros_like(X))``, ``X @ W1 + b1``) and
concise, weight decay from scratch (``torch.sum(w.pow(2)) / 2``) and concise (SGD with a
per-group ``weight_decay``), dropout from scratch (``(torch.rand(X.shape) >
dropout).float()``) and concise (``nn.Dropout``), and the numerical-stability and
initialisation sections (``nn.init.xavier_uniform_``, ``normal_``, ``zeros_``,
``constant_``, ``net.apply``, d2l's custom init).

Dropout draws its masks at random: the from-scratch program takes ``torch.rand`` as an
argument, and the test gives both libraries the same uniforms; ``nn.Dropout`` draws from
its own generator here, so the concise net is compared in evaluation mode, and its
training-mode masks checked for d2l's rule (kept entries scaled by 1 / (1 - p)).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_d2l import (_double_state, _loaders, assert_records, copy_values,
                                    digits, libraries, linreg, sgd, squared_loss,
                                    synthetic_data, train_ch3)

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


# ------------------------------------------------------------------ MLP
def _mlp_scratch(T, lib, optim, data, start) -> list:
    train_iter, test_iter = _loaders(T, data)
    num_inputs, num_outputs, num_hiddens = 64, 10, 32
    W1 = lib.Parameter(T.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
    b1 = lib.Parameter(T.zeros(num_hiddens, requires_grad=True))
    W2 = lib.Parameter(T.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
    b2 = lib.Parameter(T.zeros(num_outputs, requires_grad=True))
    params = [W1, b1, W2, b2]
    copy_values(T, params, start)

    def relu(X):
        a = T.zeros_like(X)
        return T.max(X, a)

    def net(X):
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)  # "@" is matrix multiplication
        return (H @ W2 + b2)

    loss = lib.CrossEntropyLoss(reduction="none")
    updater = optim.SGD(params, lr=0.1)
    record = train_ch3(T, lib, optim, net, train_iter, test_iter, loss, 3, updater)
    return record + [p.grad.numpy() for p in params] + [p.detach().numpy() for p in params]


def test_mlp_from_scratch(torch):
    start = [torch.randn(64, 32) * 0.01, torch.zeros(32), torch.randn(32, 10) * 0.01,
             torch.zeros(10)]
    assert_records(_mlp_scratch(*libraries(), start), _mlp_scratch(*libraries(torch), start))


def _mlp_concise(T, lib, optim, data, state) -> list:
    train_iter, test_iter = _loaders(T, data)
    net = lib.Sequential(lib.Flatten(), lib.Linear(64, 32), lib.ReLU(), lib.Linear(32, 10))

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


def test_mlp_concise(torch):
    theirs, ours = _double_state(torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)))
    assert_records(_mlp_concise(*libraries(), ours), _mlp_concise(*libraries(torch), theirs))


# ------------------------------------------------------------------ weight decay
N_TRAIN, NUM_INPUTS, BATCH_SIZE = 20, 200, 5


def _weight_decay_data():
    true_w, true_b = ag.ones((NUM_INPUTS, 1)) * 0.01, 0.05
    return synthetic_data(ag, true_w, true_b, N_TRAIN)


def _weight_decay_scratch(T, lib, optim, data, arrays, start, lambd) -> list:
    train_iter = data.DataLoader(data.TensorDataset(*arrays), BATCH_SIZE)  # d2l shuffles
    w = T.normal(0, 1, size=(NUM_INPUTS, 1), requires_grad=True)
    b = T.zeros(1, requires_grad=True)
    copy_values(T, [w, b], start)

    def l2_penalty(w):
        return T.sum(w.pow(2)) / 2

    net, loss = (lambda X: linreg(T, X, w, b)), squared_loss
    record = []
    for epoch in range(10):
        for X, y in train_iter:
            l = loss(net(X), y) + lambd * l2_penalty(w)  # noqa: E741
            l.sum().backward()
            record += [l.sum().item(), w.grad.numpy().copy()]
            sgd(T, [w, b], 0.003, BATCH_SIZE)
    return record + [T.norm(w).item(), b.detach().numpy()]


@pytest.mark.parametrize("lambd", [0, 3])
def test_weight_decay_from_scratch(torch, lambd):
    X, y = _weight_decay_data()
    start = [torch.normal(0, 1, size=(NUM_INPUTS, 1)), torch.zeros(1)]
    theirs = (torch.tensor(X.numpy()), torch.tensor(y.numpy()))
    assert_records(_weight_decay_scratch(*libraries(), (X, y), start, lambd),
                   _weight_decay_scratch(*libraries(torch), theirs, start, lambd))


def _weight_decay_concise(T, lib, optim, data, arrays, state, wd) -> list:
    train_iter = data.DataLoader(data.TensorDataset(*arrays), BATCH_SIZE)
    net = lib.Sequential(lib.Linear(NUM_INPUTS, 1))
    with T.no_grad():  # d2l: for param in net.parameters(): param.data.normal_()
        for param in net.parameters():
            param.normal_()
    net.load_state_dict(state)
    loss = lib.MSELoss(reduction="none")
    # the bias parameter is not decayed
    trainer = optim.SGD([{"params": net[0].weight, "weight_decay": wd},
                         {"params": net[0].bias}], lr=0.003)
    record = []
    for epoch in range(10):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)  # noqa: E741
            l.mean().backward()
            trainer.step()
            record += [l.mean().item(), net[0].weight.grad.numpy().copy()]
    return record + [net[0].weight.norm().item(), np.asarray(net[0].bias.data)]


@pytest.mark.parametrize("wd", [0, 3])
def test_weight_decay_concise(torch, wd):
    X, y = _weight_decay_data()
    theirs, ours = _double_state(torch.nn.Sequential(torch.nn.Linear(NUM_INPUTS, 1)))
    arrays = (torch.tensor(X.numpy()), torch.tensor(y.numpy()))
    assert_records(_weight_decay_concise(*libraries(), (X, y), ours, wd),
                   _weight_decay_concise(*libraries(torch), arrays, theirs, wd))


# ------------------------------------------------------------------ dropout
def dropout_layer(T, X, dropout, rand):
    assert 0 <= dropout <= 1
    if dropout == 1:  # all elements are dropped
        return T.zeros_like(X)
    if dropout == 0:  # all elements are kept
        return X
    mask = (rand(X.shape) > dropout).float()  # d2l: torch.rand(X.shape) (see the top)
    return mask * X / (1.0 - dropout)


def _dropout_net(T, lib, rand):
    class Net(lib.Module):
        def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2,
                     is_training=True):
            super(Net, self).__init__()
            self.num_inputs = num_inputs
            self.training = is_training
            self.lin1 = lib.Linear(num_inputs, num_hiddens1)
            self.lin2 = lib.Linear(num_hiddens1, num_hiddens2)
            self.lin3 = lib.Linear(num_hiddens2, num_outputs)
            self.relu = lib.ReLU()

        def forward(self, X):
            H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
            if self.training == True:  # noqa: E712 (d2l's test)
                H1 = dropout_layer(T, H1, 0.2, rand)
            H2 = self.relu(self.lin2(H1))
            if self.training == True:  # noqa: E712
                H2 = dropout_layer(T, H2, 0.5, rand)
            return self.lin3(H2)

    return Net(64, 10, 32, 16)


def _replayed_rand(T, seed: int):
    """``torch.rand(shape)`` replaying one NumPy stream, the same for both libraries."""
    rng = np.random.default_rng(seed)
    return lambda shape: T.tensor(rng.random(tuple(shape)))


def test_dropout_from_scratch(torch):
    X = np.arange(16.0).reshape((2, 8))
    for T in (ag, torch):
        out = [dropout_layer(T, T.tensor(X), p, _replayed_rand(T, 0)) for p in (0, 0.5, 1)]
        np.testing.assert_array_equal(out[0], X)
        assert set(np.unique(np.asarray(out[1]) / np.maximum(X, 1))) <= {0, 2}
        np.testing.assert_array_equal(out[2], 0 * X)
    theirs = _dropout_net(torch, torch.nn, _replayed_rand(torch, 1))
    ours = _dropout_net(ag, nn, _replayed_rand(ag, 1))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    record = {}
    for net, (T, lib, optim, data) in [(ours, libraries()), (theirs, libraries(torch))]:
        train_iter, test_iter = _loaders(T, data)
        loss = lib.CrossEntropyLoss(reduction="none")
        trainer = optim.SGD(net.parameters(), lr=0.5)
        record[T] = train_ch3(T, lib, optim, net, train_iter, test_iter, loss, 2, trainer)
        record[T] += [p.grad.numpy() for p in net.parameters()]
    assert_records(record[ag], record[torch])


def _dropout_concise(lib):
    dropout1, dropout2 = 0.2, 0.5
    net = lib.Sequential(lib.Flatten(),
                         lib.Linear(64, 32), lib.ReLU(),
                         lib.Dropout(dropout1),  # a dropout layer after the first layer
                         lib.Linear(32, 16), lib.ReLU(),
                         lib.Dropout(dropout2),  # and after the second
                         lib.Linear(16, 10))

    def init_weights(m):
        if type(m) == lib.Linear:  # noqa: E721
            lib.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    return net


def _evaluation_gradients(T, lib, net, images, labels) -> list:
    net.eval()
    loss = lib.CrossEntropyLoss()
    out = net(T.tensor(images))
    loss(out, T.tensor(labels)).backward()
    return [out.detach().numpy()] + [p.grad.numpy() for p in net.parameters()]


def test_dropout_concise(torch):
    theirs, ours = _dropout_concise(torch.nn), _dropout_concise(nn)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    images, labels = digits(32)
    assert_records(_evaluation_gradients(ag, nn, ours, images, labels),
                   _evaluation_gradients(torch, torch.nn, theirs, images, labels))
    ours.train()  # masks from our generator: d2l's rule, kept entries scaled by 1 / (1 - p)
    hidden = ours[:3](ag.tensor(images)).detach().numpy()
    dropped = ours[:4](ag.tensor(images)).detach().numpy()
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], hidden[kept] / 0.8, rtol=1e-14)
    assert 0.7 < kept[hidden != 0].mean() < 0.9  # p = 0.2 of several hundred entries

""""Dive into Deep Learning" (d2l.ai, PyTorch edition), chapter "Optimization Algorithms":
the optimizers from scratch and their concise versions, ported as its readers write them
and run step for step next to PyTorch (float64): losses, gradients, states and parameters
agree to 1e-10.

Sections here: "Momentum" (``gd_2d``/``momentum_2d`` traces, ``init_momentum_states`` and
``sgd_momentum`` with ``v[:] = ...``), "Adagrad", "RMSProp", "Adadelta", "Adam" and its
"Yogi" variant (each with its ``init_*_states`` and ``with torch.no_grad():`` update),
their ``train_ch11`` runs, and the concise runs through ``torch.optim`` (``SGD`` with and
without momentum, ``Adagrad``, ``RMSprop``, ``Adadelta``, ``Adam``) by
``train_concise_ch11`` with ``nn.MSELoss(reduction='none')``. The helpers ``train_2d``
(``test_pytorch_ports_d2l_optimization.py``), ``get_data_ch11`` and ``train_ch11``
(``test_pytorch_ports_d2l_optimization_minibatch.py``) come from those sections' ports.

Lines written differently here, and why:
- ``p.grad.data.zero_()``: ``.data`` is NumPy's array here (no ``zero_``), so it is
  ``p.grad.zero_()`` (the same in both);
- ``torch.nn.init.normal_(module.weight, std=0.01)`` is ``nn.init.normal_`` (``autograd``
  never imports ``nn``: ``autograd.nn``'s error says so); it runs in both, then our ``net``
  loads PyTorch's starting weights (the test's glue, marked): the generators differ.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from test_pytorch_ports_d2l_optimization import (SharedNormal, assert_records,
                                                 contour_values, printed, train_2d)
from test_pytorch_ports_d2l_optimization_minibatch import Chapter11

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


def libraries(torch=None) -> tuple:
    """(torch, nn, optim, data) of this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim, nn.data
    return torch, torch.nn, torch.optim, torch.utils.data


# ------------------------------------------------------------------ 2-d traces
def traces_2d(d2l) -> list:
    """Momentum's, Adagrad's and RMSProp's 2-d cells, and the decay curves they plot."""
    import math

    records = []

    def f_2d(x1, x2):
        return 0.1 * x1 ** 2 + 2 * x2 ** 2

    def gd_2d(x1, x2, s1, s2):
        return (x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0)

    def momentum_2d(x1, x2, v1, v2):
        v1 = beta * v1 + 0.2 * x1
        v2 = beta * v2 + 4 * x2
        return x1 - eta * v1, x2 - eta * v2, v1, v2

    def adagrad_2d(x1, x2, s1, s2):
        eps = 1e-6
        g1, g2 = 0.2 * x1, 4 * x2
        s1 += g1 ** 2
        s2 += g2 ** 2
        x1 -= eta / math.sqrt(s1 + eps) * g1
        x2 -= eta / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2

    def rmsprop_2d(x1, x2, s1, s2):
        g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
        s1 = gamma * s1 + (1 - gamma) * g1 ** 2
        s2 = gamma * s2 + (1 - gamma) * g2 ** 2
        x1 -= eta / math.sqrt(s1 + eps) * g1
        x2 -= eta / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2

    for eta in (0.4, 0.6):
        records.append(train_2d(gd_2d))
    for eta, beta in ((0.6, 0.5), (0.6, 0.25)):
        records.append(train_2d(momentum_2d))
    for eta in (0.4, 2):
        records.append(train_2d(adagrad_2d))
    eta, gamma = 0.4, 0.9
    records.append(train_2d(rmsprop_2d))
    records = [np.array(r) for r in records] + [v.numpy() for v in contour_values(d2l, f_2d)]
    betas = [0.95, 0.9, 0.6, 0]
    for beta in betas:
        x = d2l.arange(40).detach().numpy()  # d2l.numpy(d2l.arange(40))
        records.append(beta ** x)
    for gamma in [0.95, 0.9, 0.8, 0.7]:
        x = d2l.arange(40).detach().numpy()
        records.append((1-gamma) * gamma ** x)
    return records


def test_momentum_adagrad_rmsprop_2d(torch):
    (got, got_out), (want, want_out) = printed(traces_2d, ag), printed(traces_2d, torch)
    assert got_out == want_out
    assert_records(got, want)


# ------------------------------------------------------------------ from scratch
def from_scratch(torch, data) -> list:
    """The optimizers of the chapter as d2l writes them, each run by ``train_ch11``."""
    d2l = Chapter11(SharedNormal(torch), data)
    d2l.zeros = torch.zeros

    def init_momentum_states(feature_dim):
        v_w = d2l.zeros((feature_dim, 1))
        v_b = d2l.zeros(1)
        return (v_w, v_b)

    def sgd_momentum(params, states, hyperparams):
        for p, v in zip(params, states):
            with torch.no_grad():
                v[:] = hyperparams['momentum'] * v + p.grad
                p[:] -= hyperparams['lr'] * v
            p.grad.zero_()  # d2l: p.grad.data.zero_() (see the top)

    def init_adagrad_states(feature_dim):
        s_w = d2l.zeros((feature_dim, 1))
        s_b = d2l.zeros(1)
        return (s_w, s_b)

    def adagrad(params, states, hyperparams):
        eps = 1e-6
        for p, s in zip(params, states):
            with torch.no_grad():
                s[:] += torch.square(p.grad)
                p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
            p.grad.zero_()

    def init_rmsprop_states(feature_dim):
        s_w = d2l.zeros((feature_dim, 1))
        s_b = d2l.zeros(1)
        return (s_w, s_b)

    def rmsprop(params, states, hyperparams):
        gamma, eps = hyperparams['gamma'], 1e-6
        for p, s in zip(params, states):
            with torch.no_grad():
                s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
                p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
            p.grad.zero_()

    def init_adadelta_states(feature_dim):
        s_w, s_b = d2l.zeros((feature_dim, 1)), d2l.zeros(1)
        delta_w, delta_b = d2l.zeros((feature_dim, 1)), d2l.zeros(1)
        return ((s_w, delta_w), (s_b, delta_b))

    def adadelta(params, states, hyperparams):
        rho, eps = hyperparams['rho'], 1e-5
        for p, (s, delta) in zip(params, states):
            with torch.no_grad():
                # In-place updates via [:]
                s[:] = rho * s + (1 - rho) * torch.square(p.grad)
                g = (torch.sqrt(delta + eps) / torch.sqrt(s + eps)) * p.grad
                p[:] -= g
                delta[:] = rho * delta + (1 - rho) * g * g
            p.grad.zero_()

    def init_adam_states(feature_dim):
        v_w, v_b = d2l.zeros((feature_dim, 1)), d2l.zeros(1)
        s_w, s_b = d2l.zeros((feature_dim, 1)), d2l.zeros(1)
        return ((v_w, s_w), (v_b, s_b))

    def adam(params, states, hyperparams):
        beta1, beta2, eps = 0.9, 0.999, 1e-6
        for p, (v, s) in zip(params, states):
            with torch.no_grad():
                v[:] = beta1 * v + (1 - beta1) * p.grad
                s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
                v_bias_corr = v / (1 - beta1 ** hyperparams['t'])
                s_bias_corr = s / (1 - beta2 ** hyperparams['t'])
                p[:] -= hyperparams['lr'] * v_bias_corr / (torch.sqrt(s_bias_corr)
                                                           + eps)
            p.grad.zero_()
        hyperparams['t'] += 1

    def yogi(params, states, hyperparams):
        beta1, beta2, eps = 0.9, 0.999, 1e-3
        for p, (v, s) in zip(params, states):
            with torch.no_grad():
                v[:] = beta1 * v + (1 - beta1) * p.grad
                s[:] = s + (1 - beta2) * torch.sign(
                    torch.square(p.grad) - s) * torch.square(p.grad)
                v_bias_corr = v / (1 - beta1 ** hyperparams['t'])
                s_bias_corr = s / (1 - beta2 ** hyperparams['t'])
                p[:] -= hyperparams['lr'] * v_bias_corr / (torch.sqrt(s_bias_corr)
                                                           + eps)
            p.grad.zero_()
        hyperparams['t'] += 1

    def train_momentum(lr, momentum, num_epochs=2):
        d2l.train_ch11(sgd_momentum, init_momentum_states(feature_dim),
                       {'lr': lr, 'momentum': momentum}, data_iter,
                       feature_dim, num_epochs)

    data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
    train_momentum(0.02, 0.5)
    train_momentum(0.01, 0.9)
    train_momentum(0.005, 0.9)
    d2l.train_ch11(adagrad, init_adagrad_states(feature_dim),
                   {'lr': 0.1}, data_iter, feature_dim)
    d2l.train_ch11(rmsprop, init_rmsprop_states(feature_dim),
                   {'lr': 0.01, 'gamma': 0.9}, data_iter, feature_dim)
    d2l.train_ch11(adadelta, init_adadelta_states(feature_dim),
                   {'rho': 0.9}, data_iter, feature_dim)
    d2l.train_ch11(adam, init_adam_states(feature_dim),
                   {'lr': 0.01, 't': 1}, data_iter, feature_dim)
    d2l.train_ch11(yogi, init_adam_states(feature_dim),
                   {'lr': 0.01, 't': 1}, data_iter, feature_dim)
    return d2l.record


def test_optimizers_from_scratch(torch):
    got, got_out = printed(from_scratch, ag, nn.data)
    want, want_out = printed(from_scratch, torch, torch.utils.data)
    assert got_out == want_out
    assert_records(got, want)


# ------------------------------------------------------------------ concise
def concise(torch, nn, optim, data, starts: list, theirs: bool) -> tuple[list, str]:
    """``train_concise_ch11`` and the chapter's concise runs; ``starts`` carries PyTorch's
    initial weights to ours."""
    d2l = Chapter11(torch, data)
    record = []

    def train_concise_ch11(trainer_fn, hyperparams, data_iter, num_epochs=4):
        # Initialization
        net = nn.Sequential(nn.Linear(5, 1))

        def init_weights(module):
            if type(module) == nn.Linear:  # noqa: E721 (d2l's test)
                nn.init.normal_(module.weight, std=0.01)  # d2l: torch.nn.init (see the top)
        net.apply(init_weights)
        if theirs:  # the test's glue: the same start in both
            starts.append({k: v.detach().numpy().copy() for k, v in net.state_dict().items()})
        else:
            net.load_state_dict(starts.pop(0))

        optimizer = trainer_fn(net.parameters(), **hyperparams)
        loss = nn.MSELoss(reduction='none')
        n = 0
        for _ in range(num_epochs):
            for X, y in data_iter:
                optimizer.zero_grad()
                out = net(X)
                y = y.reshape(out.shape)
                l = loss(out, y)  # noqa: E741 (d2l's name)
                l.mean().backward()
                record.append([p.grad.numpy().copy() for p in net.parameters()])
                optimizer.step()
                record.append([p.detach().numpy().copy() for p in net.parameters()])
                n += X.shape[0]
                if n % 200 == 0:
                    # `MSELoss` computes squared error without the 1/2 factor
                    record.append(d2l.evaluate_loss(net, data_iter, loss) / 2)
        print(f'loss: {d2l.evaluate_loss(net, data_iter, loss) / 2:.3f}')

    data_iter, _ = d2l.get_data_ch11(10)
    trainer = optim.SGD
    train_concise_ch11(trainer, {'lr': 0.01}, data_iter)
    train_concise_ch11(trainer, {'lr': 0.005, 'momentum': 0.9}, data_iter)
    trainer = optim.Adagrad
    train_concise_ch11(trainer, {'lr': 0.1}, data_iter)
    trainer = optim.RMSprop
    train_concise_ch11(trainer, {'lr': 0.01, 'alpha': 0.9}, data_iter)
    trainer = optim.Adadelta
    train_concise_ch11(trainer, {'rho': 0.9}, data_iter)
    trainer = optim.Adam
    train_concise_ch11(trainer, {'lr': 0.01}, data_iter)
    return record


def test_optimizers_concise(torch):
    starts = []
    want, want_out = printed(concise, *libraries(torch), starts, True)
    got, got_out = printed(concise, *libraries(), starts, False)
    assert got_out == want_out
    assert len(got) == len(want) > 0
    for i, (a, b) in enumerate(zip(got, want)):
        assert_records(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b])

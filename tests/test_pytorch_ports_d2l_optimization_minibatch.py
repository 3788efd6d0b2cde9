""""Dive into Deep Learning" (d2l.ai, PyTorch edition), chapter "Optimization Algorithms",
section "Minibatch Stochastic Gradient Descent", ported as its readers write it and run
step for step next to PyTorch (float64): every loss, gradient and parameter agrees to
1e-10.

Here: "Vectorization and Caches" (``A[i, j] = torch.dot(B[i, :], C[:, j])``, by columns
with ``torch.mv``, at once with ``torch.mm``, by blocks of 64 columns), and the chapter's
helpers ``get_data_ch11``, ``train_ch11`` (with the from-scratch ``sgd`` at batch sizes
1500, 1, 100, 10) and ``evaluate_loss``, which the optimizers' ports
(``test_pytorch_ports_d2l_optimization_algorithms.py``) use too.

Lines written differently here, and why (see also ``test_pytorch_ports_d2l_optimization.py``):
- ``p.data.sub_(lr * p.grad)`` and ``p.grad.data.zero_()``: ``.data`` is NumPy's array
  here (it has no ``sub_``/``zero_``), so the update is ``p.sub_(...)`` under
  ``no_grad()`` and the reset ``p.grad.zero_()`` (the same in both);
- the airfoil data (a download) is a generated regression set of 5 features, normalised as
  d2l does, and ``load_array(..., is_train=False)`` keeps its order (the two libraries'
  shuffles differ); the matrices of "Vectorization and Caches" are 128x128 (not 256), and
  the ``Timer`` and plots are replaced by the values they would show.
"""

import numpy as np
import pytest

import autograd as ag
import nn.data
from test_pytorch_ports_d2l_optimization import SharedNormal, assert_records, printed

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


def vectorization(torch, B, C) -> list:
    """"Vectorization and Caches": the product computed four ways (d2l times them)."""
    n = B.shape[0]
    A = torch.zeros(n, n)
    results = []
    # Compute A = BC one element at a time
    for i in range(n):
        for j in range(n):
            A[i, j] = torch.dot(B[i, :], C[:, j])
    results.append(A.clone())
    # Compute A = BC one column at a time
    for j in range(n):
        A[:, j] = torch.mv(B, C[:, j])
    results.append(A.clone())
    # Compute A = BC in one go
    A = torch.mm(B, C)
    results.append(A)
    for j in range(0, n, 64):
        A[:, j:j+64] = torch.mm(B, C[:, j:j+64])
    results.append(A)
    return [r.numpy() for r in results]


def test_vectorization_and_caches(torch):
    B, C = torch.randn(128, 128), torch.randn(128, 128)
    got = vectorization(ag, ag.tensor(B.numpy()), ag.tensor(C.numpy()))
    assert_records(got, vectorization(torch, B, C))
    np.testing.assert_allclose(got[0], B.numpy() @ C.numpy(), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ minibatch SGD
def regression_data(n: int = 150) -> np.ndarray:
    """Airfoil's stand-in: 5 features and a noisy linear target, float32 as d2l reads it."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(n, 5))
    y = X @ np.array([0.5, -1.0, 2.0, 0.0, 1.5]) + 3.0 + rng.normal(0, 0.5, n)
    return np.concatenate([X, y[:, None]], axis=1).astype(np.float32)


class Accumulator:
    """For accumulating sums over `n` variables."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


class Chapter11:
    """d2l's helpers of the chapter for a library (``d2l.linreg``, ``get_data_ch11``,
    ``train_ch11``...), each recording what the plots would show."""

    def __init__(self, torch, data) -> None:
        self.torch, self.data, self.record = torch, data, []

    def load_array(self, data_arrays, batch_size, is_train=True):
        dataset = self.data.TensorDataset(*data_arrays)
        return self.data.DataLoader(dataset, batch_size, shuffle=is_train)

    def linreg(self, X, w, b):
        return self.torch.matmul(X, w) + b

    @staticmethod
    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def evaluate_loss(self, net, data_iter, loss):
        metric = Accumulator(2)  # Sum of losses, no. of examples
        for X, y in data_iter:
            out = net(X)
            y = self.torch.reshape(y, out.shape)
            l = loss(out, y)  # noqa: E741 (d2l's name)
            metric.add(self.torch.sum(l), l.numel())
        return metric[0] / metric[1]

    def get_data_ch11(self, batch_size=10, n=1500):
        data = regression_data()  # d2l: np.genfromtxt(d2l.download('airfoil'), ...)
        data = self.torch.from_numpy((data - data.mean(axis=0)) / data.std(axis=0))
        data = data.double()  # float64 in both (d2l's data stay float32)
        data_iter = self.load_array((data[:n, :-1], data[:n, -1]),
                                    batch_size, is_train=False)  # see the top
        return data_iter, data.shape[1]-1

    def train_ch11(self, trainer_fn, states, hyperparams, data_iter,
                   feature_dim, num_epochs=2):
        torch, d2l = self.torch, self
        # Initialization
        w = torch.normal(mean=0.0, std=0.01, size=(feature_dim, 1),
                         requires_grad=True)
        b = torch.zeros((1), requires_grad=True)
        net, loss = lambda X: d2l.linreg(X, w, b), d2l.squared_loss
        # Train
        n = 0
        for _ in range(num_epochs):
            for X, y in data_iter:
                l = loss(net(X), y).mean()  # noqa: E741
                l.backward()
                self.record += [l.item(), w.grad.numpy().copy()]
                trainer_fn([w, b], states, hyperparams)
                self.record += [w.detach().numpy().copy(), b.detach().numpy().copy()]
                n += X.shape[0]
                if n % 200 == 0:
                    self.record.append(d2l.evaluate_loss(net, data_iter, loss))
        self.record.append(d2l.evaluate_loss(net, data_iter, loss))
        print(f'loss: {self.record[-1]:.3f}')


def minibatch(torch, data) -> list:
    d2l = Chapter11(SharedNormal(torch), data)

    def sgd(params, states, hyperparams):
        for p in params:
            with torch.no_grad():  # d2l: p.data.sub_(hyperparams['lr'] * p.grad)
                p.sub_(hyperparams['lr'] * p.grad)
            p.grad.zero_()  # d2l: p.grad.data.zero_()

    def train_sgd(lr, batch_size, num_epochs=2):
        data_iter, feature_dim = d2l.get_data_ch11(batch_size)
        return d2l.train_ch11(
            sgd, None, {'lr': lr}, data_iter, feature_dim, num_epochs)

    gd_res = train_sgd(1, 1500, 10)  # noqa: F841 (d2l's names)
    sgd_res = train_sgd(0.005, 1)  # noqa: F841
    mini1_res = train_sgd(.4, 100)  # noqa: F841
    mini2_res = train_sgd(.05, 10)  # noqa: F841
    return d2l.record


def test_minibatch_sgd(torch):
    got, got_out = printed(minibatch, ag, nn.data)
    want, want_out = printed(minibatch, torch, torch.utils.data)
    assert got_out == want_out
    assert_records(got, want)

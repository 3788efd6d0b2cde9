"""PyTorch's tutorial "What is torch.nn really?", ported as a PyTorch user writes it
(``import autograd as ag`` for ``torch``, ``import nn``, ``import nn.functional as F``):
logistic regression by hand (``requires_grad_()``, updates
    under ``no_grad()``, ``grad.zero_()``), then refactored into ``nn.Module``,
    ``nn.Linear``, ``optim``, ``TensorDataset``/``DataLoader``, ``loss_batch``/``fit``/
    ``get_data`` and a CNN with a ``Lambda`` module and ``nn.AdaptiveAvgPool2d``, on
    scikit-learn's 8x8 digits. Each runs step for step as PyTorch's from the same start.

``nn.manual_seed`` (``ag.manual_seed``, PyTorch's ``torch.manual_seed``) seeds nn's layers,
dropout and shuffling and ``ag.randn``; a ``randn`` start that must not depend on what was
drawn before passes its own ``generator=``.
"""

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.data import DataLoader, TensorDataset
from test_pytorch_ports import _digits as digits, _to_numpy


def _digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n flat 64-pixel digits in [0, 1] (the tutorial's flat MNIST rows) and their labels."""
    images, labels = digits(n, lambda a: a / 16.0)
    return images.reshape(n, 64), labels


# ------------------------------------------------------------------ (a) torch.nn, really
def _logistic_by_hand(T, cross_entropy, images, labels, w0, lr: float = 0.5, bs: int = 64):
    """The tutorial's first model: weights and bias by hand, our own log_softmax and nll."""
    x_train, y_train = map(T.tensor, (images, labels))
    n, _ = x_train.shape
    weights = T.tensor(w0)
    weights.requires_grad_()
    bias = T.zeros(10, requires_grad=True, dtype=weights.dtype)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    losses = []
    for epoch in range(2):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb, yb = x_train[start_i:end_i], y_train[start_i:end_i]
            loss = nll(model(xb), yb)
            loss.backward()
            with T.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
            losses.append(loss.item())
    out = model(x_train)
    assert cross_entropy(xb @ weights + bias, yb).item() == pytest.approx(
        nll(model(xb), yb).item(), rel=1e-12)  # the refactor to F.cross_entropy
    preds = T.argmax(out, dim=1)
    accuracy = (preds == y_train).float().mean()
    return losses, weights.detach().numpy(), accuracy.item()


def test_logistic_regression_by_hand_as_torch():
    torch = pytest.importorskip("torch")
    images, labels = _digits(256)
    w0 = np.random.default_rng(0).standard_normal((64, 10)) / math.sqrt(64)
    got = _logistic_by_hand(ag, F.cross_entropy, images, labels, w0)
    want = _logistic_by_hand(torch, torch.nn.functional.cross_entropy, images, labels, w0)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], want[1], atol=1e-14)
    assert got[2] == pytest.approx(want[2]) and got[2] > 0.8


def test_logistic_regression_with_randn_over_sqrt_learns():
    images, labels = _digits(256)
    x_train, y_train = ag.tensor(images), ag.tensor(labels)
    weights = ag.randn(64, 10, generator=np.random.default_rng(0)) / math.sqrt(64)
    weights.requires_grad_()
    assert weights.is_leaf and weights.grad is None
    bias = ag.zeros(10, requires_grad=True)
    loss_func = F.cross_entropy
    first = loss_func(x_train @ weights + bias, y_train).item()
    for _ in range(20):
        loss = loss_func(x_train @ weights + bias, y_train)
        loss.backward()
        with ag.no_grad():
            weights -= weights.grad * 0.5
            bias -= bias.grad * 0.5
            weights.grad.zero_()
            bias.grad.zero_()
    assert weights.requires_grad and weights.is_leaf
    assert loss.item() < 0.5 * first


def _lambda_class(lib):
    """The tutorial's ``Lambda(func)`` module, for either library."""
    class Lambda(lib.Module):
        def __init__(self, func) -> None:
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    return Lambda


def _mnist_cnn(lib):
    """The tutorial's Sequential CNN: three stride-2 convolutions, then average pooling."""
    Lambda = _lambda_class(lib)
    return lib.Sequential(
        Lambda(lambda x: x.view(-1, 1, 8, 8)),
        lib.Conv2d(1, 16, kernel_size=3, stride=2, padding=1), lib.ReLU(),
        lib.Conv2d(16, 16, kernel_size=3, stride=2, padding=1), lib.ReLU(),
        lib.Conv2d(16, 10, kernel_size=3, stride=2, padding=1), lib.ReLU(),
        lib.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)))


def _loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def _fit(T, epochs, model, loss_func, opt, train_dl, valid_dl) -> list[float]:
    val_losses = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            _loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with T.no_grad():
            losses, nums = zip(*[_loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        val_losses.append(val_loss)
    return val_losses


def _get_data(loader, train_ds, valid_ds, bs, order):
    """The tutorial's ``get_data``; ``sampler=order`` stands for ``shuffle=True`` so that
    both libraries see the same batches."""
    return (loader(train_ds, batch_size=bs, sampler=order),
            loader(valid_ds, batch_size=bs * 2))


def _cnn_fit(T, lib, optim, loader, dataset, model, images, labels, order) -> list[float]:
    x_train, y_train, x_valid, y_valid = map(
        T.tensor, (images[:192], labels[:192], images[192:], labels[192:]))
    train_dl, valid_dl = _get_data(loader, dataset(x_train, y_train),
                                   dataset(x_valid, y_valid), 32, order)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return _fit(T, 2, model, lib.functional.cross_entropy, opt, train_dl, valid_dl)


def test_sequential_cnn_with_lambda_fits_as_torch():
    torch = pytest.importorskip("torch")
    images, labels = _digits(256)
    order = np.random.default_rng(0).permutation(192).tolist()
    torch.manual_seed(0)
    theirs = _mnist_cnn(torch.nn).double()
    ours = _mnist_cnn(nn)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _cnn_fit(ag, nn, nn.optim, DataLoader, TensorDataset, ours, images, labels, order)
    want = _cnn_fit(torch, torch.nn, torch.optim, torch.utils.data.DataLoader,
                    torch.utils.data.TensorDataset, theirs, images, labels, order)
    assert all(isinstance(v, float) for v in got)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=1e-12)


def test_logistic_module_and_wrapped_loader_learn():
    images, labels = _digits(320)
    x_train, y_train, x_valid, y_valid = map(
        ag.tensor, (images[:256], labels[:256], images[256:], labels[256:]))

    class MnistLogistic(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.weights = nn.Parameter(ag.randn(64, 10, generator=rng) / math.sqrt(64))
            self.bias = nn.Parameter(ag.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    class WrappedDataLoader:
        def __init__(self, dl, func) -> None:
            self.dl, self.func = dl, func

        def __len__(self) -> int:
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield self.func(*b)

    nn.manual_seed(0)
    rng = np.random.default_rng(0)
    model = MnistLogistic()
    assert [name for name, _ in model.named_parameters()] == ["weights", "bias"]
    train_ds, valid_ds = TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid)
    xb, yb = train_ds[0:64]
    assert isinstance(xb, ag.Tensor) and xb.shape == (64, 64) and yb.shape == (64,)
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)
    valid_dl = WrappedDataLoader(DataLoader(valid_ds, batch_size=128), lambda x, y: (x, y))
    opt = nn.optim.SGD(model.parameters(), lr=0.5)
    with ag.no_grad():
        before = sum(F.cross_entropy(model(xb), yb) for xb, yb in valid_dl) / len(valid_dl)
    val_losses = _fit(ag, 5, model, F.cross_entropy, opt, train_dl, valid_dl)
    assert val_losses[-1] < 0.6 * before.item()


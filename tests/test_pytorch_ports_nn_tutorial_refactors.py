"""PyTorch's tutorial "What is torch.nn really?" (``beginner_source/nn_tutorial.py``), the
refactoring stages ``test_pytorch_ports_basics.py`` leaves out, each step for step against
PyTorch on scikit-learn's 8x8 digits: ``Mnist_Logistic`` with ``nn.Parameter`` trained by
the tutorial's ``fit()`` (``for p in model.parameters(): p -= p.grad * lr`` and
``model.zero_grad()`` under ``no_grad``), again with ``nn.Linear``, ``get_model`` with
``optim.SGD``, ``TensorDataset`` slices (``train_ds[i * bs: i * bs + bs]``), a
``DataLoader`` loop, the validation loss ``sum(...) / len(valid_dl)``, then
``get_data``/``fit``/``loss_batch`` on ``Mnist_CNN`` (``F.relu``, ``F.avg_pool2d``,
``xb.view(-1, 1, 8, 8)``, ``xb.view(-1, xb.size(1))``) with momentum, the
``nn.Sequential`` with ``Lambda(preprocess)`` and ``nn.AvgPool2d``, and
``WrappedDataLoader`` with ``preprocess(x, y)`` moving batches to ``dev``
(``torch.cuda.is_available()``, ``torch.device``, ``model.to(dev)``).

Every new model starts from PyTorch's weights (PyTorch's run records them, ours loads
them in the same order); ``sampler=order`` stands for ``shuffle=True`` so that both see
the same batches. MNIST's 28x28 images are 8x8 here: the CNN's grid after three stride-2
convolutions is 1x1, so its last convolution keeps stride 1 and ``avg_pool2d`` pools the
2x2 grid (MNIST's: 4x4).
"""

import math

import numpy as np

import autograd as ag
import nn
import nn.functional as F
from nn.data import DataLoader, TensorDataset
from test_pytorch_ports import _digits, _to_numpy


def classes(torch, nn, F):
    """The tutorial's model classes for either library."""
    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.randn(64, 10) / math.sqrt(64))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    class Mnist_Logistic_Linear(nn.Module):  # the tutorial reuses the name Mnist_Logistic
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(64, 10)

        def forward(self, xb):
            return self.lin(xb)

    class Mnist_CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
            self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=1, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 8, 8)
            xb = F.relu(self.conv1(xb))
            xb = F.relu(self.conv2(xb))
            xb = F.relu(self.conv3(xb))
            xb = F.avg_pool2d(xb, 2)
            return xb.view(-1, xb.size(1))

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    return Mnist_Logistic, Mnist_Logistic_Linear, Mnist_CNN, Lambda


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        batches = iter(self.dl)
        for b in batches:
            yield (self.func(*b))


def logistic_stages(torch, nn, F, optim, TensorDataset, DataLoader, data, start):
    """From ``nn.Module`` to validation; returns the losses the tutorial prints."""
    Mnist_Logistic, Mnist_Logistic_Linear, _, _ = classes(torch, nn, F)
    x_train, y_train, x_valid, y_valid = map(torch.tensor, data)
    n, c = x_train.shape
    bs, lr, epochs = 64, 0.5, 2
    loss_func = F.cross_entropy
    xb, yb = x_train[0:bs], y_train[0:bs]
    printed = []

    def fit():
        for epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                start_i = i * bs
                end_i = start_i + bs
                xb = x_train[start_i:end_i]
                yb = y_train[start_i:end_i]
                pred = model(xb)
                loss = loss_func(pred, yb)

                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()

    model = start(Mnist_Logistic())
    printed.append(loss_func(model(xb), yb).item())
    fit()
    printed.append(loss_func(model(xb), yb).item())
    model = start(Mnist_Logistic_Linear())
    printed.append(loss_func(model(xb), yb).item())
    fit()
    printed.append(loss_func(model(xb), yb).item())

    def get_model():
        model = start(Mnist_Logistic_Linear())
        return model, optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model()
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()
    printed.append(loss_func(model(xb), yb).item())

    train_ds = TensorDataset(x_train, y_train)
    model, opt = get_model()
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb, yb = train_ds[i * bs: i * bs + bs]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()
    printed.append(loss_func(model(xb), yb).item())

    train_dl = DataLoader(train_ds, batch_size=bs)
    valid_ds = TensorDataset(x_valid, y_valid)
    valid_dl = DataLoader(valid_ds, batch_size=bs * 2)
    model, opt = get_model()
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

        model.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)

        printed.append((valid_loss / len(valid_dl)).item())
    return printed


def seeded_starts(torch):
    """``start`` functions: PyTorch's records each new model's weights, ours loads them."""
    recorded = []

    def theirs(model):
        recorded.append({k: v.copy() for k, v in _to_numpy(model.state_dict()).items()})
        return model

    def ours(model):
        model.load_state_dict(recorded.pop(0))
        return model

    return theirs, ours


def flat_digits():
    images, labels = _digits(320, lambda a: a / 16.0)
    images = images.reshape(320, 64)
    return images[:256], labels[:256], images[256:], labels[256:]


def test_logistic_refactors_as_torch(torch):
    data = flat_digits()
    theirs, ours = seeded_starts(torch)
    tdata = torch.utils.data
    want = logistic_stages(torch, torch.nn, torch.nn.functional, torch.optim,
                           tdata.TensorDataset, tdata.DataLoader, data, theirs)
    got = logistic_stages(ag, nn, F, nn.optim, TensorDataset, DataLoader, data, ours)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert got[1] < got[0] and got[-1] < got[-2]  # the validation loss goes down


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)


def cnn_stages(torch, nn, F, optim, TensorDataset, DataLoader, data, start, order):
    """The CNN, the Sequential with ``Lambda(preprocess)`` and ``nn.AvgPool2d``, and the
    wrapped loaders moving batches to ``dev``; returns every epoch's validation loss."""
    _, _, Mnist_CNN, Lambda = classes(torch, nn, F)
    x_train, y_train, x_valid, y_valid = map(torch.tensor, data)
    train_ds, valid_ds = TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid)
    bs, lr, epochs = 32, 0.1, 2
    loss_func = F.cross_entropy
    printed = []

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)

            model.eval()
            with torch.no_grad():
                losses, nums = zip(
                    *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
                )
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

            printed.append(val_loss)

    def get_data(train_ds, valid_ds, bs):
        return (
            DataLoader(train_ds, batch_size=bs, sampler=order),  # shuffle=True: see the top
            DataLoader(valid_ds, batch_size=bs * 2),
        )

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    model = start(Mnist_CNN())
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)

    def preprocess(x):
        return x.view(-1, 1, 8, 8)

    model = start(nn.Sequential(
        Lambda(preprocess),
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=1, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(2),
        Lambda(lambda x: x.view(x.size(0), -1)),
    ))
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)

    dev = torch.device(
        "cuda") if torch.cuda.is_available() else torch.device("cpu")

    def preprocess(x, y):
        return x.view(-1, 1, 8, 8).to(dev), y.to(dev)

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    train_dl = WrappedDataLoader(train_dl, preprocess)
    valid_dl = WrappedDataLoader(valid_dl, preprocess)
    model = start(nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    ))
    model.to(dev)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    return printed, model


def test_cnn_refactors_as_torch(torch):
    data = flat_digits()
    order = np.random.default_rng(0).permutation(256).tolist()
    theirs, ours = seeded_starts(torch)
    tdata = torch.utils.data
    want, their_model = cnn_stages(torch, torch.nn, torch.nn.functional, torch.optim,
                                   tdata.TensorDataset, tdata.DataLoader, data, theirs, order)
    got, model = cnn_stages(ag, nn, F, nn.optim, TensorDataset, DataLoader, data, ours, order)
    assert all(isinstance(v, float) for v in got)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    for name, value in their_model.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[name].numpy(), value.numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=name)
    assert got[1] < got[0]

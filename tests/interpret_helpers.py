"""Glue shared by the interpretability and attack ports (``test_pytorch_ports_interpret_*``):
a small conv net on scikit-learn's 8x8 digits trained briefly, step for step in both
libraries from PyTorch's initial weights, and the stand-in for the ``torch`` module that
records our random draws and replays them on PyTorch's side (the generators differ)."""

from __future__ import annotations

import numpy as np

import autograd as ag
import nn
from pytorch_examples_helpers import assert_steps, digits, record_steps


def libraries(torch=None) -> tuple:
    """(T, nn, F, autograd) of this library, or PyTorch's when ``torch`` is given:
    ``torch.autograd.grad`` is ``autograd.grad`` here (this library is the autograd
    package)."""
    if torch is None:
        return ag, nn, nn.functional, ag
    return torch, torch.nn, torch.nn.functional, torch.autograd


def make_net(nn):
    """The convolutional classifier the tutorials attribute, shrunk for 8x8 images: two
    3x3 convolutions (``features``), ReLU modules (guided backprop hooks them), a pool and
    a linear head (``classifier``)."""

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(),
                nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(),
                nn.MaxPool2d(2))
            self.classifier = nn.Linear(8 * 4 * 4, 10)

        def forward(self, x):
            x = self.features(x)
            x = x.view(x.size(0), -1)
            return self.classifier(x)

    return Net()


def trained_pair(torch, steps: int = 8):
    """Our Net and PyTorch's from PyTorch's initial weights, each trained ``steps`` Adam
    steps on the same batches of 32 digits (checked to agree); then the 32 held-out
    images and labels (pixels in [0, 1]). Returns (ours, theirs, images, labels)."""
    images, labels = digits(32 * steps + 32, lambda a: a)
    torch.manual_seed(0)
    theirs = make_net(torch.nn)
    start = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    models, records = [], []
    for library in (None, torch):
        T, lib, F, _ = libraries(library)
        model = make_net(lib)
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
        optimizer = (torch.optim if library else nn.optim).Adam(model.parameters(), lr=1e-2)
        record = []
        record_steps(optimizer, record)
        for step in range(steps):
            batch = slice(32 * step, 32 * step + 32)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(T.tensor(images[batch])), T.tensor(labels[batch]))
            loss.backward()
            optimizer.step()
        model.eval()
        models.append(model)
        records.append(record)
    assert_steps(*records)
    return models[0], models[1], images[-32:], labels[-32:]


class Draws:
    """The library ``T`` as a program reads it, with ``randn_like``, ``randn``,
    ``rand_like``, ``randint``, ``normal`` and ``empty_like(...).uniform_`` draws recorded
    (ours: ``draws`` filled) or replayed (PyTorch's: ``replay`` gives our values)."""

    def __init__(self, T, draws: list | None = None, replay: list | None = None) -> None:
        self._T, self._draws, self._replay = T, draws, replay

    def __getattr__(self, name: str):
        return getattr(self._T, name)

    def _draw(self, name: str, *args, **kwargs):
        if self._replay is not None:
            return self._T.tensor(self._replay.pop(0),
                                  requires_grad=kwargs.get("requires_grad", False))
        value = getattr(self._T if name[0] != "_" else self, name)(*args, **kwargs)
        self._draws.append(value.detach().numpy().copy())
        return value

    def _uniform_like(self, like, low, high):
        return self._T.empty_like(like).uniform_(low, high)

    def randn_like(self, *args, **kwargs):
        return self._draw("randn_like", *args, **kwargs)

    def randn(self, *args, **kwargs):
        return self._draw("randn", *args, **kwargs)

    def rand_like(self, *args, **kwargs):
        return self._draw("rand_like", *args, **kwargs)

    def randint(self, *args, **kwargs):
        return self._draw("randint", *args, **kwargs)

    def normal(self, *args, **kwargs):
        return self._draw("normal", *args, **kwargs)

    def empty_like(self, like, *args, **kwargs):
        """``torch.empty_like(x)``, whose ``uniform_`` is recorded or replayed."""
        return _Uniform(self, like)


class _Uniform:
    """``torch.empty_like(x)`` before its ``uniform_(a, b)`` draw."""

    def __init__(self, draws: Draws, like) -> None:
        self.draws, self.like = draws, like

    def uniform_(self, low: float = 0.0, high: float = 1.0):
        return self.draws._draw("_uniform_like", self.like, low, high)


def numpy_of(value) -> np.ndarray:
    """A tensor of either library (or an array) as a NumPy copy."""
    return np.array(value.detach().numpy() if hasattr(value, "detach") else value)

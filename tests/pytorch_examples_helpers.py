"""Glue shared by the ports of pytorch/examples (``test_pytorch_ports_examples_*.py``): the
stand-in for torchvision's MNIST dataset (scikit-learn's 8x8 digits), replaying on
PyTorch's side the sample order, dropout masks and random draws our run made, so the
two runs see the same batches and noise while each program keeps its own lines
(``shuffle=True``, ``nn.Dropout(0.5)``, ``torch.randn_like(std)``)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from port_records import scaled_atol

import autograd as ag


def digits(n: int, scale) -> tuple[np.ndarray, np.ndarray]:
    """n of scikit-learn's digits as float64 images ``scale(pixels / 16)`` of the pixels in
    shape (n, 1, 8, 8), and int64 labels."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return scale((images[:n] / 16.0).reshape(n, 1, 8, 8)), labels[:n].astype(np.int64)


class Digits:
    """``datasets.MNIST(root, train, transform=...)``: a map-style dataset of
    ``(image, target)`` pairs (an image Tensor of the library ``T``, an int target).
    ``order`` records the indices read (our run); ``replay`` makes PyTorch's read those
    indices in that order whatever its sampler asks for (its shuffle draws from torch's
    generator, ours from NumPy's)."""

    def __init__(self, T, images, labels, order: list | None = None,
                 replay: list | None = None) -> None:
        self.T, self.images, self.labels = T, images, labels
        self.order, self.replay = order, replay

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        if self.replay is not None:
            index = self.replay.pop(0)
        if self.order is not None:
            self.order.append(index)
        target = self.labels[index]  # a class, or an image (super-resolution's target)
        target = int(target) if np.ndim(target) == 0 else self.T.tensor(target)
        return self.T.tensor(self.images[index]), target


def record_dropout(model, masks: list) -> None:
    """Record where each of our ``Dropout`` (``Dropout2d``...) modules kept its input
    (training mode)."""
    for module in model.modules():
        if type(module).__name__.startswith("Dropout"):
            module.register_forward_hook(
                lambda m, inputs, output: masks.append(output.detach().numpy() != 0)
                if m.training else None)


def replay_dropout(torch, model, masks: list) -> None:
    """Make PyTorch's ``Dropout`` (``Dropout2d``...) modules keep what ours kept:
    ``x * mask / (1 - p)``."""
    def hook(module, inputs, output):
        if module.training:
            mask = torch.tensor(masks.pop(0), dtype=inputs[0].dtype)
            return inputs[0] * (mask / (1 - module.p))
        return None

    for module in model.modules():
        if type(module).__name__.startswith("Dropout"):
            module.register_forward_hook(hook)


class MaskedDropout:
    """A library's ``nn.functional`` whose ``dropout`` records where ours kept its input
    (``masks`` filled) or, on PyTorch's side, keeps what ours kept: ``x * mask / (1 - p)``."""

    def __init__(self, F, masks: list, replay: bool, tensor) -> None:
        self._F, self._masks, self._replay, self._tensor = F, masks, replay, tensor

    def __getattr__(self, name: str):
        return getattr(self._F, name)

    def dropout(self, input, p=0.5, training=True, inplace=False):
        if not training or p == 0:
            return self._F.dropout(input, p, training, inplace)
        if self._replay:
            return input * (self._tensor(self._masks.pop(0)) / (1 - p))
        output = self._F.dropout(input, p, training, inplace)
        self._masks.append(output.detach().numpy() != 0)
        return output


def record_steps(optimizer, record: list) -> None:
    """Each step's gradients (before it; a NaN for a parameter without one, as a model's
    unused head) and parameters (after it), as NumPy arrays."""
    def grads(opt, args, kwargs):
        record.append([np.nan if p.grad is None else p.grad.numpy().copy()
                       for g in opt.param_groups for p in g["params"]])

    def params(opt, args, kwargs):
        record.append([p.detach().numpy().copy() for g in opt.param_groups
                       for p in g["params"]])

    optimizer.register_step_pre_hook(grads)
    optimizer.register_step_post_hook(params)


def assert_steps(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want) > 0
    for step, (a, b) in enumerate(zip(got, want)):
        assert len(a) == len(b)
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=max(atol, scaled_atol(y, rtol)),
                                       err_msg=f"record {step}, tensor {i}")


def libraries(torch=None) -> tuple:
    """(T, nn, optim, data) of this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        import nn
        import nn.data
        return ag, nn, nn.optim, nn.data
    return torch, torch.nn, torch.optim, torch.utils.data


class Draws:
    """The library ``T`` as the program reads it, with its random draws (``randn``,
    ``randn_like``, ``randint``, ``randperm``) recorded (our run: ``draws`` filled) or
    replayed (PyTorch's run: ``replay`` gives our values), so both runs use the same noise."""

    def __init__(self, T, draws: list | None = None, replay: list | None = None) -> None:
        self._T, self._draws, self._replay = T, draws, replay

    def __getattr__(self, name: str):
        return getattr(self._T, name)

    def _draw(self, name: str, *args, **kwargs):
        if self._replay is not None:
            return self._T.tensor(self._replay.pop(0))
        value = getattr(self._T, name)(*args, **kwargs)
        self._draws.append(value.detach().numpy().copy())
        return value

    def randn(self, *args, **kwargs):
        return self._draw("randn", *args, **kwargs)

    def randn_like(self, *args, **kwargs):
        return self._draw("randn_like", *args, **kwargs)

    def randint(self, *args, **kwargs):
        return self._draw("randint", *args, **kwargs)

    def randperm(self, *args, **kwargs):
        return self._draw("randperm", *args, **kwargs)


def assert_printed(got: str, want: str, rtol: float = 1e-10) -> None:
    """The same lines, but for the digits of full-precision numbers (``print(x.item())``),
    which agree to ``rtol``."""
    number = re.compile(r"-?\d+\.\d{6,}(?:e[-+]\d+)?")
    assert number.sub("#", got) == number.sub("#", want)
    np.testing.assert_allclose([float(x) for x in number.findall(got)],
                               [float(x) for x in number.findall(want)], rtol=rtol)

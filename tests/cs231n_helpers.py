"""Glue shared by the CS231n ports (``test_pytorch_ports_cs231n_*``): the libraries as the
notebooks import them, small image sets standing in for CIFAR-10 and MNIST, and the stand-in
for ``torch`` whose random draws ours record and PyTorch's replay (the generators differ)."""

from __future__ import annotations

import numpy as np

import autograd as ag
import nn
import nn.data
import nn.functional
from pytorch_examples_helpers import Digits, Draws, digits


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data) of this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


class RandomDraws(Draws):
    """``Draws`` with ``rand`` too (the GAN notebook's ``sample_noise``), whose replayed
    draws keep a ``requires_grad=True`` argument."""

    def _draw(self, name: str, *args, **kwargs):
        value = super()._draw(name, *args, **kwargs)
        if self._replay is not None and kwargs.get("requires_grad"):
            value.requires_grad_()
        return value

    def rand(self, *args, **kwargs):
        return self._draw("rand", *args, **kwargs)


def colour_digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n of scikit-learn's digits as 3-channel 8x8 images (CIFAR-10's layout, small):
    the pixels p in [0, 1], 1 - p and p ** 2 as the channels; int64 labels."""
    images, labels = digits(n, lambda a: a)
    return np.concatenate([images, 1 - images, images ** 2], axis=1), labels


class CifarLike(Digits):
    """``dset.CIFAR10(..., train=True, transform=...)`` read by the notebook's loaders:
    ``loader.dataset.train`` says which split ``check_accuracy`` reports."""

    def __init__(self, T, images, labels, train: bool = True, **kwargs) -> None:
        super().__init__(T, images, labels, **kwargs)
        self.train = train

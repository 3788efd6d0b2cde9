"""Glue shared by the ports of diffusion models, score matching and energy-based models
(``test_pytorch_ports_diffusion_*.py``): the libraries, random draws recorded in our run
and replayed in PyTorch's, a dataset that records (or replays) the order a shuffling
loader reads it in, and the records' comparison."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from pytorch_examples_helpers import Draws as _Draws
from test_pytorch_ports_pinn import assert_same

__all__ = ["Draws", "OrderedDataset", "assert_same", "grads", "libraries", "moons",
           "record_steps", "state"]


def libraries(torch=None) -> tuple:
    """(T, nn, optim, data) of this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        import nn
        import nn.data
        return ag, nn, nn.optim, nn.data
    return torch, torch.nn, torch.optim, torch.utils.data


class Draws(_Draws):
    """``pytorch_examples_helpers.Draws`` with ``rand``, ``rand_like`` and ``bernoulli``
    recorded too."""

    def rand(self, *args, **kwargs):
        return self._draw("rand", *args, **kwargs)

    def rand_like(self, *args, **kwargs):
        return self._draw("rand_like", *args, **kwargs)

    def bernoulli(self, *args, **kwargs):
        return self._draw("bernoulli", *args, **kwargs)


class OrderedDataset:
    """``TensorDataset(x)`` of the library ``T`` whose reads are recorded (``order``, our
    run) or replayed (``replay``, PyTorch's run: its sampler draws from another
    generator), so a ``shuffle=True`` loader gives both runs the same batches."""

    def __init__(self, T, x: np.ndarray, order: list | None = None,
                 replay: list | None = None) -> None:
        self.T, self.x, self.order, self.replay = T, x, order, replay

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int):
        if self.replay is not None:
            index = self.replay.pop(0)
        if self.order is not None:
            self.order.append(index)
        return (self.T.tensor(self.x[index]),)


def moons(n: int = 8000, dtype=np.float64) -> np.ndarray:
    """tiny-diffusion's ``moons_dataset``: scikit-learn's two moons, stretched."""
    datasets = pytest.importorskip("sklearn.datasets")
    X, _ = datasets.make_moons(n_samples=n, random_state=42, noise=0.03)
    X[:, 0] = (X[:, 0] + 0.3) * 2 - 1
    X[:, 1] = (X[:, 1] + 0.3) * 3 - 1
    return X.astype(dtype)


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def grads(model) -> list:
    return [None if p.grad is None else p.grad.numpy().copy() for p in model.parameters()]


def record_steps(optimizer, record: list) -> None:
    """Each step's gradients (before it; None for a frozen parameter) and parameters
    (after it), as NumPy arrays."""
    def before(opt, args, kwargs):
        record.append([None if p.grad is None else p.grad.numpy().copy()
                       for g in opt.param_groups for p in g["params"]])

    def after(opt, args, kwargs):
        record.append([p.detach().numpy().copy() for g in opt.param_groups
                       for p in g["params"]])

    optimizer.register_step_pre_hook(before)
    optimizer.register_step_post_hook(after)

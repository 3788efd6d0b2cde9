"""Glue shared by the ports of implicit-layer programs (the implicit-layers tutorial's DEQ
and tanh layers, a neural ODE with its adjoint, tiny NeRF, efficient-kan): the library as
those programs spell it (``torch.nn.Linear``, ``torch.optim``, ``torch.autograd.grad``),
one stream of uniform/normal draws for both runs, starting weights copied from PyTorch's
model, and the comparison of what each run recorded."""

from __future__ import annotations

import numpy as np

import autograd as ag
import nn
import nn.functional  # noqa: F401  (torch.nn.functional as the programs spell it)


class Library:
    """``torch`` as the programs read it: ours (``autograd`` with ``.nn``, ``.optim`` and
    ``.autograd``), or PyTorch; ``rand``/``randn``/``normal(mean, std, size=)`` and the
    ``_like`` forms draw float64 values from
    one NumPy generator re-seeded by ``manual_seed``, so both runs see the same numbers
    (the two libraries' own generators differ)."""

    def __init__(self, torch=None) -> None:
        self._torch = ag if torch is None else torch
        self.nn = nn if torch is None else torch.nn
        self.optim = nn.optim if torch is None else torch.optim
        self.autograd = ag if torch is None else torch.autograd
        self._rng = np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self._torch, name)

    def manual_seed(self, seed: int):
        self._rng = np.random.default_rng(seed)
        return self._torch.manual_seed(seed)

    @staticmethod
    def _size(size: tuple) -> tuple:
        return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) \
            else tuple(size)

    def rand(self, *size, **options):
        return self._torch.tensor(self._rng.random(self._size(size)), **options)

    def randn(self, *size, **options):
        return self._torch.tensor(self._rng.standard_normal(self._size(size)), **options)

    def normal(self, mean, std, size=None, **options):
        if size is None or not all(isinstance(v, (int, float)) for v in (mean, std)):
            return self._torch.normal(mean, std, size, **options)  # tensors: their own draw
        return self._torch.tensor(self._rng.normal(mean, std, self._size((size,))),
                                  **options)

    def rand_like(self, x):
        return self._torch.tensor(self._rng.random(tuple(x.shape)), dtype=x.dtype)

    def randn_like(self, x):
        return self._torch.tensor(self._rng.standard_normal(tuple(x.shape)), dtype=x.dtype)


def weight_sync() -> tuple:
    """(ours, theirs): ``theirs(model)`` keeps a PyTorch model's starting state dict,
    ``ours(model)`` loads them in the same order (run PyTorch's program first)."""
    states: list = []

    def theirs(model):
        states.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})

    def ours(model):
        model.load_state_dict(states.pop(0))

    return ours, theirs


class Records(list):
    """What a program records, each tensor kept as it was then (a NumPy copy: a buffer or
    parameter changes in place with the training after it)."""

    def append(self, value) -> None:
        super().append(as_numpy(value))

    def extend(self, values) -> None:
        for value in values:
            self.append(value)

    def __iadd__(self, values):
        self.extend(values)
        return self


def as_numpy(value):
    """A record entry as NumPy: tensors (either library) become arrays (copies)."""
    if hasattr(value, "detach"):
        return value.detach().numpy().copy()
    if isinstance(value, (list, tuple)):
        return [as_numpy(v) for v in value]
    return value


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """The same records, numbers agreeing to rtol/atol (ints and bools exactly)."""
    assert len(got) == len(want) > 0
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = as_numpy(a), as_numpy(b)
        if isinstance(a, (bool, int, str)):
            assert a == b, f"record {i}: {a!r} != {b!r}"
            continue
        if isinstance(a, list) and any(isinstance(v, np.ndarray) for v in a):
            assert isinstance(b, list) and len(a) == len(b), f"record {i}"
            for j, (x, y) in enumerate(zip(a, b)):  # tensors of several shapes
                np.testing.assert_allclose(x, y, rtol=rtol, atol=atol,
                                           err_msg=f"record {i}, tensor {j}")
            continue
        assert np.shape(a) == np.shape(b), f"record {i}: {np.shape(a)} != {np.shape(b)}"
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol,
                                   atol=atol, err_msg=f"record {i}")

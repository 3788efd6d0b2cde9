"""Glue shared by the ports of recommender and tabular models
(``test_pytorch_ports_recsys_*.py``): generated interaction data (users, items, ratings
from a low-rank model, categorical and numeric columns), a library namespace whose random
draws come from one NumPy generator seeded alike in both runs, and the comparison of what
the two runs recorded."""

from __future__ import annotations

import numpy as np

import autograd as ag
import nn


class SharedRandom:
    """A library's namespace whose ``randint``, ``multinomial`` and ``randperm`` return
    numbers drawn from a NumPy generator re-seeded by ``manual_seed`` (the two libraries'
    generators differ). Each call is first made with the library's own function and
    arguments (a ``generator=`` too), so the call as written must work there; only the
    values are then replaced by the shared ones (same shape and dtype)."""

    def __init__(self, library) -> None:
        self.library = library
        self.rng = np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def manual_seed(self, seed: int):
        self.rng = np.random.default_rng(seed)
        return self.library.manual_seed(seed)

    def _shared(self, drawn, values: np.ndarray):
        assert tuple(drawn.shape) == values.shape, (tuple(drawn.shape), values.shape)
        assert str(drawn.dtype).endswith("int64"), drawn.dtype
        return self.library.tensor(values.astype(np.int64))

    def randint(self, low, high, size, **kwargs):
        drawn = self.library.randint(low, high, size, **kwargs)
        return self._shared(drawn, self.rng.integers(low, high, size=size))

    def randperm(self, n, **kwargs):
        drawn = self.library.randperm(n, **kwargs)
        return self._shared(drawn, self.rng.permutation(n))

    def multinomial(self, probs, num_samples, replacement=False, **kwargs):
        drawn = self.library.multinomial(probs, num_samples, replacement, **kwargs)
        p = np.asarray(probs.detach().numpy(), float)
        p = p / p.sum()
        values = self.rng.choice(len(p), size=num_samples, replace=replacement, p=p)
        return self._shared(drawn, values)


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return SharedRandom(ag), nn, nn.functional, nn.optim
    return SharedRandom(torch), torch.nn, torch.nn.functional, torch.optim


def ratings(n_users: int = 12, n_items: int = 10, n: int = 60, rank: int = 2,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(users, items, ratings): n distinct (user, item) pairs (int64) and float64 ratings
    in about [1, 5] from a rank-``rank`` model plus biases and noise."""
    rng = np.random.default_rng(seed)
    pairs = rng.choice(n_users * n_items, size=n, replace=False)
    users, items = pairs // n_items, pairs % n_items
    u, v = rng.normal(size=(n_users, rank)), rng.normal(size=(n_items, rank))
    score = (u[users] * v[items]).sum(1) + 0.3 * rng.normal(size=n)
    return users.astype(np.int64), items.astype(np.int64), np.clip(3 + score, 1, 5)


def clicks(n: int = 32, cardinalities: tuple = (5, 7, 4), n_dense: int = 3,
           seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A click table: (categorical (n, len(cardinalities)) int64, dense (n, n_dense)
    float64, labels (n,) float64 in {0, 1}) with labels from a logistic model."""
    rng = np.random.default_rng(seed)
    cats = np.stack([rng.integers(0, c, size=n) for c in cardinalities], 1)
    dense = rng.normal(size=(n, n_dense))
    effects = [rng.normal(size=c) for c in cardinalities]
    logit = sum(e[cats[:, j]] for j, e in enumerate(effects)) + dense @ rng.normal(size=n_dense)
    labels = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    return cats.astype(np.int64), dense, labels


def weight_sync() -> tuple:
    """(ours, theirs): ``theirs(model)`` keeps each PyTorch model's starting state dict,
    ``ours(model)`` loads them in the same order (run PyTorch's program first)."""
    states = []

    def theirs(model):
        states.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})

    def ours(model):
        model.load_state_dict(states.pop(0))

    return ours, theirs


def to_numpy(value):
    """A record entry as NumPy: tensors (either library) become arrays (copies)."""
    if hasattr(value, "detach"):
        return value.detach().numpy().copy()
    return value


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """The two runs' records agree: numbers to rtol/atol, other values exactly."""
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = to_numpy(a), to_numpy(b)
        if isinstance(a, (str, bool, type(None))):
            assert a == b, f"record {i}: {a!r} != {b!r}"
            continue
        assert np.shape(a) == np.shape(b), f"record {i}: {np.shape(a)} != {np.shape(b)}"
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol,
                                   atol=atol, err_msg=f"record {i}")

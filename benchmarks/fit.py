"""fit: one epoch of ``nn.train.fit`` against the same epoch written as a bare loop with
the library's own parts (``DataLoader``, the model, ``F.cross_entropy``, the optimizer).
The difference is what the training loop itself costs: its history, the per-layer
gradient norms, the callback hooks, building its loader (progress off). Both train a
64-64-10 float32 MLP with Adam on 1,024 random digit-sized rows, batches of 32,
shuffled by a generator seeded alike, so they compute the same weights: the check
compares the mean loss of the last epoch and every parameter after it. A timed call is
one ``fit`` of ``EPOCHS`` epochs against as many bare epochs, and the table shows the
time per epoch: ``fit``'s set-up (its trainer and loader) counts, spread over the epochs
of one call as in a real run. The baseline row here is the bare loop, not NumPy."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import nn
import nn.functional as F
from nn.data import DataLoader
from nn.models import MLP
from nn.train import fit

from .harness import Candidate, Case, LossAndGrads, Settings, measure

__all__ = ["run", "bare_epochs", "fit_epochs"]

SIZES = (64, 64, 10)
ROWS, BATCH, LR, EPOCHS = 1024, 32, 1e-3, 4
TARGET = "<= 1.05x the bare loop"

Epochs = Callable[[nn.Module, Any, np.ndarray, np.ndarray, np.random.Generator, int],
                  float]


def bare_epochs(model: nn.Module, optimizer: Any, x: np.ndarray, y: np.ndarray,
                generator: np.random.Generator, epochs: int) -> float:
    """``epochs`` epochs by hand with the library's parts; the last one's mean loss."""
    loader = DataLoader(x, y, batch_size=BATCH, shuffle=True, generator=generator)
    for _ in range(epochs):
        total = 0.0
        for xb, yb in loader:  # Tensors, as PyTorch's loader gives
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
    return total / len(x)


def fit_epochs(model: nn.Module, optimizer: Any, x: np.ndarray, y: np.ndarray,
               generator: np.random.Generator, epochs: int) -> float:
    """One ``fit`` of ``epochs`` epochs; the last epoch's mean loss as it logged it."""
    history = fit(model, F.cross_entropy, optimizer, (x, y), epochs=epochs,
                  batch_size=BATCH, progress=False, generator=generator)
    return history["loss"][-1]


def _candidate(name: str, run_epochs: Epochs, x: np.ndarray, y: np.ndarray) -> Candidate:
    def fresh() -> tuple[nn.Module, Any]:
        model = MLP(list(SIZES), output="softmax", rng=0, dtype=np.float32)
        return model, nn.optim.Adam(model.parameters(), lr=LR)

    def check() -> LossAndGrads:  # one epoch from the same start: same loss, same weights
        model, optimizer = fresh()
        loss = run_epochs(model, optimizer, x, y, np.random.default_rng(0), 2)
        return loss, [p.data.copy() for p in model.parameters()]

    model, optimizer = fresh()
    generator = np.random.default_rng(1)
    return Candidate(name, check,
                     lambda: run_epochs(model, optimizer, x, y, generator, EPOCHS))


def run(settings: Settings, rows: int | None = None) -> list[Case]:
    rows = rows or (ROWS // 4 if settings.quick else ROWS)
    rng = np.random.default_rng(2)
    x = rng.random((rows, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], rows)
    candidates = [_candidate("bare loop (nn parts)", bare_epochs, x, y),
                  _candidate("nn.train.fit", fit_epochs, x, y)]
    title = (f"{'-'.join(map(str, SIZES))} float32 MLP, Adam, {rows} rows in batches of "
             f"{BATCH}: one epoch")
    return [measure("fit", title, "ms/epoch", 1e-3 * EPOCHS, candidates, settings, rtol=1e-5,
                    atol=1e-6, target=TARGET)]

"""gc: what Python's cycle collector costs a long graph. Building a character-level LSTM
objective over 4,096 steps (hidden size and vocabulary 32, about 100,000 nodes) with the
collector switched off, against the same build with it on; each timed call builds the
graph and runs its backward. The graph has no reference cycles, so the collector finds
nothing in it, but its full passes walk it again each time the number of objects it
tracks has grown by a quarter. The baseline row here is the collector switched off."""

from __future__ import annotations

import dataclasses
import gc
from typing import Any, Callable

import numpy as np

import autograd as ag
import nn.functional as F

from .harness import Candidate, Case, LossAndGrads, Settings, measure

__all__ = ["run", "lstm_objective"]

HIDDEN, VOCAB, STEPS = 32, 32, 4096


def lstm_objective(weights: list[ag.Tensor], text: np.ndarray, lib: Any = ag,
                   functional: Any = F) -> ag.Tensor:
    """Sum over the text of the cross-entropy of the next character given the LSTM's
    state: z = [x, h] W + b; i, f, o = sigmoid, g = tanh of z's four parts;
    c = f c + i g; h = o tanh(c). ``lib`` and ``functional`` are the ``autograd`` and
    ``nn.functional`` to build it with (``benchmarks.versions`` passes other versions')."""
    W, b, Wy = weights
    eye = np.eye(VOCAB)
    h = lib.Tensor(np.zeros((1, HIDDEN)))
    c = lib.Tensor(np.zeros((1, HIDDEN)))
    loss = lib.Tensor(0.0)
    for t in range(len(text) - 1):
        z = lib.cat([lib.Tensor(eye[text[t]][None, :]), h], dim=1) @ W + b
        i, f, o = (z[:, k * HIDDEN:(k + 1) * HIDDEN].sigmoid() for k in range(3))
        c = f * c + i * z[:, 3 * HIDDEN:].tanh()
        h = o * c.tanh()
        loss = loss + functional.cross_entropy(h @ Wy, text[t + 1:t + 2])
    return loss


def _with_collector(enabled: bool, build: Callable[[], ag.Tensor]) -> Callable[[], None]:
    """Build and backward with the collector on or off (and on again afterwards)."""
    def step() -> None:
        if not enabled:
            gc.disable()
        try:
            loss = build()
        finally:
            gc.enable()
        loss.backward()
    return step


def run(settings: Settings, steps: int | None = None) -> list[Case]:
    steps = steps or (256 if settings.quick else STEPS)
    rng = np.random.default_rng(0)
    weights = [ag.Tensor(rng.standard_normal(shape) * 0.1, requires_grad=True)
               for shape in ((VOCAB + HIDDEN, 4 * HIDDEN), (4 * HIDDEN,), (HIDDEN, VOCAB))]
    text = rng.integers(0, VOCAB, steps + 1)

    def check() -> LossAndGrads:
        for w in weights:
            w.grad = None
        loss = lstm_objective(weights, text)
        loss.backward()
        return loss.item(), [w.grad.numpy().copy() for w in weights]

    def build() -> ag.Tensor:
        return lstm_objective(weights, text)
    candidates = [Candidate("collector off", check, _with_collector(False, build)),
                  Candidate("collector on", check, _with_collector(True, build))]
    few = dataclasses.replace(settings, rounds=min(settings.rounds, 7), block=1,
                              warmup=min(settings.warmup, 1))
    title = (f"LSTM objective over {steps} characters (hidden {HIDDEN}, vocabulary {VOCAB}), "
             f"build + backward")
    case = measure("gc", title, "s", 1.0, candidates, few, rtol=1e-12, atol=1e-12,
                   target="none (measured: the graph is acyclic, the collector finds nothing)")
    return [case]

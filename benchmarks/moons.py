"""moons: one full-batch epoch (one SGD step) of a 2-16-16-1 ReLU MLP on 100 two-moons
points, float64: BCE-with-logits (mean) plus an L2 penalty lam * sum w^2 over every
parameter. The kind of model a course trains for hours in small steps, where the
engine's fixed cost per op matters more than the matrix products. Against the same step
vectorised by hand in NumPy, and PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from .breakdown import NOTE, breakdown_candidates
from .harness import (Candidate, Case, LossAndGrads, Settings, measure,
                      same_layout, torch_or_none, training_candidate, weight_grad)
from .mlp import make_model as make_mlp, torch_model

__all__ = ["run", "two_moons", "NumpyMoons"]

SIZES = (2, 16, 16, 1)
POINTS, LR, LAM = 100, 0.1, 1e-4
TARGET = "<= 2.5x vectorised NumPy"


def two_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (n points, labels 0/1 in a column) plus noise."""
    upper = n // 2
    angles = np.concatenate([np.linspace(0, np.pi, upper), np.linspace(0, np.pi, n - upper)])
    x = np.where(np.arange(n) < upper, np.cos(angles), 1 - np.cos(angles))
    y = np.where(np.arange(n) < upper, np.sin(angles), 0.5 - np.sin(angles))
    points = np.stack([x, y], axis=1) + noise * rng.standard_normal((n, 2))
    return points, (np.arange(n) >= upper).astype(np.float64)[:, None]


class NumpyMoons:
    """The same step vectorised by hand: params W1 b1 W2 b2 W3 b3 (W (out, in))."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = same_layout(params)

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> LossAndGrads:
        W1, b1, W2, b2, W3, b3 = self.params
        n = len(x)
        h1 = x @ W1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2.T + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ W3.T + b3
        bce = (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).sum() / n
        loss = bce + LAM * sum((p * p).sum() for p in self.params)
        with np.errstate(over="ignore"):
            dz = 1 / (1 + np.exp(-z))
        dz -= y
        dz /= n
        dh2 = (dz @ W3) * (h2 > 0)
        dh1 = (dh2 @ W2) * (h1 > 0)
        grads = [weight_grad(dh1, x, W1), dh1.sum(0), weight_grad(dh2, a1, W2), dh2.sum(0),
                 weight_grad(dz, a2, W3), dz.sum(0)]
        for p, g in zip(self.params, grads):
            g += (2 * LAM) * p
        return float(loss), grads

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        loss, grads = self.loss_and_grads(x, y)
        for p, g in zip(self.params, grads):
            g *= LR
            p -= g
        return loss


def make_model(seed: int = 0) -> nn.Module:
    """2-16-16-1, ReLU, float64."""
    return make_mlp(SIZES, seed, dtype=np.float64)


def run(settings: Settings) -> list[Case]:
    x, y = two_moons(POINTS, 0.1, np.random.default_rng(3))
    model = make_model()
    params = list(model.parameters())
    arrays = same_layout(p.data for p in params)
    by_hand = NumpyMoons(arrays)
    xt, yt = ag.Tensor(x), ag.Tensor(y)

    def loss() -> ag.Tensor:
        return (F.binary_cross_entropy_with_logits(model(xt), yt)
                + F.l2_penalty(model.parameters(), LAM))
    sgd = nn.optim.SGD(params, lr=LR)
    candidates = [
        Candidate("numpy (by hand)", lambda: by_hand.loss_and_grads(x, y),
                  lambda: by_hand.step(x, y)),
        training_candidate("autograd + nn", loss, params, sgd),
        *breakdown_candidates(loss, sgd.step)]
    torch, note = torch_or_none(settings)
    if torch is not None:
        net = torch_model(torch, arrays)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        bce = torch.nn.functional.binary_cross_entropy_with_logits

        def torch_loss() -> Any:
            return bce(net(tx), ty) + LAM * sum((p * p).sum() for p in net.parameters())
        candidates.append(training_candidate(
            f"torch {torch.__version__}", torch_loss, list(net.parameters()),
            torch.optim.SGD(net.parameters(), lr=LR)))
    title = (f"{'-'.join(map(str, SIZES))} MLP, {POINTS} two-moons points float64, "
             f"one full-batch SGD step with L2")
    case = measure("moons", title, "ms/step", 1e-3, candidates, settings, rtol=1e-9,
                   atol=1e-12, target=TARGET)
    case.notes += [NOTE] + ([note] if note else [])
    return [case]

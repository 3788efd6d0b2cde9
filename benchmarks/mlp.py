"""mlp: one SGD step of a 784-256-128-10 ReLU MLP, float32, softmax cross-entropy,
at batch 128 and 32. Engine + ``nn`` against the same step by hand in NumPy (what a
careful person writes: no graph, in-place updates) and PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from .breakdown import NOTE, breakdown_candidates
from .harness import (Candidate, Case, LossAndGrads, Settings, measure,
                      same_layout, torch_or_none, training_candidate, weight_grad)

__all__ = ["run", "make_model", "NumpyMLP", "torch_model", "workload"]

SIZES = (784, 256, 128, 10)
LR = 0.01
TARGETS = {128: "<= 1.05x NumPy", 32: "<= 1.10x NumPy"}


def make_model(sizes: tuple[int, ...] = SIZES, seed: int = 0,
               dtype: Any = np.float32) -> nn.Module:
    """Linear-ReLU-...-Linear with PyTorch's initialisation."""
    rng = np.random.default_rng(seed)
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out, rng=rng, dtype=dtype), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


class NumpyMLP:
    """The same network; forward, backward and update written by hand."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = same_layout(params)  # W1 b1 W2 b2 ... with W (out, in)

    def forward(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, tuple]:
        """The loss, and what the backward pass needs: (dL/dlogits, inputs, pre-ReLUs)."""
        weights, biases = self.params[0::2], self.params[1::2]
        inputs, pre = [x], []
        a = x
        for W, b in zip(weights, biases):
            h = a @ W.T + b
            pre.append(h)
            a = np.maximum(h, 0)
            inputs.append(a)
        z = pre[-1]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        n = len(labels)
        rows = np.arange(n)
        loss = -np.log(p[rows, labels]).mean()
        g = p
        g[rows, labels] -= 1
        g /= n
        return float(loss), (g, inputs, pre)

    def backward(self, saved: tuple) -> list[np.ndarray]:
        """The gradients of W1 b1 W2 b2 ..., from ``forward``'s saved arrays."""
        g, inputs, pre = saved
        weights = self.params[0::2]
        grads: list[np.ndarray] = []
        for layer in range(len(weights) - 1, -1, -1):
            grads[:0] = [weight_grad(g, inputs[layer], weights[layer]), g.sum(axis=0)]
            if layer:
                g = (g @ weights[layer]) * (pre[layer - 1] > 0)
        return grads

    def update(self, grads: list[np.ndarray]) -> None:
        """p -= lr g, scaling the (spent) gradients in place."""
        for param, grad in zip(self.params, grads):
            grad *= LR
            param -= grad

    def loss_and_grads(self, x: np.ndarray, labels: np.ndarray) -> LossAndGrads:
        loss, saved = self.forward(x, labels)
        return loss, self.backward(saved)

    def step(self, x: np.ndarray, labels: np.ndarray) -> float:
        loss, grads = self.loss_and_grads(x, labels)
        self.update(grads)
        return loss


def torch_model(torch: Any, params: list[np.ndarray]) -> Any:
    """A torch Sequential of Linear-ReLU-...-Linear with the given (W, b) pairs."""
    layers = []
    for W, b in zip(params[0::2], params[1::2]):
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.from_numpy(W).dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def workload(batch: int, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    """The case's data and models: ``x``, ``labels``, ``xt`` (x as a Tensor), the
    engine's ``model``, its ``params``, ``loss()`` and ``sgd``, and ``by_hand`` (a
    NumpyMLP with the same weights)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    labels = rng.integers(0, sizes[-1], batch)
    model = make_model(sizes)
    params = list(model.parameters())
    xt = ag.Tensor(x)

    def loss() -> ag.Tensor:
        return F.cross_entropy(model(xt), labels)
    return dict(x=x, labels=labels, xt=xt, model=model, params=params, loss=loss,
                sgd=nn.optim.SGD(params, lr=LR),
                by_hand=NumpyMLP(same_layout(p.data for p in params)))


def _case(batch: int, sizes: tuple[int, ...], settings: Settings) -> Case:
    w = workload(batch, sizes)
    x, labels, params, loss, sgd, by_hand = (
        w[k] for k in ("x", "labels", "params", "loss", "sgd", "by_hand"))
    arrays = same_layout(p.data for p in params)
    candidates = [
        Candidate("numpy (by hand)", lambda: by_hand.loss_and_grads(x, labels),
                  lambda: by_hand.step(x, labels)),
        training_candidate("autograd + nn", loss, params, sgd),
        *breakdown_candidates(loss, sgd.step)]
    torch, note = torch_or_none(settings)
    if torch is not None:
        net = torch_model(torch, arrays)
        tx, tl = torch.from_numpy(x), torch.from_numpy(labels)

        def torch_loss() -> Any:
            return torch.nn.functional.cross_entropy(net(tx), tl)
        candidates.append(training_candidate(
            f"torch {torch.__version__}", torch_loss, list(net.parameters()),
            torch.optim.SGD(net.parameters(), lr=LR)))
    title = f"{'-'.join(map(str, sizes))} float32 MLP, batch {batch}, one SGD step"
    case = measure("mlp", title, "ms/step", 1e-3, candidates, settings, rtol=1e-4,
                   atol=1e-6, target=TARGETS.get(batch, ""))
    case.notes += [NOTE] + ([note] if note else [])
    return case


def run(settings: Settings, sizes: tuple[int, ...] = SIZES,
        batches: tuple[int, ...] = (128, 32)) -> list[Case]:
    return [_case(batch, sizes, settings) for batch in batches]

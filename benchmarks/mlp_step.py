"""One training step of a 784-256-128-10 ReLU MLP (float32, softmax cross-entropy, SGD),
with the engine and `nn`, against the same step written by hand in NumPy, and PyTorch
when installed. One BLAS thread. Prints milliseconds per step and per-round ratios.

    python benchmarks/mlp_step.py [--rounds 100] [--batches 128 32]
"""

from __future__ import annotations

import argparse

import common  # noqa: F401  (one BLAS thread; must come before numpy)
import numpy as np

import autograd as ag
import nn
import nn.functional as F

SIZES = (784, 256, 128, 10)
LR = 0.01


def make_nn_model(seed: int) -> nn.Module:
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Linear(784, 256, rng=rng), nn.ReLU(),
        nn.Linear(256, 128, rng=rng), nn.ReLU(),
        nn.Linear(128, 10, rng=rng)).astype(np.float32)


class NumpyMLP:
    """The same network, forward/backward/update written by hand (what a careful person
    would write: no autograd, in-place updates)."""

    def __init__(self, model: nn.Module) -> None:
        self.params = [p.data.copy() for p in model.parameters()]  # W1 b1 W2 b2 W3 b3

    def step(self, x: np.ndarray, labels: np.ndarray) -> float:
        W1, b1, W2, b2, W3, b3 = self.params
        h1 = x @ W1.T + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2.T + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ W3.T + b3
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        n = len(labels)
        rows = np.arange(n)
        loss = -np.log(p[rows, labels]).mean()
        dz = p
        dz[rows, labels] -= 1
        dz /= n
        grads = [None] * 6
        grads[4], grads[5] = dz.T @ a2, dz.sum(axis=0)
        dh2 = (dz @ W3) * (h2 > 0)
        grads[2], grads[3] = dh2.T @ a1, dh2.sum(axis=0)
        dh1 = (dh2 @ W2) * (h1 > 0)
        grads[0], grads[1] = dh1.T @ x, dh1.sum(axis=0)
        for param, grad in zip(self.params, grads):
            param -= LR * grad
        return float(loss)


def engine_step(model: nn.Module, opt: nn.optim.SGD, x: ag.Tensor, labels: np.ndarray) -> float:
    loss = F.cross_entropy(model(x), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def torch_setup(torch, model: nn.Module):
    layers = []
    for module in model:
        if isinstance(module, nn.Linear):
            linear = torch.nn.Linear(module.in_features, module.out_features)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(module.weight.data))
                linear.bias.copy_(torch.from_numpy(module.bias.data))
            layers.append(linear)
        else:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    return net, torch.optim.SGD(net.parameters(), lr=LR)


def torch_step(torch, net, opt, x, labels) -> float:
    loss = torch.nn.functional.cross_entropy(net(x), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def run(batch: int, rounds: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    labels = rng.integers(0, 10, batch)
    model = make_nn_model(0)
    by_hand = NumpyMLP(model)
    opt = nn.optim.SGD(model.parameters(), lr=LR)
    xt = ag.Tensor(x)
    first = (engine_step(model, opt, xt, labels), by_hand.step(x, labels))
    assert abs(first[0] - first[1]) < 1e-4, first  # same network, same loss
    candidates = {"numpy (by hand)": lambda: by_hand.step(x, labels),
                  "autograd + nn": lambda: engine_step(model, opt, xt, labels)}
    torch = common.torch_or_none()
    if torch is not None:
        net, topt = torch_setup(torch, make_nn_model(0))
        tx, tl = torch.from_numpy(x), torch.from_numpy(labels)
        candidates[f"torch {torch.__version__}"] = lambda: torch_step(torch, net, topt, tx, tl)
    times = common.interleaved(candidates, rounds)
    print(f"\nMLP 784-256-128-10 float32, batch {batch}, one SGD step, {rounds} rounds")
    print(common.report(times, "numpy (by hand)", 1e-3, "ms/step"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--batches", type=int, nargs="+", default=[128, 32])
    args = parser.parse_args()
    for batch in args.batches:
        run(batch, args.rounds)


if __name__ == "__main__":
    main()

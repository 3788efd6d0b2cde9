"""Per-op overhead: a chain of 1000 ops (mul by a number, add a number, tanh) on a
shape-(8,) float64 tensor, forward and backward, against the same chain written by hand
in NumPy (forward keeps the activations; backward applies the chain rule), and PyTorch
when installed. Prints microseconds per op (median) and ratios per round.

    python benchmarks/per_op_overhead.py [--rounds 60]
"""

from __future__ import annotations

import argparse

import common  # noqa: F401  (one BLAS thread; must come before numpy)
import numpy as np

import autograd as ag

OPS = 999  # 333 rounds of (mul, add, tanh)


def engine_chain(x0: np.ndarray) -> np.ndarray:
    x = ag.Tensor(x0, requires_grad=True)
    y = x
    for _ in range(OPS // 3):
        y = (y * 1.0001 + 0.5).tanh()
    y.sum().backward()
    return x.grad.numpy()


def numpy_chain(x0: np.ndarray) -> np.ndarray:
    activations, y = [], x0
    for _ in range(OPS // 3):
        y = np.tanh(y * 1.0001 + 0.5)
        activations.append(y)
    g = np.ones_like(y)
    for y in reversed(activations):
        g = g * (1 - y * y) * 1.0001  # tanh' then the scale; the add passes g unchanged
    return g


def torch_chain(torch, x0: np.ndarray):
    x = torch.tensor(x0, requires_grad=True)
    y = x
    for _ in range(OPS // 3):
        y = (y * 1.0001 + 0.5).tanh()
    y.sum().backward()
    return x.grad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    x0 = np.random.default_rng(0).random(8)
    np.testing.assert_allclose(engine_chain(x0), numpy_chain(x0), rtol=1e-12)
    candidates = {"numpy (by hand)": lambda: numpy_chain(x0),
                  "autograd": lambda: engine_chain(x0)}
    torch = common.torch_or_none()
    if torch is not None:
        candidates[f"torch {torch.__version__}"] = lambda: torch_chain(torch, x0)
    times = common.interleaved(candidates, args.rounds)
    print(f"chain of {OPS} ops on shape (8,) float64, forward + backward, "
          f"{args.rounds} rounds")
    print(common.report(times, "numpy (by hand)", OPS * 1e-6, "us/op"))


if __name__ == "__main__":
    main()

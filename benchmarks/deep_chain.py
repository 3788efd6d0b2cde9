"""A 10^6-node scalar chain: build it and run backward, at the default recursion limit.

Measures wall time (build and backward separately) and peak traced memory per node
(tracemalloc, in a separate run because tracing slows Python down), and checks the
gradient against the closed form. Also reports that nothing is recorded when no input
requires grad, and that the garbage collector finds no reference cycles in a graph.

    python benchmarks/deep_chain.py [--nodes 1000000]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc

import common  # noqa: F401  (one BLAS thread; must come before numpy)
import numpy as np

import autograd as ag


def chain(n: int, requires_grad: bool = True) -> tuple[ag.Tensor, ag.Tensor]:
    """y = x * a * a * ... (n multiplications by a number): dy/dx = a^n."""
    x = ag.Tensor(1.0, requires_grad=requires_grad)
    y = x
    for _ in range(n):
        y = y * 1.000001
    return x, y


def timed(n: int) -> tuple[float, float, float]:
    start = time.perf_counter()
    x, y = chain(n)
    built = time.perf_counter()
    y.backward()
    done = time.perf_counter()
    np.testing.assert_allclose(x.grad.item(), 1.000001 ** n, rtol=1e-9)
    return built - start, done - built, x.grad.item()


def peak_bytes_per_node(n: int) -> float:
    gc.collect()
    tracemalloc.start()
    x, y = chain(n)
    y.backward()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / n


def cycles_found(n: int) -> int:
    """Objects the cycle collector had to free after a graph of n nodes was dropped."""
    gc.collect()
    gc.disable()
    try:
        x, y = chain(n)
        y.backward(retain_graph=True)
        del x, y
        return gc.collect()
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.nodes
    print(f"recursion limit {sys.getrecursionlimit()}, {n:,} nodes")
    build, backward, _ = timed(n)
    print(f"build {build:.2f} s, backward {backward:.2f} s, total {build + backward:.2f} s "
          f"({(build + backward) / n * 1e6:.2f} us/node)")
    print(f"peak traced memory: {peak_bytes_per_node(n):.0f} bytes/node")
    _, y = chain(1000, requires_grad=False)
    print(f"no input requires grad: result.requires_grad={y.requires_grad}, "
          f"grad_fn={y.grad_fn}")
    print(f"objects freed by the cycle collector after dropping a 10^4-node graph: "
          f"{cycles_found(10_000)}")


if __name__ == "__main__":
    main()

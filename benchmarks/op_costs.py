"""``python -m benchmarks.op_costs [REV ...]``: forward + backward of single ops (the
notes' activations and losses, and a few more) on one array, on one or several versions
of the library in one process (``benchmarks.versions``: a git revision, or ``.`` for the
working tree, the default), with each version's median time and its per-round ratio to
the first version.

A training step of a small model is a handful of such ops; this table shows which op
costs more than its arithmetic should, and what a change to one op bought. Used for the
'selections without a pattern' section of ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

import numpy as np

from .threads import limit_threads, set_thread_variables
from .versions import add_timing_arguments, chosen, time_versions

__all__ = ["OPS", "op_step", "main"]

# name -> the op applied to x (a Tensor requiring grad), given autograd, nn.functional, a
# target array t of x's shape and dtype (0 or 1: the probability losses take it too) and
# integer labels y, one per row
OPS: dict[str, Callable[..., Any]] = {
    "exp": lambda ag, F, x, t, y: x.exp(),
    "tanh": lambda ag, F, x, t, y: x.tanh(),
    "sigmoid": lambda ag, F, x, t, y: x.sigmoid(),
    "relu": lambda ag, F, x, t, y: F.relu(x),
    "leaky_relu": lambda ag, F, x, t, y: F.leaky_relu(x, 0.1),
    "elu": lambda ag, F, x, t, y: F.elu(x),
    "selu": lambda ag, F, x, t, y: F.selu(x),
    "celu": lambda ag, F, x, t, y: F.celu(x, 1.3),
    "gelu": lambda ag, F, x, t, y: F.gelu(x),
    "gelu_tanh": lambda ag, F, x, t, y: F.gelu(x, approximate="tanh"),
    "silu": lambda ag, F, x, t, y: F.silu(x),
    "softplus": lambda ag, F, x, t, y: F.softplus(x),
    "mish": lambda ag, F, x, t, y: F.mish(x),
    "hardtanh": lambda ag, F, x, t, y: F.hardtanh(x),
    "abs": lambda ag, F, x, t, y: x.abs(),
    "where": lambda ag, F, x, t, y: ag.where(t > 0.5, x, x * 2.0),
    "softmax": lambda ag, F, x, t, y: F.softmax(x, dim=-1),
    "layer_norm": lambda ag, F, x, t, y: F.layer_norm(x, x.shape[-1:]),
    "sort": lambda ag, F, x, t, y: x.sort(dim=-1)[0],
    "max_pool": lambda ag, F, x, t, y: F.max_pool2d(x.reshape((1,) + x.shape), 2),
    "mse": lambda ag, F, x, t, y: F.mse_loss(x, t),
    "l1": lambda ag, F, x, t, y: F.l1_loss(x, t),
    "huber": lambda ag, F, x, t, y: F.huber_loss(x, t),
    "bce": lambda ag, F, x, t, y: F.binary_cross_entropy(x.sigmoid(), t),
    "bce_logits": lambda ag, F, x, t, y: F.binary_cross_entropy_with_logits(x, t),
    "cross_entropy": lambda ag, F, x, t, y: F.cross_entropy(x, y),
}


def op_step(ag: Any, nn: Any, name: str, shape: tuple[int, ...], dtype: Any
            ) -> Callable[[], Any]:
    """One forward and backward of op ``name`` on a standard normal x of ``shape`` (2-d:
    the rows are the samples, the last axis the classes or features); x's gradient."""
    rng = np.random.default_rng(0)
    F = sys.modules[f"{nn.__name__}.functional"]
    x = ag.Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
    targets = (rng.random(shape) < 0.5).astype(dtype)
    labels = rng.integers(0, shape[-1], shape[:-1])
    op = OPS[name]

    def step() -> Any:
        x.grad = None
        out = op(ag, F, x, targets, labels)
        (out.sum() if out.ndim else out).backward()
        return x.grad
    return step


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.op_costs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("revs", nargs="*", default=["."], metavar="REV",
                        help="git revisions to compare ('.': the working tree, the default)")
    parser.add_argument("--shape", default="128,256", help="x's shape, e.g. 128,256")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--only", default=",".join(OPS),
                        help=f"comma-separated, of: {', '.join(OPS)}")
    add_timing_arguments(parser, rounds=15)
    args = parser.parse_args(argv)
    names = chosen(parser, args.only, OPS, "op")
    shape = tuple(int(n) for n in args.shape.split(","))
    if len(shape) != 2:
        parser.error(f"--shape takes two sizes (rows, columns); got {args.shape!r}")
    set_thread_variables(1)
    print(f"forward + backward on x of shape {shape}, {args.dtype}; CPU time, one thread")
    makers = {name: (lambda ag, nn, name=name: op_step(ag, nn, name, shape, args.dtype))
              for name in names}
    with limit_threads(1):  # (the variables set above come after NumPy's import here)
        time_versions(args.revs or ["."], makers, args.rounds, args.calls)

if __name__ == "__main__":
    main()

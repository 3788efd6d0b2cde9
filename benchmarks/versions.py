"""``python -m benchmarks.versions REV [REV ...]``: the same steps timed on several
versions of the library in one process, for an A/B of a change.

On a shared machine two runs in separate processes, even alternated, moved by up to 2x
(2026-12-02), far more than the few percent a change makes. Here each version's
``autograd`` and ``nn`` (a git revision, or ``.`` for the working tree) are copied under
their own package names (``autograd_v0``...; the copies' absolute imports rewritten to
match) and imported side by side; every round times each version's step in turn (the
fastest of a few calls, CPU time), and the table gives the median per-round ratio to the
first version with its interquartile range. Used for the ``__getattr__`` finding in
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import importlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .collector import HIDDEN, VOCAB, lstm_objective

__all__ = ["main", "load_version", "time_versions", "add_timing_arguments", "chosen",
           "STEPS"]

ROOT = Path(__file__).resolve().parent.parent


def load_version(rev: str, label: str, into: Path) -> tuple[Any, Any]:
    """``(autograd, nn)`` of revision ``rev`` (``.``: the working tree), as packages
    ``autograd_<label>`` and ``nn_<label>`` under ``into`` (which must be on sys.path)."""
    for package in ("autograd", "nn"):
        target = into / f"{package}_{label}"
        if rev == ".":
            files = {p.relative_to(ROOT): p.read_text() for p in (ROOT / package).rglob("*.py")}
        else:
            names = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only",
                                    rev, package], check=True, capture_output=True,
                                   text=True).stdout.split()
            files = {Path(n): subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{n}"],
                                             check=True, capture_output=True,
                                             text=True).stdout
                     for n in names if n.endswith(".py")}
        for path, text in files.items():
            out = target / path.relative_to(package)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(_renamed(text, label))
    importlib.invalidate_caches()
    return (importlib.import_module(f"autograd_{label}"),
            importlib.import_module(f"nn_{label}"))


def _renamed(source: str, label: str) -> str:
    """The absolute imports of ``autograd`` and ``nn`` pointed at the labelled copies."""
    source = re.sub(r"^(\s*)import (autograd|nn)( as \w+)?$",
                    lambda m: f"{m[1]}import {m[2]}_{label}{m[3] or ' as ' + m[2]}",
                    source, flags=re.M)
    return re.sub(r"^(\s*)from (autograd|nn)\b", rf"\1from \2_{label}", source, flags=re.M)


def _chain(ag: Any, nn: Any) -> Callable[[], Any]:
    """2*10^4 scalar mul/add nodes, build and backward."""
    def step() -> Any:
        y = x = ag.Tensor(1.0, requires_grad=True)
        for _ in range(10_000):
            y = y * 1.0000001 + 0.5
        y.backward()
        return x.grad
    return step


def _vector(ag: Any, nn: Any) -> Callable[[], Any]:
    """999 mul/add/tanh on shape (8,), forward and backward."""
    x = ag.Tensor(np.linspace(0.0, 1.0, 8), requires_grad=True)

    def step() -> Any:
        y = x
        for _ in range(333):
            y = (y * 0.999 + 0.001).tanh()
        x.grad = None
        y.sum().backward()
        return x.grad
    return step


def _tensors(ag: Any, nn: Any) -> Callable[[], Any]:
    """``vector`` with its constants as Tensors that do not require grad."""
    x = ag.Tensor(np.linspace(0.0, 1.0, 8), requires_grad=True)
    scale, shift = ag.Tensor(0.999), ag.Tensor(0.001)

    def step() -> Any:
        y = x
        for _ in range(333):
            y = (y * scale + shift).tanh()
        x.grad = None
        y.sum().backward()
        return x.grad
    return step


def _lstm(ag: Any, nn: Any) -> Callable[[], Any]:
    """The gc benchmark's LSTM objective (``collector.lstm_objective``) over 256 characters
    (two-input ops: the gates' products and sums), build and backward."""
    rng = np.random.default_rng(0)
    shapes = ((VOCAB + HIDDEN, 4 * HIDDEN), (4 * HIDDEN,), (HIDDEN, VOCAB))
    weights = [ag.Tensor(rng.standard_normal(shape) * 0.1, requires_grad=True)
               for shape in shapes]
    text = rng.integers(0, VOCAB, 257)
    functional = importlib.import_module(f"{nn.__name__}.functional")

    def step() -> Any:
        weights[0].grad = None
        lstm_objective(weights, text, ag, functional).backward()
        return weights[0].grad
    return step


def _moons(ag: Any, nn: Any) -> Callable[[], Any]:
    """The moons benchmark's step: 2-16-16-1 ReLU MLP, BCE with logits + L2, SGD."""
    rng = np.random.default_rng(0)
    features = rng.standard_normal((100, 2))
    x, y = ag.Tensor(features), ag.Tensor((features[:, :1] > 0).astype(float))
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 1))
    sgd = nn.optim.SGD(model.parameters(), lr=0.1)

    def step() -> Any:
        sgd.zero_grad()
        (nn.functional.binary_cross_entropy_with_logits(model(x), y)
         + nn.functional.l2_penalty(model.parameters(), 1e-3)).backward()
        sgd.step()
        return model[0].weight.grad
    return step


def _vae(ag: Any, nn: Any) -> Callable[[], Any]:
    """The vae benchmark's step: VAE(64, 32, 2) float32, batch 64, frozen eps, Adam."""
    rng = np.random.default_rng(2)
    x = ag.Tensor((rng.random((64, 64)) < 0.3).astype(np.float32))
    eps = ag.Tensor(rng.standard_normal((64, 2)).astype(np.float32))
    model = importlib.import_module(f"{nn.__name__}.models").VAE(
        64, 32, 2, rng=np.random.default_rng(0), dtype=np.float32)
    adam = nn.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> Any:
        adam.zero_grad()
        model.loss(x, eps=eps).loss.backward()
        adam.step()
        return model.fc_mu.weight.grad
    return step


STEPS = {"chain": _chain, "vector": _vector, "tensors": _tensors, "lstm": _lstm,
         "moons": _moons, "vae": _vae}


def compare(steps: dict[str, Callable[[], Any]], rounds: int, calls: int
            ) -> dict[str, list[float]]:
    """Per version, the fastest of ``calls`` timed calls in each of ``rounds`` rounds
    (the versions in turn within a round), after a warm-up."""
    for step in steps.values():
        for _ in range(3):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            best = float("inf")
            for _ in range(calls):
                start = time.process_time()
                step()
                best = min(best, time.process_time() - start)
            times[name].append(best)
    return times


def report(case: str, times: dict[str, list[float]]) -> str:
    """One line per version: median time and the median per-round ratio to the first
    version, with the interquartile range of those ratios."""
    first = next(iter(times.values()))
    lines = []
    for name, values in times.items():
        ratios = [a / b for a, b in zip(values, first)]
        low, _, high = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        lines.append(f"{case:13s} {name:12s} {statistics.median(values) * 1e3:10.3f} ms  "
                     f"{statistics.median(ratios):.3f}x  (IQR {low:.3f}-{high:.3f})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.versions",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("revs", nargs="+", metavar="REV",
                        help="git revisions to compare; '.' is the working tree")
    parser.add_argument("--cases", default=",".join(STEPS),
                        help=f"comma-separated, of: {', '.join(STEPS)}")
    add_timing_arguments(parser, rounds=21)
    args = parser.parse_args(argv)
    cases = chosen(parser, args.cases, STEPS, "case")
    time_versions(args.revs, {case: STEPS[case] for case in cases}, args.rounds, args.calls)


def add_timing_arguments(parser: argparse.ArgumentParser, rounds: int) -> None:
    """``--rounds`` (default ``rounds``) and ``--calls``, as ``compare`` takes them."""
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--calls", type=int, default=3, help="timed calls per round")


def chosen(parser: argparse.ArgumentParser, given: str, known: Any, what: str) -> list[str]:
    """The comma-separated names in ``given``, each one of ``known`` (else a usage
    error naming the ``what``s to choose from)."""
    names = given.split(",")
    unknown = set(names) - set(known)
    if unknown:
        parser.error(f"unknown {what}(s) {sorted(unknown)}; choose from {', '.join(known)}")
    return names


def time_versions(revs: list[str], makers: dict[str, Callable[[Any, Any], Callable[[], Any]]],
                  rounds: int, calls: int) -> None:
    """Load each revision's ``autograd`` and ``nn`` side by side (``load_version``) and
    print, for each named maker (``maker(autograd, nn)`` gives the step to time), one
    ``report`` line per version."""
    with tempfile.TemporaryDirectory() as folder:
        sys.path.insert(0, folder)
        try:
            libraries = {(rev if revs.count(rev) == 1 else f"{rev}#{i}"):
                         load_version(rev, f"v{i}", Path(folder))
                         for i, rev in enumerate(revs)}
            for name, make in makers.items():
                steps = {rev: make(*library) for rev, library in libraries.items()}
                print(report(name, compare(steps, rounds, calls)), flush=True)
        finally:
            sys.path.remove(folder)

if __name__ == "__main__":
    main()

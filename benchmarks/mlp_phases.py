"""``python -m benchmarks.mlp_phases``: the mlp case's step phase by phase, to see where
the engine's time goes against the hand-written NumPy step.

Rows: the engine's training step (forward = the loss, zero_grad, backward, update =
``SGD.step``), the NumPy step by hand (forward, backward, update) and 'ops alone' (the
recorded ops' forwards, their VJPs, ``SGD.step``: ``benchmarks/breakdown.py``). One BLAS
thread, CPU time, interleaved as in the harness: per round each row runs a block of 4
steps and keeps the fastest of the last 3 (by their total); medians over the rounds.
A clock reading (about 1 us) sits between two phases.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any, Callable

from .threads import limit_threads, set_thread_variables

__all__ = ["main", "phase_rows"]

Phases = list[tuple[str, Callable[[], object]]]


def _timed(phases: Phases, clock: Callable[[], float]) -> dict[str, float]:
    """Seconds per phase, run in order, and their total."""
    times = {}
    start = before = clock()
    for name, run in phases:
        run()
        now = clock()
        times[name], before = now - before, now
    times["total"] = before - start
    return times


def phase_rows(batch: int, rounds: int, sizes: tuple[int, ...] | None = None
               ) -> dict[str, dict[str, float]]:
    """Median seconds per phase (and total) of each row, for the mlp case at ``batch``
    (layer ``sizes``: the case's by default)."""
    import time

    from .breakdown import graph_nodes, replays
    from .mlp import SIZES, workload

    w = workload(batch, sizes or SIZES)
    loss_fn, sgd, hand, x, labels = (w[k] for k in ("loss", "sgd", "by_hand", "x", "labels"))
    forwards, vjps = replays(graph_nodes(loss_fn()))
    box: dict[str, Any] = {}

    def engine() -> Phases:
        return [("forward", lambda: box.update(loss=loss_fn())), ("zero_grad", sgd.zero_grad),
                ("backward", lambda: box["loss"].backward()), ("update", sgd.step)]

    def by_hand() -> Phases:
        return [("forward", lambda: box.update(saved=hand.forward(x, labels)[1])),
                ("backward", lambda: box.update(grads=hand.backward(box["saved"]))),
                ("update", lambda: hand.update(box["grads"]))]

    def ops_alone() -> Phases:
        return [("forward", forwards), ("backward", vjps), ("update", sgd.step)]
    rows = {"autograd + nn": engine, "numpy (by hand)": by_hand, "ops alone": ops_alone}
    clock = time.process_time
    kept: dict[str, list[dict[str, float]]] = {name: [] for name in rows}
    for _ in range(rounds):
        for name, phases in rows.items():
            block = [_timed(phases(), clock) for _ in range(4)][1:]
            kept[name].append(min(block, key=lambda times: times["total"]))
    return {name: {phase: statistics.median(t[phase] for t in runs) for phase in runs[0]}
            for name, runs in kept.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mlp_phases",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, action="append", metavar="N",
                        help="batch size (repeat for several; default 128 and 32)")
    parser.add_argument("--rounds", type=int, default=31, metavar="N")
    args = parser.parse_args(argv)
    set_thread_variables(1)  # before NumPy is imported
    with limit_threads(1):
        for batch in args.batch or [128, 32]:
            rows = phase_rows(batch, args.rounds)
            phases = list(rows["autograd + nn"])
            print(f"\nmlp, batch {batch}: us per step (CPU time, medians of {args.rounds} "
                  f"rounds)\n{'':18}" + "".join(f"{p:>11}" for p in phases))
            for name, times in rows.items():
                print(f"{name:18}" + "".join(
                    f"{times[p] * 1e6:11.1f}" if p in times else f"{'':>11}" for p in phases))


if __name__ == "__main__":
    main()

"""Shared helpers for the benchmarks: one BLAS thread, interleaved timing, medians.

Set the thread count before NumPy is imported: every benchmark module imports this
module first. Timings of the competitors are interleaved (a, b, a, b, ...) so that
machine noise hits them alike, and ratios are taken per round, then the median. Each
turn is a short block of calls of which only the warm ones are timed: the steady state
of a loop that runs one model (measuring single cold calls instead flatters whichever
candidate suffers least from the caches the previous one filled: the ratios then depend
on which competitors are installed).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

__all__ = ["interleaved", "report", "torch_or_none"]


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int,
                warmup: int = 2, block: int = 4) -> dict[str, list[float]]:
    """Run the candidates in turn, ``rounds`` times; return each one's seconds per call,
    one value per round.

    With ``block > 1`` a candidate runs ``block`` times in a row per round and only the
    last ``block - 1`` calls are timed (their mean): the first call of a block pays for
    the caches the previous candidate filled, so the timed calls measure the steady state
    of a loop that runs one model, as training does."""
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    timed = max(block - 1, 1)
    for _ in range(rounds):
        for name, fn in candidates.items():
            if block > 1:
                fn()
            start = time.perf_counter()
            for _ in range(timed):
                fn()
            times[name].append((time.perf_counter() - start) / timed)
    return times


def report(times: dict[str, list[float]], baseline: str, unit: float, unit_name: str) -> str:
    """A table: median time per unit and the median of per-round ratios to ``baseline``."""
    lines = [f"{'':<22}{'median ' + unit_name:>18}  {'ratio to ' + baseline:>26}"]
    for name, values in times.items():
        ratios = [v / b for v, b in zip(values, times[baseline])]
        lines.append(f"{name:<22}{statistics.median(values) / unit:>18.3f}  "
                     f"{statistics.median(ratios):>26.2f}")
    return "\n".join(lines)


def torch_or_none():
    """PyTorch if installed (single-threaded), else None: it is an optional comparison."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch

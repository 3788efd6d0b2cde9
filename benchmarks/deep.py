"""deep: a scalar chain of n ops (alternately multiply and add a number), built and then
differentiated, at the default recursion limit. Each run is a fresh subprocess, so its
peak resident memory belongs to that graph alone: bytes per node = (peak RSS - RSS
before building) / n. Gradient checked against the closed form a^(n/2).

Run as ``python -m benchmarks.deep ENGINE N`` (ENGINE: autograd or torch) it is the
child: it prints one JSON line with the figures."""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from .harness import CLOCKS, Case, Row, Settings, torch_or_none

__all__ = ["run", "child"]

SCALE, SHIFT = 1.000001, 1e-6
TARGET = "<= 4 s and <= 600 bytes/node at 10^6 nodes; time grows linearly"
ROOT = Path(__file__).resolve().parent.parent


def _status_bytes(field: str) -> int | None:
    """A memory line of /proc/self/status (Linux) in bytes, or None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024  # reported in kB
    except OSError:
        pass
    return None


def _rss_bytes() -> int:
    """Resident memory now (Linux), else the peak so far."""
    return _status_bytes("VmRSS") or _peak_rss_bytes()


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process image. Linux's VmHWM starts afresh at exec;
    getrusage's ru_maxrss would still hold the parent's peak (it survives exec)."""
    peak = _status_bytes("VmHWM")
    if peak is not None:
        return peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024  # bytes on macOS


def child(engine: str, n: int, clock_name: str = "cpu") -> dict:
    """Build and differentiate the chain once in this process; return the figures."""
    clock = CLOCKS[clock_name]
    if engine == "torch":
        import torch
        x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    else:
        import autograd as ag
        x = ag.Tensor(1.0, requires_grad=True)
    gc.collect()
    before = _rss_bytes()
    start = clock()
    y = x
    for _ in range(n // 2):
        y = y * SCALE + SHIFT
    built = clock()
    y.backward()
    done = clock()
    peak = _peak_rss_bytes()
    grad, expected = float(x.grad.item()), SCALE ** (n // 2)
    if abs(grad - expected) > 1e-9 * expected:
        raise AssertionError(f"{engine}: d chain/dx = {grad}, expected {expected}")
    return {"build": built - start, "backward": done - built,
            "bytes_per_node": (peak - before) / n}


def _spawn(engine: str, n: int, clock: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    out = subprocess.run([sys.executable, "-m", "benchmarks.deep", engine, str(n), clock],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"deep chain child ({engine}, n={n}) failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(settings: Settings, sizes: tuple[int, ...] | None = None) -> list[Case]:
    sizes = sizes or ((10_000, 100_000) if settings.quick else (100_000, 1_000_000))
    repeats = 1 if settings.quick else 3
    torch, note = torch_or_none(settings)
    engines = ["autograd"] + (["torch"] if torch is not None else [])
    cases = []
    for n in sizes:
        runs: dict[str, list[dict]] = {engine: [] for engine in engines}
        for _ in range(repeats):  # interleaved, a fresh process each
            for engine in engines:
                runs[engine].append(_spawn(engine, n, settings.clock))
        rows = []
        for engine in engines:
            totals = [r["build"] + r["backward"] for r in runs[engine]]
            pick = runs[engine][totals.index(sorted(totals)[len(totals) // 2])]
            name = "autograd" if engine == "autograd" else f"torch {torch.__version__}"
            rows.append(Row(name, statistics.median(totals), min(totals), max(totals),
                            extra={"build s": pick["build"], "backward s": pick["backward"],
                                   "us/node": statistics.median(totals) / n * 1e6,
                                   "bytes/node": statistics.median(
                                       r["bytes_per_node"] for r in runs[engine])}))
        case = Case("deep", f"scalar chain of {n:,} mul/add, build + backward, "
                    f"{repeats} fresh process(es) each", "s", rows, TARGET,
                    [note] if note else [])
        cases.append(case)
    if len(cases) > 1:
        small, large = cases[0].rows[0], cases[-1].rows[0]
        cases[-1].notes.append(
            f"autograd us/node {small.extra['us/node']:.2f} at {sizes[0]:,} nodes, "
            f"{large.extra['us/node']:.2f} at {sizes[-1]:,} (equal if time is linear)")
    return cases


if __name__ == "__main__":
    print(json.dumps(child(*sys.argv[1:2], int(sys.argv[2]), *sys.argv[3:4])))

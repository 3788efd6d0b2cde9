"""Timing, correctness checks and tables shared by the benchmarks.

A case (one workload at one size) has candidates: the hand-written NumPy baseline, the
engine, PyTorch when installed. Each candidate offers ``check()``, which returns the loss
and the gradients at the starting point without changing anything, and ``step()``, the
call that is timed (a training step, a chain forward and backward, ...).

Timing is interleaved: per round every candidate runs in turn, so machine noise hits
them alike. A candidate runs a block of ``block`` calls per round and only the last
``block - 1`` are timed, each on its own (less the cost of reading the clock); the
round keeps the fastest. The first call pays for the caches the previous candidate
filled, the timed ones are the steady state of a loop that runs one model. The ratio to
the baseline is taken per round, then its median is reported. With one thread the
clock is the process's CPU time (see ``CLOCKS``).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = ["CLOCKS", "LossAndGrads", "same_layout", "weight_grad", "cross_entropy", "NumpyAdam",
           "NumpyAdamW", "training_step", "loss_and_grads", "training_candidate", "Settings",
           "Candidate", "Row", "Case", "MismatchError", "check_candidates", "time_candidates",
           "measure", "format_case", "torch_or_none"]


LossAndGrads = tuple[float, list[np.ndarray]]


def training_step(loss_fn: Callable[[], Any], optimizer: Any) -> Callable[[], float]:
    """One step of a training loop; the same calls drive the engine and PyTorch."""
    def step() -> float:
        loss = loss_fn()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def loss_and_grads(loss_fn: Callable[[], Any], params: Sequence[Any]
                   ) -> Callable[[], LossAndGrads]:
    """The loss and the gradients of ``params`` at the current point (nothing updated);
    the engine's Tensors and PyTorch's answer the same calls."""
    def check() -> LossAndGrads:
        for p in params:
            p.grad = None
        loss = loss_fn()
        loss.backward()
        return loss.item(), [np.array(p.grad.numpy()) for p in params]
    return check


def same_layout(arrays: Iterable[np.ndarray]) -> list[np.ndarray]:
    """Copies that keep each array's memory order (the baselines make the engine's BLAS
    calls: ``Linear`` stores its (out, in) weights in F order)."""
    return [np.array(a, order="K", copy=True) for a in arrays]


def weight_grad(g: np.ndarray, a: np.ndarray, W: np.ndarray) -> np.ndarray:
    """dW = g^T a for y = a W^T, in W's memory order (the product the engine makes)."""
    return (a.T @ g).T if W.strides[0] < W.strides[1] else g.T @ a


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """(mean cross-entropy of the rows of ``logits`` (N, C) against integer ``targets``,
    its gradient (softmax - onehot) / N): the baselines' loss, by hand."""
    shifted = logits - logits.max(1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(1, keepdims=True))
    rows = np.arange(len(targets))
    loss = -(shifted[rows, targets] - log_z[:, 0]).mean()
    dlogits = np.exp(shifted - log_z)
    dlogits[rows, targets] -= 1
    dlogits /= len(targets)
    return loss, dlogits


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
"""``cpu`` counts only the time this process ran (all its threads), so the time spent
waiting while other programs use the cores is left out: on a shared machine it is the
steady measure for one thread. ``wall`` is the one for several threads."""


class NumpyAdam:
    """Adam by hand for the baselines, with the engine's arithmetic: moments preallocated
    and updated in place, lr m_hat / (sqrt(v_hat) + eps) computed as
    (lr sqrt(c2) / c1) m / (sqrt(v) + eps sqrt(c2)), c_i = 1 - beta_i^t. ``step`` spends
    the gradients (they are scratch space afterwards)."""

    def __init__(self, params: list[np.ndarray], lr: float, betas: tuple[float, float],
                 eps: float) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        (b1, b2), t = self.betas, self.t
        root_c2 = np.sqrt(1 - b2 ** t)
        scale = self.lr * root_c2 / (1 - b1 ** t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            g *= g
            g *= 1 - b2
            v += g
            work = np.sqrt(v, out=g)  # g is spent: reuse it
            work += self.eps * root_c2
            np.divide(m, work, out=work)
            work *= scale
            p -= work


class NumpyAdamW(NumpyAdam):
    """AdamW by hand with the engine's arithmetic (``nn.optim.AdamW``, as PyTorch's
    ``torch.optim.AdamW``): each parameter first shrinks, p = p (1 - lr weight_decay)
    (decoupled decay, nothing added to g), then ``NumpyAdam``'s update of the raw
    gradient."""

    def __init__(self, params: list[np.ndarray], lr: float, betas: tuple[float, float],
                 eps: float, weight_decay: float) -> None:
        super().__init__(params, lr, betas, eps)
        self.weight_decay = weight_decay

    def step(self, grads: list[np.ndarray]) -> None:
        shrink = 1 - self.lr * self.weight_decay
        for p in self.params:
            p *= shrink
        super().step(grads)


@dataclass
class Settings:
    """How much to run: ``quick`` shrinks the workloads (CI proves the harness works)."""
    clock: str = "cpu"  # a key of CLOCKS
    rounds: int = 31
    warmup: int = 2
    block: int = 4
    quick: bool = False
    threads: int = 1
    torch: bool = True  # False: leave PyTorch out even when it is installed


@dataclass
class Candidate:
    """One implementation of a case: ``check()`` -> (loss, [gradients]), ``step()`` timed.
    ``check`` None: a part of another candidate's work, timed but not compared
    (``benchmarks.breakdown``)."""
    name: str
    check: Callable[[], LossAndGrads] | None
    step: Callable[[], object]


def training_candidate(name: str, loss_fn: Callable[[], Any], params: Sequence[Any],
                       optimizer: Any) -> Candidate:
    """A candidate that trains: checked by its loss and the gradients of ``params``,
    timed by one step of ``optimizer`` (the engine and PyTorch alike)."""
    return Candidate(name, loss_and_grads(loss_fn, params), training_step(loss_fn, optimizer))


@dataclass
class Row:
    """A candidate's figures: median, min and max in the case's unit, the median of the
    per-round ratios to the baseline, and any extra columns (name -> value)."""
    name: str
    median: float
    min: float
    max: float
    ratio: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Case:
    """The result of one case, ready to print or to write as JSON."""
    benchmark: str
    title: str
    unit: str
    rows: list[Row]
    target: str = ""
    notes: list[str] = field(default_factory=list)


class MismatchError(AssertionError):
    """A candidate's loss or gradients differ from the baseline's: the benchmark would
    compare different computations, so it stops instead of timing them."""


def _as_array(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def check_candidates(candidates: Sequence[Candidate], rtol: float, atol: float) -> None:
    """Every candidate's loss and gradients equal the first (baseline) candidate's, to
    ``rtol``/``atol``; else MismatchError naming the candidate and the quantity."""
    base_loss, base_grads = candidates[0].check()
    base_grads = [_as_array(g) for g in base_grads]
    for cand in candidates[1:]:
        if cand.check is None:  # a part of another candidate's step
            continue
        loss, grads = cand.check()
        grads = [_as_array(g) for g in grads]
        if not np.allclose(float(loss), float(base_loss), rtol=rtol, atol=atol):
            raise MismatchError(f"{cand.name}: loss {float(loss)!r} differs from "
                                f"{candidates[0].name}'s {float(base_loss)!r}")
        if len(grads) != len(base_grads):
            raise MismatchError(f"{cand.name}: {len(grads)} gradients, the baseline has "
                                f"{len(base_grads)}")
        for i, (got, want) in enumerate(zip(grads, base_grads)):
            if got.shape != want.shape or not np.allclose(got, want, rtol=rtol, atol=atol):
                worst = np.max(np.abs(got - want)) if got.shape == want.shape else "shape"
                raise MismatchError(
                    f"{cand.name}: gradient {i} (shape {got.shape}) differs from "
                    f"{candidates[0].name}'s (shape {want.shape}); largest difference "
                    f"{worst}")


def time_candidates(candidates: Sequence[Candidate], settings: Settings
                    ) -> dict[str, list[float]]:
    """Seconds per ``step()`` of each candidate, one value per round (interleaved): the
    fastest warm call of the candidate's block."""
    for _ in range(settings.warmup):
        for cand in candidates:
            cand.step()
    times: dict[str, list[float]] = {cand.name: [] for cand in candidates}
    timed = max(settings.block - 1, 1)
    clock = CLOCKS[settings.clock]
    reading = min(-clock() + clock() for _ in range(1000))  # the cost of a reading
    for _ in range(settings.rounds):
        for cand in candidates:
            step = cand.step
            if settings.block > 1:
                step()
            best = float("inf")
            for _ in range(timed):
                start = clock()
                step()
                best = min(best, clock() - start - reading)
            times[cand.name].append(best)
    return times


def measure(benchmark: str, title: str, unit: str, scale: float,
            candidates: Sequence[Candidate], settings: Settings, *, rtol: float,
            atol: float, target: str = "") -> Case:
    """Check, then time the candidates; figures in seconds / ``scale`` (``unit``)."""
    check_candidates(candidates, rtol, atol)
    times = time_candidates(candidates, settings)
    base = times[candidates[0].name]
    rows = []
    for cand in candidates:
        values = times[cand.name]
        ratios = [v / b for v, b in zip(values, base)]
        rows.append(Row(cand.name, statistics.median(values) / scale, min(values) / scale,
                        max(values) / scale, statistics.median(ratios)))
    return Case(benchmark, title, unit, rows, target)


def format_case(case: Case) -> str:
    """The case as a plain-text table."""
    extra = list(dict.fromkeys(k for row in case.rows for k in row.extra))
    head = f"{'':<26}{'median':>10}{'min':>10}{'max':>10}{'ratio':>8}"
    head += "".join(f"{k:>14}" for k in extra)
    lines = [f"\n{case.benchmark}: {case.title}  [{case.unit}]", head]
    for row in case.rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        line = f"{row.name:<26}{row.median:>10.4g}{row.min:>10.4g}{row.max:>10.4g}{ratio:>8}"
        line += "".join(f"{_cell(row.extra.get(k)):>14}" for k in extra)
        lines.append(line)
    if case.target:
        lines.append(f"target: {case.target}")
    lines.extend(f"note: {note}" for note in case.notes)
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def torch_or_none(settings: Settings) -> tuple[Any, str]:
    """(torch, "") when PyTorch is importable and wanted, else (None, a note why not)."""
    if not settings.torch:
        return None, "PyTorch left out (--no-torch)"
    try:
        import torch
    except ImportError:  # the optional `compare` extra
        return None, "PyTorch is not installed: no PyTorch column (pip install torch)"
    torch.set_num_threads(settings.threads)
    return torch, ""

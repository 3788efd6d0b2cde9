"""Learning-rate schedulers (PyTorch names and semantics).

A scheduler wraps an optimizer and sets ``group["lr"]`` of each param group. Call
``scheduler.step()`` once per epoch (or per iteration), after ``optimizer.step()`` (a
first ``scheduler.step()`` before any ``optimizer.step()`` warns once, as in PyTorch:
it skips the first value of the schedule). Constructing a scheduler performs step 0
(``last_epoch`` becomes 0).

Chaining, as PyTorch does: ``step()`` updates each group's *current* lr by the
schedule's step rule (StepLR multiplies it by gamma every step_size steps,
ExponentialLR by gamma, ...). So several schedulers stepped together compose (their
factors multiply), a cut by ``ReduceLROnPlateau`` or a manual ``group["lr"] = 0.1``
is kept and scaled from, and a scheduler attached later starts from the lr it finds.
Where PyTorch has a closed form (StepLR, MultiStepLR, ExponentialLR, LinearLR,
CosineAnnealingLR, ConstantLR, PolynomialLR), ``step(epoch)`` (deprecated, as in PyTorch:
it warns) jumps to it: the value at ``epoch`` computed
from the group's ``initial_lr`` (set once, by the first scheduler attached), ignoring
the current lr. CosineAnnealingWarmRestarts and CyclicLR are computed from their base
lrs at every step (as in PyTorch), so they do not chain. ``SequentialLR`` (schedules one
after the other, each restarted at its closed-form step 0) lives in
``more_schedulers.py``, ``ReduceLROnPlateau`` in ``plateau.py``, the cyclic schedules in
``cyclic.py``, the base class in ``scheduler_base.py``. A scheduler of one's own
subclasses ``LRScheduler`` (or a built-in one) and overrides ``get_lr()``, as in PyTorch:
``step()`` then sets the lrs it returns.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral
from typing import Any

from .optimizer import Optimizer
from .._checks import integer, real_number, whole_steps
from ..errors import ArgumentTypeError, StateDictError
from .scheduler_base import _LR_SCHEDULER_MODULE, LRScheduler
from .scheduler_state import state_mapping

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "LinearWarmup",
    "CosineAnnealingLR",
]


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size)."""

    __module__ = _LR_SCHEDULER_MODULE
    _has_closed_form = True

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = whole_steps("StepLR", "step_size", step_size, minimum=1)
        self.gamma = real_number("StepLR", "gamma", gamma, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        return [base * self.gamma ** (epoch // self.step_size) for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * gamma at every step_size-th step, else lr."""
        if epoch == 0 or epoch % self.step_size:
            return lrs
        return [lr * self.gamma for lr in lrs]


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma ** (number of milestones <= epoch).

    ``milestones`` is a ``collections.Counter``, as PyTorch's: ``milestones[m]`` is how
    many times ``m`` was given (a repeated milestone multiplies by gamma that many times).
    """

    __module__ = _LR_SCHEDULER_MODULE
    _has_closed_form = True

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise ArgumentTypeError(
                f"MultiStepLR: milestones must be a list of ints (the steps at which the lr "
                f"is multiplied by gamma), e.g. milestones=[30, 80] (one: [30]); got "
                f"{milestones!r:.40} ({type(milestones).__name__}).")
        self.milestones = Counter(whole_steps("MultiStepLR", "milestone", m, minimum=0)
                                  for m in milestones)
        self.gamma = real_number("MultiStepLR", "gamma", gamma, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        passed = sum(count for milestone, count in self.milestones.items() if milestone <= epoch)
        return [base * self.gamma ** passed for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * gamma ** (milestones equal to epoch; a repeated one counts twice)."""
        hits = self.milestones[epoch]
        return [lr * self.gamma ** hits for lr in lrs] if hits else lrs

    def state_dict(self) -> dict[str, Any]:
        """As the base class's, with ``milestones`` as a plain dict from milestone to count
        (PyTorch saves the Counter itself; ``nn.save`` refuses a Counter, which would load
        back as a dict)."""
        return {**super().state_dict(), "milestones": dict(self.milestones)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As the base class's; ``milestones`` may be PyTorch's Counter (a dict from
        milestone to count) or a list (as earlier versions saved it)."""
        state = dict(state_mapping(self, state_dict))
        if "milestones" in state:
            state["milestones"] = _milestone_counts(state["milestones"])
        super().load_state_dict(state)


def _milestone_counts(saved: Any) -> Counter[int]:
    """A saved ``milestones``: a dict from milestone (int >= 0) to count (int >= 1), or a
    list of milestones; ``StateDictError`` for anything else."""
    if isinstance(saved, Mapping):
        pairs = list(saved.items())
    elif isinstance(saved, (list, tuple)):
        pairs = [(milestone, 1) for milestone in saved]
    else:
        pairs = None
    if pairs is None or not all(_whole(m, 0) and _whole(c, 1) for m, c in pairs):
        raise StateDictError(f"MultiStepLR.load_state_dict: 'milestones' must be a Counter "
                             f"(a dict from milestone, an int >= 0, to its count, an int "
                             f">= 1) or a list of milestones; got {saved!r:.80}")
    counts: Counter[int] = Counter()
    for milestone, count in pairs:
        counts[int(milestone)] += int(count)
    return counts


def _whole(value: Any, minimum: int) -> bool:
    """Whether ``value`` is an int (a NumPy one too; not a bool) >= ``minimum``."""
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= minimum


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch."""

    __module__ = _LR_SCHEDULER_MODULE
    _has_closed_form = True
    _resume_keeps_lr = True

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = real_number("ExponentialLR", "gamma", gamma, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        return [base * self.gamma ** epoch for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * gamma (lr at step 0)."""
        return lrs if epoch == 0 else [lr * self.gamma for lr in lrs]


class LinearLR(LRScheduler):
    """Linear ramp of the multiplicative factor, then constant::

        lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, T) / T)

    with T = total_iters, start_factor in (0, 1] and end_factor in [0, 1], as PyTorch's.
    With end_factor = 1 this is a linear warm-up (one from 0: :class:`LinearWarmup`).
    """

    __module__ = _LR_SCHEDULER_MODULE
    _has_closed_form = True
    _resume_keeps_lr = True

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        owner = type(self).__name__
        self.start_factor = self._checked_start_factor(start_factor)
        self.end_factor = real_number(owner, "end_factor", end_factor, minimum=0, maximum=1)
        self.total_iters = whole_steps(owner, "total_iters", total_iters, minimum=1)
        super().__init__(optimizer, last_epoch)

    def _checked_start_factor(self, start_factor: Any) -> float:
        """In (0, 1], as PyTorch's LinearLR (whose chained steps divide by the factor);
        a warm-up from 0 is LinearWarmup's."""
        return real_number(type(self).__name__, "start_factor", start_factor, minimum=0,
                           maximum=1, open_min=True,
                           advice="For a warm-up from 0 use LinearWarmup(optimizer, "
                                  "warmup_steps) (its start_factor may be 0).")

    def _closed_form(self, epoch: int) -> list[float]:
        fraction = min(epoch, self.total_iters) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * fraction
        return [base * factor for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * start_factor at step 0, then lr * factor(epoch) / factor(epoch - 1) up
        to total_iters. A factor of 0 (a warm-up from 0) cannot be scaled from, so the
        step after it takes the closed form."""
        if epoch == 0:
            return [lr * self.start_factor for lr in lrs]
        if epoch > self.total_iters:
            return lrs
        slope = self.end_factor - self.start_factor
        previous = self.total_iters * self.start_factor + (epoch - 1) * slope
        if previous == 0:
            return self._closed_form(epoch)
        return [lr * (1.0 + slope / previous) for lr in lrs]


class LinearWarmup(LinearLR):
    """Linear warm-up: lr = base_lr * (s + (1 - s) * min(epoch, warmup_steps) / warmup_steps)
    with s = start_factor; i.e. ``LinearLR(start_factor=s, end_factor=1, total_iters=
    warmup_steps)``, except that s may be 0 here (the default: a warm-up from 0, which
    PyTorch's LinearLR refuses). Chain it with a decay using :class:`SequentialLR`."""

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, warmup_steps: int, start_factor: float = 0.0,
                 last_epoch: int = -1) -> None:
        super().__init__(optimizer, start_factor=start_factor, end_factor=1.0,
                         total_iters=integer("LinearWarmup", "warmup_steps", warmup_steps,
                                             minimum=1),
                         last_epoch=last_epoch)

    def _checked_start_factor(self, start_factor: Any) -> float:
        """In [0, 1]: a warm-up may start from 0 (the default)."""
        return real_number("LinearWarmup", "start_factor", start_factor, minimum=0, maximum=1)


def _cosine(base: float, eta_min: float, t: float, period: float) -> float:
    """eta_min + (base - eta_min) * (1 + cos(pi * t / period)) / 2."""
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / period)) / 2


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2.

    (The closed form: past T_max the cosine carries on and the lr rises again.)
    """

    __module__ = _LR_SCHEDULER_MODULE
    _has_closed_form = True
    _resume_keeps_lr = True

    def __init__(self, optimizer: Optimizer, T_max: float, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        # PyTorch takes any positive period (DARTS passes float(epochs)); an int stays one
        period = real_number("CosineAnnealingLR", "T_max", T_max, minimum=0, open_min=True)
        self.T_max = T_max if isinstance(T_max, int) else period
        self.eta_min = real_number("CosineAnnealingLR", "eta_min", eta_min, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        return [_cosine(base, self.eta_min, epoch, self.T_max) for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """PyTorch's recursion: (lr - eta_min) scaled by the ratio of consecutive
        (1 + cos) terms; at the cosine's minimum (where that ratio is 0/0) the step
        adds (base_lr - eta_min) (1 - cos(pi / T_max)) / 2 instead."""
        if epoch == 0:
            return lrs
        if self._step_count == 1:  # resumed with last_epoch > 0: nothing to chain from
            return self._closed_form(epoch)
        period, low = self.T_max, self.eta_min
        if (epoch - 1 - period) % (2 * period) == 0:
            rise = (1 - math.cos(math.pi / period)) / 2
            return [lr + (base - low) * rise for lr, base in zip(lrs, self.base_lrs)]
        ratio = ((1 + math.cos(math.pi * epoch / period))
                 / (1 + math.cos(math.pi * (epoch - 1) / period)))
        return [ratio * (lr - low) + low for lr in lrs]

"""OneCycleLR: the 1cycle policy (Smith & Topin), with PyTorch's names and semantics.
As the cyclic schedules, it computes each step's lr from its own bounds (it does not
chain from the current lr; see ``schedulers.py``)."""
from __future__ import annotations

import math
from collections.abc import Sequence

from .optimizer import Optimizer, check
from .._checks import flag, integer, real_number
from ..errors import ConfigError
from .cyclic import MomentumCycling
from .scheduler_checks import per_group, require_optimizer
from .schedulers import _LR_SCHEDULER_MODULE, LRScheduler

__all__ = ["OneCycleLR"]


class OneCycleLR(MomentumCycling, LRScheduler):
    """The 1cycle policy: step it once per batch, ``total_steps`` times (or give
    ``epochs`` and ``steps_per_epoch``; total_steps = their product).

    The lr rises from ``initial_lr = max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start * total_steps - 1`` steps, then falls to ``min_lr = initial_lr /
    final_div_factor`` at step ``total_steps - 1``; with ``three_phase=True`` it falls
    back to initial_lr over as many steps, then to min_lr. Each phase anneals with a
    half cosine (``anneal_strategy="cos"``) or a straight line (``"linear"``). As
    PyTorch, each group records ``initial_lr``, ``max_lr`` and ``min_lr`` (and, with
    cycle_momentum, ``max_momentum`` and ``base_momentum``); the schedule itself uses the
    values given here. A step past ``total_steps`` raises ``ConfigError``.

    With ``cycle_momentum=True`` (the default) the momentum (SGD, RMSprop) or beta1
    (Adam) moves inversely, from ``max_momentum`` to ``base_momentum`` and back (in the
    third phase it stays at max_momentum); an optimizer with neither (Adagrad) needs
    ``cycle_momentum=False``. ``max_lr`` and the momenta take one value per group or a
    list (one per group).
    """

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, max_lr: float | Sequence[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | Sequence[float] = 0.85,
                 max_momentum: float | Sequence[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        owner = "OneCycleLR"
        require_optimizer(owner, optimizer)
        self.max_lrs = per_group(owner, "max_lr", optimizer, max_lr)
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        self.pct_start = real_number(owner, "pct_start", pct_start, minimum=0, maximum=1)
        check(anneal_strategy in ("cos", "linear"), "anneal_strategy", anneal_strategy,
              "'cos' or 'linear'")
        self.anneal_strategy = anneal_strategy
        self.three_phase = flag(owner, "three_phase", three_phase)
        div_factor = real_number(owner, "div_factor", div_factor, minimum=0, open_min=True)
        final_div_factor = real_number(owner, "final_div_factor", final_div_factor,
                                       minimum=0, open_min=True)
        ends = self._phase_ends()
        if any(end == start for start, end in zip([0.0, *ends[:-1]], ends)):
            raise ConfigError(
                f"OneCycleLR: pct_start={self.pct_start!r} with total_steps="
                f"{self.total_steps} gives a phase of zero steps (PyTorch divides by zero "
                "there); change pct_start or total_steps.")
        self._init_momentum(owner, optimizer, flag(owner, "cycle_momentum", cycle_momentum),
                            base_momentum, max_momentum)  # checked before the groups change
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, self.max_lrs):
                group["initial_lr"] = top / div_factor
        self.min_lrs = [float(g.get("initial_lr", math.nan)) / final_div_factor
                        for g in optimizer.param_groups]
        if last_epoch == -1:  # PyTorch's record of the bounds in each group
            for group, top, bottom in zip(optimizer.param_groups, self.max_lrs, self.min_lrs):
                group["max_lr"], group["min_lr"] = top, bottom
        if self.cycle_momentum and last_epoch == -1:
            self._record_momentum_bounds(optimizer)
        super().__init__(optimizer, last_epoch)

    def _phase_ends(self) -> list[float]:
        """The step at which each phase ends (PyTorch's, including its -1s)."""
        up = self.pct_start * self.total_steps
        if self.three_phase:
            return [up - 1, 2 * up - 2, self.total_steps - 1.0]
        return [up - 1, self.total_steps - 1.0]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return start + (end - start) * pct

    def _closed_form(self, epoch: int) -> list[float]:
        if epoch > self.total_steps:
            raise ConfigError(
                f"OneCycleLR: step {epoch} is past total_steps={self.total_steps}, where "
                "the schedule ends. Pass total_steps (or epochs and steps_per_epoch) "
                "counting every scheduler.step() of the run.")
        lrs = {"initial": self.base_lrs, "max": self.max_lrs, "min": self.min_lrs}
        moms = {"base": self.base_momentums, "max": self.max_momentums}
        if self.three_phase:
            phases = [("initial", "max", "max", "base"), ("max", "initial", "base", "max"),
                      ("initial", "min", "max", "max")]
        else:
            phases = [("initial", "max", "max", "base"), ("max", "min", "base", "max")]
        ends, start = self._phase_ends(), 0.0
        for k, end in enumerate(ends):
            if epoch <= end or k == len(ends) - 1:
                break
            start = end
        pct = (epoch - start) / (end - start)
        lr_from, lr_to, mom_from, mom_to = phases[k]
        if self.cycle_momentum:  # a side effect, as in PyTorch (and CyclicLR)
            self._set_momentums(self.optimizer, [
                self._anneal(a, b, pct) for a, b in zip(moms[mom_from], moms[mom_to])])
        return [self._anneal(a, b, pct) for a, b in zip(lrs[lr_from], lrs[lr_to])]


def _total_steps(total_steps: int | None, epochs: int | None,
                 steps_per_epoch: int | None) -> int:
    """total_steps, or epochs * steps_per_epoch (PyTorch's rule: total_steps wins)."""
    if total_steps is not None:
        return integer("OneCycleLR", "total_steps", total_steps, minimum=1)
    if epochs is None or steps_per_epoch is None:
        raise ConfigError("OneCycleLR: pass total_steps, or both epochs and steps_per_epoch "
                          f"(got epochs={epochs!r}, steps_per_epoch={steps_per_epoch!r}).")
    return (integer("OneCycleLR", "epochs", epochs, minimum=1)
            * integer("OneCycleLR", "steps_per_epoch", steps_per_epoch, minimum=1))

"""Cyclic learning-rate schedules: cosine annealing with warm restarts (SGDR) and
CyclicLR. As in PyTorch, both compute each step's lr from the base lrs (they do not chain
from the current lr; see ``schedulers.py``)."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .optimizer import Optimizer, check
from .._checks import flag, integer, is_integer, real_number
from .scheduler_state import state_mapping
from .scheduler_checks import per_group, require_optimizer
from .schedulers import _LR_SCHEDULER_MODULE, LRScheduler, _cosine

__all__ = ["CosineAnnealingWarmRestarts", "CyclicLR", "MomentumCycling"]


class MomentumCycling:
    """The momentum side of CyclicLR and OneCycleLR: with ``cycle_momentum`` each step
    also sets each group's momentum (SGD, RMSprop) or beta1 (Adam), inversely to the lr,
    between ``base_momentum`` and ``max_momentum`` (one value, or one per group)."""

    def _init_momentum(self, owner: str, optimizer: Optimizer, cycle_momentum: bool,
                       base_momentum: float | Sequence[float],
                       max_momentum: float | Sequence[float]) -> None:
        self.cycle_momentum, self.use_beta1 = cycle_momentum, "betas" in optimizer.defaults
        self.base_momentums: list[float] = []
        self.max_momentums: list[float] = []
        if not cycle_momentum:
            return
        check(self.use_beta1 or "momentum" in optimizer.defaults, "cycle_momentum", True,
              f"an optimizer with momentum or betas ({type(optimizer).__name__} has "
              "neither); pass cycle_momentum=False to cycle only the learning rate")
        self.base_momentums = per_group(owner, "base_momentum", optimizer, base_momentum)
        self.max_momentums = per_group(owner, "max_momentum", optimizer, max_momentum)

    def _record_momentum_bounds(self, optimizer: Optimizer) -> None:
        """Write ``max_momentum`` and ``base_momentum`` into each group, as PyTorch."""
        for group, top, base in zip(optimizer.param_groups, self.max_momentums,
                                    self.base_momentums):
            group["max_momentum"], group["base_momentum"] = top, base

    def _set_momentums(self, optimizer: Optimizer, momentums: Sequence[float]) -> None:
        for group, momentum in zip(optimizer.param_groups, momentums):
            if self.use_beta1:
                group["betas"] = (momentum, *group["betas"][1:])
            else:
                group["momentum"] = momentum


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine annealing restarted after T_0, T_0*T_mult, T_0*T_mult^2, ... steps.

    lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, where ``T_i``
    is the length of the current cycle and ``T_cur`` the steps since its start (both
    attributes, as PyTorch's). ``step()`` adds 1 to T_cur; ``step(epoch)`` takes any real
    ``epoch >= 0``, as PyTorch's (its documented per-batch use is
    ``scheduler.step(epoch + i / iters)``), and sets ``last_epoch = floor(epoch)``.
    """

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1,
                 eta_min: float = 0.0, last_epoch: int = -1) -> None:
        owner = "CosineAnnealingWarmRestarts"
        self.T_0 = integer(owner, "T_0", T_0, minimum=1)
        self.T_mult = integer(owner, "T_mult", T_mult, minimum=1)
        self.eta_min = real_number(owner, "eta_min", eta_min, minimum=0)
        self.T_i: float = self.T_0  # set by the constructor's step
        self.T_cur: float = 0  # an int until a fractional epoch is given
        super().__init__(optimizer, last_epoch)

    def _position(self, epoch: float) -> tuple[float, float]:
        """(T_cur, T_i) at ``epoch``: the cycles of lengths T_0, T_0*T_mult, ... that end
        by then are passed."""
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        t_cur, t_i = epoch, self.T_0
        while t_cur >= t_i:
            t_cur -= t_i
            t_i *= self.T_mult
        return t_cur, t_i

    def step(self, epoch: float | None = None) -> None:
        """One step, or (not deprecated here, as in PyTorch) the point ``epoch``."""
        self._count_step()
        self._update_lr(epoch)

    def _update_lr(self, epoch: float | None = None) -> None:
        """PyTorch's bookkeeping: T_cur += 1 (a restart when it reaches T_i, where T_i
        grows by T_mult), or T_cur and T_i at ``epoch``. The constructor's step is at
        ``last_epoch + 1`` (0, or the step after the one resumed from)."""
        if epoch is None and not self._is_initial and self.last_epoch >= 0:
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur, self.T_i = self.T_cur - self.T_i, self.T_i * self.T_mult
            self.last_epoch += 1
        else:
            if epoch is None:
                epoch = max(self.last_epoch + 1, 0)
            number = real_number(f"{type(self).__name__}.step", "epoch", epoch, minimum=0)
            epoch = int(epoch) if is_integer(epoch) else number  # T_cur an int, as PyTorch's
            self.T_cur, self.T_i = self._position(epoch)
            self.last_epoch = math.floor(epoch)
        self._apply_lrs(jumped=False)

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """From ``T_cur`` and ``T_i`` (not from the current lrs: it does not chain)."""
        return [_cosine(base, self.eta_min, self.T_cur, self.T_i) for base in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As the base class; a state saved before ``T_cur`` and ``T_i`` were kept gets
        them from its ``last_epoch``."""
        state = state_mapping(self, state_dict)
        if "T_cur" in state or "T_i" in state:
            super().load_state_dict(state)
            return
        super().load_state_dict({**state, "T_cur": 0, "T_i": self.T_0})
        self.T_cur, self.T_i = self._position(max(self.last_epoch, 0))


class CyclicLR(MomentumCycling, LRScheduler):
    """Cyclical learning rate between ``base_lr`` and ``max_lr`` (step it every batch).

    With S = step_size_up + step_size_down, cycle = floor(1 + t / S), x = 1 + t / S - cycle,
    ramp = x / r if x <= r else (x - 1) / (r - 1) where r = step_size_up / S::

        lr = base_lr + (max_lr - base_lr) * ramp * scale

    scale is 1 ("triangular"), 1 / 2^(cycle - 1) ("triangular2") or gamma^t
    ("exp_range"), or ``scale_fn(cycle or t)`` (``scale_mode`` "cycle"/"iterations").
    The initial lr of each group is set to ``base_lr``. As in PyTorch, with
    ``cycle_momentum=True`` (the default) the momentum (SGD, RMSprop) or beta1 (Adam)
    cycles inversely, ``momentum = max_momentum - (max_momentum - base_momentum) * ramp *
    scale``, starting at ``max_momentum`` (each group records ``max_momentum`` and
    ``base_momentum``); an optimizer with neither (Adagrad) needs ``cycle_momentum=False``.
    """

    __module__ = _LR_SCHEDULER_MODULE

    MODES = ("triangular", "triangular2", "exp_range")

    def __init__(self, optimizer: Optimizer, base_lr: float | Sequence[float],
                 max_lr: float | Sequence[float], step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: float | Sequence[float] = 0.8,
                 max_momentum: float | Sequence[float] = 0.9, last_epoch: int = -1) -> None:
        require_optimizer("CyclicLR", optimizer)
        base_lrs = per_group("CyclicLR", "base_lr", optimizer, base_lr)
        self.max_lrs = per_group("CyclicLR", "max_lr", optimizer, max_lr)
        step_size_up = real_number("CyclicLR", "step_size_up", step_size_up, minimum=0,
                                   open_min=True)
        step_size_down = step_size_up if step_size_down is None else real_number(
            "CyclicLR", "step_size_down", step_size_down, minimum=0, open_min=True)
        check(scale_fn is not None or mode in self.MODES, "mode", mode, f"one of {self.MODES}")
        check(scale_mode in ("cycle", "iterations"), "scale_mode", scale_mode,
              "'cycle' or 'iterations'")
        self.total_size = float(step_size_up + step_size_down)
        self.step_ratio = step_size_up / self.total_size
        self.mode = mode
        self.gamma = real_number("CyclicLR", "gamma", gamma, minimum=0)
        self._scale_fn = scale_fn
        if scale_fn is None:  # the built-in modes fix what the scale depends on
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        else:
            self.scale_mode = scale_mode
        self._init_momentum("CyclicLR", optimizer,  # checked before the groups change
                            flag("CyclicLR", "cycle_momentum", cycle_momentum),
                            base_momentum, max_momentum)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs):
                group["lr"] = lr
        if self.cycle_momentum and last_epoch == -1:
            self._set_momentums(optimizer, self.max_momentums)
            self._record_momentum_bounds(optimizer)
        super().__init__(optimizer, last_epoch, base_lrs=base_lrs)

    def scale_fn(self, x: float) -> float:
        """The scale at ``x`` (the cycle number or the step, ``scale_mode``): the
        ``scale_fn`` given, or the mode's (PyTorch's public method)."""
        if self._scale_fn is not None:
            return self._scale_fn(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1.0 / 2.0 ** (x - 1)
        return self.gamma ** x

    def _closed_form(self, epoch: int) -> list[float]:
        cycle = math.floor(1 + epoch / self.total_size)
        x = 1.0 + epoch / self.total_size - cycle
        if x <= self.step_ratio:
            ramp = x / self.step_ratio
        else:
            ramp = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else epoch)
        if self.cycle_momentum:  # inversely to the lr, as PyTorch (a side effect, as there)
            self._set_momentums(self.optimizer, [
                top - (top - base) * ramp * scale
                for base, top in zip(self.base_momentums, self.max_momentums)])
        return [base + (top - base) * ramp * scale
                for base, top in zip(self.base_lrs, self.max_lrs)]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As the base class; a state saved before momentum cycling existed loads as
        ``cycle_momentum=False`` (what it did then)."""
        old = {"cycle_momentum": False, "use_beta1": self.use_beta1,
               "base_momentums": [], "max_momentums": []}
        if "cycle_momentum" not in state_mapping(self, state_dict):
            state_dict = {**old, **state_dict}
        super().load_state_dict(state_dict)

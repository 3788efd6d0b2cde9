"""ReduceLROnPlateau: cut the learning rate when a monitored metric stops improving."""
from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

from .optimizer import Optimizer, check
from .._checks import integer, real_number
from .scheduler_state import state_mapping
from .scheduler_checks import per_group, require_optimizer
from .schedulers import _LR_SCHEDULER_MODULE, LRScheduler
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(LRScheduler):
    """Multiply each group's lr by ``factor`` after more than ``patience`` steps without
    improvement of the metric passed to ``step(metric)`` (PyTorch semantics).

    "Improvement" of a value a over the best so far (mode "min"; "max" mirrors it)::

        rel: a < best * (1 - threshold)        abs: a < best - threshold

    A reduction sets lr = max(lr * factor, min_lr) (skipped when it would change lr by
    no more than ``eps``), then waits ``cooldown`` steps during which bad steps are not
    counted.

    It works from each group's current lr, so it composes with other schedulers
    stepped alongside it (a StepLR keeps its cuts).
    """

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | Sequence[float] = 0.0,
                 eps: float = 1e-8) -> None:
        require_optimizer("ReduceLROnPlateau", optimizer)
        check(mode in ("min", "max"), "mode", mode, "'min' or 'max'")
        check(threshold_mode in ("rel", "abs"), "threshold_mode", threshold_mode,
              "'rel' or 'abs'")
        owner = "ReduceLROnPlateau"
        self.factor = real_number(owner, "factor", factor, minimum=0, maximum=1, open_max=True)
        self.patience = integer(owner, "patience", patience, minimum=0)
        self.cooldown = integer(owner, "cooldown", cooldown, minimum=0)
        self.threshold = real_number(owner, "threshold", threshold, minimum=0)
        self.eps = real_number(owner, "eps", eps, minimum=0)
        self.min_lrs = per_group(owner, "min_lr", optimizer, min_lr)
        # one number: also the min_lr of a group added later (PyTorch's default_min_lr)
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else self.min_lrs[0]
        self.optimizer = optimizer
        self.mode, self.threshold_mode = mode, threshold_mode
        # the worst value the metric can take (PyTorch's attribute, in its state dict too)
        self.mode_worse = _worst(mode)
        self.best = self.mode_worse
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [float(g["lr"]) for g in optimizer.param_groups]

    @property
    def in_cooldown(self) -> bool:
        """Whether bad steps go uncounted now (``cooldown_counter > 0``), as PyTorch's."""
        return self.cooldown_counter > 0

    def _is_better(self, value: float) -> bool:
        if self.mode == "min":
            bar = (self.best * (1 - self.threshold) if self.threshold_mode == "rel"
                   else self.best - self.threshold)
            return value < bar
        bar = (self.best * (1 + self.threshold) if self.threshold_mode == "rel"
               else self.best + self.threshold)
        return value > bar

    def step(self, metric: float, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record one value of the monitored metric (e.g. the validation loss). ``epoch``
        (deprecated in PyTorch, which warns too) sets ``last_epoch`` instead of counting."""
        try:
            value = float(metric)
        except (TypeError, ValueError):
            raise ArgumentTypeError(f"ReduceLROnPlateau.step(metric): metric is the monitored "
                                    f"number (e.g. the validation loss, a float or a one-element"
                                    f" tensor); got {metric!r:.40}") from None
        if epoch is None:
            self.last_epoch += 1
        else:
            warnings.warn("ReduceLROnPlateau.step(metric, epoch): the epoch argument is "
                          "deprecated (as in PyTorch); call step(metric) once per epoch",
                          UserWarning, stacklevel=2)
            self.last_epoch = integer("ReduceLROnPlateau.step", "epoch", epoch, minimum=0)
        if self._is_better(value):
            self.best = value
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._match_groups()
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [float(g["lr"]) for g in self.optimizer.param_groups]

    def _match_groups(self) -> None:
        """One min_lr per param group, also for groups added after the scheduler was
        built: the one min_lr given, or a ConfigError for a list (PyTorch's rule)."""
        count = len(self.optimizer.param_groups)
        if len(self.min_lrs) != count:
            if self.default_min_lr is None:
                raise ConfigError(f"ReduceLROnPlateau: min_lr lists {len(self.min_lrs)} values"
                                  f" and the optimizer now has {count} param groups (one was "
                                  f"added after the scheduler); set scheduler.min_lrs to a "
                                  f"list of {count}")
            self.min_lrs = [self.default_min_lr] * count

    def load_state_dict(self, state_dict: dict) -> None:
        """As ``LRScheduler``'s; a state saved before ``default_min_lr`` existed loads
        with None (a list of min_lrs), one saved before ``mode_worse`` was kept gets it
        from its ``mode``."""
        state = {"default_min_lr": None, **state_mapping(self, state_dict)}
        if "mode_worse" not in state:
            state["mode_worse"] = _worst(state.get("mode", self.mode))
        super().load_state_dict(state)


def _worst(mode: str) -> float:
    """The worst value of the metric: inf for mode "min", -inf for "max"."""
    return math.inf if mode == "min" else -math.inf

"""More of PyTorch's learning-rate schedulers, with its names and semantics: LambdaLR and
MultiplicativeLR (a factor from a function of the epoch), ConstantLR, PolynomialLR, and the
two that combine schedulers, SequentialLR and ChainedScheduler.

They follow ``schedulers.py``'s rules: ``step()`` updates each group's current lr by the
step rule (so schedulers stepped together compose) and ``step(epoch)`` jumps to the
closed form from the group's ``initial_lr``.
"""
from __future__ import annotations

import bisect
import types
from collections.abc import Callable, Sequence
from typing import Any, Union

from .optimizer import Optimizer, check
from .._checks import integer, real_number, whole_steps
from ..errors import ArgumentTypeError, ConfigError, StateDictError
from .plateau import ReduceLROnPlateau
from .scheduler_checks import groups_changed, require_optimizer
from .scheduler_state import check_saved_values, state_mapping
from .schedulers import _LR_SCHEDULER_MODULE, LRScheduler

__all__ = ["LambdaLR", "MultiplicativeLR", "ConstantLR", "PolynomialLR", "SequentialLR",
           "ChainedScheduler"]

LrLambda = Union[Callable[[int], float], Sequence[Callable[[int], float]]]


def _lambdas(owner: str, optimizer: Optimizer, lr_lambda: LrLambda) -> list[Callable]:
    """One callable per param group: a single one is repeated, a list or tuple must have
    one per group."""
    n = len(require_optimizer(owner, optimizer).param_groups)
    fns = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
    if len(fns) != n:
        raise ConfigError(f"{owner}: lr_lambda must be one function or a list of {n} (one "
                          f"per param group); got a list of {len(fns)}.")
    for i, fn in enumerate(fns):
        if not callable(fn):
            raise ArgumentTypeError(
                f"{owner}: lr_lambda must be a function of the epoch returning a factor "
                f"(e.g. lambda epoch: 0.95 ** epoch); got {fn!r} ({type(fn).__name__})"
                + (f" at index {i}." if isinstance(lr_lambda, (list, tuple)) else "."))
    return fns


class _FunctionScheduler(LRScheduler):
    """Shared by LambdaLR and MultiplicativeLR: ``lr_lambdas`` (one function of the epoch
    per group) and PyTorch's state dict for them (functions and lambdas are left out,
    as ``None``; a callable object's ``__dict__`` is saved and restored)."""

    lr_lambdas: list[Callable[[int], float]]

    def _factor(self, i: int, epoch: int) -> float:
        if i >= len(self.lr_lambdas):  # a group added after the scheduler was built
            raise groups_changed(self, len(self.lr_lambdas))
        value = self.lr_lambdas[i](epoch)
        return real_number(type(self).__name__, f"lr_lambda({epoch})", value,
                           advice="The function must return the lr factor, a number.")

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__")
            else dict(vars(fn)) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        saved, fns = state_mapping(self, state_dict).get("lr_lambdas", []), self.lr_lambdas
        if "lr_lambdas" in state_dict and (not isinstance(saved, (list, tuple))
                                           or len(saved) != len(fns)):
            raise StateDictError(f"{type(self).__name__}.load_state_dict: lr_lambdas must be "
                                 f"a list of {len(fns)} entries; got {saved!r}")
        super().load_state_dict(state_dict)
        self.lr_lambdas = fns
        for fn, attributes in zip(fns, saved):
            if attributes is not None:
                vars(fn).update(attributes)


class LambdaLR(_FunctionScheduler):
    """lr = initial_lr * lr_lambda(epoch), with one function for every param group or a
    list of them, one per group. As in PyTorch it does not chain (each step starts again
    from ``initial_lr``). ``state_dict()`` cannot save a function or lambda: it holds
    ``None`` in its place (a callable object's attributes are saved), so build the
    scheduler with the same functions before ``load_state_dict``.

    Example: ``LambdaLR(opt, lambda epoch: 0.95 ** epoch)``.
    """

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, lr_lambda: LrLambda,
                 last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        return [base * self._factor(i, epoch) for i, base in enumerate(self.base_lrs)]


class MultiplicativeLR(_FunctionScheduler):
    """Each step multiplies the current lr by ``lr_lambda(epoch)`` (the lr at step 0 is
    the one found); one function for every param group or a list, one per group.
    PyTorch has no closed form here, and neither does this: ``step(epoch)`` sets
    ``last_epoch`` and multiplies the current lr by ``lr_lambda(epoch)``, so in a
    :class:`SequentialLR` it goes on from the lr it finds, times ``lr_lambda(0)``, as in
    PyTorch. ``state_dict()`` cannot save a function or lambda: as :class:`LambdaLR`.

    Example: ``MultiplicativeLR(opt, lambda epoch: 0.95)``.
    """

    __module__ = _LR_SCHEDULER_MODULE
    _resume_keeps_lr = True

    def __init__(self, optimizer: Optimizer, lr_lambda: LrLambda,
                 last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        """PyTorch's ``step(epoch)``: the current lr times ``lr_lambda(epoch)``."""
        return [float(g["lr"]) * self._factor(i, epoch)
                for i, g in enumerate(self.optimizer.param_groups)]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * lr_lambda(epoch); the constructor's step keeps the lr (as PyTorch)."""
        if self._step_count == 1:
            return lrs
        return [lr * self._factor(i, epoch) for i, lr in enumerate(lrs)]


class ConstantLR(LRScheduler):
    """lr = initial_lr * factor for the first ``total_iters`` steps, then initial_lr.

    Chaining, as PyTorch: step 0 multiplies the current lr by ``factor`` and step
    ``total_iters`` divides it by ``factor`` (with ``factor=0``, that step takes the
    closed form, initial_lr).
    """

    __module__ = _LR_SCHEDULER_MODULE
    _has_closed_form = True

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        self.factor = real_number("ConstantLR", "factor", factor, minimum=0, maximum=1)
        self.total_iters = whole_steps("ConstantLR", "total_iters", total_iters, minimum=1)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        factor = self.factor if epoch < self.total_iters else 1.0
        return [base * factor for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        if epoch == 0:
            return [lr * self.factor for lr in lrs]
        if epoch != self.total_iters:
            return lrs
        if self.factor == 0:
            return self._closed_form(epoch)
        return [lr / self.factor for lr in lrs]


class PolynomialLR(LRScheduler):
    """lr = initial_lr * (1 - min(epoch, total_iters) / total_iters) ** power: a decay to
    0 at step ``total_iters`` (linear with the default ``power=1``), then 0.

    Chaining, as PyTorch: each step up to total_iters multiplies the current lr by
    ``((1 - epoch / T) / (1 - (epoch - 1) / T)) ** power``; later steps keep it.
    """

    __module__ = _LR_SCHEDULER_MODULE
    _has_closed_form = True
    _resume_keeps_lr = True

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = whole_steps("PolynomialLR", "total_iters", total_iters, minimum=1)
        self.power = real_number("PolynomialLR", "power", power, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        factor = (1.0 - min(epoch, self.total_iters) / self.total_iters) ** self.power
        return [base * factor for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """The constructor's step keeps the lr (as PyTorch)."""
        if self._step_count == 1 or epoch > self.total_iters:
            return lrs
        left, before = 1.0 - epoch / self.total_iters, 1.0 - (epoch - 1) / self.total_iters
        return [lr * (left / before) ** self.power for lr in lrs]


class SequentialLR(LRScheduler):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` (restarted
    at its step 0) until ``milestones[1]``, and so on.

    As PyTorch's, the constructor undoes the constructor's step of every scheduler inside
    (of nested ones too) and redoes only the first one's; the first may itself be a
    SequentialLR or ChainedScheduler (a later one cannot be restarted at its step 0).

    Example: ``SequentialLR(opt, [LinearWarmup(opt, 5), CosineAnnealingLR(opt, 95)], [5])``.
    """

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler],
                 milestones: Sequence[int], last_epoch: int = -1) -> None:
        require_optimizer("SequentialLR", optimizer)
        check(len(schedulers) >= 1, "schedulers", schedulers, "at least one scheduler")
        for i, s in enumerate(schedulers):
            _check_member(optimizer, i, s)
        milestones = [integer("SequentialLR", "milestone", m, minimum=1) for m in milestones]
        check(len(milestones) == len(schedulers) - 1, "milestones", milestones,
              f"{len(schedulers) - 1} milestones for {len(schedulers)} schedulers")
        check(all(b > a for a, b in zip([0, *milestones], milestones)), "milestones",
              milestones, "strictly increasing positive ints")
        self.optimizer = optimizer
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = integer("SequentialLR", "last_epoch", last_epoch, minimum=-1) + 1
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        _undo_constructor_step(self)
        first = self._schedulers[0]
        first._initial_step()
        self._step_count = 1
        self._last_lr = first.get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        """Step the scheduler whose turn it is; at a milestone, restart the next one at
        its step 0 (its closed form there, from its base lr, where it has one)."""
        self._count_step()
        self.last_epoch += 1
        index = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)  # as PyTorch: no step counted, no step(epoch) warning
        else:
            scheduler._step_in_combiner()  # the step-order warning came from here
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's keys: ``last_epoch``, ``_milestones``, ``_last_lr`` and each
        scheduler's own state dict (``_schedulers``)."""
        return {"last_epoch": self.last_epoch, "_milestones": list(self._milestones),
                "_last_lr": list(self._last_lr),
                "_schedulers": [s.state_dict() for s in self._schedulers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As saved by ``state_dict`` (or with ``milestones``/``schedulers``, the keys of
        earlier versions)."""
        state_dict = dict(state_mapping(self, state_dict))
        for old, new in (("milestones", "_milestones"), ("schedulers", "_schedulers")):
            if old in state_dict and new not in state_dict:
                state_dict[new] = state_dict.pop(old)
        saved = state_mapping(self, state_dict, self.state_dict())["_schedulers"]
        if not isinstance(saved, (list, tuple)) or len(saved) != len(self._schedulers):
            raise StateDictError(f"SequentialLR.load_state_dict: expected the states of "
                                 f"{len(self._schedulers)} schedulers under '_schedulers'; "
                                 f"got {saved!r:.80}")
        check_saved_values(self, {k: v for k, v in state_dict.items() if k != "_schedulers"})
        for scheduler, state in zip(self._schedulers, saved):
            scheduler.load_state_dict(state)
        self.last_epoch = int(state_dict["last_epoch"])
        self._milestones = list(state_dict["_milestones"])
        self._last_lr = list(state_dict["_last_lr"])


def _check_member(optimizer: Optimizer, index: int, scheduler: Any) -> None:
    """``schedulers[index]`` of a SequentialLR: a scheduler of ``optimizer`` that
    ``step()`` can drive (PyTorch's three refusals, each with its reason)."""
    where = f"SequentialLR: schedulers[{index}]"
    if not isinstance(scheduler, LRScheduler):
        raise ArgumentTypeError(f"{where} must be an nn.optim scheduler; got "
                                f"{type(scheduler).__name__}.")
    if isinstance(scheduler, ReduceLROnPlateau):
        raise ConfigError(f"{where} is a ReduceLROnPlateau, whose step() needs the metric, "
                          "so SequentialLR cannot step it (as in PyTorch). Step it yourself, "
                          "alongside.")
    if scheduler.optimizer is not optimizer:
        raise ConfigError(f"{where} ({type(scheduler).__name__}) belongs to another "
                          "optimizer; all must schedule the one SequentialLR is given (as in "
                          "PyTorch).")
    if index > 0 and isinstance(scheduler, (SequentialLR, ChainedScheduler)):
        raise ConfigError(f"{where} is a {type(scheduler).__name__}, which cannot be "
                          "restarted at its step 0 at a milestone (PyTorch fails there, "
                          "with NotImplementedError); only schedulers[0] may combine "
                          "others. List the schedulers it combines in this SequentialLR.")


def _undo_constructor_step(scheduler: Any) -> None:
    """PyTorch's ``recursive_undo``: every scheduler inside ``scheduler`` (of nested ones
    too) goes back the step its constructor made."""
    members = getattr(scheduler, "_schedulers", None)
    if members is None:
        scheduler.last_epoch -= 1
        return
    for member in members:
        _undo_constructor_step(member)


class ChainedScheduler(LRScheduler):
    """Step several schedulers of one optimizer together: ``step()`` calls each one's
    ``step()`` in order, so their step rules compose (as stepping them one by one).

    Example: ``ChainedScheduler([ConstantLR(opt, 0.1, total_iters=2), ExponentialLR(opt,
    0.9)])``. ``ReduceLROnPlateau`` cannot be chained (its step needs the metric), as in
    PyTorch. ``optimizer`` defaults to the schedulers' own.
    """

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        if not isinstance(schedulers, (list, tuple)):
            raise ArgumentTypeError("ChainedScheduler: schedulers must be a list of nn.optim "
                                    f"schedulers; got {type(schedulers).__name__}.")
        if not schedulers:
            raise ConfigError("ChainedScheduler: schedulers must hold at least one "
                              "scheduler; got an empty list.")
        schedulers = list(schedulers)
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler):
                raise ArgumentTypeError(f"ChainedScheduler: schedulers[{i}] must be an "
                                        f"nn.optim scheduler; got {type(s).__name__}.")
            if isinstance(s, ReduceLROnPlateau):
                raise ConfigError(f"ChainedScheduler: schedulers[{i}] is a ReduceLROnPlateau, "
                                  "whose step() needs the metric; step it yourself, after "
                                  "the chained scheduler.")
        if optimizer is None:
            optimizer = schedulers[0].optimizer
        elif not isinstance(optimizer, Optimizer):
            raise ArgumentTypeError(f"ChainedScheduler: optimizer must be an nn.optim "
                                    f"Optimizer; got {type(optimizer).__name__}.")
        for i, s in enumerate(schedulers):
            if s.optimizer is not optimizer:
                raise ConfigError(f"ChainedScheduler: schedulers[{i}] "
                                  f"({type(s).__name__}) belongs to another optimizer; all "
                                  "must schedule the same one.")
        self.optimizer = optimizer
        self._schedulers = schedulers
        self._step_count = 1  # as a scheduler just built
        self._last_lr = [float(g["lr"]) for g in optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        """One step of each scheduler, in order (the optimizer-order warning comes once,
        from here)."""
        self._count_step()
        for scheduler in self._schedulers:
            scheduler._step_in_combiner()  # the step-order warning came from here
        self._last_lr = [float(g["lr"]) for g in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The last lrs and each scheduler's own state dict (``_schedulers``)."""
        return {"_last_lr": list(self._last_lr), "_step_count": self._step_count,
                "_schedulers": [s.state_dict() for s in self._schedulers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        keys = set(state_mapping(self, state_dict))
        if not {"_schedulers", "_last_lr"} <= keys <= {"_schedulers", "_last_lr", "_step_count"}:
            state_mapping(self, state_dict, self.state_dict())  # names the keys
        saved = state_dict["_schedulers"]
        if not isinstance(saved, (list, tuple)) or len(saved) != len(self._schedulers):
            raise StateDictError(
                f"ChainedScheduler.load_state_dict: expected the states of "
                f"{len(self._schedulers)} schedulers under '_schedulers'; got {saved!r:.80}")
        check_saved_values(self, {k: v for k, v in state_dict.items() if k != "_schedulers"})
        for scheduler, state in zip(self._schedulers, saved):
            scheduler.load_state_dict(state)
        self._last_lr = list(state_dict["_last_lr"])
        self._step_count = int(state_dict.get("_step_count", 2))

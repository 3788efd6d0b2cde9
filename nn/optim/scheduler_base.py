"""The base class of the learning-rate schedulers, ``LRScheduler``: its step protocol
(a step rule that chains, a closed form for ``step(epoch)``, or a subclass's own
``get_lr()``, as PyTorch's) and its state dict. The built-in schedules subclass it
(``schedulers.py`` and the modules it names)."""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from .optimizer import Optimizer
from .._checks import caller_outside_nn, integer
from ..errors import ArgumentTypeError, NameNotFoundError
from .scheduler_checks import groups_changed, require_optimizer, warn_if_optimizer_not_stepped
from .scheduler_state import check_saved_values, state_mapping

__all__ = ["LRScheduler"]

# The module PyTorch's schedulers report (``torch.optim.lr_scheduler.StepLR.__module__``):
# each public scheduler class says ``__module__ = _LR_SCHEDULER_MODULE``, though they live in
# several files here, because scripts tell the built-in schedulers from their own by it
# (d2l's ``train``: ``if scheduler.__module__ == lr_scheduler.__name__: scheduler.step()``).
_LR_SCHEDULER_MODULE = "nn.optim.lr_scheduler"


class LRScheduler:
    """Base class. Subclasses implement ``_closed_form(epoch) -> list[float]`` (the lrs
    at ``epoch`` from ``base_lrs``) and, when the schedule chains, ``_chain(epoch, lrs)``
    (the lrs at ``epoch`` from the current ``lrs``; by default the closed form). A
    subclass that overrides ``get_lr()`` (PyTorch's way, also on a built-in) has its
    ``get_lr()`` called by ``step()`` instead.

    ``state_dict()`` holds every attribute except the optimizer (and callables);
    ``load_state_dict()`` restores them. The optimizer's own state dict carries the
    current ``lr`` values, so restore both.
    """

    __module__ = _LR_SCHEDULER_MODULE
    # A schedule that chains (each lr from the last) and is resumed with last_epoch=N keeps
    # the lrs the optimizer's state dict brought in its constructor's step, as PyTorch's
    # (ExponentialLR, LinearLR, CosineAnnealingLR, PolynomialLR, MultiplicativeLR).
    _resume_keeps_lr = False
    # PyTorch gives these a closed form (``_get_closed_form_lr``), which step(epoch) takes
    # even when a subclass overrides get_lr(); the others call get_lr() there.
    _has_closed_form = False
    # PyTorch's flags, which get_lr() methods copied from its built-ins read: True while
    # step() computes the lrs, and during the constructor's step (instance values only
    # while they are True, so state dicts do not hold them).
    _get_lr_called_within_step = False
    _is_initial = False
    # True while a SequentialLR or ChainedScheduler steps this one (it gave the step-order
    # warning itself); an instance value only while True, as the flags above
    _stepped_by_combiner = False

    def __new__(cls, *args: Any, **kwargs: Any) -> LRScheduler:
        """PyTorch deprecated ``verbose=`` (2.2) and has removed it (a TypeError in 2.14):
        here too, with an ``ArgumentTypeError`` that says so."""
        if "verbose" in kwargs:
            raise ArgumentTypeError(
                f"{cls.__name__}(verbose={kwargs['verbose']!r}): the verbose argument was "
                "deprecated and has been removed, as in PyTorch; drop it (to see the "
                "learning rates, print scheduler.get_last_lr() after each step)")
        return super().__new__(cls)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1,
                 base_lrs: Sequence[float] | None = None) -> None:
        require_optimizer(type(self).__name__, optimizer)
        last_epoch = integer(type(self).__name__, "last_epoch", last_epoch, minimum=-1)
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:  # a KeyError, as PyTorch's
                    raise NameNotFoundError(
                        f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr': "
                        f"last_epoch={last_epoch} resumes a schedule, which needs the "
                        "optimizer state of the run that started it. Load it "
                        "(optimizer.load_state_dict) before building the scheduler, or "
                        "pass last_epoch=-1 to start afresh.")
        if base_lrs is None:
            base_lrs = [group["initial_lr"] for group in groups]
        self.base_lrs = [float(lr) for lr in base_lrs]
        self.last_epoch = last_epoch
        self._last_lr: list[float] = [float(g["lr"]) for g in groups]
        self._initial_step()

    def _initial_step(self) -> None:
        """The constructor's step (``last_epoch`` becomes 0, or N + 1 when resumed), with
        ``_is_initial`` set, as PyTorch's; SequentialLR redoes it for its first scheduler."""
        self._step_count = 0  # calls of step(), this one included
        self._is_initial = True
        try:
            self.step()
        finally:
            del self._is_initial

    def get_lr(self) -> list[float]:
        """PyTorch's way to write a scheduler: a subclass returns the lrs at
        ``self.last_epoch`` (from ``self.base_lrs`` or the groups' current ``lr``) and
        ``step()`` sets them. Inside ``step()`` (a subclass of a built-in calling
        ``super().get_lr()``) this gives the built-in's lrs there, as PyTorch's. Called on
        a built-in from outside ``step()``, it warns and gives ``get_last_lr()``, as
        PyTorch's warning advises."""
        if self._get_lr_called_within_step:
            if (type(self)._chain is LRScheduler._chain
                    and type(self)._closed_form is LRScheduler._closed_form):
                raise NotImplementedError(
                    f"{type(self).__name__}.get_lr() called super().get_lr(), which has "
                    "no schedule to give: LRScheduler's get_lr() is for subclasses to "
                    "override (return the lrs at self.last_epoch)")
            return self._next_lrs()
        warnings.warn(f"{type(self).__name__}.get_lr(): to get the last learning rate "
                      "computed by the scheduler, use get_last_lr()", UserWarning,
                      stacklevel=caller_outside_nn())
        return self.get_last_lr()

    def _closed_form(self, epoch: int) -> list[float]:
        """A subclass's own ``get_lr()`` (``last_epoch`` is ``epoch`` when it is called)."""
        if type(self).get_lr is LRScheduler.get_lr:
            raise NotImplementedError(f"{type(self).__name__} must override get_lr(): the "
                                      "lrs at self.last_epoch, as a PyTorch scheduler does")
        return [float(lr) for lr in self.get_lr()]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """The lrs at ``epoch`` from the current ``lrs`` (default: the closed form)."""
        return self._closed_form(epoch)

    def _next_lrs(self) -> list[float]:
        """The step rule's lrs at ``last_epoch`` from the current ones; the constructor's
        step of a resumed schedule that chains keeps them (``_resume_keeps_lr``)."""
        current = [float(g["lr"]) for g in self.optimizer.param_groups]
        if self._is_initial and self.last_epoch > 0 and self._resume_keeps_lr:
            return current
        return self._chain(self.last_epoch, current)

    def step(self, epoch: int | None = None) -> None:
        """Advance one step: each group's lr is updated from its current value by the
        schedule's step rule. With ``epoch`` (deprecated, as in PyTorch: it warns), jump
        there: ``last_epoch = epoch`` and, where PyTorch has a closed form, its value from
        ``initial_lr`` (the current lr is ignored)."""
        self._count_step()
        if epoch is not None:
            warnings.warn(f"{type(self).__name__}.step(epoch): the epoch argument is "
                          "deprecated, as in PyTorch; call step() once per epoch (with an "
                          "epoch, the closed form is used where there is one)", UserWarning,
                          stacklevel=caller_outside_nn())
        self._update_lr(epoch)

    def _count_step(self) -> None:
        """Count a call of ``step()``; the first after the constructor's warns when the
        optimizer has not stepped yet (unless a SequentialLR or ChainedScheduler calls it,
        which warned itself)."""
        self._step_count += 1
        if self._step_count == 2 and not self._stepped_by_combiner:
            warn_if_optimizer_not_stepped(self)

    def _step_in_combiner(self) -> None:
        """``step()`` as a SequentialLR or ChainedScheduler calls it: counted as any step
        (``_step_count``, which SWALR's annealing reads, moves as when it is stepped
        alone, as in PyTorch), without this scheduler's own step-order warning."""
        self._stepped_by_combiner = True
        try:
            self.step()
        finally:
            del self._stepped_by_combiner

    def _update_lr(self, epoch: int | None = None) -> None:
        """Move to the next step, or to ``epoch``, and set the lrs there (no count, no
        warning: SequentialLR restarts a scheduler at its step 0 with it, as PyTorch)."""
        if epoch is None:
            self.last_epoch += 1
        else:
            self.last_epoch = integer(f"{type(self).__name__}.step", "epoch", epoch,
                                      minimum=0)
        self._apply_lrs(jumped=epoch is not None)

    def _apply_lrs(self, jumped: bool) -> None:
        """Set the lrs at ``last_epoch``: a subclass's own ``get_lr()`` if it has one
        (after a jump, PyTorch's closed form comes first: a subclass's own
        ``_get_closed_form_lr()``, or the built-in's), else the step rule (the closed
        form after a jump)."""
        custom = type(self).get_lr is not LRScheduler.get_lr
        own_closed_form = getattr(self, "_get_closed_form_lr", None)
        self._get_lr_called_within_step = True
        try:
            if jumped and own_closed_form is not None:
                lrs = own_closed_form()
            elif jumped and (self._has_closed_form or not custom):
                lrs = self._closed_form(self.last_epoch)
            else:
                lrs = self.get_lr() if custom else self._next_lrs()
        finally:
            del self._get_lr_called_within_step
        self._set_lrs(lrs)

    def _set_lrs(self, lrs: Sequence[float]) -> None:
        if len(lrs) != len(self.optimizer.param_groups):
            raise groups_changed(self, len(lrs))
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = float(lr)
        self._last_lr = [float(lr) for lr in lrs]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()`` (one per param group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Attributes other than the optimizer: counters, base lrs, hyper-parameters."""
        return {k: (list(v) if isinstance(v, (list, tuple)) else v)
                for k, v in vars(self).items() if k != "optimizer" and not callable(v)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore attributes saved by ``state_dict`` (the keys must match exactly, and the
        values be of the kinds saved, ``scheduler_state.py``, else ``StateDictError``; a
        state saved before ``_step_count`` existed counts as stepped)."""
        expected = set(self.state_dict())
        if "_step_count" in expected:
            state_dict = {"_step_count": 2, **state_mapping(self, state_dict)}
        check_saved_values(self, state_mapping(self, state_dict, expected))
        for key, value in state_dict.items():
            setattr(self, key, list(value) if isinstance(value, (list, tuple)) else value)

"""Stochastic weight averaging and EMA (PyTorch's ``torch.optim.swa_utils``).

:class:`AveragedModel` keeps a copy of a model whose parameters are a running average
of the model's (equal weights by default: SWA; or an EMA with ``get_ema_multi_avg_fn``),
:class:`SWALR` anneals each group's lr to a fixed ``swa_lr``, and :func:`update_bn`
recomputes the BatchNorm running statistics of the averaged model over a loader.
Averages are written in place, outside any graph, as a counted write (the tensor's
version is bumped, as an optimizer's update).
"""
from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.errors import ShapeError

from .optimizer import Optimizer
from .scheduler_checks import per_group, require_optimizer
from .schedulers import LRScheduler
from .._checks import integer, is_cpu, real_number
from ..errors import ArgumentTypeError, ConfigError
from ..module import Module
from ..normalization import _BatchNorm

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]

AvgFn = Callable[[Tensor, Tensor, Any], Any]
MultiAvgFn = Callable[[list, list, Any], None]


def _count(num_averaged: Any) -> float:
    """The number of models averaged so far, as a float (from an int or a 0-d Tensor)."""
    return float(num_averaged.data if isinstance(num_averaged, Tensor) else num_averaged)


def _decay(owner: str, decay: Any) -> float:
    return real_number(owner, "decay", decay, minimum=0, maximum=1,
                       advice="The EMA keeps decay * average + (1 - decay) * current.")


def _averaged_values(new: Any) -> Any:
    """What a custom ``avg_fn`` returned, as numbers to write into the average: a Tensor,
    an array or a number; anything else (None from a function that forgot ``return``,
    which NumPy would write as NaN) is an ``ArgumentTypeError``, as PyTorch's TypeError."""
    values = new.data if isinstance(new, Tensor) else new
    if isinstance(values, (int, float, np.ndarray, np.number)) and not isinstance(
            values, bool) and np.asarray(values).dtype.kind in "iuf":
        return values
    raise ArgumentTypeError(f"AveragedModel: avg_fn(averaged, current, num_averaged) must "
                            f"return the new average, a Tensor (or array) of numbers; got "
                            f"{type(new).__name__}. Did it forget to return?")


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """A ``multi_avg_fn`` for :class:`AveragedModel`: the exponential moving average
    ``avg = decay * avg + (1 - decay) * current``, in place on lists of tensors."""
    decay = _decay("get_ema_multi_avg_fn", decay)

    def ema_update(averaged: list, current: list, num_averaged: Any) -> None:
        for avg, cur in zip(averaged, current):
            avg.data[...] = avg.data + (cur.data - avg.data) * (1 - decay)
            avg.bump_version()
    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """A ``multi_avg_fn`` for :class:`AveragedModel`: the equal-weight running average
    ``avg += (current - avg) / (num_averaged + 1)``, in place on lists of tensors."""
    def swa_update(averaged: list, current: list, num_averaged: Any) -> None:
        n = _count(num_averaged)
        for avg, cur in zip(averaged, current):
            avg.data[...] = avg.data + (cur.data - avg.data) / (n + 1)
            avg.bump_version()
    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """An ``avg_fn`` for :class:`AveragedModel`: returns
    ``decay * averaged + (1 - decay) * current`` (one tensor)."""
    decay = _decay("get_ema_avg_fn", decay)

    def ema_update(averaged: Tensor, current: Tensor, num_averaged: Any) -> Any:
        return decay * averaged + (1 - decay) * current
    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """An ``avg_fn`` for :class:`AveragedModel`: returns
    ``averaged + (current - averaged) / (num_averaged + 1)`` (one tensor)."""
    def swa_update(averaged: Tensor, current: Tensor, num_averaged: Any) -> Any:
        return averaged + (current - averaged) / (_count(num_averaged) + 1)
    return swa_update


def _check_module(owner: str, name: str, model: Any) -> None:
    if not isinstance(model, Module):
        raise ArgumentTypeError(f"{owner}: {name} must be an nn.Module; got "
                                f"{type(model).__name__}. Pass the model itself.")


class AveragedModel(Module):
    """A copy of ``model`` (``copy.deepcopy``) whose parameters are averaged over the
    models given to :meth:`update_parameters` (PyTorch's ``AveragedModel``).

    The first update copies the model's values; each later one applies ``avg_fn``
    (one tensor: returns the new average) or ``multi_avg_fn`` (lists: updates in place),
    by default the equal-weight average ``avg += (p - avg) / (n + 1)``. ``n_averaged``
    (a 0-d int buffer, in ``state_dict`` next to the copy's ``module.*`` entries) counts
    the updates. With ``use_buffers=True`` the buffers are averaged too; otherwise they
    are copied from the model at each update. ``device`` may only be ``"cpu"``.
    Calling the averaged model calls the copy.
    """

    def __init__(self, model: Module, device: Any = None, avg_fn: AvgFn | None = None,
                 multi_avg_fn: MultiAvgFn | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        _check_module("AveragedModel", "model", model)
        if avg_fn is not None and multi_avg_fn is not None:
            raise ConfigError("AveragedModel: give avg_fn or multi_avg_fn, not both (as "
                              "PyTorch); got both. Keep the one you mean.")
        for name, fn in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if fn is not None and not callable(fn):
                raise ArgumentTypeError(f"AveragedModel: {name} must be a function or "
                                        f"None; got {type(fn).__name__}.")
        self.register_buffer("n_averaged", np.array(0, dtype=np.int64))  # first, as torch
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = bool(use_buffers)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The averaged copy's forward."""
        return self.module(*args, **kwargs)

    def _pairs(self, model: Module, averaged: bool) -> list[tuple[Tensor, Tensor]]:
        """(averaged tensor, model tensor) pairs: the parameters, and the buffers if
        ``averaged`` (when they are averaged) or only them if not (when copied)."""
        def tensors(m: Module) -> list[Tensor]:
            if not averaged:
                return list(m.buffers())
            if self.use_buffers:
                return list(itertools.chain(m.parameters(), m.buffers()))
            return list(m.parameters())
        mine, theirs = tensors(self.module), tensors(model)
        what = "parameters and buffers" if averaged and self.use_buffers else (
            "parameters" if averaged else "buffers")
        if len(mine) != len(theirs) or any(a.shape != b.shape for a, b in zip(mine, theirs)):
            raise ShapeError(
                f"AveragedModel.update_parameters: the model's {what} (shapes "
                f"{[b.shape for b in theirs]}) do not match the averaged copy's "
                f"({[a.shape for a in mine]}). Pass a model of the architecture it was "
                "built from.")
        return list(zip(mine, theirs))

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current values into the average (the first call copies them)
        and add one to ``n_averaged``."""
        _check_module("AveragedModel.update_parameters", "model", model)
        pairs = self._pairs(model, averaged=True)
        copied = [] if self.use_buffers else self._pairs(model, averaged=False)
        with no_grad():
            if int(self.n_averaged.data) == 0:
                copied = pairs + copied
            elif self.avg_fn is not None:
                for avg, cur in pairs:
                    new = self.avg_fn(avg.detach(), cur.detach(), self.n_averaged)
                    avg.data[...] = _averaged_values(new)
                    avg.bump_version()
            else:
                fn = self.multi_avg_fn or get_swa_multi_avg_fn()
                fn([a.detach() for a, _ in pairs], [c.detach() for _, c in pairs],
                   self.n_averaged)
            for avg, cur in copied:
                avg.data[...] = cur.data
                avg.bump_version()
            self.n_averaged.data[...] += 1
            self.n_averaged.bump_version()


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of every BatchNorm layer of ``model`` by one pass
    over ``loader`` (PyTorch's ``update_bn``): reset them, use a cumulative average
    (``momentum=None``), call ``model`` in training mode without gradients on each batch
    (a batch that is a list or tuple gives its first item), then restore the momenta and
    the model's mode. Nothing happens if the model has no BatchNorm layer. ``device``
    may only be ``"cpu"`` (None)."""
    _check_module("update_bn", "model", model)
    if not is_cpu(device):
        raise ConfigError(f"update_bn(device={device!r}): this library computes with NumPy "
                          "on the CPU; leave device=None.")
    momenta = [(m, m.momentum) for m in model.modules() if isinstance(m, _BatchNorm)]
    if not momenta:
        return
    for m, _ in momenta:
        m.reset_running_stats()
    was_training = model.training
    model.train()
    for m, _ in momenta:
        m.momentum = None
    try:
        with no_grad():
            for batch in loader:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                model(batch)
    finally:
        for m, momentum in momenta:
            m.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each param group's lr from its current value to ``swa_lr`` (a number, or
    one per group) over ``anneal_epochs`` steps, then keep it there (PyTorch's
    ``SWALR``). With alpha = f(min(1, step / anneal_epochs)), f(t) = (1 - cos(pi t)) / 2
    (``"cos"``) or t (``"linear"``), each step sets
    ``lr = swa_lr * alpha + lr_start * (1 - alpha)``, where lr_start is recovered from the
    current lr and the previous alpha, as PyTorch does (so the schedule chains). Each
    group records its ``swa_lr``.
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float | Sequence[float],
                 anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1) -> None:
        require_optimizer("SWALR", optimizer)
        swa_lrs = per_group("SWALR", "swa_lr", optimizer, swa_lr)
        if anneal_strategy not in ("cos", "linear"):
            raise ConfigError(f"SWALR: anneal_strategy must be 'cos' or 'linear'; got "
                              f"{anneal_strategy!r}.")
        self.anneal_epochs = integer("SWALR", "anneal_epochs", anneal_epochs, minimum=0)
        self._anneal_strategy = anneal_strategy
        integer("SWALR", "last_epoch", last_epoch, minimum=-1)  # before the groups change
        for group, value in zip(optimizer.param_groups, swa_lrs):
            group["swa_lr"] = value
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        """The annealing fraction at progress ``t`` in [0, 1]."""
        if self._anneal_strategy == "cos":
            return (1 - math.cos(math.pi * t)) / 2
        return t

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0.0, min(1.0, (step - 1) / span)))
        alpha = self.anneal_func(max(0.0, min(1.0, step / span)))
        swa_lrs = [group["swa_lr"] for group in self.optimizer.param_groups]
        starts = [swa if prev_alpha == 1 else (lr - prev_alpha * swa) / (1 - prev_alpha)
                  for lr, swa in zip(lrs, swa_lrs)]
        return [swa * alpha + start * (1 - alpha) for swa, start in zip(swa_lrs, starts)]

    def _closed_form(self, epoch: int) -> list[float]:
        """No closed form: ``step(epoch)`` takes the step rule from the current lrs (as
        PyTorch's SWALR)."""
        return self._chain(epoch, [float(g["lr"]) for g in self.optimizer.param_groups])

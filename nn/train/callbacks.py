"""Callbacks for ``fit``, with the names Keras and skorch users know.

A callback overrides any of the hooks below; each receives the running ``Trainer``
(``trainer.model``, ``trainer.optimizer``, ``trainer.epoch``, ``trainer.history``,
``trainer.stop_training``: set in a batch hook, as in Keras, it ends the epoch after
that batch; the epoch is still validated and recorded). Per-batch hooks cost a call per
batch, so ``fit`` calls only the hooks a callback actually overrides. State that must
survive a resume is returned by ``state_dict()`` and restored by ``load_state_dict()``.
"""
from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from .._checks import flag, integer, real_number
from ..checkpoint import PathLike, save
from ..optim import ReduceLROnPlateau
from ..utils import check_clip_argument, clip_grad_norm_, clip_grad_value_
from autograd.errors import UsageError
from ..errors import ArgumentTypeError, ConfigError, MemberNotFoundError, NameNotFoundError

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "LRScheduler", "KLAnnealing",
           "GradientClipping", "monitor_mode"]

Trainer = Any  # the running nn.train.Trainer (not imported: it imports this module)


class Callback:
    """Base class: every hook does nothing."""

    def on_train_begin(self, trainer: Trainer) -> None:
        """Before the first epoch (after a resume has restored the state: then
        ``trainer.epoch`` is the number of epochs done, else 0)."""

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        """Before the first batch of ``epoch`` (counted from 0)."""

    def on_batch_begin(self, trainer: Trainer, batch: int) -> None:
        """Before a training batch; ``batch`` counts the epoch's batches from 0."""

    def on_after_backward(self, trainer: Trainer) -> None:
        """After ``loss.backward()``, before ``optimizer.step()`` (gradient clipping)."""

    def on_batch_end(self, trainer: Trainer, loss: float) -> None:
        """After the optimizer step of a training batch, with the batch's loss."""

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """After the epoch's validation; ``logs`` holds this epoch's values."""

    def on_checkpoint(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """After every callback's ``on_epoch_end``, so a file written here holds the state
        each callback left for this epoch (``ModelCheckpoint`` writes here)."""

    def on_train_end(self, trainer: Trainer) -> None:
        """After the last epoch, after early stopping, and after Ctrl-C."""

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass


# names Keras maximises with mode="auto" (its metrics of direction "up"): accuracies,
# AUC, precision, recall, F1 and other scores, IoU
_HIGHER_IS_BETTER = ("acc", "score", "auc", "precision", "recall", "f1", "iou")


def monitor_mode(monitor: str, mode: str) -> str:
    """"min" or "max" for ``monitor``: "auto" is "max" for accuracies, AUC, precision,
    recall, F1 and other scores, IoU (as Keras), else "min"."""
    if mode not in ("auto", "min", "max"):
        raise ConfigError(f"mode must be 'auto', 'min' or 'max'; got {mode!r}")
    if mode != "auto":
        return mode
    return "max" if any(word in monitor for word in _HIGHER_IS_BETTER) else "min"


def _monitor_name(owner: str, monitor: Any) -> str:
    """``monitor``, a logged name such as "val_loss" (a str, else ``ArgumentTypeError``)."""
    if not isinstance(monitor, str):
        raise ArgumentTypeError(f"{owner}: monitor must be the name of a logged value, such "
                                f"as 'val_loss', 'loss' or 'val_accuracy'; got {monitor!r} "
                                f"({type(monitor).__name__})")
    return monitor


def _value(logs: dict[str, float], monitor: str, owner: str) -> float:
    if monitor not in logs:
        raise NameNotFoundError(f"{owner}: monitor={monitor!r} is not among this epoch's "
                                f"values {sorted(logs)}; pass val=... to fit for 'val_loss', "
                                f"or monitor one of those")
    return float(logs[monitor])


class _Best(Callback):
    """Tracks the best monitored value (mode "min" or "max", improvement > min_delta).

    The state is reset when a run starts, as Keras 3's ``EarlyStopping`` does ("allow
    instances to be re-used"), so a callback given to a second ``fit`` does not measure
    the new run against the old one (Keras's ``ModelCheckpoint`` keeps its best: here
    that would leave the old model's file as the new run's best). A resumed run
    (``trainer.epoch > 0``: a checkpoint was loaded) keeps the state it restored."""

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        owner = type(self).__name__
        self.min_delta = real_number(owner, "min_delta", min_delta, minimum=0)
        self.monitor = _monitor_name(owner, monitor)
        self.mode = monitor_mode(monitor, mode)
        self.reset()

    def reset(self) -> None:
        """The state of a callback that has seen no epoch."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = -1

    def on_train_begin(self, trainer: Trainer) -> None:
        if trainer.epoch == 0:  # a new run, not a resumed one
            self.reset()

    def improved(self, value: float) -> bool:
        return self.better(value, self.best)

    def better(self, value: float, reference: float) -> bool:
        """Whether ``value`` beats ``reference`` by more than ``min_delta``."""
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta


class EarlyStopping(_Best):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs in a row (Keras's and skorch's count: with ``patience=2`` the
    second epoch without improvement is the last; 0 stops at the first, as 1 does);
    with ``restore_best_weights`` the model ends with the parameters (and buffers) of
    its best epoch.

    As Keras's: the epochs before ``start_from_epoch`` (counted from 0) are a warm-up,
    neither counted nor candidates for the best. With a ``baseline``, only an epoch that
    beats both the best so far and the baseline restarts the count; one that beats only
    the best becomes the best without restarting it (and, as in Keras, an improving
    epoch never stops the run): a run that never beats the baseline stops at the first
    epoch without improvement once ``patience`` epochs have been monitored. As Keras 3's,
    it never stops after epoch 0 (a NaN first loss), and an instance given to another
    ``fit`` starts afresh (a resumed run keeps the state of its checkpoint)."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = True,
                 baseline: float | None = None, start_from_epoch: int = 0) -> None:
        self.patience = integer("EarlyStopping", "patience", patience, minimum=0)
        self.restore_best_weights = flag("EarlyStopping", "restore_best_weights",
                                         restore_best_weights)
        self.baseline = None if baseline is None else real_number("EarlyStopping", "baseline",
                                                                  baseline)
        self.start_from_epoch = integer("EarlyStopping", "start_from_epoch", start_from_epoch,
                                        minimum=0)
        _Best.__init__(self, monitor, mode, min_delta)

    def reset(self) -> None:
        _Best.reset(self)
        self.wait, self.stopped_epoch = 0, -1
        self.best_weights: dict[str, np.ndarray] | None = None

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        value = _value(logs, self.monitor, "EarlyStopping")
        if epoch < self.start_from_epoch:
            return
        self.wait += 1
        if self.improved(value):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = {k: v.copy() for k, v in
                                     trainer.model.state_dict().items()}
            if self.baseline is None or self.better(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:  # Keras 3's guard (a NaN first epoch)
            self.stopped_epoch = epoch
            trainer.stop_training = True

    def on_train_end(self, trainer: Trainer) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            trainer.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = float(state["best"]), int(state["best_epoch"])
        self.wait, self.stopped_epoch = int(state["wait"]), int(state["stopped_epoch"])
        self.best_weights = state["best_weights"]


class ModelCheckpoint(_Best):
    """Write a complete, resumable checkpoint (model, optimizer, every random generator,
    epoch, history and callback state) through ``nn.save`` after each epoch, or only
    when ``monitor`` improves with ``save_best_only``. ``path`` may contain
    ``{epoch}`` (counted from 1) and any logged name, e.g. ``"ckpt-{epoch:02d}.npz"``;
    missing folders are created.
    Resume with ``fit(..., resume_from=path)``. With ``save_weights_only`` (Keras's) the
    file holds only the model's state, ``nn.save(path, model=model)``: restore it with
    ``nn.load_into(path, model=model)``; it cannot resume a run."""

    def __init__(self, path: PathLike, monitor: str = "val_loss", save_best_only: bool = False,
                 mode: str = "auto", min_delta: float = 0.0,
                 save_weights_only: bool = False) -> None:
        _Best.__init__(self, monitor, mode, min_delta)
        self.path = os.fspath(path)
        self.save_best_only = flag("ModelCheckpoint", "save_best_only", save_best_only)
        self.save_weights_only = flag("ModelCheckpoint", "save_weights_only", save_weights_only)
        self.last_saved: str | None = None

    def on_checkpoint(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.save_best_only:
            value = _value(logs, self.monitor, "ModelCheckpoint")
            if not self.improved(value):
                return
            self.best, self.best_epoch = value, epoch
        try:
            path = self.path.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError) as exc:
            raise NameNotFoundError(f"ModelCheckpoint: cannot fill in the path {self.path!r} "
                                    f"({type(exc).__name__}: {exc}); the names in its braces "
                                    f"must be 'epoch' or among this epoch's values "
                                    f"{sorted(logs)}") from None
        if os.path.dirname(path):  # as Keras: "runs/ckpt.npz" creates "runs"
            os.makedirs(os.path.dirname(path), exist_ok=True)
        if self.save_weights_only:
            save(path, model=trainer.model)
        else:
            trainer.save_checkpoint(path)
        self.last_saved = path

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = float(state["best"]), int(state["best_epoch"])


class LRScheduler(Callback):
    """Step an ``nn.optim`` scheduler every epoch (``step_every="epoch"``) or batch.
    ``ReduceLROnPlateau`` is fed the monitored value (default ``"val_loss"``). The
    scheduler's state is saved with the checkpoint."""

    def __init__(self, scheduler: Any, monitor: str = "val_loss",
                 step_every: str = "epoch") -> None:
        if step_every not in ("epoch", "batch"):
            raise ConfigError(f"LRScheduler: step_every must be 'epoch' or 'batch'; got "
                              f"{step_every!r}")
        if not callable(getattr(scheduler, "step", None)):
            raise ArgumentTypeError(f"LRScheduler needs an nn.optim scheduler (with step()); got "
                                    f"{type(scheduler).__name__}")
        self.scheduler, self.step_every = scheduler, step_every
        self.monitor = _monitor_name("LRScheduler", monitor)
        self.plateau = isinstance(scheduler, ReduceLROnPlateau)
        if self.plateau and step_every == "batch":
            raise ConfigError("LRScheduler: ReduceLROnPlateau steps once per epoch, on the "
                              "monitored value; use step_every='epoch'")

    def on_batch_end(self, trainer: Trainer, loss: float) -> None:
        if self.step_every == "batch":
            self.scheduler.step()

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.plateau:
            self.scheduler.step(_value(logs, self.monitor, "LRScheduler"))
        elif self.step_every == "epoch":
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        return {"scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.scheduler.load_state_dict(state["scheduler"])


class KLAnnealing(Callback):
    """beta = max_beta * min(1, epoch / warmup) at the start of each epoch (counted from
    0), written to ``model.<attribute>`` (the VAE's ``beta``): the KL term is switched
    on gradually so the decoder learns to use the code first. A model without that
    attribute raises ``MemberNotFoundError`` (an ``AttributeError``) when training begins."""

    def __init__(self, warmup: int, max_beta: float = 1.0, attribute: str = "beta") -> None:
        self.warmup = integer("KLAnnealing", "warmup", warmup, minimum=1,
                              advice="It counts epochs.")
        self.max_beta = real_number("KLAnnealing", "max_beta", max_beta, minimum=0)
        self.attribute = attribute

    def beta(self, epoch: int) -> float:
        return self.max_beta * min(1.0, epoch / self.warmup)

    def on_train_begin(self, trainer: Trainer) -> None:
        if not hasattr(trainer.model, self.attribute):
            raise MemberNotFoundError(f"KLAnnealing: the model ({type(trainer.model).__name__}) "
                                 f"has no attribute {self.attribute!r} to anneal; use a VAE "
                                 f"or pass attribute=...")

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        setattr(trainer.model, self.attribute, self.beta(epoch))


class GradientClipping(Callback):
    """Clip gradients after every backward pass: by their joint norm (``max_norm``,
    ``norm_type``, as ``nn.clip_grad_norm_``) or elementwise (``clip_value``)."""

    def __init__(self, max_norm: float | None = None, clip_value: float | None = None,
                 norm_type: float = 2.0) -> None:
        if (max_norm is None) == (clip_value is None):
            raise UsageError("GradientClipping: give exactly one of max_norm (clip by norm) "
                             "and clip_value (clip each entry)")
        for name, value in (("max_norm", max_norm), ("clip_value", clip_value),
                            ("norm_type", norm_type)):  # now, not at the first batch
            if value is not None or name == "norm_type":
                check_clip_argument(name, value, "GradientClipping")
        self.max_norm, self.clip_value, self.norm_type = max_norm, clip_value, norm_type
        self._params: list[Any] = []

    def on_train_begin(self, trainer: Trainer) -> None:
        self._params = list(trainer.model.parameters())

    def on_after_backward(self, trainer: Trainer) -> None:
        if self.max_norm is not None:
            clip_grad_norm_(self._params, self.max_norm, self.norm_type)
        else:
            clip_grad_value_(self._params, self.clip_value)

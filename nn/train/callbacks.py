"""Callbacks for ``fit``, with the names Keras and skorch users know (the hooks they
override are those of ``Callback``, in ``callback_base``).
"""
from __future__ import annotations

import math
import os
import string
from typing import Any

import numpy as np

from .._checks import flag, integer, real_number
from ..checkpoint import PathLike, save
from ..optim import ReduceLROnPlateau
from ..utils import check_clip_argument, clip_grad_norm_, clip_grad_value_
from autograd.errors import UsageError
from ..errors import ArgumentTypeError, ConfigError, MemberNotFoundError, NameNotFoundError
from .callback_base import Callback, Trainer, monitor_mode, monitor_name, monitored_value

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "LRScheduler", "KLAnnealing",
           "GradientClipping", "monitor_mode"]


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
        self.monitor = monitor_name(owner, monitor)
        self.mode = monitor_mode(monitor, mode)
        self.reset()

    @property
    def uses_monitor(self) -> bool:
        """Whether ``monitor`` is read (an ``nn.sklearn`` estimator checks it is logged)."""
        return True

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
        value = monitored_value(logs, self.monitor, "EarlyStopping")
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
        self.path = _checked_path_template(os.fspath(path))
        self.save_best_only = flag("ModelCheckpoint", "save_best_only", save_best_only)
        self.save_weights_only = flag("ModelCheckpoint", "save_weights_only", save_weights_only)
        self.last_saved: str | None = None

    def on_checkpoint(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.save_best_only:
            value = monitored_value(logs, self.monitor, "ModelCheckpoint")
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
        except (ValueError, TypeError, AttributeError) as exc:  # a format spec, say
            raise ConfigError(f"ModelCheckpoint: cannot fill in the path {self.path!r} with "
                              f"this epoch's values ({type(exc).__name__}: {exc})") from None
        if os.path.dirname(path):  # as Keras: "runs/ckpt.npz" creates "runs"
            os.makedirs(os.path.dirname(path), exist_ok=True)
        if self.save_weights_only:
            save(path, model=trainer.model)
        else:
            trainer.save_checkpoint(path)
        self.last_saved = path

    @property
    def uses_monitor(self) -> bool:
        """Whether ``monitor`` is read: with ``save_best_only`` only."""
        return self.save_best_only

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = float(state["best"]), int(state["best_epoch"])


class _AnyName(dict):
    """Format values for a trial: ``epoch`` an int, every other name a float."""

    def __missing__(self, key: str) -> float:
        return 0.0


def _checked_path_template(path: str) -> str:
    """``path``, once a trial format (``epoch=1``, every other name 0.0) has shown it
    well formed, so that an unbalanced brace or a format spec no number takes
    (``{loss:d}``) is a ``ConfigError`` now rather than after an epoch of training.
    Names and positions are checked when filled in (which names exist is known then)."""
    try:
        string.Formatter().vformat(path, (), _AnyName(epoch=1))
    except (KeyError, IndexError):
        pass
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"ModelCheckpoint: the path {path!r} is not a valid template "
                          f"({type(exc).__name__}: {exc}). Put 'epoch' or logged names in "
                          f"braces, with a number's format spec, e.g. "
                          f"'ckpt-{{epoch:02d}}-{{val_loss:.3f}}.npz'; double a brace meant "
                          f"literally ('{{{{')") from None
    return path


class LRScheduler(Callback):
    """Step an ``nn.optim`` scheduler every epoch (``step_every="epoch"``) or batch.

    ``scheduler``: a scheduler built on the optimizer ``fit`` trains with (one built on
    another optimizer would change nothing: ``ConfigError`` when training begins), or a
    function ``optimizer -> scheduler``, called with that optimizer when training begins:
    ``LRScheduler(lambda optimizer: StepLR(optimizer, step_size=10))``. The function is
    the way to schedule in ``nn.sklearn``'s estimators, which build their optimizer in
    ``fit``. ``ReduceLROnPlateau`` is fed the monitored value (default ``"val_loss"``);
    other schedulers ignore ``monitor``. The scheduler's state is saved with the
    checkpoint."""

    def __init__(self, scheduler: Any, monitor: str = "val_loss",
                 step_every: str = "epoch") -> None:
        if step_every not in ("epoch", "batch"):
            raise ConfigError(f"LRScheduler: step_every must be 'epoch' or 'batch'; got "
                              f"{step_every!r}")
        self.step_every = step_every
        self.monitor = monitor_name("LRScheduler", monitor)
        self.scheduler: Any = None
        self.factory: Any = None
        self.plateau: bool | None = None  # known once there is a scheduler
        self._pending_state: dict[str, Any] | None = None  # a resumed state, until built
        if _is_scheduler(scheduler):
            self._use(scheduler)
        elif callable(scheduler) and not isinstance(scheduler, type):
            self.factory = scheduler
        else:
            raise ArgumentTypeError(f"LRScheduler needs an nn.optim scheduler (with step()), "
                                    f"or a function optimizer -> scheduler such as lambda "
                                    f"optimizer: StepLR(optimizer, step_size=10); got "
                                    f"{scheduler!r:.60} ({type(scheduler).__name__})")

    def _use(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.plateau = isinstance(scheduler, ReduceLROnPlateau)
        if self.plateau and self.step_every == "batch":
            raise ConfigError("LRScheduler: ReduceLROnPlateau steps once per epoch, on the "
                              "monitored value; use step_every='epoch'")

    @property
    def uses_monitor(self) -> bool:
        """Whether ``monitor`` is read: for ``ReduceLROnPlateau`` only (False for a
        function that has not built its scheduler yet)."""
        return bool(self.plateau)

    def bind(self, optimizer: Any) -> None:
        """Make the scheduler adjust ``optimizer``: a function given to ``__init__`` is
        called with it (again only for another optimizer); a scheduler given as such must
        already be built on it (else ``ConfigError``). ``fit`` calls this when training
        begins; an ``nn.sklearn`` estimator calls it before, to check the callbacks."""
        if self.factory is not None and getattr(self.scheduler, "optimizer",
                                                None) is not optimizer:
            built = self.factory(optimizer)
            if not _is_scheduler(built):
                raise ArgumentTypeError(f"LRScheduler: the function given must return an "
                                        f"nn.optim scheduler built on the optimizer it "
                                        f"receives; it returned {built!r:.60} "
                                        f"({type(built).__name__})")
            self._use(built)
        if getattr(self.scheduler, "optimizer", optimizer) is not optimizer:
            made = ("the function given returned a scheduler built on another optimizer"
                    if self.factory is not None else
                    f"the {type(self.scheduler).__name__} given is built on another "
                    f"optimizer than the one fit trains with")
            raise ConfigError(f"LRScheduler: {made}, so the learning rate would never change. "
                              f"Build it on fit's optimizer ({type(optimizer).__name__}), or "
                              f"pass a function that builds it on the optimizer it is given: "
                              f"LRScheduler(lambda optimizer: StepLR(optimizer, ...)) (the "
                              f"way for nn.sklearn's estimators, which make their optimizer "
                              f"in fit)")
        pending, self._pending_state = self._pending_state, None
        if pending:  # ({} is the state_dict of a function's callback before it built one)
            self.scheduler.load_state_dict(pending)

    def on_train_begin(self, trainer: Trainer) -> None:
        self.bind(trainer.optimizer)

    def on_batch_end(self, trainer: Trainer, loss: float) -> None:
        if self.step_every == "batch":
            self.scheduler.step()

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.plateau:
            self.scheduler.step(monitored_value(logs, self.monitor, "LRScheduler"))
        elif self.step_every == "epoch":
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        if self._pending_state is not None or self.scheduler is None:
            return {"scheduler": self._pending_state or {}}
        return {"scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.factory is not None:  # loaded once the scheduler is built, in bind
            self._pending_state = state["scheduler"]
        else:
            self.scheduler.load_state_dict(state["scheduler"])


def _is_scheduler(value: Any) -> bool:
    """An ``nn.optim`` scheduler (an object with ``step()``), not its class."""
    return not isinstance(value, type) and callable(getattr(value, "step", None))


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

"""More of Keras's callbacks, for users who come from it: ``TerminateOnNaN``,
``CSVLogger``, ``LambdaCallback``, ``LearningRateScheduler``."""
from __future__ import annotations

import csv
import inspect
import math
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

from autograd.errors import UsageError

from .._checks import flag, real_number
from ..checkpoint import PathLike
from ..errors import ArgumentTypeError, ConfigError
from .callbacks import Callback, Trainer

__all__ = ["TerminateOnNaN", "CSVLogger", "LambdaCallback", "LearningRateScheduler"]


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite, as Keras's
    ``TerminateOnNaN``: the epoch ends after that batch and is still validated and
    recorded (its mean loss is then not finite), ``history.terminated_on_nan`` is set,
    and a line on stderr says so. Its state is the trainer's (``stop_training``), so a
    run resumed from a checkpoint written after it trains no more."""

    def on_batch_end(self, trainer: Trainer, loss: float) -> None:
        if not math.isfinite(loss):
            trainer.stop_training = True
            trainer.history.terminated_on_nan = True
            print(f"TerminateOnNaN: epoch {trainer.epoch + 1}: the batch loss is {loss}; "
                  f"stopping training", file=sys.stderr, flush=True)


class CSVLogger(Callback):
    """Write one row per epoch to a CSV file through the ``csv`` module, as Keras's
    ``CSVLogger``: the header ``epoch`` (counted from 0, as Keras) and then the names
    this epoch logged (the History's columns: ``loss``, ``val_loss``, metrics, ``lr``...)
    in sorted order; each row is flushed. ``append=True`` adds to an existing file,
    with a header only if the file is empty; missing folders are created. The file is
    closed at the end of training, and when ``fit`` raises (the rows so far are kept).

    Resume: the checkpoint keeps the file's length after its epoch's row, and a run
    resumed from it cuts the file back to that length and goes on, so the file equals
    the uninterrupted run's. If the file is shorter than that (removed, or another
    path), it is written anew from the resumed History."""

    def __init__(self, path: PathLike, separator: str = ",", append: bool = False) -> None:
        if not isinstance(separator, str):
            raise ArgumentTypeError(f"CSVLogger: separator must be a str of one character; "
                                    f"got {separator!r} ({type(separator).__name__})")
        if len(separator) != 1:
            raise ConfigError(f"CSVLogger: separator must be one character, as the csv "
                              f"module needs; got {separator!r}")
        self.path, self.separator = os.fspath(path), separator
        self.append = flag("CSVLogger", "append", append)
        self.keys: list[str] | None = None  # the columns after "epoch", fixed at the first row
        self.size = 0  # the file's length after the last row written
        self._resume_size: int | None = None
        self._file: TextIO | None = None
        self._writer: Any = None

    def on_train_begin(self, trainer: Trainer) -> None:
        if os.path.dirname(self.path):
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
        resume_size, self._resume_size = self._resume_size, None
        found = os.path.getsize(self.path) if os.path.isfile(self.path) else -1
        if resume_size is not None and found >= resume_size:  # drop rows after the checkpoint
            os.truncate(self.path, resume_size)
            self._open("a")
        elif resume_size is not None:  # the log is gone: write it again from the History
            self._open("w")
            self.keys = None
            history = trainer.history
            for i, epoch in enumerate(history.epoch):
                self.on_epoch_end(trainer, epoch, {k: v[i] for k, v in history.history.items()})
        else:
            self._open("a" if self.append else "w")
            self.keys = None

    def _open(self, mode: str) -> None:
        self._file = open(self.path, mode, newline="", encoding="utf-8")
        self._writer = csv.writer(self._file, delimiter=self.separator)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.keys is None:
            self.keys = sorted(logs)
            if self._file.tell() == 0:  # a new or empty file (Keras: no second header)
                self._writer.writerow(["epoch", *self.keys])
        self._writer.writerow([epoch, *(logs.get(key, "NA") for key in self.keys)])
        self._file.flush()
        self.size = os.fstat(self._file.fileno()).st_size

    def on_train_end(self, trainer: Trainer) -> None:
        self._close()

    def on_exception(self, trainer: Trainer, exception: BaseException) -> None:
        self._close()  # the rows written so far stay in the file

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None

    def state_dict(self) -> dict[str, Any]:
        return {"size": self.size, "keys": self.keys}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.size = self._resume_size = int(state["size"])
        self.keys = None if state["keys"] is None else [str(k) for k in state["keys"]]


Function = Callable[..., Any] | None


class LambdaCallback(Callback):
    """A callback made of plain functions, called with Keras's arguments:
    ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
    ``on_batch_begin(batch, logs)``, ``on_batch_end(batch, logs)``,
    ``on_train_begin(logs)`` and ``on_train_end(logs)`` (Keras 3's names
    ``on_train_batch_begin`` / ``on_train_batch_end`` work too). ``epoch`` counts from 0
    and ``batch`` from 0 in each epoch. ``logs`` is ``{}`` at the beginnings, the epoch's
    values at its end (a copy), ``{"loss": the batch's loss}`` at a batch's end (Keras 3
    gives the mean over the epoch's batches so far) and the last epoch's values at the
    end of training. The functions keep their own state: nothing is saved for a resume."""

    def __init__(self, on_epoch_begin: Function = None, on_epoch_end: Function = None,
                 on_batch_begin: Function = None, on_batch_end: Function = None,
                 on_train_begin: Function = None, on_train_end: Function = None, *,
                 on_train_batch_begin: Function = None,
                 on_train_batch_end: Function = None) -> None:
        for name, alias, first, second in (
                ("on_batch_begin", "on_train_batch_begin", on_batch_begin, on_train_batch_begin),
                ("on_batch_end", "on_train_batch_end", on_batch_end, on_train_batch_end)):
            if first is not None and second is not None:
                raise UsageError(f"LambdaCallback: {name} and {alias} are the same hook; "
                                 f"give one of them")
        self.functions = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                          "on_batch_begin": on_batch_begin or on_train_batch_begin,
                          "on_batch_end": on_batch_end or on_train_batch_end,
                          "on_train_begin": on_train_begin, "on_train_end": on_train_end}
        for name, function in self.functions.items():
            if function is not None and not callable(function):
                raise ArgumentTypeError(f"LambdaCallback: {name} must be a function or None; "
                                        f"got {function!r} ({type(function).__name__})")
        self._batch = 0

    def _call(self, name: str, *args: Any) -> None:
        if self.functions[name] is not None:
            self.functions[name](*args)

    def on_train_begin(self, trainer: Trainer) -> None:
        self._call("on_train_begin", {})

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        self._call("on_epoch_begin", epoch, {})

    def on_batch_begin(self, trainer: Trainer, batch: int) -> None:
        self._batch = batch
        self._call("on_batch_begin", batch, {})

    def on_batch_end(self, trainer: Trainer, loss: float) -> None:
        self._call("on_batch_end", self._batch, {"loss": loss})

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self._call("on_epoch_end", epoch, dict(logs))

    def on_train_end(self, trainer: Trainer) -> None:
        history = trainer.history.history
        self._call("on_train_end", {name: values[-1] for name, values in history.items()})


class LearningRateScheduler(Callback):
    """Keras's ``LearningRateScheduler``: at the start of each epoch (counted from 0)
    every parameter group's learning rate becomes ``schedule(epoch, lr)``, ``lr`` being
    that group's current one (a one-argument ``schedule(epoch)``, Keras's older form,
    works too). The result must be a number >= 0. The epoch's rate is logged as
    ``"lr"``. Nothing is saved for a resume: the rates are in the optimizer's state."""

    def __init__(self, schedule: Callable[..., float]) -> None:
        if not callable(schedule):
            raise ArgumentTypeError(f"LearningRateScheduler needs a function schedule(epoch, "
                                    f"lr) -> new lr; got {schedule!r} ({type(schedule).__name__})")
        self.schedule = schedule
        self.takes_lr = _takes_two_arguments(schedule)

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        for group in trainer.optimizer.param_groups:
            lr = self.schedule(epoch, group["lr"]) if self.takes_lr else self.schedule(epoch)
            group["lr"] = real_number("LearningRateScheduler", f"schedule({epoch}, ...)", lr,
                                      minimum=0, advice="It must return the new learning rate.")


def _takes_two_arguments(function: Callable[..., Any]) -> bool:
    """Whether ``function`` can be called with two positional arguments."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # no signature to read (some builtins): as Keras's
        return True
    kinds = [p.kind for p in parameters]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return inspect.Parameter.VAR_POSITIONAL in kinds or sum(k in positional for k in kinds) >= 2

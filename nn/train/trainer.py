"""``fit`` and the small ``Trainer`` behind it: the training loop of the notes
(mini-batches, validation, callbacks, checkpoints, exact resume, Ctrl-C). What a resume
saves and restores (``state_dict``, ``save_checkpoint``, ``load_checkpoint``...) is
``resume.ResumeMethods``, a base class of ``Trainer``."""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.errors import DataError

from .._checks import flag, integer
from .._optional import require
from .._random import RNGLike, as_generator
from ..checkpoint import PathLike
from ..data import DataLoader
from ..module import Module
from ..utils import grad_norms
from ._arguments import (callback_list, check_field_count, check_loss_fn, check_optimizer,
                         check_validation_monitors, loss_tensor, named_metrics)
from ._progress import Progress
from ._scores import accumulate, evaluation_output, loss_and_output
from .callbacks import Callback
from .history import History
from .resume import ResumeMethods, model_generators  # noqa: F401  (re-exported)
from ..errors import ArgumentTypeError, ConfigError, ResumeError

__all__ = ["Trainer", "fit", "ResumeError", "as_model_dtype"]

LossFn = Callable[[Any, Any], Any] | None
Callbacks = Iterable[Callback] | Callback | None


def _overrides(callback: Callback, hook: str) -> bool:
    return getattr(type(callback), hook) is not getattr(Callback, hook)


class Trainer(ResumeMethods):
    """Runs epochs of mini-batch training; see :func:`fit` for the arguments."""

    def __init__(self, model: Module, loss_fn: LossFn, optimizer: Any, *, batch_size: int = 32,
                 callbacks: Callbacks = (), metrics: Any = (), progress: bool = True,
                 generator: RNGLike = None, blas_threads: int | str | None = "auto"
                 ) -> None:
        if not isinstance(model, Module):
            raise ArgumentTypeError(f"fit needs an nn.Module; got {type(model).__name__}")
        check_loss_fn(model, loss_fn)
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.batch_size = integer("fit", "batch_size", batch_size, minimum=1)
        self.callbacks = callback_list(callbacks)
        self.metrics = named_metrics(metrics)
        self.progress = flag("fit", "progress", progress)
        self.blas_threads = blas_threads
        self.generator = as_generator(generator, "generator")
        self.history = History()
        self.epoch = 0  # epochs completed
        self.stop_training = False
        self._stop_now = False
        self._loader: DataLoader | None = None

    # ------------------------------------------------------------------ loop
    def loader(self, data: Any, shuffle: bool, what: str = "train") -> DataLoader:
        """``data`` as a DataLoader with at least one batch (else ``ConfigError``)."""
        if not isinstance(data, DataLoader):
            arrays = data if isinstance(data, (tuple, list)) else (data,)
            check_field_count(len(arrays), self.loss_fn, what)
            arrays = [a if _not_an_array(a) else as_model_dtype(a, self.model) for a in arrays]
            data = DataLoader(*arrays, batch_size=self.batch_size, generator=self.generator,
                              shuffle=shuffle and _has_rows(arrays[0]))  # (none: refused below)
        if _batch_count(data) == 0:
            raise ConfigError(f"fit: the {what} data gives no batch ({data!r} has "
                              f"{data.n_samples} rows); give it rows, or with drop_last=True "
                              f"a batch_size of at most its number of rows")
        return data

    def _batch_loss(self, batch: tuple[np.ndarray, ...]) -> tuple[Any, Any]:
        """(the loss result, the model output: the forward the loss ran on, or None
        when no metric needs it; see ``_scores``)."""
        x = _as_tensor(batch[0])
        if self.loss_fn is None and not self.metrics:
            return self.model.loss(x, *batch[1:]), None
        if self.loss_fn is None:
            result, output = loss_and_output(self.model, x, batch[1:])
            if output is None:  # model.loss does not call the model
                output = evaluation_output(self.model, x)
            return result, output
        check_field_count(len(batch), self.loss_fn, "loader's")  # a DataLoader's batches
        output = self.model(x)
        return self.loss_fn(output, batch[1] if len(batch) > 1 else batch[0]), output

    def _loss_source(self) -> str:
        return "model.loss" if self.loss_fn is None else "loss_fn"

    def _forward_backward(self, batch: tuple[np.ndarray, ...], after_backward: list[Callback]
                          ) -> tuple[Any, Any, Tensor]:
        """The batch's loss, then ``zero_grad``, ``backward`` and the after-backward hooks:
        (the loss result, the model output or None, the loss Tensor)."""
        result, output = self._batch_loss(batch)
        loss = loss_tensor(result, self._loss_source())
        self.optimizer.zero_grad()
        loss.backward()
        for cb in after_backward:
            cb.on_after_backward(self)
        return result, output, loss

    def _closure_step(self, batch: tuple[np.ndarray, ...], after_backward: list[Callback]
                      ) -> tuple[Any, Any, Tensor]:
        """``optimizer.step(closure)`` for an optimizer that evaluates the loss several
        times per step (L-BFGS), as PyTorch's loop and skorch's call it: each evaluation
        runs :meth:`_forward_backward`; the first one (before any update) is logged."""
        first: list[tuple[Any, Any, Tensor]] = []

        def closure() -> Tensor:
            evaluation = self._forward_backward(batch, after_backward)
            if not first:
                first.append(evaluation)
            return evaluation[2]

        self.optimizer.step(closure)
        return first[0]

    def _run_epoch(self, loader: DataLoader, bar: Any) -> dict[str, float]:
        model, optimizer, metrics = self.model, self.optimizer, self.metrics
        batch_begin = [cb for cb in self.callbacks if _overrides(cb, "on_batch_begin")]
        after_backward = [cb for cb in self.callbacks if _overrides(cb, "on_after_backward")]
        batch_end = [cb for cb in self.callbacks if _overrides(cb, "on_batch_end")]
        sums: dict[str, float] = {}
        total, count = 0.0, 0
        for index, batch in enumerate(map(_fields, loader)):
            for cb in batch_begin:
                cb.on_batch_begin(self, index)
            if getattr(optimizer, "needs_closure", False):  # L-BFGS re-evaluates the loss
                result, output, loss = self._closure_step(batch, after_backward)
            else:
                result, output, loss = self._forward_backward(batch, after_backward)
                optimizer.step()
            n = len(batch[0])
            value = loss.item()
            total += value * n
            count += n
            if metrics or loss is not result:
                accumulate(sums, result, output, batch, metrics, model, n)
            for cb in batch_end:
                cb.on_batch_end(self, value)
            if bar is not None:
                bar.update()
            if self._stop_now or self.stop_training:  # Ctrl-C, or a callback (Keras's habit)
                break
        _check_some_rows(count, "train")
        logs = {"loss": total / count}
        logs.update({k: v / count for k, v in sums.items()})
        return logs

    def evaluate(self, data: Any) -> dict[str, float]:
        """Mean loss (and metrics, loss parts) over ``data`` in evaluation mode, without
        a graph; keys are prefixed with ``val_``."""
        loader = self.loader(data, shuffle=False, what="validation")
        was_training = self.model.training
        self.model.eval()
        sums: dict[str, float] = {}
        total, count = 0.0, 0
        try:
            with no_grad():
                for batch in map(_fields, loader):
                    result, output = self._batch_loss(batch)
                    loss = loss_tensor(result, self._loss_source())
                    n = len(batch[0])
                    total += loss.item() * n
                    count += n
                    accumulate(sums, result, output, batch, self.metrics, self.model, n)
        finally:
            self.model.train(was_training)
        _check_some_rows(count, "validation")
        logs = {"val_loss": total / count}
        logs.update({f"val_{k}": v / count for k, v in sums.items()})
        return logs

    def fit(self, train: Any, val: Any = None, epochs: int = 10,
            resume_from: PathLike | None = None) -> History:
        """Train until ``epochs`` epochs are complete (counting those of a resumed run)."""
        epochs = integer("fit", "epochs", epochs, minimum=0)
        check_optimizer(self.optimizer, self.model)  # (None: a Trainer that evaluates)
        loader = self.loader(train, shuffle=True)
        self._loader = loader
        if val is not None:  # checked and cast once, not at every epoch
            val = self.loader(val, shuffle=False, what="validation")
        if resume_from is not None:
            self.load_checkpoint(resume_from)
        check_validation_monitors(self.callbacks, val is not None)
        progress = Progress(self.progress, epochs, _batch_count(loader))
        self.model.train()
        with _blas_limit(self.blas_threads), _ctrl_c(self):
            try:
                self._train(loader, val, epochs, progress)
                for cb in self.callbacks:
                    cb.on_train_end(self)
            except BaseException as error:  # files closed; no best weights restored (Keras)
                for cb in self.callbacks:
                    cb.on_exception(self, error)
                raise
        return self.history

    def _train(self, loader: DataLoader, val: Any, epochs: int, progress: Progress) -> None:
        """``on_train_begin`` and the epochs; Ctrl-C (a second one) ends them quietly."""
        try:
            for cb in self.callbacks:
                cb.on_train_begin(self)
            # again: a function given to LRScheduler has built its scheduler only now
            check_validation_monitors(self.callbacks, val is not None)
            # the parameters whose gradient norms History records, named once a call
            # (walking the model every epoch cost 2% of an epoch of the fit benchmark)
            named = list(self.model.named_parameters())
            while self.epoch < epochs and not self.stop_training:
                self._epoch(loader, val, progress, named)
                if self._stop_now:
                    self.history.interrupted = True
                    break
        except KeyboardInterrupt:
            self.history.interrupted = True
        finally:
            progress.close()

    def _epoch(self, loader: DataLoader, val: Any, progress: Progress,
               named: list[tuple[str, Tensor]]) -> None:
        epoch = self.epoch
        for cb in self.callbacks:
            cb.on_epoch_begin(self, epoch)
        lr = float(self.optimizer.param_groups[0]["lr"])
        bar = progress.start(epoch)
        logs = self._run_epoch(loader, bar)
        if self._stop_now:  # Ctrl-C: the epoch is incomplete, record nothing
            return
        if val is not None:
            logs.update(self.evaluate(val))
        logs["lr"] = lr
        self.history.append(epoch, logs, grad_norms(named))
        self.epoch = epoch + 1
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch, logs)
        for cb in self.callbacks:
            cb.on_checkpoint(self, epoch, logs)
        progress.end(epoch, logs)


def _batch_count(loader: DataLoader) -> int | None:
    """``len(loader)``, or None for a stream (an ``IterableDataset`` with no length): its
    batches are counted as they come."""
    try:
        return len(loader)
    except TypeError:
        return None


def _check_some_rows(count: int, what: str) -> None:
    """An epoch of a stream that gave no row is a ``ConfigError`` (a mean over nothing)."""
    if count == 0:
        raise ConfigError(f"fit: the {what} data gave no batch this epoch (a stream that "
                          f"yielded nothing?); give it rows")


def _not_an_array(value: Any) -> bool:
    """None, a dict or a number: left as it is for ``DataLoader`` to refuse by name (cast
    to NumPy, it would be a 0-d array that the loader can only call "not an array")."""
    return value is None or isinstance(value, Mapping) or np.isscalar(value)


def _has_rows(array: Any) -> bool:
    """Whether ``array`` has samples to shuffle (``DataLoader`` refuses to shuffle none;
    fit says "no batch" itself, and leaves what is not an array for DataLoader)."""
    return isinstance(array, np.ndarray) and array.ndim > 0 and len(array) > 0


def _as_tensor(inputs: Any) -> Tensor:
    """The batch's inputs as a Tensor: the loader's Tensor itself, or a Tensor sharing the
    array a ``collate_fn`` of the user's gave."""
    return inputs if isinstance(inputs, Tensor) else Tensor(inputs)


def _fields(batch: Any) -> tuple[np.ndarray | Tensor, ...]:
    """A loader's batch as the tuple ``(inputs, targets, ...)`` the loop reads (Tensors,
    or NumPy arrays from a ``collate_fn`` of the user's): a bare array or Tensor (a
    dataset whose samples are single arrays) is the inputs alone; a dict (a dataset
    returning dicts) is refused by name, since fit cannot tell its fields apart."""
    if isinstance(batch, tuple):
        return batch
    if isinstance(batch, list):
        return tuple(batch)
    if isinstance(batch, (np.ndarray, Tensor)):
        return (batch,)
    raise DataError(f"fit trains on batches of (inputs, targets) arrays, or of inputs alone; "
                    f"the loader gave a {type(batch).__name__}. Make the dataset's "
                    f"__getitem__ return a tuple (x, y) or a single array x.")


def as_model_dtype(array: Any, model: Module) -> np.ndarray:
    """``array`` as NumPy (a Tensor gives its data), float data cast to the dtype of the
    model's parameters (left as it is when the model has none); labels are kept."""
    array = array.data if isinstance(array, Tensor) else np.asarray(array)
    dtype = next((p.dtype for p in model.parameters()), None)
    if dtype is not None and array.dtype.kind == "f" and array.dtype != dtype:
        return array.astype(dtype)
    return array


def _blas_limit(threads: int | str | None) -> contextlib.AbstractContextManager:
    """BLAS held at ``threads`` threads while training. ``"auto"``: one thread when
    threadpoolctl is installed (else BLAS is left alone); None: left alone."""
    if threads is None:
        return contextlib.nullcontext()
    if threads == "auto":
        if importlib.util.find_spec("threadpoolctl") is None:
            return contextlib.nullcontext()
        threads = 1
    threads = integer("fit", "blas_threads", threads, minimum=1, advice='Or pass "auto" (one '
                      'thread when threadpoolctl is installed) or None (leave BLAS alone).')
    return _thread_controller().limit(limits=threads, user_api="blas")


@functools.lru_cache(maxsize=1)
def _thread_controller() -> Any:
    """threadpoolctl's view of the loaded BLAS libraries, made once: finding them again
    on every ``fit`` call cost about 1.7 ms (``python -m benchmarks --only fit``)."""
    threadpoolctl = require("threadpoolctl", "fit(..., blas_threads=n)")
    return threadpoolctl.ThreadpoolController()


@contextlib.contextmanager
def _ctrl_c(trainer: Trainer) -> Any:
    """The first Ctrl-C asks the loop to stop after the current batch; a second one
    interrupts at once. Only in the main thread (where Python delivers signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if trainer._stop_now:
            raise KeyboardInterrupt
        trainer._stop_now = True
        print("\nCtrl-C: stopping after this batch (press again to abort at once)",
              file=sys.stderr, flush=True)

    trainer._stop_now = False
    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def fit(model: Module, loss_fn: LossFn, optimizer: Any, train: Any, val: Any = None,
        epochs: int = 10, batch_size: int = 32, callbacks: Callbacks = (),
        metrics: Any = (), progress: bool = True, generator: RNGLike = None, *,
        resume_from: PathLike | None = None, blas_threads: int | str | None = "auto"
        ) -> History:
    """Train ``model`` for ``epochs`` epochs of mini-batch gradient descent; returns the
    :class:`History`.

    ``train`` and ``val`` are ``(X, y)`` (supervised), ``X`` alone (autoencoders: the
    target is the input) or a :class:`~nn.data.DataLoader`; arrays are shuffled every
    epoch by ``generator`` and float arrays are cast to the model's dtype once. Each
    batch computes ``loss_fn(model(X), y)``, or ``model.loss(X, ...)`` when ``loss_fn``
    is None (the models of ``nn.models`` define it; a named tuple of loss parts, like
    the VAE's, is logged part by part). ``metrics``: functions ``fn(scores, target) ->
    float`` (e.g. :func:`accuracy`), or a dict of them, averaged per epoch on the
    training and validation data. The scores are the output (a tuple's first item) of
    the forward the loss ran on, before the step: with ``loss_fn=None``, the model's own
    call inside ``model.loss``; if that never calls the model, one more forward in
    evaluation mode without a graph. ``callbacks`` see ``nn.train.callbacks``; one that
    monitors a ``val_`` value without ``val`` is a ``NameNotFoundError`` before training.
    ``nn.optim.LBFGS`` works as any optimizer: for one with ``needs_closure = True``,
    fit calls ``step(closure)`` with a closure that runs the batch forward and backward
    (and the after-backward hooks) at each evaluation, as PyTorch's loop and skorch do;
    the first evaluation is logged.

    ``resume_from`` continues a run from a checkpoint of ``ModelCheckpoint``: model,
    optimizer, callbacks (schedulers, early stopping), history, epoch and every random
    generator are restored, so the result equals the uninterrupted run bit for bit.
    Ctrl-C stops at the end of the current batch and returns the history so far
    (``history.interrupted``); the last checkpoint written stays valid.
    ``blas_threads``: BLAS threads during training. The default ``"auto"`` holds BLAS at
    one thread when threadpoolctl (an optional extra) is installed: the models a course
    trains are no slower so on an idle machine and 2-20x faster on a busy one (README,
    "BLAS threads"); ``n`` holds it at n threads (needs threadpoolctl); None leaves BLAS
    alone (large matrices on an idle machine gain from more threads).
    ``progress``: a tqdm bar in a terminal (when installed), else one line per epoch.
    """
    trainer = Trainer(model, loss_fn, optimizer, batch_size=batch_size, callbacks=callbacks,
                      metrics=metrics, progress=progress, generator=generator,
                      blas_threads=blas_threads)
    return trainer.fit(train, val, epochs=epochs, resume_from=resume_from)

"""The base class of ``fit``'s callbacks, and how they read the value they monitor.

A callback overrides any of the hooks below; each receives the running ``Trainer``
(``trainer.model``, ``trainer.optimizer``, ``trainer.epoch``, ``trainer.history``,
``trainer.stop_training``: set in a batch hook, as in Keras, it ends the epoch after
that batch; the epoch is still validated and recorded). Per-batch hooks cost a call per
batch, so ``fit`` calls only the hooks a callback actually overrides. State that must
survive a resume is returned by ``state_dict()`` and restored by ``load_state_dict()``.
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import ArgumentTypeError, ConfigError, NameNotFoundError

__all__ = ["Callback", "Trainer", "monitor_mode", "monitor_name", "monitored_value"]

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

    def on_exception(self, trainer: Trainer, exception: BaseException) -> None:
        """When ``fit`` raises (an error in a batch, in a callback...), instead of
        ``on_train_end``, before the error goes on: release what the callback holds
        (``CSVLogger`` closes its file). Nothing is restored (no best weights), as Keras
        does nothing at an error; the name is PyTorch Lightning's."""

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass


# whole words of a logged name (split at "_" and other non-alphanumerics) that tell its
# direction. Lower is better for losses and errors (Keras's metrics of direction "down"),
# and that wins: "val_iou_loss" and "val_brier_score" are minimised. Higher is better
# for accuracies, AUC, precision, recall, F1 and other scores, IoU, R^2 (direction "up").
_LOWER_IS_BETTER = frozenset((
    "loss", "error", "err", "mse", "mae", "rmse", "msle", "mape", "crossentropy", "entropy",
    "nll", "hinge", "divergence", "kl", "kld", "brier", "poisson", "logcosh", "deviance",
    "perplexity", "distance", "regret", "risk", "cost"))
_HIGHER_IS_BETTER = frozenset((
    "acc", "accuracy", "score", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2",
    "sensitivity", "specificity", "similarity", "dice", "jaccard"))


def monitor_mode(monitor: str, mode: str) -> str:
    """"min" or "max" for ``monitor``. "auto" decides on the whole words of the name
    (split at "_" and other non-alphanumerics; the ``val_`` prefix is one): "min" if a
    word names a loss or error (``loss``, ``error``, ``mse``, ``brier``...), else "max"
    if one names an accuracy, AUC, precision, recall, F1 or other score, IoU (the metrics
    Keras maximises), else "min". So ``val_iou_loss`` and ``val_brier_score`` are
    minimised, and ``val_cauchy_loss`` is not taken for an AUC. Pass "min" or "max" for a
    name that says neither (Keras would ask for it)."""
    if mode not in ("auto", "min", "max"):
        raise ConfigError(f"mode must be 'auto', 'min' or 'max'; got {mode!r}")
    if mode != "auto":
        return mode
    words = set(re.split(r"[^0-9a-z]+", monitor.lower()))
    if words & _LOWER_IS_BETTER:
        return "min"
    return "max" if words & _HIGHER_IS_BETTER else "min"


def monitor_name(owner: str, monitor: Any) -> str:
    """``monitor``, a logged name such as "val_loss" (a str, else ``ArgumentTypeError``)."""
    if not isinstance(monitor, str):
        raise ArgumentTypeError(f"{owner}: monitor must be the name of a logged value, such "
                                f"as 'val_loss', 'loss' or 'val_accuracy'; got {monitor!r} "
                                f"({type(monitor).__name__})")
    return monitor


def monitored_value(logs: dict[str, float], monitor: str, owner: str) -> float:
    if monitor not in logs:
        raise NameNotFoundError(f"{owner}: monitor={monitor!r} is not among this epoch's "
                                f"values {sorted(logs)}; pass val=... to fit for 'val_loss', "
                                f"or monitor one of those")
    return float(logs[monitor])

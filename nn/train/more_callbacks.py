"""More of Keras's callbacks, for users who come from it: ``TerminateOnNaN``."""
from __future__ import annotations

import math
import sys

from .callbacks import Callback, Trainer

__all__ = ["TerminateOnNaN"]


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

"""Shared by the fit / resume tests: a callback that interrupts a run as Ctrl-C would."""
from typing import Any

from nn.train import Callback


class StopAt(Callback):
    """Raises KeyboardInterrupt (what Ctrl-C raises) at the start of an epoch."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        if epoch == self.epoch:
            raise KeyboardInterrupt

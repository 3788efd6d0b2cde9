"""The running averages the adaptive optimizers keep (Adam's m and v, RMSprop's and
Adadelta's squares), updated in place with one scratch array: no new array per step."""
from __future__ import annotations

import numpy as np

__all__ = ["running_average_", "running_average_of_squares_"]


def running_average_(avg: np.ndarray, x: np.ndarray, decay: float,
                     work: np.ndarray) -> None:
    """``avg = decay avg + (1 - decay) x``, in place (``work``: scratch of avg's shape)."""
    avg *= decay
    np.multiply(x, 1 - decay, out=work)
    avg += work


def running_average_of_squares_(avg: np.ndarray, x: np.ndarray, decay: float,
                                work: np.ndarray) -> None:
    """``avg = decay avg + (1 - decay) x^2``, in place (``work``: scratch)."""
    avg *= decay
    np.multiply(x, x, out=work)
    work *= 1 - decay
    avg += work

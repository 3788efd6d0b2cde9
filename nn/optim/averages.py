"""The running averages the adaptive optimizers keep (Adam's m and v, RMSprop's and
Adadelta's squares, Adafactor's variances), updated in place: no new array per step."""
from __future__ import annotations

import numpy as np

__all__ = ["lerp_", "running_average_", "running_average_of_squares_"]


def running_average_(avg: np.ndarray, x: np.ndarray, decay: float,
                     work: np.ndarray) -> None:
    """``avg = decay avg + (1 - decay) x``, in place (``work``: scratch of avg's shape)."""
    avg *= decay
    np.multiply(x, 1 - decay, out=work)
    avg += work


def running_average_of_squares_(avg: np.ndarray, x: np.ndarray, decay: float,
                                work: np.ndarray) -> None:
    """``avg = decay avg + (1 - decay) x^2``, in place (``work``: scratch).

    The new term is computed as ``((1 - decay) x) x``, in PyTorch's order
    (``addcmul_(x, x, value=1 - decay)``): ``x x`` first overflows to inf once |x| passes
    the square root of the largest float (about 1.8e19 in float32), where the scaled
    term can still be finite (up to about 5.8e20 for decay = 0.999)."""
    avg *= decay
    np.multiply(x, 1 - decay, out=work)
    work *= x
    avg += work


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start = start + weight (end - start)``, in place, rounded as ``torch.lerp_``:
    for ``weight >= 0.5`` it is computed as ``end - (1 - weight) (end - start)``, so that
    weight 1 gives ``end`` exactly (``start + (end - start)`` loses a small ``end`` to
    rounding when ``start`` is much larger). The formula of ``autograd.ops.order.lerp``,
    here in place with a scalar weight (Adafactor's running variances)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        np.subtract(start, end, out=start)
        start *= 1 - weight
        start += end

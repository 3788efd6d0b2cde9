"""The running averages the adaptive optimizers keep (Adam's m and v, RMSprop's and
Adadelta's squares, Adafactor's variances), updated in place: no new array per step.
The formulas (and so the roundings, and NaN where PyTorch gets NaN) are PyTorch's:
``lerp_`` for an average of x, ``addcmul_`` for an average of x^2."""
from __future__ import annotations

import numpy as np

__all__ = ["lerp_", "running_average_of_squares_"]


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


def lerp_(start: np.ndarray, end: np.ndarray, weight: float,
          work: np.ndarray | None = None) -> None:
    """``start = start + weight (end - start)``, in place, rounded as ``torch.lerp_``:
    for ``weight >= 0.5`` it is computed as ``end - (1 - weight) (end - start)``, so that
    weight 1 gives ``end`` exactly (``start + (end - start)`` loses a small ``end`` to
    rounding when ``start`` is much larger). The formula of ``autograd.ops.order.lerp``,
    here in place with a scalar weight. ``work`` (scratch of start's shape, optional)
    saves an allocation.

    The running averages of PyTorch's optimizers are this, ``m = lerp(m, g, 1 - beta)``
    (Adam's ``exp_avg.lerp_(grad, 1 - beta1)``, RMSprop's ``grad_avg``, Adafactor's
    variances), rather than ``beta m + (1 - beta) g``: the two agree up to rounding for
    finite numbers, but once m is infinite lerp gives ``inf - inf = nan``, as PyTorch's
    state does."""
    if weight < 0.5:
        step = np.subtract(end, start, out=work)
        step *= weight
        start += step
    else:
        np.subtract(start, end, out=start)
        start *= 1 - weight
        start += end

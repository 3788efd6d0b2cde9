"""Power-average pooling, PyTorch's ``F.lp_pool1d/2d/3d``: on each window X of the input,

    f(X) = (sum over x in X of x^p)^(1/p),

computed as PyTorch does, from ``avg_pool`` of x^p times the kernel's size K (no padding;
``ceil_mode`` as ``avg_pool``'s, so a last window that overhangs the input sums its
entries inside, then is scaled by K / (its count inside), PyTorch's rule). p = inf is
``max_pool`` of |x|, p = -inf the window minimum of |x|, as PyTorch.

PyTorch writes the last step (sign(s) relu(|s|))^(1/p) with s = K avg(x^p): the value
is s^(1/p), also for a negative s (x^p < 0 for an odd p and negative x), which gives NaN
unless 1/p is a whole number, as in PyTorch; its relu makes the gradient ZERO where
s = 0 (where s^(1/p) has an infinite slope for p > 1). Here that step is
``where(s != 0, s^(1/p), 0^(1/p))`` with s replaced by 1 in the unused branch, the same
values and gradients, and no 0 * inf = NaN in the gradient.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, where

from .._checks import real_number
from ..errors import ConfigError
from .pooling import avg_pool_nd, max_pool_nd
from .windows import int_tuple

__all__ = ["lp_pool1d", "lp_pool2d", "lp_pool3d", "check_lp_norm_type"]


def check_lp_norm_type(owner: str, norm_type: Any) -> float:
    """``norm_type`` (p) as a float: a real number other than 0 and NaN (inf and -inf
    allowed), else ``ArgumentTypeError`` / ``ConfigError``."""
    p = real_number(owner, "norm_type", norm_type, finite=False,
                    advice="It is the p of the power average (sum x^p)^(1/p).")
    if p == 0 or math.isnan(p):
        raise ConfigError(f"{owner}: norm_type must be a number other than 0 and NaN (the "
                          f"power average divides by it); got {norm_type!r}")
    return p


def _lp_pool(owner: str, dims: int, input: Any, norm_type: Any, kernel_size: Any,
             stride: Any, ceil_mode: bool) -> Tensor:
    """The body of ``lp_pool1d/2d/3d`` over ``dims`` spatial axes; the pooling it runs
    reports its errors under ``owner``."""
    p = check_lp_norm_type(owner, norm_type)
    kernel = int_tuple(owner, "kernel_size", kernel_size, dims, minimum=1)
    x = as_tensor(input)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    if p == math.inf:  # the window maximum of |x|
        return max_pool_nd(owner, dims, abs(x), kernel, stride, 0, 1, ceil_mode, False)
    if p == -math.inf:  # the window minimum of |x|
        return -max_pool_nd(owner, dims, -abs(x), kernel, stride, 0, 1, ceil_mode, False)
    sums = avg_pool_nd(owner, dims, x ** p, kernel, stride, 0, ceil_mode, True,
                       None) * math.prod(kernel)
    nonzero = sums.data != 0  # NaN too: it stays NaN
    at_zero = 0.0 if p > 0 else math.inf  # 0^(1/p)
    return where(nonzero, where(nonzero, sums, 1.0) ** (1 / p), at_zero)


def lp_pool1d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(sum x^p)^(1/p) over each window of input (N, C, L) or (C, L), p = ``norm_type``,
    as PyTorch's ``F.lp_pool1d`` (see the module docstring; ``stride`` defaults to the
    kernel size, no padding)."""
    return _lp_pool("lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(sum x^p)^(1/p) over each kH x kW window of input (N, C, H, W) or (C, H, W),
    p = ``norm_type``, as PyTorch's ``F.lp_pool2d``: K avg_pool2d(x^p) raised to 1/p
    (p = 1: sum pooling; p = inf: max pooling of |x|); the gradient is zero on a window
    whose sum of x^p is 0, as PyTorch's."""
    return _lp_pool("lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(sum x^p)^(1/p) over each kD x kH x kW window of input (N, C, D, H, W) or
    (C, D, H, W), as PyTorch's ``F.lp_pool3d`` (see ``lp_pool2d``)."""
    return _lp_pool("lp_pool3d", 3, input, norm_type, kernel_size, stride, ceil_mode)

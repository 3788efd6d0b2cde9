"""PyTorch's ``F.max_pool2d_with_indices`` family: the pooling functions with
``return_indices=True``, returning ``(output, indices)`` (indices into each flattened
input plane, as ``max_unpool2d`` reads them). Their ``return_indices`` argument is
PyTorch's signature's: the indices come back whatever it says, as there."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from .fractional_pooling import fractional_max_pool2d, fractional_max_pool3d
from .pooling import (adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d,
                      max_pool1d, max_pool2d, max_pool3d)

__all__ = ["max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

Pair = tuple[Tensor, Tensor]


def max_pool1d_with_indices(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Pair:
    """``max_pool1d(..., return_indices=True)``: (the window maxima, their indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Pair:
    """``max_pool2d(..., return_indices=True)``: (the window maxima, their indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Pair:
    """``max_pool3d(..., return_indices=True)``: (the window maxima, their indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input: Any, output_size: Any,  # noqa: A002
                                     return_indices: bool = True) -> Pair:
    """``adaptive_max_pool1d(..., return_indices=True)``."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Any, output_size: Any,  # noqa: A002
                                     return_indices: bool = True) -> Pair:
    """``adaptive_max_pool2d(..., return_indices=True)``."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Any, output_size: Any,  # noqa: A002
                                     return_indices: bool = True) -> Pair:
    """``adaptive_max_pool3d(..., return_indices=True)``."""
    return adaptive_max_pool3d(input, output_size, True)


def fractional_max_pool2d_with_indices(input: Any, kernel_size: Any,  # noqa: A002
                                       output_size: Any = None, output_ratio: Any = None,
                                       return_indices: bool = True,
                                       _random_samples: Any = None, **kwargs: Any) -> Pair:
    """``fractional_max_pool2d(..., return_indices=True)``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples, **kwargs)


def fractional_max_pool3d_with_indices(input: Any, kernel_size: Any,  # noqa: A002
                                       output_size: Any = None, output_ratio: Any = None,
                                       return_indices: bool = True,
                                       _random_samples: Any = None, **kwargs: Any) -> Pair:
    """``fractional_max_pool3d(..., return_indices=True)``."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples, **kwargs)

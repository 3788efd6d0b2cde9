"""Pooling layers with PyTorch's constructors and reprs: ``MaxPool1d/2d/3d``,
``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``, ``AdaptiveMaxPool1d/2d/3d``,
``MaxUnpool1d/2d/3d``, ``LPPool1d/2d/3d``, ``FractionalMaxPool2d/3d``. Each keeps its
arguments as PyTorch does (checked when built) and calls the function of the same name in
``nn.functional``; a family is one class over ``dims`` spatial axes, each name fixing
``dims`` and the function."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ._checks import flag, integer
from .functional.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d,
                                 adaptive_avg_pool3d, adaptive_max_pool1d,
                                 adaptive_max_pool2d, adaptive_max_pool3d, adaptive_size,
                                 avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d,
                                 max_pool3d, pool_arguments)
from .functional.lp_pooling import check_lp_norm_type, lp_pool1d, lp_pool2d, lp_pool3d
from .functional.unpooling import max_unpool1d, max_unpool2d, max_unpool3d, unpool_arguments
from .functional.fractional_pooling import (fractional_max_pool2d, fractional_max_pool3d,
                                            fractional_output_size)
from .functional.windows import int_tuple
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "MaxUnpool1d", "MaxUnpool2d",
           "MaxUnpool3d", "LPPool1d", "LPPool2d", "LPPool3d", "FractionalMaxPool2d",
           "FractionalMaxPool3d"]


class _MaxPoolNd(Module):
    """The largest entry of each window (see ``MaxPool2d``)."""

    dims = 0
    _pool = staticmethod(max_pool2d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        name = type(self).__name__
        pool_arguments(name, self.dims, kernel_size, stride, padding, dilation)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices = flag(name, "return_indices", return_indices)
        self.ceil_mode = flag(name, "ceil_mode", ceil_mode)

    def forward(self, input: Any) -> Tensor | tuple[Tensor, Tensor]:
        return self._pool(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, "
                f"ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max pooling over (N, C, L) or (C, L) input (see ``MaxPool2d``)."""

    dims = 1
    _pool = staticmethod(max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """Max pooling (PyTorch's ``nn.MaxPool2d``): ``F.max_pool2d`` over (N, C, H, W) or
    (C, H, W) input, windows ``stride`` apart (``kernel_size`` by default), padding at
    most half the kernel counting as -inf, ``ceil_mode`` as PyTorch's. The gradient goes
    to each window's first largest entry (its last NaN if it holds any), as in PyTorch.
    With ``return_indices=True`` it returns (output, indices), the indices ``MaxUnpool2d``
    takes."""

    dims = 2
    _pool = staticmethod(max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """Max pooling (PyTorch's ``nn.MaxPool3d``): ``F.max_pool3d`` over (N, C, D, H, W) or
    (C, D, H, W) input, the arguments as ``MaxPool2d``'s; ``return_indices=True`` gives
    indices flat in each (D, H, W) volume, the ones ``MaxUnpool3d`` takes."""

    dims = 3
    _pool = staticmethod(max_pool3d)


class AvgPool1d(Module):
    """Average pooling over (N, C, L) or (C, L) input, ``F.avg_pool1d`` (see
    ``AvgPool2d``); its sizes are kept as 1-tuples, as PyTorch's."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, _ = pool_arguments(
            "AvgPool1d", 1, kernel_size, stride, padding)
        self.ceil_mode = flag("AvgPool1d", "ceil_mode", ceil_mode)
        self.count_include_pad = flag("AvgPool1d", "count_include_pad", count_include_pad)

    def forward(self, input: Any) -> Tensor:
        return avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    """The mean of each window, its arguments kept as given (see ``AvgPool2d``)."""

    dims = 0
    _pool = staticmethod(avg_pool2d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        pool_arguments(name, self.dims, kernel_size, stride, padding)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = flag(name, "ceil_mode", ceil_mode)
        self.count_include_pad = flag(name, "count_include_pad", count_include_pad)
        self.divisor_override = None if divisor_override is None else integer(
            name, "divisor_override", divisor_override, minimum=1)

    def forward(self, input: Any) -> Tensor:
        return self._pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Average pooling (PyTorch's ``nn.AvgPool2d``): ``F.avg_pool2d`` over (N, C, H, W)
    or (C, H, W) input; zero padding counts in the divisor with ``count_include_pad``
    (the default); ``divisor_override`` replaces the divisor."""

    dims = 2
    _pool = staticmethod(avg_pool2d)


class AvgPool3d(_AvgPoolNd):
    """Average pooling (PyTorch's ``nn.AvgPool3d``): ``F.avg_pool3d`` over (N, C, D, H, W)
    or (C, D, H, W) input, the arguments as ``AvgPool2d``'s."""

    dims = 3
    _pool = staticmethod(avg_pool3d)


class _AdaptiveAvgPoolNd(Module):
    """Average pooling into a fixed number of cells (see ``AdaptiveAvgPool2d``)."""

    dims = 0
    _pool = staticmethod(adaptive_avg_pool2d)

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        adaptive_size(type(self).__name__, output_size, self.dims)
        self.output_size = output_size

    def forward(self, input: Any) -> Tensor:
        return self._pool(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average pooling into ``output_size`` cells over (N, C, L) or (C, L) input,
    ``F.adaptive_avg_pool1d`` (PyTorch's ``nn.AdaptiveAvgPool1d``)."""

    dims = 1
    _pool = staticmethod(adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average pooling into an ``output_size`` grid over (N, C, H, W) or (C, H, W) input,
    ``F.adaptive_avg_pool2d`` (PyTorch's ``nn.AdaptiveAvgPool2d``): an int, or (oH, oW)
    with None keeping that axis; ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    dims = 2
    _pool = staticmethod(adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average pooling into an ``output_size`` grid over (N, C, D, H, W) or (C, D, H, W)
    input, ``F.adaptive_avg_pool3d`` (PyTorch's ``nn.AdaptiveAvgPool3d``): an int, or
    (oD, oH, oW) with None keeping that axis."""

    dims = 3
    _pool = staticmethod(adaptive_avg_pool3d)


class _AdaptiveMaxPoolNd(Module):
    """Max pooling into a fixed number of cells (see ``AdaptiveMaxPool2d``)."""

    dims = 0
    _pool = staticmethod(adaptive_max_pool2d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        name = type(self).__name__
        adaptive_size(name, output_size, self.dims)
        self.output_size = output_size
        self.return_indices = flag(name, "return_indices", return_indices)

    def forward(self, input: Any) -> Tensor | tuple[Tensor, Tensor]:
        return self._pool(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling into ``output_size`` cells over (N, C, L) or (C, L) input,
    ``F.adaptive_max_pool1d`` (PyTorch's ``nn.AdaptiveMaxPool1d``)."""

    dims = 1
    _pool = staticmethod(adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling into an ``output_size`` grid over (N, C, H, W) or (C, H, W) input,
    ``F.adaptive_max_pool2d`` (PyTorch's ``nn.AdaptiveMaxPool2d``): an int, or (oH, oW)
    with None keeping that axis; ``return_indices=True`` returns (output, indices)."""

    dims = 2
    _pool = staticmethod(adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max pooling into an ``output_size`` grid over (N, C, D, H, W) or (C, D, H, W) input,
    ``F.adaptive_max_pool3d`` (PyTorch's ``nn.AdaptiveMaxPool3d``): an int, or
    (oD, oH, oW) with None keeping that axis; ``return_indices=True`` returns (output,
    indices), flat in each (D, H, W) volume."""

    dims = 3
    _pool = staticmethod(adaptive_max_pool3d)


class _MaxUnpoolNd(Module):
    """The partial inverse of max pooling (see ``MaxUnpool2d``)."""

    dims = 0
    _unpool = staticmethod(max_unpool2d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = unpool_arguments(
            type(self).__name__, self.dims, kernel_size, stride, padding)

    def forward(self, input: Any, indices: Any, output_size: Any = None) -> Tensor:
        return self._unpool(input, indices, self.kernel_size, self.stride, self.padding,
                            output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """``F.max_unpool1d`` over (N, C, L) or (C, L) input (see ``MaxUnpool2d``)."""

    dims = 1
    _unpool = staticmethod(max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """PyTorch's ``nn.MaxUnpool2d``: ``unpool(x, indices, output_size=None)`` puts each
    entry of x back where ``MaxPool2d(..., return_indices=True)`` found it, zeros
    elsewhere (``F.max_unpool2d``); sizes kept as pairs, stride the kernel by default."""

    dims = 2
    _unpool = staticmethod(max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """PyTorch's ``nn.MaxUnpool3d``: ``F.max_unpool3d`` over (N, C, D, H, W) or
    (C, D, H, W) input, the indices of ``MaxPool3d(..., return_indices=True)`` (see
    ``MaxUnpool2d``); sizes kept as triples."""

    dims = 3
    _unpool = staticmethod(max_unpool3d)


class _LPPoolNd(Module):
    """Power-average pooling, (sum x^p)^(1/p) over each window (see ``LPPool2d``)."""

    dims = 0
    _pool = staticmethod(lp_pool2d)

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        name = type(self).__name__
        self.norm_type = norm_type
        check_lp_norm_type(name, norm_type)
        pool_arguments(name, self.dims, kernel_size, stride, 0)
        self.kernel_size, self.stride = kernel_size, stride  # as given, None too (PyTorch)
        self.ceil_mode = flag(name, "ceil_mode", ceil_mode)

    def forward(self, input: Any) -> Tensor:
        return self._pool(input, self.norm_type, self.kernel_size, self.stride,
                          self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """PyTorch's ``nn.LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False)``:
    ``F.lp_pool1d`` over (N, C, L) or (C, L) input (see ``LPPool2d``)."""

    dims = 1
    _pool = staticmethod(lp_pool1d)


class LPPool2d(_LPPoolNd):
    """PyTorch's ``nn.LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False)``:
    (sum x^p)^(1/p) over each window of (N, C, H, W) or (C, H, W) input, p = norm_type
    (``F.lp_pool2d``: p = 1 sum pooling, p = inf max pooling of |x|; no padding)."""

    dims = 2
    _pool = staticmethod(lp_pool2d)


class LPPool3d(_LPPoolNd):
    """PyTorch's ``nn.LPPool3d(norm_type, kernel_size, stride=None, ceil_mode=False)``:
    ``F.lp_pool3d`` over (N, C, D, H, W) or (C, D, H, W) input (see ``LPPool2d``)."""

    dims = 3
    _pool = staticmethod(lp_pool3d)


class _FractionalMaxPoolNd(Module):
    """PyTorch's ``nn.FractionalMaxPool2d/3d(kernel_size, output_size=None,
    output_ratio=None, return_indices=False, _random_samples=None)`` over ``dims`` spatial
    axes: ``F.fractional_max_pool2d/3d``, its windows drawn anew at each call (from nn's
    default generator) unless ``_random_samples`` (a buffer, as PyTorch's) fixes them."""

    dims = 0
    _pool = staticmethod(fractional_max_pool2d)

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Any = None) -> None:
        super().__init__()
        owner, dims = type(self).__name__, self.dims
        self.kernel_size = int_tuple(owner, "kernel_size", kernel_size, dims, minimum=1)
        self.return_indices = flag(owner, "return_indices", return_indices)
        self.register_buffer("_random_samples", _random_samples)
        fractional_output_size(owner, (1,) * dims, output_size, output_ratio)  # the checks
        self.output_size = None if output_size is None else int_tuple(
            owner, "output_size", output_size, dims, minimum=0)
        self.output_ratio = None if output_ratio is None else (
            (output_ratio,) * dims if isinstance(output_ratio, (int, float)) else
            tuple(output_ratio))

    def forward(self, input: Any) -> Any:  # noqa: A002
        return self._pool(input, self.kernel_size, self.output_size, self.output_ratio,
                          self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """PyTorch's ``nn.FractionalMaxPool2d``: ``F.fractional_max_pool2d`` over (N, C, H, W)
    or (C, H, W) input, ``_random_samples`` (N, C, 2)."""

    dims = 2
    _pool = staticmethod(fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """PyTorch's ``nn.FractionalMaxPool3d``: ``F.fractional_max_pool3d`` over
    (N, C, D, H, W) or (C, D, H, W) input, ``_random_samples`` (N, C, 3)."""

    dims = 3
    _pool = staticmethod(fractional_max_pool3d)

"""``unfold`` and ``fold``: PyTorch's sliding blocks of a batch of 2-d images as columns,
and back; what ``nn.Unfold`` and ``nn.Fold`` call.

``unfold(x, k)`` of x (N, C, H, W), zero-padded by ``padding`` on each side, is
(N, C kH kW, L): column l holds block l (row-major over the oH x oW block positions,
``stride`` apart), its entries channel first, then the kernel's rows and columns
(row c kH kW + i kW + j is x[n, c, oh sH + i dH - pH, ow sW + j dW - pW]), with
o = floor((n + 2p - d(k - 1) - 1) / s) + 1 on each axis.

``fold`` is its adjoint: each column's entries are added back where ``unfold`` read them
(overlapping blocks add up) into an (N, C, *output_size) image, the padding cut away.
Both are the windows op of ``nn.functional.windows`` (``im2col`` / ``col2im``, each the
other's VJP) plus reshapes and a pad or a slice, so gradients hold to every order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from .conv import check_not_empty
from .windows import col2im, im2col, int_tuple, output_length

__all__ = ["unfold", "fold", "block_arguments"]


def block_arguments(owner: str, kernel_size: Any, dilation: Any, padding: Any,
                    stride: Any) -> tuple[tuple[int, ...], ...]:
    """(kernel, dilation, padding, stride) as pairs of ints, checked as PyTorch's: an
    int or 2 ints each, the kernel, dilation and stride >= 1, the padding >= 0."""
    return (int_tuple(owner, "kernel_size", kernel_size, 2, minimum=1),
            int_tuple(owner, "dilation", dilation, 2, minimum=1),
            int_tuple(owner, "padding", padding, 2, minimum=0),
            int_tuple(owner, "stride", stride, 2, minimum=1))


def _block_counts(owner: str, size: tuple[int, ...], kernel: tuple[int, ...],
                  dilation: tuple[int, ...], padding: tuple[int, ...],
                  stride: tuple[int, ...]) -> tuple[int, ...]:
    """How many blocks fit on each axis of ``size`` (padded); at least one, else
    ``ShapeError``."""
    counts = tuple(output_length(n + 2 * p, k, s, d)
                   for n, k, s, d, p in zip(size, kernel, stride, dilation, padding))
    if any(c < 1 for c in counts):
        raise ShapeError(f"{owner}: a spatial size {size} with kernel_size={kernel}, "
                         f"dilation={dilation}, padding={padding} holds no block (the "
                         f"counts would be {counts}); use a smaller kernel or dilation, or "
                         f"more padding")
    return counts


def unfold(input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """The sliding kH x kW blocks of x (N, C, H, W) (or unbatched (C, H, W)) as columns
    (N, C kH kW, L), as PyTorch's ``F.unfold``: x zero-padded by ``padding``, blocks
    ``stride`` apart, taps ``dilation`` apart; row c kH kW + i kW + j of column
    l = oh oW + ow is x[n, c, oh sH + i dH - pH, ow sW + j dW - pW]. Only 2-d images (as
    PyTorch); an input without a block raises ``ShapeError``."""
    kernel, dilation, padding, stride = block_arguments("unfold", kernel_size, dilation,
                                                        padding, stride)
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise ShapeError(f"unfold: input must be (N, C, H, W) or unbatched (C, H, W) (only "
                         f"2-d images, as PyTorch); got shape {x.shape}")
    unbatched = x.ndim == 3
    if unbatched:
        x = x.reshape((1,) + x.shape)
    check_not_empty("unfold", x.shape[2:])
    _block_counts("unfold", x.shape[2:], kernel, dilation, padding, stride)
    if any(padding):
        x = x.pad([(0, 0), (0, 0)] + [(p, p) for p in padding])
    cols = im2col(x, kernel, stride, dilation)  # (N, C, kH, kW, oH, oW)
    if np.may_share_memory(cols.data, x.data):
        # windows that repeat no entry (a 1x1 kernel at stride 1, one window the size of
        # the image) can come back as a read-only view of x: the result must own its
        # memory, as PyTorch's (x's later writes must not show, and it takes writes)
        cols = cols.copy()
    batch, channels = x.shape[:2]
    y = cols.reshape((batch, channels * math.prod(kernel), math.prod(cols.shape[4:])))
    return y.reshape(y.shape[1:]) if unbatched else y


def fold(input: Any, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """Columns (N, C kH kW, L) (or unbatched (C kH kW, L)) added back into an image
    (N, C, *output_size), as PyTorch's ``F.fold``: the adjoint of ``unfold`` with the
    same arguments, so entries that several blocks read collect the sum of their
    columns' values (``fold(unfold(x))`` is x times how many blocks read each entry).
    L must be the number of blocks that fit (else ``ShapeError``)."""
    owner = "fold"
    size = int_tuple(owner, "output_size", output_size, 2, minimum=0)
    kernel, dilation, padding, stride = block_arguments(owner, kernel_size, dilation,
                                                        padding, stride)
    cols = as_tensor(input)
    if cols.ndim not in (2, 3):
        raise ShapeError(f"fold: input must be (N, C*kH*kW, L) or unbatched (C*kH*kW, L); "
                         f"got shape {cols.shape}")
    given, unbatched = cols.shape, cols.ndim == 2
    if unbatched:
        cols = cols.reshape((1,) + cols.shape)
    batch, rows, length = cols.shape
    taps = math.prod(kernel)
    if rows % taps:
        raise ShapeError(f"fold: input's axis 1 (size {rows}) must be divisible by the "
                         f"kernel's size {kernel[0]}*{kernel[1]} = {taps}; got shape {given}")
    counts = _block_counts(owner, size, kernel, dilation, padding, stride)
    if length != math.prod(counts):
        raise ShapeError(f"fold: input's last axis must hold one column per block: "
                         f"{counts[0]}*{counts[1]} = {math.prod(counts)} for output_size="
                         f"{size}, kernel_size={kernel}, dilation={dilation}, padding="
                         f"{padding}, stride={stride}; got {length}")
    channels = rows // taps
    padded = (batch, channels) + tuple(n + 2 * p for n, p in zip(size, padding))
    image = col2im(cols.reshape((batch, channels) + kernel + counts), padded, stride,
                   dilation)
    if any(padding):
        image = image[(slice(None), slice(None))
                      + tuple(slice(p, p + n) for p, n in zip(padding, size))]
    return image.reshape(image.shape[1:]) if unbatched else image

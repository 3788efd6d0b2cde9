"""``conv1d``, ``conv2d`` and ``conv3d`` with PyTorch's arguments, written as im2col + one
matmul; one function over any number of spatial axes, the three differing only in it.

The windows of the (padded) input come from one differentiable op (``im2col``, in
``nn.functional.windows``), shaped (N, C_in, *kernel, *out). Read per sample and group as
a matrix of (C_in/groups * prod(kernel)) rows and prod(out) columns, they meet the weight,
read as (C_out/groups, C_in/groups * prod(kernel)), in one batched matrix product, one
op (``WindowProduct``, in ``nn.functional.window_product``):

    y[n, g] = W[g] @ cols[n, g]        (+ b per output channel)

so the gradients are the matmul's (``g @ cols^T`` to W, ``W^T @ g`` to the columns,
which ``col2im`` adds back into the input) and hold to every order.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from .._checks import integer
from ..errors import ConfigError
from .window_product import WindowProduct
from .windows import im2col, int_tuple

__all__ = ["conv1d", "conv2d", "conv3d", "conv_padding", "check_not_empty", "check_fits",
           "check_has_channels", "conv_operands", "PADDING_STRINGS"]

PADDING_STRINGS = ("valid", "same")
"""The padding strings PyTorch's convolutions take."""


def conv_padding(owner: str, padding: Any, kernel: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...]) -> list[tuple[int, int]]:
    """PyTorch's ``padding`` as one (before, after) pair per spatial axis: an int or a
    tuple (one int per axis, or one for all) pads both sides; "valid" is no padding;
    "same" pads dilation*(kernel - 1) in all, half before and the odd one after (as
    PyTorch), and needs stride 1."""
    dims = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * dims
        if padding != "same":
            raise ConfigError(f"{owner}: invalid padding string {padding!r}; it should be "
                              f"one of {PADDING_STRINGS} (or an int or a tuple of {dims} "
                              f"ints)")
        if any(s != 1 for s in stride):
            raise ConfigError(f"{owner}: padding='same' is not supported for strided "
                              f"convolutions (stride={stride}), as in PyTorch; use "
                              f"stride=1, or give the padding as ints")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(total // 2, total - total // 2) for total in totals]
    return [(p, p) for p in int_tuple(owner, "padding", padding, dims, minimum=0,
                                      expand_single=True)]


def check_not_empty(owner: str, spatial: tuple[int, ...],
                    kernel: tuple[int, ...] = ()) -> None:
    """A ShapeError for an input with an empty spatial axis (only the batch and the
    channels may be empty, as in PyTorch: padding would otherwise make windows of padding
    alone) or a weight with an empty kernel axis (its windows would read nothing)."""
    if 0 in spatial:
        raise ShapeError(f"{owner}: the input's spatial axes {spatial} include an empty one: "
                         f"there is no window to take (only the batch and the channels may "
                         f"be empty, as in PyTorch)")
    if any(k < 1 for k in kernel):
        raise ShapeError(f"{owner}: the weight's kernel {kernel} has an empty axis; kernel "
                         f"sizes must be >= 1, as in PyTorch")


def check_has_channels(owner: str, weight_shape: tuple[int, ...], what: str,
                       axis: int) -> None:
    """A ShapeError for a weight with no ``what`` channels (its axis ``axis`` empty): the
    layer would have no output channel, which PyTorch refuses too."""
    if weight_shape[axis] < 1:
        raise ShapeError(f"{owner}: the weight must have at least 1 {what} (axis {axis}); "
                         f"got weight of shape {weight_shape}. Give the weight at least "
                         f"one {what}.")


def check_fits(owner: str, spatial: tuple[int, ...], kernel: tuple[int, ...],
               dilation: tuple[int, ...], padded: str = "padded ") -> None:
    """A ShapeError unless the (dilated) kernel fits in the padded input on every axis."""
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(r > n for r, n in zip(reach, spatial)):
        raise ShapeError(f"{owner}: the {padded}input is {spatial} per channel but the "
                         f"kernel {kernel} (dilation {dilation}) spans {reach}: the kernel "
                         f"can't be larger than the {padded}input. Pad more, use a smaller "
                         f"kernel, or check the input's shape.")


def conv_operands(owner: str, dims: int, input: Any, weight: Any,
                  layout: str) -> tuple[Tensor, Tensor, bool]:
    """(input with a batch axis, weight, whether the input had none), their axes checked:
    the weight has dims + 2 (``layout`` names them), the input is (N, C_in, *spatial) or
    unbatched (C_in, *spatial)."""
    x, weight = as_tensor(input), as_tensor(weight)
    if weight.ndim != dims + 2:
        raise ShapeError(f"{owner}: weight must have {dims + 2} axes, ({layout}); got shape "
                         f"{weight.shape}")
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{owner}: input must have {dims + 2} axes (N, C_in, *spatial) or "
                         f"{dims + 1} unbatched (C_in, *spatial); got shape {x.shape}")
    unbatched = x.ndim == dims + 1
    return (x.reshape((1,) + x.shape) if unbatched else x), weight, unbatched


def _conv(owner: str, dims: int, input: Any, weight: Any, bias: Any, stride: Any,
          padding: Any, dilation: Any, groups: Any) -> Tensor:
    """The convolution over the last ``dims`` axes (see ``conv2d``)."""
    x, weight, unbatched = conv_operands(owner, dims, input, weight,
                                         "out_channels, in_channels / groups, *kernel_size")
    groups = integer(owner, "groups", groups, minimum=1)
    out_channels, group_channels, kernel = weight.shape[0], weight.shape[1], weight.shape[2:]
    check_has_channels(owner, weight.shape, "output channel", 0)
    if out_channels % groups:
        raise ShapeError(f"{owner}: groups={groups} must divide the weight's out_channels "
                         f"(its first axis); got weight of shape {weight.shape}")
    if x.shape[1] != group_channels * groups:
        raise ShapeError(
            f"{owner}: a weight of shape {weight.shape} with groups={groups} expects an "
            f"input with {group_channels * groups} channels (axis {int(not unbatched)}); "
            f"got input of shape {_shape_of(input)}. Check in_channels"
            + (f"; a {dims + 1}-d input is one unbatched sample (C_in, *spatial): give a "
               f"batch of one-channel samples its channel axis, x[:, None]." if unbatched
               else "."))
    stride = int_tuple(owner, "stride", stride, dims, minimum=1, expand_single=True)
    dilation = int_tuple(owner, "dilation", dilation, dims, minimum=1, expand_single=True)
    check_not_empty(owner, x.shape[2:], kernel)
    widths = conv_padding(owner, padding, kernel, stride, dilation)
    if any(before or after for before, after in widths):
        x = x.pad([(0, 0), (0, 0)] + widths)
    check_fits(owner, x.shape[2:], kernel, dilation)
    cols = im2col(x, kernel, stride, dilation)  # (N, C_in, *kernel, *out)
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != (out_channels,):
            raise ShapeError(f"{owner}: bias must have shape ({out_channels},), one value "
                             f"per output channel; got {bias.shape}")
    operands = (cols, weight) if bias is None else (cols, weight, bias)
    y = WindowProduct.apply(*operands, groups=groups)  # y[n, g] = W[g] @ cols[n, g] (+ b)
    return y.reshape(y.shape[1:]) if unbatched else y


def _shape_of(input: Any) -> tuple[int, ...]:
    """The shape of what the user passed (for messages)."""
    return tuple(getattr(input, "shape", ()))


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-d convolution (cross-correlation, as PyTorch's ``F.conv1d``) of input (N, C_in, L)
    or (C_in, L) with weight (C_out, C_in/groups, k) and bias (C_out,) or None:
    y[n, o, p] = b[o] + sum_{c, i} W[o, c, i] x[n, c', p*stride + i*dilation] over the
    channels c' of o's group. ``padding``: an int, a 1-tuple, "valid" or "same" (see
    ``conv2d``)."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation, as PyTorch's ``F.conv2d``) of input
    (N, C_in, H, W) or unbatched (C_in, H, W) with weight (C_out, C_in/groups, kH, kW) and
    bias (C_out,) or None: y[n, o, p, q] = b[o] + sum_{c, i, j} W[o, c, i, j]
    x[n, c', p*sH + i*dH, q*sW + j*dW], the channels c' being those of o's group.

    ``stride``, ``dilation``: an int or a pair (a 1-tuple counts as an int, as PyTorch).
    ``padding`` (zeros on both sides): an int, a pair (or a 1-tuple), "valid" (none) or
    "same" (output as large as the input; stride 1 only; an odd total puts the extra zero
    after, as PyTorch). ``groups`` splits the channels into groups convolved separately;
    it must divide C_in and C_out. Output
    (N, C_out, H', W') with H' = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-d convolution (cross-correlation, as PyTorch's ``F.conv3d``) of input
    (N, C_in, D, H, W) or unbatched (C_in, D, H, W) with weight
    (C_out, C_in/groups, kD, kH, kW) and bias (C_out,) or None: y[n, o, p, q, r] = b[o] +
    sum_{c, i, j, l} W[o, c, i, j, l] x[n, c', p*sD + i*dD, q*sH + j*dH, r*sW + l*dW].
    ``stride``, ``dilation``, ``padding`` an int or a triple (``padding`` also "valid" or
    "same"), ``groups`` as ``conv2d``'s; D' = floor((D + 2 pD - dD (kD - 1) - 1) / sD) + 1."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)

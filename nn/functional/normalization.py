"""Normalisation as functions: ``layer_norm``, ``batch_norm``, ``group_norm``,
``instance_norm``, ``rms_norm`` and ``local_response_norm`` (PyTorch's signatures), which
``nn.LayerNorm``, ``nn.BatchNorm1d/2d/3d``, ``nn.GroupNorm``, ``nn.InstanceNorm1d/2d/3d``,
``nn.RMSNorm`` and ``nn.LocalResponseNorm`` call.

Each but ``rms_norm`` and ``local_response_norm`` computes
x_hat = (x - mean) / sqrt(var + eps) with the biased variance, one fused op with its own
VJP (``Standardize``, in ``standardize.py``), and then y = x_hat * weight + bias where
weight / bias are given.

Dtypes, as PyTorch's: a float16 input is computed in float32 and its result is float16,
also with float32 weight and bias (mixed precision); ``rms_norm``'s result always has
the input's dtype. Other mixes (float32 input, float64 parameters) promote as NumPy,
where PyTorch raises.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, is_grad_enabled
from autograd import pad as constant_pad
from autograd.errors import DataError, ShapeError, UsageError

from .._checks import integer, is_integer, real_number
from .standardize import Standardize, StandardizeZeroEps, quiet_at_zero_eps
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm",
           "local_response_norm", "check_lrn_args", "check_eps", "check_normalized_shape",
           "check_trailing_shape", "values_per_channel"]


def check_eps(eps: Any, owner: str) -> float:
    """``eps`` as a finite float >= 0 (0 as PyTorch: a constant row then divides by
    sqrt(0)), or a named error (``nn._checks``' rule): negative, NaN or inf is refused."""
    return real_number(owner, "eps", eps, minimum=0)


def check_normalized_shape(normalized_shape: Any, owner: str) -> tuple[int, ...]:
    """An int or a non-empty sequence of ints >= 0 (0: an empty axis, an empty output, as
    PyTorch), as a tuple; else ``ArgumentTypeError`` (a wrong type) or ``ConfigError``."""
    if is_integer(normalized_shape):
        return (integer(owner, "normalized_shape", normalized_shape, minimum=0),)
    what = "an int >= 0 or a non-empty tuple of them"
    try:
        if isinstance(normalized_shape, str):
            raise TypeError
        shape = tuple(normalized_shape)
    except TypeError:
        raise ArgumentTypeError(f"{owner}: normalized_shape must be {what}; got "
                                f"{normalized_shape!r} ({type(normalized_shape).__name__})."
                                ) from None
    if not shape:
        raise ConfigError(f"{owner}: normalized_shape must be {what}; got ().")
    return tuple(integer(owner, f"normalized_shape[{i}]", s, minimum=0)
                 for i, s in enumerate(shape))


def check_trailing_shape(x: Tensor, shape: tuple[int, ...], owner: str) -> None:
    """ShapeError naming ``owner`` unless the last axes of x have ``shape``."""
    k = len(shape)
    if x.ndim < k or x.shape[x.ndim - k:] != shape:
        raise ShapeError(f"{owner} normalises the last axes of shape {shape}; got an "
                         f"input of shape {x.shape}, whose trailing axes differ.")


def _standardise(x: Tensor, axes: tuple[int, ...], eps: float,
                 op_class: type[Standardize] = Standardize
                 ) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """``(x_hat, mean, biased var)``: x_hat = (x - mean) / sqrt(var + eps) over ``axes``,
    one fused node (``op_class``: ``Standardize`` or ``StandardizeZeroEps``), and its
    statistics as arrays (reduced axes kept).

    A float16 x is standardised in float32, as PyTorch does: in float16 the squares
    overflow from |x - mean| = 256 on, and for a constant row the gradient of
    (var + eps)^-1/2, (var + eps)^-3/2 / 2, overflows too (0 * inf: NaN). The caller
    casts the result back to x's dtype (``_narrow``), after the affine step."""
    if x.dtype == np.float16:
        x = x.astype(np.float32)
    op = op_class(axes, eps)
    x_hat = op(x)
    return x_hat, op.mean, op.var


def _narrow(y: Tensor, dtype: np.dtype, *params: Tensor | None) -> Tensor:
    """y cast back to float16 if x was float16 (see ``_standardise``) and the given
    weight and bias ``params`` are float16 or float32 (PyTorch's mixed-precision rule:
    half data with float parameters gives half), else y itself (NumPy's promotion)."""
    if dtype != np.float16 or y.dtype == dtype or any(
            p is not None and p.dtype not in (np.float16, np.float32) for p in params):
        return y
    return y.astype(dtype)


def _check_affine(name: str, value: Any, shape: tuple[int, ...], owner: str) -> Any:
    """``value`` (weight or bias) as a Tensor of ``shape``, or None."""
    if value is None:
        return None
    value = as_tensor(value)
    if value.shape != shape:
        raise ShapeError(f"{owner}: {name} must have shape {shape}; got {value.shape}")
    return value


def layer_norm(input: Any, normalized_shape: int | tuple[int, ...], weight: Any = None,
               bias: Any = None, eps: float = 1e-5) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, mean and biased var taken over
    the last axes of x, those of ``normalized_shape``, each sample on its own.
    ``weight`` and ``bias`` (optional) have shape ``normalized_shape``. With eps = 0 a
    constant row is 0 / 0 = NaN, as PyTorch's; an empty input gives an empty output."""
    shape = check_normalized_shape(normalized_shape, "layer_norm")
    eps = check_eps(eps, "layer_norm")
    x = as_tensor(input)
    check_trailing_shape(x, shape, "layer_norm")
    k = len(shape)
    weight = _check_affine("weight", weight, shape, "layer_norm")
    bias = _check_affine("bias", bias, shape, "layer_norm")
    axes = tuple(range(x.ndim - k, x.ndim))
    y = _standardise(x, axes, eps)[0] if x.size else x * 1.0  # empty: nothing to normalise
    if weight is not None:
        y = y * weight
    return _narrow(y if bias is None else y + bias, x.dtype, weight, bias)


def rms_norm(input: Any, normalized_shape: int | tuple[int, ...], weight: Any = None,
             eps: float | None = None) -> Tensor:
    """y = x / sqrt(mean(x^2) + eps) * weight, the mean taken over the last axes of x,
    those of ``normalized_shape`` (no centring, no bias); ``weight`` (optional) has shape
    ``normalized_shape``. ``eps=None`` is the machine epsilon of the dtype computed in,
    as PyTorch: x's (float32 for float16 x, which is computed in float32). The result
    has x's dtype whatever the weight's, as PyTorch's (float32 x, float64 weight: float32)."""
    shape = check_normalized_shape(normalized_shape, "rms_norm")
    x = as_tensor(input)
    check_trailing_shape(x, shape, "rms_norm")
    weight = _check_affine("weight", weight, shape, "rms_norm")
    wide = x.astype(np.float32) if x.dtype == np.float16 else x  # see _standardise
    if eps is None:
        eps = float(np.finfo(wide.dtype if wide.dtype.kind == "f" else np.float64).eps)
    eps = check_eps(eps, "rms_norm")
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    empty = not x.size  # an empty batch or normalised axis: nothing to normalise
    with quiet_at_zero_eps(eps):  # a zero row at eps = 0: NaN, silently, as PyTorch's
        y = wide * (1.0 if empty else ((wide * wide).mean(axes, keepdims=True) + eps) ** -0.5)
    if weight is not None:
        y = y * weight
    return y.astype(x.dtype) if x.dtype.kind == "f" and y.dtype != x.dtype else y


def values_per_channel(shape: tuple[int, ...]) -> int:
    """How many values of an input of ``shape`` (N, C, ...) each channel has: N * L * ..."""
    return math.prod(shape[:1] + shape[2:])


def _running_array(name: str, value: Any, channels: int, updated: bool,
                   owner: str = "batch_norm") -> np.ndarray:
    """The live array of a running statistic: a Tensor's ``.data`` or the ndarray."""
    array = value.data if isinstance(value, Tensor) else value
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        if updated:
            raise ArgumentTypeError(
                f"{owner}: {name} is updated in place in training mode, so it must be "
                f"a float Tensor or NumPy array; got {type(value).__name__}")
        try:
            array = np.asarray(array)
        except ValueError:  # NumPy refuses ragged nesting
            raise DataError(f"{owner}: {name} must be numbers, one per channel; got a "
                            f"ragged nested sequence (rows of different lengths)") from None
        if array.dtype.kind not in "biuf":
            raise ArgumentTypeError(
                f"{owner}: {name} must be real numbers, one per channel (a Tensor, "
                f"array or list); got {type(value).__name__} of dtype {array.dtype}")
        array = array.astype(np.float64)
    if array.shape != (channels,):
        raise ShapeError(f"{owner}: {name} must have shape ({channels},), one value per "
                         f"channel (axis 1 of the input); got {array.shape}")
    return array


def _blend(array: np.ndarray, new: np.ndarray, momentum: float) -> None:
    """array <- (1 - momentum) array + momentum new, in place, recorded as an in-place
    write (a Tensor wrapping the array shares its version), so a graph that saved the
    old values refuses to backward instead of using the new ones."""
    array *= 1.0 - momentum
    array += momentum * new
    as_tensor(array).bump_version()


def _refuse_grad_of_running(owner: str, name: str, value: Any) -> None:
    """A ``UsageError`` if a running statistic requires grad while grad mode is on, as
    PyTorch: it is a constant (evaluation normalises with it, training overwrites it in
    place), so no gradient would ever reach it."""
    if isinstance(value, Tensor) and value.requires_grad and is_grad_enabled():
        raise UsageError(
            f"{owner}: {name} requires grad, but running statistics are constants (read "
            f"in evaluation, overwritten in place in training), so no gradient can reach "
            f"it; pass {name}.detach(), set its requires_grad=False, or call under no_grad()")


def _checked_arguments(owner: str, shapes: str, x: Any, eps: Any, momentum: Any,
                       running_mean: Any, running_var: Any) -> tuple[Tensor, float, float]:
    """(x as a Tensor, eps, momentum) of ``batch_norm``/``instance_norm``, checked: x has
    channels on axis 1 (``shapes`` names the inputs taken), momentum is any finite number
    (outside [0, 1] the update extrapolates, as PyTorch's), and the running statistics
    come both or neither, neither requiring grad (``_refuse_grad_of_running``)."""
    x = as_tensor(x)
    eps = check_eps(eps, owner)
    momentum = real_number(owner, "momentum", momentum)
    if x.ndim < 2:
        raise ShapeError(f"{owner} expects an input of shape {shapes} with channels on "
                         f"axis 1; got shape {x.shape}")
    if (running_mean is None) != (running_var is None):
        raise UsageError(f"{owner}: give both running_mean and running_var, or neither")
    _refuse_grad_of_running(owner, "running_mean", running_mean)
    _refuse_grad_of_running(owner, "running_var", running_var)
    return x, eps, momentum


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None,
               bias: Any = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalisation of x of shape (N, C, ...) per channel C (axis 1).

    ``training=True``: normalise with the batch mean and biased variance (over every axis
    but 1) and, if running statistics are given, update them in place:
    running_mean <- (1 - m) running_mean + m mean,
    running_var <- (1 - m) running_var + m var n / (n - 1) (unbiased, n values per
    channel), m = ``momentum``; an empty batch gives an empty output and leaves them
    alone. ``training=False``: normalise with running_mean and
    running_var (constants: no gradient reaches them, and one that requires grad is
    refused while grad mode is on, as PyTorch), cast to x's dtype as training mode's
    batch statistics are. weight and bias have shape (C,). eps = 0 is refused in
    training, as PyTorch (a constant channel would give 0 / 0), and allowed in evaluation.
    """
    x, eps, momentum = _checked_arguments("batch_norm", "(N, C) or (N, C, ...)", input, eps,
                                          momentum, running_mean, running_var)
    if running_mean is None and not training:
        raise UsageError("batch_norm: evaluation mode (training=False) normalises with the "
                         "running statistics; pass running_mean and running_var, or "
                         "training=True to use the batch statistics")
    if training and eps == 0:
        raise ConfigError("batch_norm in training mode needs eps > 0, as PyTorch's (a constant "
                          "channel would be 0 / sqrt(0)); got eps=0.0. Pass eps > 0, e.g. "
                          "1e-5 (eps=0 is allowed with training=False).")
    channels = x.shape[1]
    shape = (channels,) + (1,) * (x.ndim - 2)  # broadcasts a per-channel vector
    weight = _check_affine("weight", weight, (channels,), "batch_norm")
    bias = _check_affine("bias", bias, (channels,), "batch_norm")
    weight = None if weight is None else weight.reshape(shape)
    if training:
        n = values_per_channel(x.shape)
        if n == 1:  # a variance of one value is 0: the output would be all zeros
            raise ShapeError(f"batch_norm in training mode needs more than one value per "
                             f"channel to estimate a variance; got input shape {x.shape}")
        if not x.size:  # an empty batch: an empty output, statistics left alone (PyTorch)
            y = x * (1.0 if weight is None else weight)
            return _narrow(y if bias is None else y + bias.reshape(shape), x.dtype, weight,
                           bias)
        axes = (0,) + tuple(range(2, x.ndim))
        x_hat, mean, var = _standardise(x, axes, eps)
        if running_mean is not None:
            mean_array = _running_array("running_mean", running_mean, channels, True)
            var_array = _running_array("running_var", running_var, channels, True)
            _blend(mean_array, mean.reshape(channels), momentum)
            _blend(var_array, var.reshape(channels) * (n / (n - 1)), momentum)
        y = x_hat if weight is None else x_hat * weight
    else:  # y = x * s - running_mean * s (+ bias), s = weight / sqrt(running_var + eps)
        mean_array = _running_array("running_mean", running_mean, channels, False)
        var_array = _running_array("running_var", running_var, channels, False)
        # in x's dtype, as training mode (float16 in float32, as _standardise)
        dtype = (np.dtype(np.float32) if x.dtype == np.float16 else
                 x.dtype if x.dtype.kind == "f" else np.dtype(np.float64))
        inv_std = (1.0 / np.sqrt(var_array.reshape(shape) + eps)).astype(dtype)
        scale = inv_std if weight is None else weight * inv_std
        y = x * scale - mean_array.reshape(shape).astype(dtype) * scale
    return _narrow(y if bias is None else y + bias.reshape(shape), x.dtype, weight, bias)


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> Tensor:
    """Group normalisation of x of shape (N, C, *): the C channels form ``num_groups``
    groups of C / num_groups consecutive channels, and each sample's group is
    standardised with its own mean and biased variance (over its channels and every
    trailing axis), the same in training and evaluation; then y = x_hat * weight + bias
    with weight and bias (optional) of shape (C,), one value per channel."""
    num_groups = integer("group_norm", "num_groups", num_groups, minimum=1)
    eps = check_eps(eps, "group_norm")
    x = as_tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"group_norm expects an input of shape (N, C) or (N, C, ...) with "
                         f"channels on axis 1; got shape {x.shape}")
    n, channels = x.shape[:2]
    if channels % num_groups:
        raise ShapeError(f"group_norm: num_groups={num_groups} must divide the number of "
                         f"channels (axis 1), {channels} in an input of shape {x.shape}; "
                         f"pick a divisor of {channels}")
    if x.size == num_groups:  # PyTorch's check: one sample whose groups hold one value
        raise ShapeError(f"group_norm needs more than one value per group to estimate a "
                         f"variance; got input shape {x.shape} with num_groups={num_groups}")
    weight = _check_affine("weight", weight, (channels,), "group_norm")
    bias = _check_affine("bias", bias, (channels,), "group_norm")
    y = x
    if x.size:  # (an empty input has nothing to normalise)
        grouped = x.reshape((n, num_groups, x.size // (n * num_groups)))
        y = _standardise(grouped, (2,), eps)[0].reshape(x.shape)
    shape = (channels,) + (1,) * (x.ndim - 2)  # broadcasts a per-channel vector
    if weight is not None:
        y = y * weight.reshape(shape)
    return _narrow(y if bias is None else y + bias.reshape(shape), x.dtype, weight, bias)


def instance_norm(input: Any, running_mean: Any = None, running_var: Any = None,
                  weight: Any = None, bias: Any = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Instance normalisation of x of shape (N, C, ...): each sample's channel is
    standardised over the trailing axes with its own mean and biased variance, then
    y = x_hat * weight + bias (weight and bias of shape (C,), optional).

    With ``use_input_stats`` and running statistics given, these are updated in place:
    running_mean <- (1 - m) running_mean + m * (the samples' means averaged over N),
    running_var likewise with the samples' unbiased variances (m = ``momentum``).
    ``use_input_stats=False`` normalises with running_mean and running_var instead, as
    ``batch_norm`` in evaluation mode. With eps = 0 a constant channel gives x_hat = 0 and
    gradient 0, as PyTorch's (``StandardizeZeroEps``).
    """
    x, eps, momentum = _checked_arguments("instance_norm", "(N, C, ...)", input, eps, momentum,
                                          running_mean, running_var)
    channels = x.shape[1]
    if not use_input_stats:
        if running_mean is None:
            raise UsageError("instance_norm: use_input_stats=False normalises with the "
                             "running statistics; pass running_mean and running_var")
        running_mean = _running_array("running_mean", running_mean, channels, False,
                                      "instance_norm")
        running_var = _running_array("running_var", running_var, channels, False,
                                     "instance_norm")
        return batch_norm(x, running_mean, running_var, weight, bias, False, momentum, eps)
    n = math.prod(x.shape[2:])  # values per sample and channel
    if n == 1:  # a variance of one value is 0: the output would be the bias
        raise ShapeError(f"instance_norm needs more than one value per sample and channel "
                         f"(the axes after 1) to estimate a variance; got input shape "
                         f"{x.shape}")
    shape = (channels,) + (1,) * (x.ndim - 2)  # broadcasts a per-channel vector
    weight = _check_affine("weight", weight, (channels,), "instance_norm")
    bias = _check_affine("bias", bias, (channels,), "instance_norm")
    y = x
    if x.size:  # (an empty input has nothing to normalise, and its statistics none)
        op_class = StandardizeZeroEps if eps == 0 else Standardize
        x_hat, mean, var = _standardise(x, tuple(range(2, x.ndim)), eps, op_class)
        if running_mean is not None:
            mean_array = _running_array("running_mean", running_mean, channels, True,
                                        "instance_norm")
            var_array = _running_array("running_var", running_var, channels, True,
                                       "instance_norm")
            _blend(mean_array, mean.mean(axis=0).reshape(channels), momentum)
            _blend(var_array, var.mean(axis=0).reshape(channels) * (n / (n - 1)),
                   momentum)
        y = x_hat
    if weight is not None:
        y = y * weight.reshape(shape)
    return _narrow(y if bias is None else y + bias.reshape(shape), x.dtype, weight, bias)


def check_lrn_args(owner: str, size: Any, alpha: Any, beta: Any,
                   k: Any) -> tuple[int, float, float, float]:
    """``(size, alpha, beta, k)`` of local response normalisation, checked: size an int
    >= 1, the others real numbers; else a named error."""
    return (integer(owner, "size", size, minimum=1,
                    advice="size is the number of neighbouring channels summed over."),
            real_number(owner, "alpha", alpha), real_number(owner, "beta", beta),
            real_number(owner, "k", k))


def local_response_norm(input: Any, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (axis 1) of x of shape (N, C, *):
    y[:, c] = x[:, c] / (k + alpha / size * sum_{c'} x[:, c']^2)^beta, the sum over the
    ``size`` channels c - size // 2 <= c' <= c + (size - 1) // 2 (channels beyond the
    edges count as 0, and the sum is still divided by ``size``, as PyTorch)."""
    size, alpha, beta, k = check_lrn_args("local_response_norm", size, alpha, beta, k)
    x = as_tensor(input)
    if x.ndim < 3:
        raise ShapeError(f"local_response_norm expects an input of shape (N, C, *) with at "
                         f"least 3 axes (channels on axis 1), as PyTorch; got shape "
                         f"{x.shape}. Add a trailing axis for (N, C): x.reshape(N, C, 1).")
    if not x.size:
        return x
    channels = x.shape[1]
    widths = [(0, 0)] * x.ndim
    widths[1] = (size // 2, (size - 1) // 2)
    padded = constant_pad(x * x, widths)
    window_sum = padded[:, 0:channels]
    for offset in range(1, size):
        window_sum = window_sum + padded[:, offset:offset + channels]
    return x / (window_sum * (alpha / size) + k) ** beta

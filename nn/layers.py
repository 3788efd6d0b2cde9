"""Layers: ``Linear``, ``Residual``, ``Dropout``, ``AlphaDropout``, the channel-wise
``Dropout1d/2d/3d`` and ``FeatureAlphaDropout``, ``Flatten``, ``Unflatten``, ``Identity``
(and ``Sequential``, defined with the other containers in ``nn.containers``).

Every layer computes with autograd ops, so its gradients come from the engine.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import AxisError, DTypeError, ShapeError, UsageError

from . import functional as F, init
from ._checks import caller_outside_nn, integer, is_cpu
from ._random import RNGLike, as_generator, reset_from
from .containers import Sequential
from .functional.activations import check_inplace
from .functional.dropout import check_dropout_p
from .functional.linear import Affine, AffineReLU
from .module import Module, Parameter
from .errors import ArgumentTypeError, ConfigError
from .torch_dtypes import refuse_torch_dtype

__all__ = ["Linear", "Sequential", "Residual", "Dropout", "AlphaDropout", "Dropout1d",
           "Dropout2d", "Dropout3d", "FeatureAlphaDropout", "Flatten", "Unflatten",
           "Identity", "DTypePromotionWarning", "warn_wider_input"]


class DTypePromotionWarning(UserWarning):
    """Data of a wider dtype than a layer's parameters (float64 into float32): the layer
    computes in the wider dtype, correct but without the speed of the narrow one."""



def warn_wider_input(layer: Module, x: Any, own: np.dtype) -> None:
    """``DTypePromotionWarning`` when x would make ``layer``'s result wider than its
    parameters' dtype ``own`` (float64 data into a float32 model), once per layer: it
    sets ``layer._dtype_warned``, which the layer's ``forward`` reads to skip this."""
    try:
        given = x.dtype if isinstance(x, (Tensor, np.ndarray)) else np.asarray(x).dtype
    except ValueError:  # ragged lists: the layer's own conversion names the problem
        return
    if given is own or given.kind not in "biuf" or np.result_type(given, own) == own:
        return
    layer._dtype_warned = True
    warnings.warn(
        f"{layer!r} holds {own} parameters but got {given} input, so it computes in "
        f"{np.result_type(given, own)}: correct, but without the speed of {own}. Cast "
        f"the data once, e.g. x.astype(np.{own}) (scikit-learn and NumPy give float64), "
        f"or the model, model.astype(np.{given if given.kind == 'f' else 'float64'}). "
        f"(Said once per layer; PyTorch raises on this mismatch.)",
        DTypePromotionWarning, stacklevel=caller_outside_nn())


def float_dtype(dtype: Any, owner: str) -> np.dtype:
    """``dtype`` as a NumPy floating dtype, or a DTypeError naming ``owner``."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        result = None
    if result is None or result not in (np.float16, np.float32, np.float64):
        raise DTypeError(f"{owner}: parameters need a floating dtype (np.float16, "
                         f"np.float32 or np.float64); got {dtype!r}")
    return result


def factory_dtype(owner: str, device: Any, dtype: Any) -> np.dtype:
    """PyTorch's factory arguments of a layer (``device=``, ``dtype=``, in PyTorch's
    positions): the dtype its parameters and floating buffers are made in, as
    ``float_dtype`` (None is float64). The CPU is the only device here (None, "cpu",
    ``torch.device("cpu")``): another device is a ``UsageError`` naming ``owner``; a
    torch dtype a ``DTypeError`` naming its NumPy equivalent (``np.float32``)."""
    if not is_cpu(device):
        raise UsageError(f"{owner}(device={device!r}): this library computes with NumPy on "
                         f"the CPU; leave device out (or None, 'cpu')")
    refuse_torch_dtype(owner, dtype, need="Parameters need a floating dtype (np.float16, "
                                          "np.float32 or np.float64).")
    return float_dtype(dtype, owner)


class Linear(Module):
    """Affine map y = x W^T + b on the last axis of x.

    ``weight`` W has shape (out_features, in_features) and ``bias`` b (out_features,),
    as in PyTorch. Both start as U(-1/sqrt(in_features), 1/sqrt(in_features)) (PyTorch's
    default: Kaiming-uniform with a = sqrt(5) for W), drawn from ``rng``. ``device`` and
    ``dtype`` come by position too, as PyTorch's (the CPU is the only device; ``dtype=None``
    is float64).

    Input whose dtype would promote the result past the weight's dtype (float64 data,
    or ints, into a float32 layer) is computed in the wider dtype, as NumPy does, with a
    ``DTypePromotionWarning`` once per layer. PyTorch raises instead; here the answer is
    still right (only slower), and NumPy data (scikit-learn's included) is float64 by
    default, so a warning that names the fix is enough.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        dtype = factory_dtype("Linear", device, dtype)
        self.in_features = integer("Linear", "in_features", in_features, minimum=0)
        self.out_features = integer("Linear", "out_features", out_features, minimum=0)
        self._dtype_warned = False  # DTypePromotionWarning: once per layer
        # (out, in) as in PyTorch, stored in F order so that W^T is C-contiguous: with
        # OpenBLAS, x @ W^T then runs as a plain product, 5-10% off an MLP step
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype,
                                         order="F"))
        # bias=False: a registered None keeps the bias's place, as in PyTorch
        self.register_parameter("bias", Parameter(np.empty(self.out_features, dtype))
                                if bias else None)
        reset_from(self, rng)

    def reset_parameters(self, rng: RNGLike = None) -> None:
        """Draw new initial values (weight first, then bias) from ``rng``."""
        generator = as_generator(rng)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5.0), rng=generator)
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features) if self.in_features else 0.0
            init.uniform_(self.bias, -bound, bound, rng=generator)

    def forward(self, input: Any) -> Tensor:
        weight, bias = self.weight, self.bias
        if _fits(input, weight, bias):  # the training hot path: F.linear inline
            return Affine.apply(input, weight, bias)
        return self._checked_linear(input, weight, bias)

    def forward_relu(self, x: Any) -> Tensor:
        """relu(self(x)) as one graph node (``AffineReLU``; the same numbers as the two
        ops): how ``Sequential`` runs a Linear and the ReLU after it."""
        weight, bias = self.weight, self.bias  # read once: a parametrization computes them
        if _fits(x, weight, bias):
            return AffineReLU.apply(x, weight, bias)
        return F.relu(self._checked_linear(x, weight, bias))

    def _checked_linear(self, x: Any, weight: Tensor, bias: Tensor | None) -> Tensor:
        """F.linear, which converts x and checks every shape; a shape error names this
        layer. An input of another dtype than the weight's comes this way: a wider one is
        warned about first (``warn_wider_input``)."""
        if not self._dtype_warned:
            warn_wider_input(self, x, weight.dtype)
        try:
            return F.linear(x, weight, bias)
        except ShapeError:
            shape = np.shape(x.data if isinstance(x, Tensor) else x)
            if not shape or shape[-1] != self.in_features:  # say which layer it was
                raise ShapeError(
                    f"{self!r} expects inputs whose last axis has in_features="
                    f"{self.in_features} elements, shaped (..., {self.in_features}); got an "
                    f"input of shape {shape}. Check the previous layer's output size or "
                    f"flatten the input (nn.Flatten()).") from None
            raise

    def extra_repr(self) -> str:
        text = (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
        dtype = self.weight.dtype
        return text if dtype == np.float64 else f"{text}, dtype={dtype}"


def _fits(x: Any, weight: Tensor, bias: Tensor | None) -> bool:
    """Whether the affine op takes ``x`` as it is (a Tensor of the weight's dtype that
    passes F.linear's checks, nothing to convert or warn about), with a bias."""
    if type(x) is not Tensor or bias is None or x.dtype != weight.dtype:
        return False
    x_shape, w_shape = x.shape, weight.shape
    return (len(x_shape) > 0 and len(w_shape) == 2 and x_shape[-1] == w_shape[1]
            and bias.shape == w_shape[:1])


class Residual(Module):
    """Skip connection y = fn(x) + x; ``fn`` must keep the shape of its input."""

    def __init__(self, fn: Module) -> None:
        super().__init__()
        if not isinstance(fn, Module):
            raise ArgumentTypeError(f"Residual(fn) needs a Module; got {type(fn).__name__}")
        self.fn = fn

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        y = as_tensor(self.fn(x))
        if y.shape != x.shape:
            raise ShapeError(
                f"Residual: the wrapped {type(self.fn).__name__} maps shape {x.shape} to "
                f"{y.shape}, but y = fn(x) + x needs the same shape; make its output "
                f"size equal its input size.")
        return y + x


class Dropout(Module):
    """Inverted dropout: in training, y = x * m / (1 - p) with m ~ Bernoulli(1 - p)
    drawn per element, so E[y] = x; in evaluation (and for p = 0) y = x.
    p = 1 gives zeros. ``inplace`` is accepted for PyTorch compatibility: the result is
    computed out of place (same values and gradients, no memory shared with x)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, *,
                 rng: RNGLike = None) -> None:
        super().__init__()
        self.p = check_dropout_p("Dropout", p)
        self.inplace = check_inplace("Dropout", inplace)
        self.rng = as_generator(rng)

    def forward(self, input: Any) -> Any:
        if not self.training or self.p == 0.0:
            return input
        return F.dropout(input, self.p, generator=self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class AlphaDropout(Module):
    """Alpha dropout for SELU networks (PyTorch's ``nn.AlphaDropout``): in training,
    ``F.alpha_dropout`` (dropped elements set to SELU's saturation, then an affine map
    that keeps inputs of mean 0 and variance 1 so), with a mask drawn from ``rng`` as
    ``Dropout``'s; in evaluation (and for p = 0) y = x. p = 1 gives zeros."""

    def __init__(self, p: float = 0.5, inplace: bool = False, *,
                 rng: RNGLike = None) -> None:
        super().__init__()
        self.p = check_dropout_p("AlphaDropout", p)
        self.inplace = check_inplace("AlphaDropout", inplace)
        self.rng = as_generator(rng)

    def forward(self, input: Any) -> Any:
        if not self.training or self.p == 0.0:
            return input
        return F.alpha_dropout(input, self.p, True, generator=self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class _ChannelDropout(Module):
    """Channel-wise dropout: ``function(x, p, training, generator=rng)`` in both modes, so
    an input of the wrong rank is refused (or warned about) in evaluation too, as in
    PyTorch; the mask comes from ``self.rng`` (``fit``'s resume restores it)."""

    function: Any = None

    def __init__(self, p: float = 0.5, inplace: bool = False, *,
                 rng: RNGLike = None) -> None:
        super().__init__()
        self.p = check_dropout_p(type(self).__name__, p)
        self.inplace = check_inplace(type(self).__name__, inplace)
        self.rng = as_generator(rng)

    def forward(self, input: Any) -> Tensor:
        return type(self).function(input, self.p, self.training, generator=self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_ChannelDropout):
    """Zeroes whole channels x[n, c] of (N, C, L) or (C, L) input with probability p in
    training, scaling the rest by 1 / (1 - p) (``F.dropout1d``); y = x in evaluation."""

    function = staticmethod(F.dropout1d)


class Dropout2d(_ChannelDropout):
    """Zeroes whole channels of (N, C, H, W) input (``F.dropout2d``, PyTorch's rules and
    warnings for other ranks; 3-d input is read as (N, C, L)); y = x in evaluation."""

    function = staticmethod(F.dropout2d)


class Dropout3d(_ChannelDropout):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) input (``F.dropout3d``);
    y = x in evaluation."""

    function = staticmethod(F.dropout3d)


class FeatureAlphaDropout(_ChannelDropout):
    """Alpha dropout (as ``AlphaDropout``, for SELU networks) of whole channels of
    (N, C, *) input (``F.feature_alpha_dropout``); y = x in evaluation."""

    function = staticmethod(F.feature_alpha_dropout)


class Flatten(Module):
    """Merge the axes ``start_dim..end_dim`` (inclusive) into one; by default every axis
    but the batch axis: (N, d1, d2, ...) -> (N, d1 * d2 * ...)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = integer("Flatten", "start_dim", start_dim)
        self.end_dim = integer("Flatten", "end_dim", end_dim)

    def forward(self, input: Any) -> Tensor:
        x = as_tensor(input)
        ndim = max(x.ndim, 1)
        start = self.start_dim + ndim if self.start_dim < 0 else self.start_dim
        end = self.end_dim + ndim if self.end_dim < 0 else self.end_dim
        if not (0 <= start < ndim and 0 <= end < ndim) or start > end:
            raise AxisError(
                f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) does not fit "
                f"an input of shape {x.shape} ({x.ndim} axes); start_dim and end_dim must "
                f"be axes of the input with start_dim <= end_dim.")
        shape = x.shape or (1,)
        merged = math.prod(shape[start:end + 1])
        return x.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis ``dim`` into axes of sizes ``unflattened_size`` (one of them may be -1,
    inferred), the inverse of ``Flatten``: ``Unflatten(1, (C, H, W))`` takes
    (N, C*H*W) to (N, C, H, W). PyTorch's arguments; ``Tensor.unflatten`` does the work."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        self.dim = integer("Unflatten", "dim", dim)
        if not isinstance(unflattened_size, (tuple, list)):
            raise ArgumentTypeError(f"Unflatten: unflattened_size must be a tuple of ints, "
                                    f"e.g. (2, 5); got {type(unflattened_size).__name__}")
        self.unflattened_size = tuple(
            integer("Unflatten", f"unflattened_size[{i}]", n, minimum=-1)
            for i, n in enumerate(unflattened_size))
        if not self.unflattened_size:
            raise ConfigError("Unflatten: unflattened_size is empty; give the sizes the "
                              "axis is split into, e.g. (2, 5)")

    def forward(self, input: Any) -> Tensor:
        return as_tensor(input).unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Identity(Module):
    """y = x (a placeholder, e.g. to switch a layer off). As PyTorch's, it ignores any
    constructor arguments, so ``nn.Identity(*args)`` can stand in for another layer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input

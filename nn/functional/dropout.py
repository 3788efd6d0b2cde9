"""Inverted dropout as a function: ``F.dropout(x, p, training)``, which ``nn.Dropout`` calls,
and ``F.alpha_dropout``, which ``nn.AlphaDropout`` calls (for SELU networks); their
channel-wise versions ``F.dropout1d/2d/3d`` and ``F.feature_alpha_dropout``, which draw one
mask value per (sample, channel) and apply it to the whole feature map.

In training each element is kept with probability 1 - p and scaled by 1 / (1 - p), so
E[y] = x and nothing changes at evaluation: y = x * m / (1 - p), m ~ Bernoulli(1 - p);
dy/dx = m / (1 - p). The mask comes from a ``numpy.random.Generator``: the one given, or
nn's default generator (``nn.manual_seed`` resets it), so runs can be repeated.

Alpha dropout sets the dropped elements to SELU's negative saturation -alpha' instead of
0, then applies y = a * kept + b with a and b chosen so that inputs of mean 0 and
variance 1 keep them (PyTorch's rule).
"""

from __future__ import annotations

from typing import Any

import warnings

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from .._random import RNGLike, as_generator
from .._checks import caller_outside_nn, flag, real_number
from .activations import check_inplace
from .more_activations import SELU_ALPHA, SELU_SCALE

__all__ = ["dropout", "alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
           "feature_alpha_dropout", "check_dropout_p", "keep_mask"]

_SATURATION = SELU_SCALE * SELU_ALPHA  # alpha' = 1.7581: selu(x) -> -alpha' as x -> -inf


def check_dropout_p(name: str, p: Any) -> float:
    """``p`` as a float in [0, 1], or a named error (``nn._checks``' rule)."""
    return real_number(name, "p", p, minimum=0, maximum=1,
                       advice="p is the probability of zeroing an element.")


def keep_mask(shape: tuple[int, ...], p: float, dtype: np.dtype,
              generator: RNGLike = None) -> np.ndarray:
    """Inverted dropout's mask m / (1 - p), m ~ Bernoulli(1 - p) of ``shape``, drawn from
    ``generator`` (nn's default when None): the one draw every dropout here makes, so that
    a fused op given this mask drops what ``dropout`` would have dropped."""
    mask = (as_generator(generator, "generator").random(shape) >= p).astype(dtype)
    mask *= dtype.type(1.0 / (1.0 - p))
    return mask


def check_training(name: str, training: Any) -> bool:
    """``training`` as a bool, or an ArgumentTypeError naming ``name`` (a truthy string
    or number would silently drop, as PyTorch refuses)."""
    if training is True or training is False:  # the usual case, checked on every call
        return training
    return flag(name, "training", training, advice="True drops (training), False passes "
                "the input through (evaluation).")


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *,
            generator: RNGLike = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p) when
    ``training`` (PyTorch's default is True here too); x itself otherwise. ``p = 1``
    gives zeros. ``inplace`` is accepted for PyTorch compatibility: the result is
    computed out of place (same values and gradients, no memory shared with x)."""
    p = check_dropout_p("dropout", p)
    check_inplace("dropout", inplace)
    training = check_training("dropout", training)
    x = as_tensor(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return _zeros_like(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return x * keep_mask(x.shape, p, dtype, generator)


def alpha_dropout(input: Any, p: float = 0.5, training: bool = False, inplace: bool = False, *,
                  generator: RNGLike = None) -> Tensor:
    """When ``training`` (False by default, as PyTorch's ``F.alpha_dropout``): keep each
    element with probability 1 - p, set the others to -alpha' (alpha' = 1.7581, SELU's
    negative saturation), then y = a * that + a alpha' p with
    a = ((1 - p)(1 + p alpha'^2))^-1/2, so inputs of mean 0 and variance 1 keep them;
    dy/dx = a m (m the keep mask). x itself otherwise or for p = 0; p = 1 gives zeros
    (as PyTorch). ``inplace`` is accepted for PyTorch compatibility (out of place)."""
    p = check_dropout_p("alpha_dropout", p)
    check_inplace("alpha_dropout", inplace)
    training = check_training("alpha_dropout", training)
    x = as_tensor(input)
    if not training or p == 0.0:
        return x
    return _alpha_masked(x, p, generator, x.shape)


def _zeros_like(x: Tensor) -> Tensor:
    """x * 0 in x's float dtype (float64 for other input): what p = 1 gives."""
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return x * np.zeros(x.shape, dtype)


def _alpha_masked(x: Tensor, p: float, generator: RNGLike,
                  mask_shape: tuple[int, ...]) -> Tensor:
    """Alpha dropout of x (0 < p <= 1) with one keep/drop draw per entry of
    ``mask_shape``, which broadcasts to x (see ``alpha_dropout``)."""
    if p == 1.0:
        return _zeros_like(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    keep = as_generator(generator, "generator").random(mask_shape) >= p
    a = 1.0 / np.sqrt((1.0 - p) * (1.0 + p * _SATURATION ** 2))
    scale = np.where(keep, a, 0.0).astype(dtype)  # a m
    shift = (a * _SATURATION * (keep - 1.0 + p)).astype(dtype)  # -a alpha' (1 - m) + b
    return x * scale + shift


# ------------------------------------------------------------------ channel-wise
def _channel_mask_shape(name: str, shape: tuple[int, ...], batched: bool) -> tuple[int, ...]:
    """One draw per (sample, channel): the mask keeps the leading axes, N and C (only C
    for unbatched input, whose channels are axis 0), and is 1 along the others, which it
    broadcasts over. PyTorch's rule: the input, with a batch axis added if it has none,
    needs at least 2 axes."""
    lead = 2 if batched else 1
    if len(shape) + 2 - lead < 2:
        raise ShapeError(f"{name}: channel-wise dropout needs an input with a channel axis, "
                         f"(N, C, *) or (C, *); got shape {shape}. Use F.dropout to drop "
                         f"single elements.")
    return shape[:lead] + (1,) * (len(shape) - lead)


def _channel_dropout(name: str, x: Tensor, p: float, training: bool, generator: RNGLike,
                     batched: bool, alpha: bool = False) -> Tensor:
    """Dropout (or alpha dropout) of whole channels of x: see ``_channel_mask_shape``."""
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return _zeros_like(x)
    mask_shape = _channel_mask_shape(name, x.shape, batched)
    if alpha:
        return _alpha_masked(x, p, generator, mask_shape)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return x * keep_mask(mask_shape, p, dtype, generator)


def dropout1d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator: RNGLike = None) -> Tensor:
    """Channel-wise dropout of (N, C, L) or unbatched (C, L) input, as PyTorch's: when
    ``training``, each channel x[n, c] is zeroed whole with probability p and the others
    are scaled by 1 / (1 - p): y = x m / (1 - p), m ~ Bernoulli(1 - p) per channel;
    dy/dx = m / (1 - p). Any other number of axes raises ``ShapeError`` (also in
    evaluation, as PyTorch). ``generator`` and ``inplace`` as in ``dropout``."""
    p = check_dropout_p("dropout1d", p)
    check_inplace("dropout1d", inplace)
    training = check_training("dropout1d", training)
    x = as_tensor(input)
    if x.ndim not in (2, 3):
        raise ShapeError(f"dropout1d: expected 2-d (C, L) or 3-d (N, C, L) input; got shape "
                         f"{x.shape}. dropout2d and dropout3d drop channels of 2-d and 3-d "
                         f"feature maps, dropout drops single elements.")
    return _channel_dropout("dropout1d", x, p, training, generator, batched=x.ndim == 3)


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator: RNGLike = None) -> Tensor:
    """Channel-wise dropout of (N, C, H, W) or (C, H, W) input (see ``dropout1d``), with
    PyTorch's rules for the other ranks: the channels are always axis 1, so a 3-d input
    is read as (N, C, L), as PyTorch still does, with its ``UserWarning`` (pass (C, H, W)
    as x[None]); other ranks but 4 also warn, and fewer than 2 axes raise
    ``ShapeError`` when a mask is drawn."""
    p = check_dropout_p("dropout2d", p)
    check_inplace("dropout2d", inplace)
    training = check_training("dropout2d", training)
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        warnings.warn(f"dropout2d: got a {x.ndim}-d input of shape {x.shape}; dropout2d "
                      f"drops channels of (N, C, H, W) input (PyTorch deprecates other "
                      f"ranks). Use dropout for single elements, dropout1d or dropout3d "
                      f"for other feature maps.", UserWarning, stacklevel=caller_outside_nn())
    if x.ndim == 3:
        warnings.warn(f"dropout2d: got a 3-d input of shape {x.shape}, read as (N, C, L) "
                      f"with the channels on axis 1 (PyTorch's rule), not as an unbatched "
                      f"(C, H, W) image. Use dropout1d for (N, C, L), or pass x[None] for "
                      f"one image.", UserWarning, stacklevel=caller_outside_nn())
    return _channel_dropout("dropout2d", x, p, training, generator, batched=True)


def dropout3d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *,
              generator: RNGLike = None) -> Tensor:
    """Channel-wise dropout of (N, C, D, H, W) or unbatched (C, D, H, W) input (see
    ``dropout1d``). As PyTorch: any rank but 5 is read as unbatched (channels on axis 0),
    and ranks other than 4 and 5 give a ``UserWarning``; a 0-d input raises
    ``ShapeError`` when a mask is drawn."""
    p = check_dropout_p("dropout3d", p)
    check_inplace("dropout3d", inplace)
    training = check_training("dropout3d", training)
    x = as_tensor(input)
    if x.ndim not in (4, 5):
        warnings.warn(f"dropout3d: got a {x.ndim}-d input of shape {x.shape}, read as "
                      f"unbatched with the channels on axis 0; dropout3d drops channels of "
                      f"(N, C, D, H, W) or (C, D, H, W) input (PyTorch deprecates other "
                      f"ranks). Use dropout for single elements, dropout1d or dropout2d "
                      f"for other feature maps.", UserWarning, stacklevel=caller_outside_nn())
    return _channel_dropout("dropout3d", x, p, training, generator, batched=x.ndim == 5)


def feature_alpha_dropout(input: Any, p: float = 0.5, training: bool = False,
                          inplace: bool = False, *, generator: RNGLike = None) -> Tensor:
    """Alpha dropout (see ``alpha_dropout``) of whole channels: one keep/drop draw per
    (sample, channel) of (N, C, *) input, as PyTorch's ``F.feature_alpha_dropout``
    (``training`` False by default, as there; fewer than 2 axes raise ``ShapeError`` when
    a mask is drawn)."""
    p = check_dropout_p("feature_alpha_dropout", p)
    check_inplace("feature_alpha_dropout", inplace)
    training = check_training("feature_alpha_dropout", training)
    return _channel_dropout("feature_alpha_dropout", as_tensor(input), p, training, generator,
                            batched=True, alpha=True)

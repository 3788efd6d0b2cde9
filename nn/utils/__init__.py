"""Gradient utilities: norm and value clipping (``clip_grad_norm_`` is PyTorch's two
halves ``get_total_norm`` and ``clip_grads_with_norm_``, each public too) and
per-parameter gradient norms, in ``nn.utils.clip_grad`` (PyTorch's path); PyTorch's
``parameters_to_vector`` / ``vector_to_parameters``, ``skip_init`` and
``convert_conv2d_weight_memory_format`` (a no-op here). ``nn.utils.rnn`` pads and packs
sequences of different lengths for the recurrent layers. ``nn.utils.stateless`` has
``functional_call`` (``autograd.func``'s) under PyTorch's older path. ``nn.utils.prune``
prunes a module's tensors by masks (PyTorch's); ``nn.utils.fusion`` folds an evaluation
BatchNorm into the convolution or linear layer before it. ``spectral_norm`` /
``remove_spectral_norm`` and ``weight_norm`` / ``remove_weight_norm`` are PyTorch's
legacy hook-based forms of the parametrizations.
"""
from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any, TypeVar

import numpy as np

from autograd import Tensor, concatenate
from autograd.errors import DTypeError, ShapeError, UsageError
from ..errors import ArgumentTypeError, ConfigError
from ..conv import Conv2d, Conv3d
from ..conv_transpose import ConvTranspose2d, ConvTranspose3d
from ..module import Module
from . import clip_grad  # PyTorch's nn.utils.clip_grad
from .clip_grad import (check_clip_argument, clip_grad_norm, clip_grad_norm_,
                        clip_grad_value_, clip_grads_with_norm_, get_total_norm, grad_norms)
from .clip_grad import _checked_params, _is_tensor
from . import rnn  # PyTorch's nn.utils.rnn
from . import parametrize, parametrizations  # PyTorch's weight_norm, spectral_norm
from . import stateless  # PyTorch's nn.utils.stateless.functional_call
from . import prune  # PyTorch's nn.utils.prune: masks kept by forward pre-hooks
from . import fusion  # PyTorch's nn.utils.fusion: BatchNorm folded into conv / linear
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,
                     fuse_linear_bn_weights)  # also PyTorch's nn.utils names
from .spectral_norm_hook import spectral_norm, remove_spectral_norm  # PyTorch's legacy form
from .weight_norm_hook import weight_norm, remove_weight_norm  # PyTorch's legacy form

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_", "grad_norms", "check_clip_argument",
           "parameters_to_vector", "vector_to_parameters", "rnn", "parametrize",
           "parametrizations", "stateless", "prune", "fusion", "spectral_norm",
           "remove_spectral_norm", "weight_norm", "remove_weight_norm", "fuse_conv_bn_eval",
           "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights",
           "clip_grad", "skip_init", "convert_conv2d_weight_memory_format",
           "convert_conv3d_weight_memory_format"]

_M = TypeVar("_M", bound=Module)


def parameters_to_vector(parameters: Tensor | Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-d Tensor, in order (PyTorch's). It
    is computed with autograd ops, so a loss of it back-propagates into the parameters."""
    params = _checked_params("parameters_to_vector", parameters)
    if not params:
        raise ConfigError("parameters_to_vector: got no parameters (an empty iterable, or "
                          "a generator used up already); pass model.parameters()")
    return concatenate([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor | np.ndarray, parameters: Tensor | Iterable[Tensor]
                         ) -> None:
    """Copy consecutive pieces of the 1-d ``vec`` into the parameters, in place and in
    order (each keeps its array, shape and dtype): the inverse of
    ``parameters_to_vector``. Each copy counts as a write, so a graph built on the old
    values refuses to backward. ``vec`` must hold exactly as many values as the
    parameters (PyTorch ignores extra ones); the copy is not differentiable."""
    if not (_is_tensor(vec) or isinstance(vec, np.ndarray)):
        raise ArgumentTypeError(f"vector_to_parameters: vec must be a Tensor (or ndarray); "
                                f"got {type(vec).__name__}")
    values = vec if isinstance(vec, np.ndarray) else vec.data
    params = _checked_params("vector_to_parameters", parameters)
    total = sum(p.data.size for p in params)
    if values.ndim != 1 or values.size != total:
        raise ShapeError(f"vector_to_parameters: vec must be 1-d with one value per "
                         f"parameter entry, {total} here; got shape {values.shape}. Make "
                         f"it with parameters_to_vector(the same parameters).")
    if values.dtype.kind not in "biuf":
        raise DTypeError(f"vector_to_parameters: vec holds {values.dtype} data, not real "
                         f"numbers")
    start = 0
    for p in params:
        p.data[...] = values[start:start + p.data.size].reshape(p.data.shape)
        p.bump_version()  # a graph that saved the old values refuses to backward
        start += p.data.size


def skip_init(module_cls: type[_M], *args: Any, **kwargs: Any) -> _M:
    """``module_cls(*args, **kwargs)`` whose parameters and buffers are to be set by the
    caller (PyTorch's ``nn.utils.skip_init``, for a custom initialization that follows).
    PyTorch builds the module on its "meta" device and leaves the values uninitialized
    (``torch.empty``); without that device the constructor runs here as usual, so the
    values are its usual initial ones (as good as any uninitialized ones) and the time is
    not saved. As PyTorch, ``module_cls`` must take a ``device`` argument."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise ArgumentTypeError(f"skip_init: expected a Module class such as nn.Linear; "
                                f"got {module_cls!r}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise UsageError(f"skip_init: {module_cls.__name__} takes no device argument; "
                         f"PyTorch's skip_init needs one (Module must support a 'device' arg "
                         f"to skip initialization). Construct it directly: "
                         f"{module_cls.__name__}(...)")
    return module_cls(*args, **kwargs)


def convert_conv2d_weight_memory_format(module: _M, memory_format: Any) -> _M:
    """``module``, unchanged: PyTorch's ``nn.utils.convert_conv2d_weight_memory_format``
    stores the weights of the Conv2d / ConvTranspose2d layers in ``module`` in
    ``memory_format`` (channels-last, a speed choice for accelerators), which leaves every
    result as it was; every array here is row-major, so there is nothing to convert."""
    _memory_format_no_op("convert_conv2d_weight_memory_format", module, memory_format)
    _check_fits_convs("convert_conv2d_weight_memory_format", module, memory_format,
                      (Conv2d, ConvTranspose2d), "channels_last")
    return module


def convert_conv3d_weight_memory_format(module: _M, memory_format: Any) -> _M:
    """``module``, unchanged: PyTorch's ``nn.utils.convert_conv3d_weight_memory_format``,
    the Conv3d / ConvTranspose3d form of ``convert_conv2d_weight_memory_format``."""
    _memory_format_no_op("convert_conv3d_weight_memory_format", module, memory_format)
    _check_fits_convs("convert_conv3d_weight_memory_format", module, memory_format,
                      (Conv3d, ConvTranspose3d), "channels_last_3d")
    return module


def _check_fits_convs(owner: str, module: Module, memory_format: Any, kinds: tuple,
                      channels_last: str) -> None:
    """PyTorch's refusal where ``module`` holds a conv of ``kinds`` whose weight cannot
    take ``memory_format``: only ``contiguous_format`` and ``channels_last`` (the 3-d
    one for 3-d convs) are a layout of such a weight (``preserve_format`` is no layout)."""
    allowed = ("contiguous_format", channels_last)
    if str(memory_format).rpartition(".")[2] in allowed:
        return
    if any(isinstance(m, kinds) for m in module.modules()):
        raise UsageError(f"{owner}: memory_format must be autograd.{allowed[0]} or "
                         f"autograd.{allowed[1]} for the weights of "
                         f"{' / '.join(k.__name__ for k in kinds)} layers (PyTorch refuses "
                         f"the others too); got {memory_format}")


def _memory_format_no_op(owner: str, module: _M, memory_format: Any) -> _M:
    """``module``, after checking that it is a Module and ``memory_format`` one of
    ``autograd``'s (or PyTorch's) memory formats, e.g. ``autograd.channels_last``."""
    if not isinstance(module, Module):
        raise ArgumentTypeError(f"{owner}: module must be a Module (a Conv2d, or a model "
                                f"holding some); got {type(module).__name__}")
    if type(memory_format).__name__ != "memory_format":
        raise ArgumentTypeError(f"{owner}: memory_format must be a memory format such as "
                                f"autograd.channels_last or autograd.contiguous_format; got "
                                f"{memory_format!r}")
    return module

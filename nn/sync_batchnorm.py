"""PyTorch's ``nn.SyncBatchNorm``: batch normalisation whose statistics a distributed run
gathers over every process. This library trains in one process, where PyTorch's
SyncBatchNorm computes what ``BatchNorm`` computes (its CPU fallback): so does this one,
on inputs of shape (N, C, ...). ``SyncBatchNorm.convert_sync_batchnorm(model)``, the line
DDP scripts run before wrapping a model, swaps every ``BatchNorm*d`` for one, keeping its
parameters (the same objects), statistics and mode."""

from __future__ import annotations

from typing import Any

import numpy as np
from autograd import Tensor
from autograd.errors import ShapeError

from .errors import ConfigError
from .module import Module
from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of (N, C, ...) inputs per channel C, as ``BatchNorm1d/2d/3d``
    (see ``_BatchNorm``); ``process_group`` must be None (one process)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = np.float64,
                 *, bias: bool = True) -> None:
        _one_process(process_group)
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = None

    def _check_input(self, x: Tensor) -> None:
        if x.ndim < 2 or x.shape[1] != self.num_features:
            raise ShapeError(
                f"{self!r} expects inputs of shape (N, {self.num_features}, ...) "
                f"(num_features={self.num_features} channels on axis 1); got shape "
                f"{x.shape}.")

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with every ``BatchNorm1d/2d/3d`` in it (itself included) replaced
        by a SyncBatchNorm holding the same parameters, buffers and training mode; the
        other modules are kept, their children replaced in place (as PyTorch's)."""
        _one_process(process_group)
        converted = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum,
                            module.affine, module.track_running_stats,
                            dtype=_dtype_of(module), bias=module.bias is not None)
            if module.affine:
                converted.weight = module.weight
                converted.bias = module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                converted.register_buffer(name, getattr(module, name))
            converted.train(module.training)
        for name, child in module.named_children():
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted


def _dtype_of(bn: _BatchNorm) -> Any:
    """The floating dtype of a batch norm's parameters or statistics."""
    tensor = bn.weight if bn.weight is not None else bn.running_mean
    return tensor.dtype if tensor is not None else np.float64


def _one_process(process_group: Any) -> None:
    if process_group is not None:
        raise ConfigError(
            f"SyncBatchNorm: process_group={process_group!r} names a distributed group; "
            f"this library trains in one process, where SyncBatchNorm is BatchNorm. "
            f"Leave process_group=None.")

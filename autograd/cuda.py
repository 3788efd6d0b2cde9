"""``autograd.cuda``: PyTorch's ``torch.cuda`` device test, answered for an engine that
computes with NumPy on the CPU, so ``device = 'cuda' if torch.cuda.is_available() else
'cpu'`` is written as it is, and its seeding calls, which PyTorch ignores without a GPU, do
nothing, as does ``empty_cache()``. Every other name under it is a ``MissingNameError`` saying
so (and what to write instead)."""

from __future__ import annotations

import functools
import types
from typing import Any

from . import amp as _amp
from .errors import module_attribute_error

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "empty_cache",
           "amp"]

_CPU = ("this engine computes with NumPy on the CPU, and autograd.cuda has only "
        "is_available() (False), device_count() (0), the seeding calls and empty_cache() "
        "(no-ops): "
        "write device = 'cpu'")


def is_available() -> bool:
    """Whether a CUDA device can be used: never here (False)."""
    return False


def device_count() -> int:
    """The number of CUDA devices: 0."""
    return 0


def manual_seed(seed: int) -> None:
    """Nothing: there is no GPU generator. PyTorch's is "silently ignored" without CUDA,
    so a script's ``set_seed`` (``torch.manual_seed(s); torch.cuda.manual_seed(s)``) runs
    as written; ``autograd.manual_seed`` seeds every draw here."""


def manual_seed_all(seed: int) -> None:
    """Nothing, as ``manual_seed`` (PyTorch's seeds every GPU, none here)."""


def empty_cache() -> None:
    """Nothing: there is no GPU memory cache. PyTorch's releases cached CUDA blocks and does
    nothing while CUDA is not initialised (always so without a GPU), so a ``clean_mem()``
    that ends with ``torch.cuda.empty_cache()`` runs as written."""


def _cuda_grad_scaler(init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                      backoff_factor: float = 0.5, growth_interval: int = 2000,
                      enabled: bool = True) -> _amp.GradScaler:
    """``torch.cuda.amp.GradScaler(...)``: ``autograd.amp.GradScaler("cuda", ...)``, which
    warns and disables itself when enabled (there is no GPU)."""
    return _amp.GradScaler("cuda", init_scale, growth_factor, backoff_factor,
                           growth_interval, enabled)


def _cuda_autocast(enabled: bool = True, dtype: Any = None,
                   cache_enabled: bool = True) -> _amp.autocast:
    """``torch.cuda.amp.autocast(...)``: ``autograd.autocast("cuda", ...)``, which warns
    and disables itself when enabled (there is no GPU)."""
    return _amp.autocast("cuda", dtype, enabled, cache_enabled)


amp = types.SimpleNamespace(GradScaler=_cuda_grad_scaler, autocast=_cuda_autocast,
                            custom_fwd=functools.partial(_amp.custom_fwd, device_type="cuda"),
                            custom_bwd=functools.partial(_amp.custom_bwd, device_type="cuda"))
amp.__doc__ = ("torch.cuda.amp's GradScaler, autocast, custom_fwd and custom_bwd, for a "
               "machine without a GPU.")


def __getattr__(name: str) -> object:
    """Any other ``torch.cuda`` name: a ``MissingNameError`` (an AttributeError)."""
    raise module_attribute_error("autograd.cuda", name, _CPU)

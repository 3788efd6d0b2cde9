"""PyTorch's process-level calls that scripts make before any tensor, where the answer
here is known: ``is_tensor(x)``, ``compile(model)`` (the model itself: everything runs
eagerly), ``set_default_dtype(torch.float64)`` (already the default),
``set_float32_matmul_precision("high")`` (NumPy's float32 products are float32 throughout)
and the pre-0.4 ``Variable(t, requires_grad=True)``. Each does what PyTorch's does on a
CPU, or says why it cannot."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from ._arrays import as_dtype
from .dtypes import get_default_dtype
from .errors import DTypeError, UnsupportedError, UsageError
from .tensor import Tensor

# ``compile`` is not in __all__: ``autograd.__getattr__`` hands it out, so that
# ``from autograd import *`` keeps Python's own compile()
__all__ = ["is_tensor", "set_default_dtype", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "Variable"]


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a Tensor (a Parameter too), as ``isinstance(obj, Tensor)``."""
    return isinstance(obj, Tensor)


def compile(model: Callable | None = None, *, fullgraph: bool = False,  # noqa: A001
            dynamic: bool | None = None, backend: Any = "inductor", mode: str | None = None,
            options: dict | None = None, disable: bool = False) -> Any:
    """``torch.compile``: ``model`` (a Module or a function) itself, which computes what a
    compiled one would; there is no compiler here, every op runs eagerly with NumPy.
    Without ``model`` it is a decorator (``@compile`` or ``@compile(mode=...)``). The
    state_dict keys stay the model's own (PyTorch's wrapper prefixes ``_orig_mod.``)."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise UsageError(f"compile: expected a Module or a function; got "
                                            f"{type(model).__name__}")
    return model


def set_default_dtype(d: Any) -> None:
    """``torch.set_default_dtype``: float64 is accepted (it is the default here already:
    Python floats, the creation functions and nn's parameters are float64); another float
    dtype is an ``UnsupportedError``, because the default is fixed. What is not a float
    dtype (None, "x", int64) is a ``DTypeError``, as PyTorch's TypeError."""
    dtype = None if d is None else as_dtype(d, "set_default_dtype")
    if dtype is None or dtype.kind != "f":
        raise DTypeError(f"set_default_dtype: expected a float dtype (autograd.float64); got "
                         f"{dtype}. PyTorch takes only floating-point types as the default.")
    if dtype != np.dtype(get_default_dtype()):
        raise UnsupportedError(
            f"set_default_dtype({dtype.name}): the default dtype is fixed here, float64 "
            f"(as PyTorch's after set_default_dtype(torch.float64)). Pass dtype= where it "
            f"matters: nn's layers take dtype= (or model.float()), tensors keep their "
            f"data's dtype (autograd.tensor(x, dtype=autograd.float32)).")


_PRECISIONS = ("highest", "high", "medium")
_MATMUL_PRECISION = ["highest"]  # the setting, as PyTorch keeps it for the process


def set_float32_matmul_precision(precision: str) -> None:
    """``torch.set_float32_matmul_precision``: "high" and "medium" allow faster, less
    precise float32 products (TF32, bfloat16) where hardware has them; NumPy computes
    them in float32 throughout, which each setting allows, so only the name is kept."""
    if precision not in _PRECISIONS:
        raise UsageError(f"set_float32_matmul_precision: expected one of "
                            f"{', '.join(map(repr, _PRECISIONS))}; got {precision!r}")
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision() -> str:
    """The name last given to ``set_float32_matmul_precision`` ("highest" at first)."""
    return _MATMUL_PRECISION[0]


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """PyTorch's pre-0.4 wrapper, ``torch.autograd.Variable(t, requires_grad=False)``,
    which a Tensor is now: a new leaf sharing ``t``'s memory (``t.detach()``), requiring
    grad as asked. As PyTorch's, ``data`` must be a Tensor and ``volatile`` warns and does
    nothing (write ``with no_grad():``)."""
    if not isinstance(data, Tensor):
        raise UsageError(f"Variable: data has to be a Tensor, got {type(data).__name__}; "
                            f"autograd.tensor(data, requires_grad=...) makes one")
    if volatile:
        warnings.warn("Variable: volatile was removed and has no effect; use "
                      "`with autograd.no_grad():` instead", UserWarning, stacklevel=2)
    return data.detach().requires_grad_(bool(requires_grad))

"""A clear error for a torch dtype (``dtype=torch.float32``) given where ``nn`` takes a
dtype: this library computes with NumPy, whose dtypes ``autograd`` names as PyTorch does
(``autograd.float32`` is ``np.float32``), so the message names that equivalent, as
``autograd``'s creation functions do for a torch dtype.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd.errors import DTypeError

__all__ = ["is_torch_dtype", "refuse_torch_dtype"]


def is_torch_dtype(dtype: Any) -> bool:
    """True for a ``torch.dtype`` (told by its type's module, so torch is not imported)."""
    return type(dtype).__module__ == "torch"


def refuse_torch_dtype(owner: str, dtype: Any, need: str = "") -> None:
    """A DTypeError naming ``owner`` if ``dtype`` is a torch dtype, saying which NumPy
    dtype stands for it, then ``need`` (what ``owner`` takes, a sentence); nothing
    otherwise."""
    if not is_torch_dtype(dtype):
        return
    name = str(dtype).removeprefix("torch.")  # torch.float is "torch.float32"
    try:
        same = np.dtype(name)
    except TypeError:  # bfloat16, the float8s...: NumPy has none of them
        same = None
    if same is None or same.kind not in "biuf":
        fix = ("this library has no equivalent of it (it holds bool, integer and float "
               "dtypes); pick one such as np.float32")
    elif hasattr(autograd, name):
        fix = f"its equivalent here is autograd.{name} (np.{same.type.__name__})"
    else:
        fix = f"its equivalent here is np.{same.type.__name__}"
    raise DTypeError(f"{owner}: dtype={dtype} is a torch dtype, which this library does "
                     f"not use (it computes with NumPy); {fix}." + (f" {need}" if need else ""))

"""PyTorch's legacy tensor type names as strings (``x.type('torch.FloatTensor')``, as older
scripts cast), read as the NumPy dtype they stand for; anything else is passed on."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import UsageError

__all__ = ["TYPE_NAMES", "dtype_of_type_name"]

TYPE_NAMES = {"torch.FloatTensor": np.float32, "torch.DoubleTensor": np.float64,
              "torch.HalfTensor": np.float16, "torch.LongTensor": np.int64,
              "torch.IntTensor": np.int32, "torch.ShortTensor": np.int16,
              "torch.CharTensor": np.int8, "torch.ByteTensor": np.uint8,
              "torch.BoolTensor": np.bool_}
"""Each 'torch.XTensor' name and the dtype of its tensors."""


def dtype_of_type_name(dtype: Any) -> Any:
    """The dtype a 'torch.XTensor' string names; a 'torch.cuda.' name is a ``UsageError``
    (no GPU here); any other value unchanged (a dtype, or a legacy type class)."""
    if isinstance(dtype, str) and dtype.startswith("torch.cuda."):
        raise UsageError(f"type({dtype!r}): there is no GPU here; this engine computes with "
                         f"NumPy on the CPU. Use {dtype.replace('.cuda', '')!r} or a dtype")
    return TYPE_NAMES.get(dtype, dtype) if isinstance(dtype, str) else dtype

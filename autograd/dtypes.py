"""PyTorch's dtype names, as the NumPy types they stand for: ``dtype=autograd.long`` is
``dtype=np.int64``, as ``dtype=torch.long`` is int64 in PyTorch.

Not ``float``, ``int`` and ``bool`` (``torch.float`` is float32): under those names
``from autograd import *`` would replace Python's own, and ``float(x)`` would round to
float32. Write ``autograd.float32``, ``int32`` or ``np.bool_``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["float16", "float32", "float64", "half", "double", "int8", "int16", "int32",
           "int64", "short", "long", "uint8"]

float16 = half = np.float16
float32 = np.float32
float64 = double = np.float64
int8 = np.int8
int16 = short = np.int16
int32 = np.int32
int64 = long = np.int64
uint8 = np.uint8

"""PyTorch's module-level constants: ``torch.pi``, ``torch.e``, ``torch.inf``, ``torch.nan``.

Python floats, as PyTorch's (``math.pi``...), so ``x * autograd.pi`` keeps x's dtype."""

from __future__ import annotations

import math

__all__ = ["e", "inf", "nan", "pi"]

pi: float = math.pi  # 3.14159..., the ratio of a circle's circumference to its diameter
e: float = math.e  # 2.71828..., exp(1)
inf: float = math.inf  # positive infinity
nan: float = math.nan  # not a number

"""Refuse NumPy 1.x at import time, before anything silently computes in the wrong dtype.

The engine relies on NumPy 2's promotion rules (NEP 50): a Python number combined with a
float32 array or scalar stays float32. Under NumPy 1.x, ``np.float32(1) * 2.0`` is
float64, so float32 graphs with 0-d results would quietly become float64.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_numpy_version"]


def check_numpy_version(version: str) -> None:
    """Raise ImportError for a NumPy version before 2.0."""
    if int(version.split(".")[0]) < 2:
        raise ImportError(
            f"autograd needs NumPy >= 2.0, found {version}: with NumPy 1.x, float32 scalars "
            f"combined with Python numbers become float64, so float32 graphs would not stay "
            f"float32. Upgrade it: pip install 'numpy>=2'.")


check_numpy_version(np.__version__)

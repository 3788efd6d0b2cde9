"""PyTorch's ``set_num_threads(n)`` / ``get_num_threads()``: here the only thread pool is
the BLAS library's under NumPy (matrix products, solves), which threadpoolctl (an optional
package, in the "examples" extra) controls. ``set_num_threads(1)`` holds for the rest of
the process, as PyTorch's, until the next call."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np  # (loaded first: threadpoolctl finds the BLAS libraries loaded)

from .errors import MissingDependencyError, UsageError

__all__ = ["set_num_threads", "get_num_threads"]


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads in NumPy's BLAS from now on (a positive int)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise UsageError(f"set_num_threads: expected a positive int; got {n!r}")
    _threadpoolctl("set_num_threads").threadpool_limits(limits=int(n), user_api="blas")


def get_num_threads() -> int:
    """The number of threads NumPy's BLAS uses (the largest, if several are loaded)."""
    found = _threadpoolctl("get_num_threads").threadpool_info()
    return max((lib["num_threads"] for lib in found if lib["user_api"] == "blas"), default=1)


def _threadpoolctl(caller: str) -> Any:
    try:
        return importlib.import_module("threadpoolctl")
    except ImportError as exc:
        raise MissingDependencyError(
            f"{caller} controls NumPy's BLAS threads through the optional package "
            f"'threadpoolctl', which is not installed. Install it with `pip install "
            f"threadpoolctl`, or the extras with `pip install -e \".[examples]\"` from a "
            f"checkout of this project.") from exc

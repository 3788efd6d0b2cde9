"""One BLAS thread (or ``n``): threadpoolctl when installed, else the environment
variables OpenBLAS, MKL and OpenMP read when they load, which must be set before NumPy
is imported. This module imports no NumPy."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from typing import ContextManager

__all__ = ["THREAD_VARIABLES", "set_thread_variables", "limit_threads"]

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def set_thread_variables(n: int) -> str:
    """Set the thread variables to ``n`` (inherited by subprocesses too); return a note
    when NumPy was already imported, so that they may come too late for this process."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(n)
    if "numpy" in sys.modules and importlib.util.find_spec("threadpoolctl") is None:
        return ("NumPy was imported before the thread count was set and threadpoolctl "
                "is not installed: BLAS may use more threads than asked")
    return ""


def limit_threads(n: int) -> ContextManager:
    """A context that holds every BLAS/OpenMP pool of this process at ``n`` threads
    (threadpoolctl), or does nothing when threadpoolctl is not installed (the variables
    set by ``set_thread_variables`` then do the work)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n)

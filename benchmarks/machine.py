"""What the figures were measured on: CPU, cores, BLAS (threadpoolctl), versions."""

from __future__ import annotations

import os
import platform
from importlib import metadata
import sys
from typing import Any

import numpy as np

__all__ = ["describe", "summary"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas() -> list[dict[str, Any]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed (pip install threadpoolctl)"}]
    keys = ("user_api", "internal_api", "version", "architecture", "threading_layer",
            "num_threads", "prefix")
    return [{k: pool.get(k) for k in keys if k in pool} for pool in threadpool_info()]


def describe() -> dict[str, Any]:
    """The machine and the software versions, as a JSON-ready dict."""
    try:  # the installed version, without importing it (a slow import, its own pools)
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = None
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "platform": platform.platform(),
            "python": sys.version.split()[0], "numpy": np.__version__,
            "torch": torch_version, "blas": _blas()}


def summary(info: dict[str, Any]) -> str:
    """One line per fact, for the top of a run."""
    blas = "; ".join(
        f"{p.get('internal_api', '?')} {p.get('version', '')} {p.get('architecture', '')}"
        f" ({p.get('user_api', '')})".strip() if "note" not in p else p["note"]
        for p in info["blas"])
    return (f"CPU {info['cpu']}, {info['cores']} cores; Python {info['python']}, "
            f"NumPy {info['numpy']}, PyTorch {info['torch'] or 'not installed'}\n"
            f"BLAS: {blas}")

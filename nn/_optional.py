"""Optional dependencies (scikit-learn, tqdm, matplotlib, threadpoolctl): imported only
where they are used, with an error that names the extra to install."""
from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependencyError

__all__ = ["MissingDependencyError", "require"]


def require(module: str, purpose: str, extra: str = "examples") -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` saying how to get it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = {"sklearn": "scikit-learn"}.get(module, module)
        raise MissingDependencyError(
            f"{purpose} needs the optional package '{package}', which is not installed. "
            f"Install it with `pip install {package}`, or all the extras with "
            f'`pip install -e ".[{extra}]"` from a checkout of this project.') from exc

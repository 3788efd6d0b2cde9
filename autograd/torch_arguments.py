"""PyTorch's keyword names beside NumPy's, for the methods that take both (``p=`` for
``ord=`` in ``norm``, ``dims=`` for ``axis=`` in ``flip``...). Giving two spellings of one
argument is an error that names them.
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError

__all__ = ["pick_one"]


def pick_one(op: str, default: Any = None, **spellings: Any) -> Any:
    """The one of ``spellings`` (NumPy's name first, then PyTorch's) that was given, else
    ``default``; two given is a ``UsageError`` naming them."""
    given = {name: value for name, value in spellings.items() if value is not None}
    if len(given) > 1:
        names = " and ".join(f"{name}={value!r}" for name, value in given.items())
        raise UsageError(f"{op}: got {names}; they are names of one argument (NumPy's and "
                         f"PyTorch's). Pass only one.")
    return next(iter(given.values()), default)

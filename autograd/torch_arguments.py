"""PyTorch's keyword names beside NumPy's, for the methods that take both (``p=`` for
``ord=`` in ``norm``, ``dims=`` for ``axis=`` in ``flip``...). Giving two spellings of one
argument is an error that names them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError, UsageError

__all__ = ["pick_one", "tile_reps"]


def pick_one(op: str, default: Any = None, **spellings: Any) -> Any:
    """The one of ``spellings`` (NumPy's name first, then PyTorch's) that was given, else
    ``default``; two given is a ``UsageError`` naming them."""
    given = {name: value for name, value in spellings.items() if value is not None}
    if len(given) > 1:
        names = " and ".join(f"{name}={value!r}" for name, value in given.items())
        raise UsageError(f"{op}: got {names}; they are names of one argument (NumPy's and "
                         f"PyTorch's). Pass only one.")
    return next(iter(given.values()), default)


def tile_reps(reps: Any, more: tuple) -> Any:
    """``tile``'s repetitions: NumPy's one int or sequence, or PyTorch's separate ints
    (``x.tile(2, 1)`` is ``x.tile((2, 1))``)."""
    if reps is None:
        raise UsageError("tile: needs the repetitions per axis (reps, or PyTorch's dims=), "
                         "e.g. x.tile((2, 1)) or x.tile(2, 1); got none")
    if not more:
        return reps
    if np.ndim(reps) != 0:
        raise ShapeError(f"tile: got the sequence {reps!r} followed by {more!r}; pass the "
                         f"repetitions either as one sequence or as separate ints")
    return (reps,) + more

"""``autograd.testing``: ``assert_close`` (PyTorch's ``torch.testing.assert_close``) and
the hypothesis strategies the test suite uses, for your own property tests.

``assert_close`` works without hypothesis; the strategies (``shapes``, ``arrays``,
``tensors``, ``domain``, ...; see ``strategies.py``) need it, and reaching for one
without it raises ``MissingDependencyError`` naming what to install. ``import autograd``
imports neither; ``autograd.testing`` is imported on first use, as ``torch.testing``.
"""

from __future__ import annotations

from ..errors import MissingDependencyError
from .comparison import assert_close

__all__ = ["assert_close", "shapes", "broadcastable_shapes", "arrays", "tensors", "axes",
           "index_expressions", "domain", "DOMAINS", "CLIP_BOUNDS", "GRID_SPACING"]

try:
    from .strategies import (CLIP_BOUNDS, DOMAINS, GRID_SPACING, arrays, axes,
                             broadcastable_shapes, domain, index_expressions, shapes, tensors)
except MissingDependencyError as missing:  # hypothesis is not installed
    _MISSING: MissingDependencyError | None = missing
else:
    _MISSING = None


def __getattr__(name: str) -> object:
    """A strategy without hypothesis installed: the ``MissingDependencyError``."""
    if name in __all__ and _MISSING is not None:
        raise MissingDependencyError(str(_MISSING)) from _MISSING
    raise AttributeError(f"module 'autograd.testing' has no attribute {name!r}")

"""The engine's ops: each a ``Function`` with its forward and VJP, grouped by kind.

Ops know nothing about ``Tensor`` (they are the layer below it): ``Tensor``'s operators
and methods apply them (``autograd.tensor_math``), and ``autograd.functions`` gives the
public functions.
"""

from . import arithmetic, elementwise, generic, linalg, reductions, shape

__all__ = ["arithmetic", "elementwise", "generic", "linalg", "reductions", "shape"]

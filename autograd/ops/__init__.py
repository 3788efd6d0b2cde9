"""The engine's ops: each a ``Function`` with its forward and VJP, grouped by kind.

Ops know nothing about ``Tensor`` (they are the layer below it): ``Tensor``'s operators
and methods apply them (``autograd.tensor_math``, ``autograd.tensor_methods``), and
``autograd.functions`` / ``autograd.more_functions`` give the public functions.
"""

from . import (arithmetic, decompositions, einsum, elementwise, generic, indexing, linalg,
               linalg_more, reductions, scans, shape, special, trig)

__all__ = ["arithmetic", "elementwise", "generic", "linalg", "reductions", "shape", "trig",
           "special", "scans", "indexing", "linalg_more", "einsum", "decompositions"]

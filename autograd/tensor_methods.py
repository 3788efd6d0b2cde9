"""``OpMethods``: the Tensor methods of the ops (``x.sin()``, ``x.sum(dim=1)``,
``x.at[i].set(v)``...), a mixin of ``Tensor``. Each method calls the function of the same
name in ``autograd.ops``; see there for the math.

Axis arguments accept NumPy's ``axis=`` and PyTorch's ``dim=`` (and ``keepdims=`` /
``keepdim=``). Where NumPy and PyTorch disagree, NumPy wins: ``repeat`` repeats elements
(``np.repeat``; PyTorch's ``repeat`` is ``tile``) and ``max(axis)`` returns values only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OpMethods"]


class OpMethods:
    """The op methods of ``Tensor`` (a mixin: Tensor is the only subclass)."""

    __slots__ = ()

    # ------------------------------------------------------------ elementwise
    def sin(self) -> Any: return _ops.sin(self)
    def cos(self) -> Any: return _ops.cos(self)
    def tan(self) -> Any: return _ops.tan(self)
    def arcsin(self) -> Any: return _ops.arcsin(self)
    def arccos(self) -> Any: return _ops.arccos(self)
    def arctan(self) -> Any: return _ops.arctan(self)
    def sinh(self) -> Any: return _ops.sinh(self)
    def cosh(self) -> Any: return _ops.cosh(self)
    def log1p(self) -> Any: return _ops.log1p(self)
    def expm1(self) -> Any: return _ops.expm1(self)
    def log2(self) -> Any: return _ops.log2(self)
    def log10(self) -> Any: return _ops.log10(self)
    def square(self) -> Any: return _ops.square(self)
    def reciprocal(self) -> Any: return _ops.reciprocal(self)
    def erf(self) -> Any: return _ops.erf(self)
    def softplus(self) -> Any: return _ops.softplus(self)
    def sign(self) -> Any: return _ops.sign(self)
    def floor(self) -> Any: return _ops.floor(self)
    def ceil(self) -> Any: return _ops.ceil(self)
    def round(self, decimals: int = 0) -> Any: return _ops.round(self, decimals)

    # ------------------------------------------------------------ reductions and scans
    def sum(self, axis: Any = None, keepdims: bool = False, **dim: Any) -> Any:
        return _ops.sum(self, axis, keepdims, **dim)

    def mean(self, axis: Any = None, keepdims: bool = False, **dim: Any) -> Any:
        return _ops.mean(self, axis, keepdims, **dim)

    def var(self, axis: Any = None, keepdims: bool = False, ddof: int = 0, **dim: Any) -> Any:
        return _ops.var(self, axis, keepdims, ddof, **dim)

    def std(self, axis: Any = None, keepdims: bool = False, ddof: int = 0, **dim: Any) -> Any:
        return _ops.std(self, axis, keepdims, ddof, **dim)

    def max(self, axis: Any = None, keepdims: bool = False, **dim: Any) -> Any:
        return _ops.max(self, axis, keepdims, **dim)

    def min(self, axis: Any = None, keepdims: bool = False, **dim: Any) -> Any:
        return _ops.min(self, axis, keepdims, **dim)

    def logsumexp(self, axis: Any = None, keepdims: bool = False, **dim: Any) -> Any:
        return _ops.logsumexp(self, axis, keepdims, **dim)

    def prod(self, axis: Any = None, keepdims: bool = False, **dim: Any) -> Any:
        return _ops.prod(self, axis, keepdims, **dim)

    def softmax(self, axis: int = -1, **dim: Any) -> Any:
        return _ops.softmax(self, axis, **dim)

    def log_softmax(self, axis: int = -1, **dim: Any) -> Any:
        return _ops.log_softmax(self, axis, **dim)

    def cumsum(self, axis: Any = None, **dim: Any) -> Any:
        return _ops.cumsum(self, axis, **dim)

    def cumprod(self, axis: Any = None, **dim: Any) -> Any:
        return _ops.cumprod(self, axis, **dim)

    def norm(self, ord: Any = None, axis: Any = None, keepdims: bool = False,  # noqa: A002
             **dim: Any) -> Any:
        return _ops.norm(self, ord, axis, keepdims, **dim)

    def argmax(self, axis: Any = None, keepdims: bool = False, **dim: Any) -> Any:
        return _ops.argmax(self, axis, keepdims, **dim)

    def argmin(self, axis: Any = None, keepdims: bool = False, **dim: Any) -> Any:
        return _ops.argmin(self, axis, keepdims, **dim)

    def sort(self, axis: Any = -1, descending: bool = False, **dim: Any) -> Any:
        """Sorted values (a new tensor; NumPy's ``ndarray.sort`` sorts in place)."""
        return _ops.sort(self, axis, descending, **dim)

    def argsort(self, axis: Any = -1, descending: bool = False, **dim: Any) -> Any:
        return _ops.argsort(self, axis, descending, **dim)

    # ------------------------------------------------------------ linear algebra
    def dot(self, other: Any) -> Any: return _ops.dot(self, other)
    def outer(self, other: Any) -> Any: return _ops.outer(self, other)
    def det(self) -> Any: return _ops.det(self)
    def inv(self) -> Any: return _ops.inv(self)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
        return _ops.trace(self, offset, axis1, axis2)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
        return _ops.diagonal(self, offset, axis1, axis2)

    # ------------------------------------------------------------ shape and indexing
    def transpose(self, *axes: Any) -> Any:
        """Axes permuted as ``axes`` (all of them), reversed when none are given."""
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return _ops.transpose(self, axes if axes != () else None)

    def expand_dims(self, axis: Any = None, **dim: Any) -> Any:
        return _ops.expand_dims(self, _ops.pick_axis(axis, dim.get("dim"), "expand_dims"))

    def unsqueeze(self, dim: int) -> Any:
        """A size-1 axis inserted at ``dim`` (PyTorch's name for expand_dims)."""
        return _ops.expand_dims(self, dim)

    def squeeze(self, axis: Any = None, **dim: Any) -> Any:
        return _ops.squeeze(self, _ops.pick_axis(axis, dim.get("dim"), "squeeze"))

    def flip(self, axis: Any = None, **dim: Any) -> Any:
        return _ops.flip(self, axis, **dim)

    def roll(self, shift: Any, axis: Any = None, **dim: Any) -> Any:
        return _ops.roll(self, shift, axis, **dim)

    def tile(self, reps: Any) -> Any: return _ops.tile(self, reps)

    def repeat(self, repeats: Any, axis: Any = None, **dim: Any) -> Any:
        """Each element repeated (``np.repeat``; PyTorch's ``repeat`` is ``tile``)."""
        return _ops.repeat(self, repeats, axis, **dim)

    def tril(self, k: int = 0) -> Any: return _ops.tril(self, k)
    def triu(self, k: int = 0) -> Any: return _ops.triu(self, k)

    def take_along_axis(self, indices: Any, axis: Any = None, **dim: Any) -> Any:
        return _ops.take_along_axis(self, indices, axis, **dim)

    @property
    def at(self) -> Any:
        """Functional updates: ``x.at[index].set(v)`` and ``.add(v)`` return new tensors
        (differentiable in x and v); x is unchanged."""
        return _ops.At(self)

    # ------------------------------------------------------------ conversion
    def tolist(self) -> Any:
        """The data as nested Python lists of Python numbers (a number for 0-d)."""
        return self.data.tolist()  # type: ignore[attr-defined]


#: ``autograd.ops``, bound by ``autograd.tensor`` once the ops are imported (they import
#: Tensor, which is built on this mixin, so this module cannot import them first).
_ops: Any = None

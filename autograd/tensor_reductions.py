"""``Reductions``: the Tensor methods that reduce over axes (``sum``, ``mean``, ``var``,
``std``, ``max``, ``min``, ``logsumexp``) and the softmaxes along one axis, a mixin of
``Tensor`` beside ``TensorMath``.

``max``/``min`` follow the library that the call is spelled in: NumPy's ``x.max(1)`` or
``x.max(axis=1)`` gives the values; PyTorch's ``x.max(dim=1)`` or ``x.max(1, keepdim=True)``
gives PyTorch's pair ``(values, indices)``, so ``pred = out.max(dim=1)[1]`` and
``_, pred = out.max(1, keepdim=True)`` mean what they mean in PyTorch.

Each accepts NumPy's ``axis=``/``keepdims=`` and PyTorch's ``dim=``/``keepdim=`` (see
``ops.reductions.pick_axis``). ``sum``, ``max``, ``min``, ``logsumexp`` and the softmaxes
apply one op of ``ops.reductions``; ``mean`` and ``var`` are compositions of other methods.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ._arrays import as_dtype
from .errors import DTypeError, UsageError
from .function import apply
from .ops.reductions import (LogSoftmax, LogSumExp, Max, Min, Softmax, StdSqrt, Sum,
                             pick_axis, pick_ddof, pick_keepdims, reduced_count)

__all__ = ["Reductions", "ValuesIndices"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class ValuesIndices(NamedTuple):
    """PyTorch's pair from ``max(dim=)``, ``min(dim=)``, ``sort(dim=)`` and ``topk``:
    ``values, indices = x.max(dim=1)``; ``x.max(dim=1).indices`` by name."""
    values: AnyTensor
    indices: AnyTensor


def spelled_as_torch(axis: Any, dim: Any, keepdim: bool | None) -> bool:
    """Whether ``max``/``min`` were called PyTorch's way for one axis: ``dim=``, or an
    axis with PyTorch's ``keepdim=``. PyTorch's ``max(dim)`` gives (values, indices),
    NumPy's ``max(axis)`` the values."""
    return dim is not None or (keepdim is not None and axis is not None)


class Reductions:
    """Reductions and softmaxes (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()

    def _in_dtype(self, dtype: Any, op: str) -> AnyTensor:
        """self as ``dtype`` for ``op(dtype=...)``; a non-float dtype of a tensor that
        requires grad is refused naming ``op`` (the result could carry no gradient)."""
        dtype = as_dtype(dtype, f"{op}(dtype=...)")
        if self._requires_grad and dtype.kind != "f":
            raise DTypeError(f"{op}(dtype={dtype}) of a tensor that requires grad: a {dtype} "
                             f"result could carry no gradient. Use a float dtype, or "
                             f"x.detach().{op}(dtype={dtype}) for a constant.")
        return self.astype(dtype)

    # (axis= or PyTorch's dim=, keepdims= or keepdim=: see ops.reductions.pick_axis)
    def sum(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None, dtype: Any = None) -> AnyTensor:
        """Sum over ``axis`` (NumPy semantics), computed in ``dtype`` when given (and
        returned in it: NumPy's sum would promote small integers and bools)."""
        if dtype is not None:
            total = self._in_dtype(dtype, "sum").sum(axis, keepdims, dim=dim, keepdim=keepdim)
            return total if total.dtype == dtype else total.astype(dtype)
        return apply(Sum(pick_axis(axis, dim, "sum"), pick_keepdims(keepdims, keepdim, "sum")),
                     self)

    def mean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None, dtype: Any = None) -> AnyTensor:
        """sum / n over ``axis``, computed in ``dtype`` when given (an integer dtype
        truncates the mean toward zero, as NumPy)."""
        axis, keepdims = pick_axis(axis, dim, "mean"), pick_keepdims(keepdims, keepdim, "mean")
        n = reduced_count(self._data.shape, axis, "mean")
        if dtype is not None:
            average = self._in_dtype(dtype, "mean").sum(axis, keepdims) / n
            return average if average.dtype == dtype else average.astype(dtype)
        return self.sum(axis, keepdims) / n

    def var(self, axis: Any = None, keepdims: bool = False, ddof: int = 0, *, dim: Any = None,
            keepdim: bool | None = None, correction: int | None = None,
            unbiased: bool | None = None) -> AnyTensor:
        """sum((x - mean)^2) / max(n - ddof, 0); ddof=0 as NumPy (population), and as
        NumPy's, ddof >= n gives inf (or NaN for 0 / 0). PyTorch's ``correction=`` (its
        ddof) and ``unbiased=`` (ddof 1 or 0) are accepted too."""
        axis, keepdims = pick_axis(axis, dim, "var"), pick_keepdims(keepdims, keepdim, "var")
        ddof = pick_ddof(ddof, correction, unbiased, "var")
        n = reduced_count(self._data.shape, axis, "var")
        centred = self - self.mean(axis, keepdims=True)
        return (centred * centred).sum(axis, keepdims) / max(n - ddof, 0)

    def std(self, axis: Any = None, keepdims: bool = False, ddof: int = 0, *, dim: Any = None,
            keepdim: bool | None = None, correction: int | None = None,
            unbiased: bool | None = None) -> AnyTensor:
        """sqrt(var); its gradient is 0 where var = 0 (constant data), as PyTorch.
        ``correction=``/``unbiased=`` as in ``var``."""
        axis, keepdims = pick_axis(axis, dim, "std"), pick_keepdims(keepdims, keepdim, "std")
        ddof = pick_ddof(ddof, correction, unbiased, "std")
        reduced_count(self._data.shape, axis, "std")  # checks axis, naming std
        return apply(StdSqrt(), self.var(axis, keepdims, ddof))

    def max(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> AnyTensor:
        """Maximum over ``axis``; ties share the gradient evenly. Spelled as PyTorch's
        (``dim=``, or ``keepdim=``): the pair ``(values, indices)``, see ``_extreme_along``."""
        if spelled_as_torch(axis, dim, keepdim):
            return self._extreme_along("max", pick_axis(axis, dim, "max"),
                                      pick_keepdims(keepdims, keepdim, "max"))
        return apply(Max(pick_axis(axis, dim, "max"), pick_keepdims(keepdims, keepdim, "max")),
                     self)

    def min(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> AnyTensor:
        """Minimum over ``axis``; ties share the gradient evenly. Spelled as PyTorch's
        (``dim=``, or ``keepdim=``): the pair ``(values, indices)``, see ``_extreme_along``."""
        if spelled_as_torch(axis, dim, keepdim):
            return self._extreme_along("min", pick_axis(axis, dim, "min"),
                                      pick_keepdims(keepdims, keepdim, "min"))
        return apply(Min(pick_axis(axis, dim, "min"), pick_keepdims(keepdims, keepdim, "min")),
                     self)

    def _extreme_along(self, name: str, axis: Any, keepdims: bool) -> ValuesIndices:
        """PyTorch's ``max(dim)``/``min(dim)`` (``name``): the extreme values along one
        axis and their indices (the first of equal ones; NaN counts as the extreme, as
        in both libraries). The values' gradient goes to the element each index names."""
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
            raise UsageError(
                f"{name}(dim=...) takes one int axis, as PyTorch's (it gives the pair "
                f"(values, indices)); got dim={axis!r}. For several axes or all of them "
                f"use a{name}(dim=...) or {name}(axis=...), which give the values.")
        indices = getattr(self, "arg" + name)(axis, keepdims=True)
        values = self.take_along_axis(indices, axis)
        if not keepdims:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return ValuesIndices(values, indices)

    def logsumexp(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                  keepdim: bool | None = None) -> AnyTensor:
        """log(sum(exp(self))) over ``axis``, shifted by the max (no overflow)."""
        return apply(LogSumExp(pick_axis(axis, dim, "logsumexp"),
                               pick_keepdims(keepdims, keepdim, "logsumexp")), self)

    def softmax(self, axis: int = -1, *, dim: int | None = None) -> AnyTensor:
        """e^{x_i} / sum_j e^{x_j} along ``axis``."""
        return apply(Softmax(pick_axis(axis, dim, "softmax", -1)), self)

    def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> AnyTensor:
        """x - logsumexp(x) along ``axis``."""
        return apply(LogSoftmax(pick_axis(axis, dim, "log_softmax", -1)), self)

"""``Reductions``: the Tensor methods that reduce over axes (``sum``, ``mean``, ``var``,
``std``, ``max``, ``min``, ``logsumexp``), ``sort`` and the softmaxes along one axis, a
mixin of ``Tensor`` beside ``TensorMath``.

``max``, ``min`` and ``sort`` follow the library that the call is spelled in: NumPy's
``x.max(axis=1)`` gives the values; PyTorch's ``x.max(dim=1)`` or ``x.max(1, keepdim=True)``
gives PyTorch's pair ``(values, indices)``, so ``pred = out.max(dim=1)[1]``,
``_, pred = out.max(1, keepdim=True)`` and ``out.max(1, True)`` (keepdim by position) mean
what they mean in PyTorch. A bare positional
axis, ``x.max(1)``, means the values in NumPy and the pair in PyTorch: it raises
``UsageError`` naming both spellings rather than guess (``np.max(t, 1)`` is NumPy's own
function, so it gives the values). ``var``/``std`` spelled PyTorch's way default to its
``correction=1``, NumPy's way to ``ddof=0``; bare, ``x.var()`` or ``x.std(1)``, they raise
the same way (``np.var(t)`` is NumPy's function: ``ddof=0``).

Each accepts NumPy's ``axis=``/``keepdims=`` and PyTorch's ``dim=``/``keepdim=`` (see
``ops.reductions.pick_axis``). ``sum``, ``max``, ``min``, ``logsumexp`` and the softmaxes
apply one op of ``ops.reductions``; ``mean`` and ``var`` are compositions of other methods.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ._arrays import as_dtype, is_int
from .errors import AxisError, DTypeError, UsageError
from .function import apply
from .ops import scans
from .ops.reductions import (LogSoftmax, LogSumExp, Max, Min, Softmax, StdSqrt, Sum,
                             pick_axis, pick_keepdims, reduced_count)
from .reduction_arguments import one_positional_axis, scan_axis, spread_arguments

__all__ = ["Reductions", "ValuesIndices", "resolve_position", "ambiguous", "refuse_bare_axis",
           "flag_by_position", "in_float32"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class ValuesIndices(NamedTuple):
    """PyTorch's pair from ``max(dim=)``, ``min(dim=)``, ``sort(dim=)``, ``topk``,
    ``median(dim)``, ``kthvalue``, ``mode``, ``cummax`` and ``cummin``:
    ``values, indices = x.max(dim=1)``; ``x.max(dim=1).indices`` by name."""
    values: AnyTensor
    indices: AnyTensor


def spelled_as_torch(axis: Any, dim: Any, keepdim: bool | None) -> bool:
    """Whether a reduction was called PyTorch's way for one axis: ``dim=``, or an axis
    with PyTorch's ``keepdim=``."""
    return dim is not None or (keepdim is not None and axis is not None)


def resolve_position(name: str, position: tuple, axis: Any, dim: Any, numpy_only: bool,
                     torch_only: bool) -> tuple[Any, Any]:
    """``(axis, dim)`` for ``max``/``min``/``sort`` given ``position``, the positional
    arguments after the tensor. An int there is NumPy's axis when a keyword only NumPy
    has was given (``numpy_only``: ``keepdims=``), PyTorch's dim when one only PyTorch has
    was (``torch_only``: ``keepdim=``, ``descending=``); alone it means the values in
    NumPy and the pair (values, indices) in PyTorch, so it raises ``UsageError``."""
    one_positional_axis(name, position, axis, dim)
    if not position:
        return axis, dim
    given = position[0]
    if not is_int(given) or numpy_only:
        return given, None
    if torch_only:
        return None, given
    raise ambiguous(f"x.{name}({given!r})", name, given)


def ambiguous(call: str, name: str, axis: Any, spelling: str = "x.{name}({args})"
              ) -> UsageError:
    """The error for ``call``, which means NumPy's values and PyTorch's pair alike; the
    two ways out are written in ``spelling`` (the method's, or the function's)."""
    values = spelling.format(name=name, args=f"axis={axis!r}")
    pair = spelling.format(name=name, args=f"dim={axis!r}")
    return UsageError(
        f"{call} means two things: NumPy's {name} gives the values, PyTorch's gives the "
        f"pair (values, indices). Name the one you mean: {values} for the values, {pair} "
        f"for the pair.")


def refuse_bare_axis(name: str, position: tuple, keyword_given: bool) -> None:
    """The module functions' ``max(x, 1)``, ``sort(x, 1)`` and ``sort(x)`` with no keyword
    given (``keyword_given``): the ambiguity of ``resolve_position``, in the function's
    spelling."""
    if keyword_given or len(position) > 1:
        return
    if not position:
        if name == "sort":
            raise ambiguous("sort(x)", name, -1, "{name}(x, {args})")
        return
    given = position[0]
    if is_int(given):
        raise ambiguous(f"{name}(x, {given!r})", name, given, "{name}(x, {args})")


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
        axis = pick_axis(axis, dim, "sum", empty_dim_is_all=True)
        return apply(Sum(axis, pick_keepdims(keepdims, keepdim, "sum")), self)

    def mean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None, dtype: Any = None) -> AnyTensor:
        """sum / n over ``axis``, computed in ``dtype`` when given (an integer dtype
        truncates the mean toward zero, as NumPy). float16 is summed and divided in
        float32 and rounded once, as PyTorch's (see ``in_float32``)."""
        x = self if dtype is None else self._in_dtype(dtype, "mean")
        if x.dtype == np.float16:
            return in_float32(x, "mean", axis, keepdims, dim=dim, keepdim=keepdim)
        axis = pick_axis(axis, dim, "mean", empty_dim_is_all=True)
        keepdims = pick_keepdims(keepdims, keepdim, "mean")
        n = reduced_count(self._data.shape, axis, "mean")  # checks axis, naming mean
        average = x.sum(axis, keepdims) / n
        return average if dtype is None or average.dtype == dtype else average.astype(dtype)

    def var(self, *position: Any, axis: Any = None, keepdims: bool | None = None,
            ddof: int | None = None, dim: Any = None, keepdim: bool | None = None,
            correction: int | None = None, unbiased: bool | None = None) -> AnyTensor:
        """sum((x - mean)^2) / max(n - ddof, 0); as NumPy's, ddof >= n gives inf (or NaN
        for 0 / 0). Called NumPy's way (``ddof=``, ``axis=``, ``keepdims=``) ``ddof``
        defaults to 0, the population variance; PyTorch's way (``correction=``,
        ``unbiased=``, ``dim=``, ``keepdim=``) to ``correction=1``. A bare ``x.var()`` or
        ``x.var(1)`` means either, so it raises ``UsageError`` naming both. float16 is
        computed in float32, as ``mean``."""
        if self.dtype == np.float16:
            return in_float32(self, "var", *position, axis=axis, keepdims=keepdims,
                              ddof=ddof, dim=dim, keepdim=keepdim, correction=correction,
                              unbiased=unbiased)
        axis, keepdims, ddof = spread_arguments("var", position, axis, keepdims, ddof, dim,
                                                keepdim, correction, unbiased)
        n = reduced_count(self._data.shape, axis, "var")
        centred = self - self.mean(axis, keepdims=True)
        return (centred * centred).sum(axis, keepdims) / max(n - ddof, 0)

    def std(self, *position: Any, axis: Any = None, keepdims: bool | None = None,
            ddof: int | None = None, dim: Any = None, keepdim: bool | None = None,
            correction: int | None = None, unbiased: bool | None = None) -> AnyTensor:
        """sqrt(var), with ``var``'s rules for the divisor; its gradient is 0 where var = 0
        (constant data), as PyTorch's. float16 is computed in float32, as ``mean``."""
        if self.dtype == np.float16:
            return in_float32(self, "std", *position, axis=axis, keepdims=keepdims,
                              ddof=ddof, dim=dim, keepdim=keepdim, correction=correction,
                              unbiased=unbiased)
        axis, keepdims, ddof = spread_arguments("std", position, axis, keepdims, ddof, dim,
                                                keepdim, correction, unbiased)
        reduced_count(self._data.shape, axis, "std")  # checks axis, naming std
        return apply(StdSqrt(), self.var(axis=axis, keepdims=keepdims, ddof=ddof))

    def prod(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None, dtype: Any = None) -> AnyTensor:
        """Product over ``axis``; exact gradients also with zeros. With ``dtype``, self is
        cast to it first (as PyTorch's and NumPy's ``dtype=``)."""
        x = self if dtype is None else self._in_dtype(dtype, "prod")
        return _as_asked(apply(scans.Prod(pick_axis(axis, dim, "prod"),
                                          pick_keepdims(keepdims, keepdim, "prod")), x), x,
                         dtype)

    def cumsum(self, *position: Any, axis: Any = None, dim: Any = None,
               dtype: Any = None) -> AnyTensor:
        """Running sum along ``axis`` (flattened when None), in ``dtype`` when given. Of
        a 0-d tensor, ``x.cumsum(0)`` and ``dim=0`` are 0-d, as PyTorch's; ``axis=0``,
        NumPy's spelling, has NumPy's shape (1,) (see ``reduction_arguments.scan_axis``)."""
        axis, dim = scan_axis("cumsum", position, axis, dim)
        x = self if dtype is None else self._in_dtype(dtype, "cumsum")
        out = _as_asked(scans.cumsum(x, pick_axis(axis, dim, "cumsum")), x, dtype)
        return out.reshape(()) if dim is not None and not self.ndim else out  # PyTorch's

    def cumprod(self, *position: Any, axis: Any = None, dim: Any = None,
                dtype: Any = None) -> AnyTensor:
        """Running product along ``axis`` (flattened when None), in ``dtype`` when given;
        a 0-d tensor's shape as in ``cumsum``."""
        axis, dim = scan_axis("cumprod", position, axis, dim)
        x = self if dtype is None else self._in_dtype(dtype, "cumprod")
        out = _as_asked(scans.cumprod(x, pick_axis(axis, dim, "cumprod")), x, dtype)
        return out.reshape(()) if dim is not None and not self.ndim else out  # PyTorch's

    def max(self, *position: Any, axis: Any = None, keepdims: bool | None = None,
            dim: Any = None, keepdim: bool | None = None, other: Any = None) -> AnyTensor:
        """Maximum over ``axis`` (every axis by default); ties share the gradient evenly.
        PyTorch's spelling (``dim=``, or an axis with ``keepdim=``) gives its pair
        ``(values, indices)`` (see ``_extreme_along``); a bare ``x.max(1)`` is ambiguous
        and raises (see the module docstring)."""
        return self._extreme("max", Max, position, axis, keepdims, dim, keepdim, other)

    def min(self, *position: Any, axis: Any = None, keepdims: bool | None = None,
            dim: Any = None, keepdim: bool | None = None, other: Any = None) -> AnyTensor:
        """Minimum over ``axis``, as ``max``."""
        return self._extreme("min", Min, position, axis, keepdims, dim, keepdim, other)

    def _extreme(self, name: str, op: type, position: tuple, axis: Any, keepdims: Any,
                 dim: Any, keepdim: Any, other: Any) -> AnyTensor:
        """``max``/``min`` (``name``, reduced by ``op``) called in either library's way;
        ``max(a, b)`` (or ``max(other=b)``) of two tensors is PyTorch's elementwise
        ``maximum`` (NumPy has no such call: its second place is the axis). Bare,
        ``x.max()`` is PyTorch's full reduction, whose gradient for a NaN result goes to
        the NaN entries (split evenly); with ``axis=``/``keepdims=`` (as ``amax`` calls
        it) it is NaN, as ``torch.amax``'s."""
        position, keepdim = flag_by_position(name, "keepdim", position, keepdim)
        keywords = (axis, keepdims, dim, keepdim)
        if other is not None:
            if position or any(k is not None for k in keywords):
                raise UsageError(f"{name}: other= (PyTorch's elementwise {name}imum) goes "
                                 f"alone; got also an axis or keepdim. Write x.{name}(other)")
            return getattr(self, f"{name}imum")(other)
        if all(k is None for k in keywords):
            if not position:
                return apply(op(None, False, nan_takes_gradient=True), self)
            if len(position) == 1 and isinstance(position[0], Reductions):
                return getattr(self, f"{name}imum")(position[0])
        axis, dim = resolve_position(name, position, axis, dim, keepdims is not None,
                                     keepdim is not None)
        torch = spelled_as_torch(axis, dim, keepdim)
        axis = pick_axis(axis, dim, name)
        keepdims = pick_keepdims(False if keepdims is None else keepdims, keepdim, name)
        if torch:
            return self._extreme_along(name, axis, keepdims)
        return apply(op(axis, keepdims), self)

    def _extreme_along(self, name: str, axis: Any, keepdims: bool) -> ValuesIndices:
        """PyTorch's ``max(dim)``/``min(dim)`` (``name``): the extreme values along one
        axis and their indices (the first of equal ones; NaN counts as the extreme, as
        in both libraries). The values' gradient goes to the element each index names."""
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
            raise UsageError(
                f"{name}(dim=...) takes one int axis, as PyTorch's (it gives the pair "
                f"(values, indices)); got dim={axis!r}. For several axes or all of them "
                f"use a{name}(dim=...) or {name}(axis=...), which give the values.")
        if self.ndim == 0 and axis in (0, -1):  # its one element, as PyTorch's
            return ValuesIndices(*self.reshape(1)._extreme_along(name, 0, False))
        ranked = self.astype(np.int8) if self.dtype == np.bool_ else self  # argmax: no bool
        indices = getattr(ranked, "arg" + name)(axis, keepdims=True)
        values = self.take_along_axis(indices, axis)
        if not keepdims:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return ValuesIndices(values, indices)

    def sort(self, *position: Any, axis: Any = "last", dim: Any = None,
             descending: bool | None = None, stable: bool | None = None) -> AnyTensor:
        """Sorted along an axis (a stable sort; each value's gradient goes back to the
        element it came from). NumPy's spelling, ``x.sort(axis=-1)`` (None flattens),
        gives the values, as ``np.sort``; PyTorch's, ``x.sort(dim=-1)`` or with
        ``descending=``, its pair ``(values, indices)``. ``x.sort()`` and ``x.sort(1)``
        mean both, so they raise ``UsageError``. PyTorch's positional ``x.sort(1, True)``
        is its pair: a bool second can only be ``descending`` (NumPy's second is
        ``kind``, a string). ``stable`` is accepted (both libraries have it): the sort is
        always stable."""
        position, descending = flag_by_position("sort", "descending", position, descending)
        given = not (isinstance(axis, str) and axis == "last")  # None is an axis: it flattens
        if given and dim is not None:
            raise AxisError(f"sort: got both axis={axis!r} and dim={dim!r}; they are two "
                            f"names for one argument (NumPy's and PyTorch's). Pass only one.")
        axis, dim = resolve_position("sort", position, axis if given else None, dim,
                                     False, descending is not None)
        if not isinstance(descending, (bool, np.bool_, type(None))):
            raise UsageError(f"sort: descending must be True or False; got {descending!r}")
        if dim is None and not (given or position):
            if descending is None:
                raise ambiguous("x.sort()", "sort", -1)
            dim = -1  # descending= is PyTorch's alone
        if dim is None:
            return scans.sort(self, axis, bool(descending))
        return ValuesIndices(*scans.sort_with_indices(self, dim, bool(descending)))

    def logsumexp(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                  keepdim: bool | None = None) -> AnyTensor:
        """log(sum(exp(self))) over ``axis``, shifted by the max (no overflow); PyTorch's
        ``dim=()`` reduces every axis, as ``sum``'s."""
        return apply(LogSumExp(pick_axis(axis, dim, "logsumexp", empty_dim_is_all=True),
                               pick_keepdims(keepdims, keepdim, "logsumexp")), self)

    def softmax(self, axis: int = -1, dtype: Any = None, *,
                dim: int | None = None) -> AnyTensor:
        """e^{x_i} / sum_j e^{x_j} along ``axis``; a float ``dtype`` casts x first (as
        PyTorch's ``x.softmax(dim, dtype)``), differentiably."""
        x = _cast_before(self, dtype, "softmax")
        return apply(Softmax(pick_axis(axis, dim, "softmax", -1)), x)

    def log_softmax(self, axis: int = -1, dtype: Any = None, *,
                    dim: int | None = None) -> AnyTensor:
        """x - logsumexp(x) along ``axis``; ``dtype`` as in ``softmax``."""
        x = _cast_before(self, dtype, "log_softmax")
        return apply(LogSoftmax(pick_axis(axis, dim, "log_softmax", -1)), x)


def flag_by_position(name: str, flag: str, position: tuple, value: Any) -> tuple[tuple, Any]:
    """PyTorch's ``(dim, <flag>)`` by position (``sort(1, True)``'s descending,
    ``median(0, True)``'s keepdim): (position, value) with a bool second positional moved
    to the flag ``value``, which must not also be given by keyword; anything else is left
    as it is, for the caller's own rules (NumPy has no bool in that place)."""
    if len(position) != 2 or not isinstance(position[1], (bool, np.bool_)):
        return position, value
    if value is not None:
        raise UsageError(f"{name}: got {flag} twice, {position[1]!r} by position and "
                         f"{flag}={value!r} by keyword; pass one")
    return position[:1], bool(position[1])


def in_float32(x: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """float16 ``x.method(*args, **kwargs)`` computed in float32 and rounded once to
    float16, as PyTorch's CPU kernels: float16 sums pass 65504 (inf) and lose digits, and
    the count n itself is inf past 65504. Differentiable: x.grad stays float16."""
    return getattr(x.astype(np.float32), method)(*args, **kwargs).astype(np.float16)


def _as_asked(result: Any, x: Any, dtype: Any) -> Any:
    """``result`` in x's dtype when ``dtype`` was asked for: NumPy's scans and products
    promote bool and small integers to int64, PyTorch's ``dtype=`` keeps the asked one."""
    if dtype is None or result.dtype == x.dtype:
        return result
    return result.astype(x.dtype)


def _cast_before(x: Any, dtype: Any, name: str) -> Any:
    """x cast to the float ``dtype`` (x itself for None), or a named ``DTypeError``."""
    if dtype is None:
        return x
    if as_dtype(dtype, f"{name}'s dtype").kind != "f":
        raise DTypeError(f"{name}: dtype must be a float dtype such as np.float64 (the "
                         f"input is cast to it before the op, as PyTorch); got {dtype}")
    return x.astype(dtype)

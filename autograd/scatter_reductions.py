"""PyTorch's ``scatter_reduce(dim, index, src, reduce, include_self=True)``,
``index_reduce(dim, index, source, reduce, include_self=True)`` and their in-place forms.
``scatter_reduce``: each element of ``src`` goes to the position ``index`` names along ``dim``
(for dim 0: out[index[i][j]][j] = reduce(self[...], src[i][j], ...)) and the values meeting
at one position are combined by ``reduce``: 'sum', 'prod', 'mean', 'amax' or 'amin'. With
``include_self=False`` the positions that receive a value forget self's value first; the
others keep it. The graph layers' habit, a mean or max over each node's neighbours or over
each graph's nodes, is ``zeros(n, F).scatter_reduce(0, index, src, 'mean',
include_self=False)``. ``index_reduce`` reduces whole slices: source's slice i along
``dim`` goes to self's slice ``index[i]`` (as ``index_add``), with 'prod', 'mean',
'amax' or 'amin'; it is ``scatter_reduce`` with the index spread over those slices.

One op, ``ScatterReduce``: out = the reduction; its VJP is dx = g * A, dsrc = g[index] * B
with A and B the derivatives of the reduction (constants of the forward values):
'sum' 1; 'mean' 1 / count; 'amax'/'amin' 1 / (number of ties) on the elements equal to
the result, 0 elsewhere; 'prod' the product of the others (also where one value is 0).
Where ``include_self=False``, A is 0 at the positions that received a value (also where
the reduction there is inf or NaN, as PyTorch's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError, TensorIndexError, UnsupportedError, UsageError
from .function import Function, apply
from .ops.reductions import single_axis
from .ops.generic import constant, is_tensor
from .torch_methods import scatter_target
from .scalar_axis import one_element_axis, one_element_axis_

__all__ = ["ScatterReduce", "ScatterReduceMethods", "REDUCTIONS", "reduce_name",
           "slices_index"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class
REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_SPELLINGS = {"max": "amax", "min": "amin", "add": "sum", "multiply": "prod",
              "avg": "mean"}
_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
          "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype) -> Any:
    """The value a reduction starts from (0, 1, the lowest or highest of ``dtype``)."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "b":  # False is the lowest bool, True the highest
        return reduce == "amin"
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    lowest, highest = (-np.inf, np.inf) if dtype.kind == "f" else (info.min, info.max)
    return lowest if reduce == "amax" else highest


class ScatterReduce(Function):
    """out = self with the src values reduced into it at ``positions``;
    dx = g * A, dsrc = g[positions] * B (see the module docstring)."""
    __slots__ = ("positions", "reduce", "include_self")
    save_output = True

    def __init__(self, positions: tuple, reduce: str, include_self: bool) -> None:
        self.positions, self.reduce, self.include_self = positions, reduce, include_self

    def _received(self, shape: tuple) -> np.ndarray:
        """How many src values each position of the output receives."""
        counts = np.zeros(shape, dtype=np.intp)
        np.add.at(counts, self.positions, 1)
        return counts

    def forward(self, x: np.ndarray, src: np.ndarray) -> np.ndarray:
        out = np.array(x)  # a copy, also of a NumPy scalar
        if not self.include_self:
            out[self.positions] = _identity(self.reduce, out.dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN as IEEE (PyTorch)
            _UFUNC[self.reduce].at(out, self.positions, src)
        if self.reduce == "mean":
            counts = np.maximum(self._received(x.shape) + self.include_self, 1)
            if out.dtype.kind == "f":
                out /= counts
            else:  # integers round down, as PyTorch's
                np.floor_divide(out, counts, out=out, casting="unsafe")
        return out

    def vjp(self, g: Any, out: Any, x: Any, src: Any) -> tuple:
        if not (self.reduce == "prod" and is_tensor(x)):  # prod's A, B depend on x, src:
            x, src, out = constant(x), constant(src), constant(out)  # Tensors then
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 where a max is NaN
            a, b = self._derivatives(x, src, out)
        if not self.include_self:  # 0 there, also where A is inf or NaN (not 0 * inf)
            a = np.where(self._received(x.shape) > 0, 0, a)
        gx = _cast(a, x.dtype) * g if self.needs_input_grad[0] else None
        gsrc = None
        if self.needs_input_grad[1]:
            gsrc = _cast(b, src.dtype) * g[self.positions]
        return gx, gsrc

    def _derivatives(self, x: Any, src: Any, out: Any) -> tuple:
        """(d out / d self, d out[positions] / d src) of self's and src's shapes."""
        if self.reduce == "sum":
            return np.ones_like(x), np.ones_like(src)
        if self.reduce == "mean":
            counts = np.maximum(self._received(x.shape) + self.include_self, 1)
            return 1.0 / counts, 1.0 / counts[self.positions]
        if self.reduce == "prod":
            return self._prod_derivatives(x, src)
        x_hits = (x == out) & (self.include_self | (self._received(x.shape) == 0))
        src_hits = src == out[self.positions]
        ties = x_hits.astype(x.dtype)
        np.add.at(ties, self.positions, src_hits)
        return x_hits / ties, src_hits / ties[self.positions]

    def _prod_derivatives(self, x: Any, src: Any) -> tuple:
        """The product of every other value at the position: the full product over the
        element where it is not 0, else the product with that element taken as 1. On
        Tensors (``create_graph=True``) the products are this op again, differentiable;
        there, as in PyTorch, two zeros sent to one position are refused."""
        recorded = is_tensor(x)

        def product(self_values: Any, src_values: Any) -> Any:
            if recorded:
                return apply(ScatterReduce(self.positions, "prod", self.include_self),
                             self_values, src_values)
            return self.forward(self_values, src_values)

        ones_for_zeros = np.where(constant(x) == 0, 1, x)
        a = product(ones_for_zeros, src) / ones_for_zeros
        src_zero = constant(src) == 0
        zeros_there = np.zeros(x.shape, dtype=np.intp)
        np.add.at(zeros_there, self.positions, src_zero)
        if recorded and (zeros_there > 1).any():
            raise UnsupportedError("scatter_reduce(reduce='prod'): the gradient of its "
                                   "gradient (create_graph=True) where two zeros of src go "
                                   "to one position is not computed (nor by PyTorch)")
        single = src_zero & (zeros_there[self.positions] == 1)
        without_single = product(x, np.where(single, 1, src))[self.positions]
        full = product(x, src)[self.positions]
        others = np.where(src_zero, 0, full / np.where(src_zero, 1, src))
        return a, np.where(single, without_single, others)


def _cast(a: Any, dtype: np.dtype) -> Any:
    """An array of derivatives in the input's dtype (a Tensor of them already has it)."""
    return a.astype(dtype, copy=False) if isinstance(a, np.ndarray) else a


def _check_mean_dtype(t: Any, reduce: str, name: str) -> None:
    """A mean of bools is refused, as PyTorch refuses it (True + True over 2 is no bool)."""
    if reduce == "mean" and t.dtype == np.bool_:
        raise DTypeError(f"{name}: reduce='mean' of a bool tensor is not defined (PyTorch "
                         f"refuses it too); convert first: x.int() or x.float()")


def reduce_name(reduce: Any, name: str, allowed: tuple = REDUCTIONS) -> str:
    """``reduce`` checked: one of PyTorch's names for ``name`` (other spellings named)."""
    if reduce in allowed:
        return reduce
    hint = (f"; write reduce='{_SPELLINGS[reduce]}'" if _SPELLINGS.get(reduce) in allowed
            else "; index_add adds" if reduce == "sum" else "")
    raise UsageError(f"{name}: reduce must be one of {', '.join(map(repr, allowed))}, "
                     f"as PyTorch's; got {reduce!r}{hint}")


def slices_index(t: Any, dim: int, index: Any, source: Any, name: str) -> np.ndarray:
    """``index_reduce``'s 1-d ``index`` (one position along ``dim`` per slice of source)
    spread to source's shape, the index ``scatter_reduce`` takes; as PyTorch: integers in
    range, source of self's shape but ``len(index)`` along ``dim``."""
    axis = single_axis(dim, t.ndim, name) if t.ndim else 0
    index = np.asarray(getattr(index, "data", index))
    if index.dtype.kind not in "iu":
        raise DTypeError(f"{name}: index must be an integer tensor (int64, as PyTorch's); "
                         f"got dtype {index.dtype}. Convert it: index.long()")
    if index.ndim > 1:
        raise ShapeError(f"{name}: index must be a vector (1-d, or one number), one position "
                         f"per slice of source, as PyTorch's; got shape {index.shape}")
    index = index.reshape(-1)
    size = t.shape[axis] if t.ndim else 1
    if index.size and (index.min() < 0 or index.max() >= size):
        raise TensorIndexError(f"{name}: index holds {index.min()}..{index.max()}; positions "
                               f"along dim {axis} are 0..{size - 1}")
    expected = t.shape[:axis] + (index.size,) + t.shape[axis + 1:]
    if tuple(np.shape(source)) != expected:
        raise ShapeError(f"{name}: source must have shape {expected} (self's, with "
                         f"len(index) = {index.size} along dim {axis}); got "
                         f"{tuple(np.shape(source))}")
    spread = index.reshape([-1 if k == axis else 1 for k in range(len(expected))])
    return np.broadcast_to(spread, expected)


class ScatterReduceMethods:
    """``scatter_reduce``, ``index_reduce`` and their in-place forms (a mixin of the Tensor
    class; ``index_copy`` is in ``index_copy``)."""

    __slots__ = ()

    @one_element_axis
    def scatter_reduce(self, dim: int, index: Any, src: Any, reduce: str, *,
                       include_self: bool = True) -> AnyTensor:
        """A copy of self with ``src`` reduced into it along ``dim`` at ``index`` by
        ``reduce`` ('sum', 'prod', 'mean', 'amax', 'amin'); for dim 0,
        out[index[i][j]][j] = reduce(self[index[i][j]][j] (if include_self), src[i][j], ...).
        Differentiable in self and src; 'amax'/'amin' split the gradient between ties."""
        reduce = reduce_name(reduce, "scatter_reduce")
        return self._reduce_into(dim, index, src, reduce, include_self, "scatter_reduce")

    @one_element_axis_
    def scatter_reduce_(self, dim: int, index: Any, src: Any, reduce: str, *,
                        include_self: bool = True) -> AnyTensor:
        """``self.scatter_reduce(dim, index, src, reduce, include_self=...)`` written in
        place, as PyTorch's."""
        reduce = reduce_name(reduce, "scatter_reduce_")
        return self._reduce_into_(dim, index, src, reduce, include_self, "scatter_reduce_",
                                  "x = x.scatter_reduce(dim, index, src, reduce)")

    @one_element_axis
    def index_reduce(self, dim: int, index: Any, source: Any, reduce: str, *,
                     include_self: bool = True) -> AnyTensor:
        """A copy of self with source's slices along ``dim`` reduced into the slices
        ``index`` names by ``reduce`` ('prod', 'mean', 'amax', 'amin'); for dim 0,
        out[index[i]] = reduce(self[index[i]] (if include_self), source[i], ...)."""
        reduce = reduce_name(reduce, "index_reduce", REDUCTIONS[1:])
        spread = slices_index(self, dim, index, source, "index_reduce")
        return self._reduce_into(dim, spread, source, reduce, include_self, "index_reduce")

    @one_element_axis_
    def index_reduce_(self, dim: int, index: Any, source: Any, reduce: str, *,
                      include_self: bool = True) -> AnyTensor:
        """``self.index_reduce(dim, index, source, reduce, include_self=...)`` written in
        place, as PyTorch's."""
        reduce = reduce_name(reduce, "index_reduce_", REDUCTIONS[1:])
        spread = slices_index(self, dim, index, source, "index_reduce_")
        return self._reduce_into_(dim, spread, source, reduce, include_self, "index_reduce_",
                                  "x = x.index_reduce(dim, index, source, reduce)")

    def _reduce_into(self, dim: int, index: Any, src: Any, reduce: str, include_self: bool,
                     name: str) -> AnyTensor:
        """``scatter_reduce``'s copy, its errors naming ``name`` (the method called)."""
        _check_mean_dtype(self, reduce, name)
        positions, values = scatter_target(self, dim, index, src, None, None, name)
        return apply(ScatterReduce(positions, reduce, bool(include_self)), self, values)

    def _reduce_into_(self, dim: int, index: Any, src: Any, reduce: str, include_self: bool,
                      name: str, instead: str) -> AnyTensor:
        """``scatter_reduce_``'s write in place, its errors naming ``name``; ``instead``:
        the out-of-place form a refusal suggests."""
        _check_mean_dtype(self, reduce, name)
        positions, values = scatter_target(self, dim, index, src, None, None, name)
        op = ScatterReduce(positions, reduce, bool(include_self))

        def write(out: np.ndarray) -> None:
            out[...] = op.forward(out, values.data)
        return self._write(name, instead, write, values, recorded=lambda: apply(op, self, values))

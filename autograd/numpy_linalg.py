"""``np.linalg`` on Tensors, with NumPy's arguments and results: ``norm``, the
decompositions (``eigh``, ``eigvalsh``, ``svd``, ``svdvals``, ``qr``, ``pinv``,
``matrix_rank``, ``cond``, computed by the differentiable ops of ``ops.matrix_functions``
and ``ops.decompositions``, shared with ``autograd.linalg``), least squares
(``lstsq``), the tensor inverses (``tensorinv``, ``tensorsolve``) and NumPy 2's array-API
names (``matmul``, ``vecdot``, ``outer``, ``trace``, ``diagonal``, ``cross``,
``tensordot``, ``matrix_transpose``, ``vector_norm``, ``matrix_norm``). ``eig`` and
``eigvals`` are refused by name: their results are complex. ``autograd.interop``
dispatches to these (``FUNCTIONS``); they sit below the Tensor class.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import ShapeError, UsageError
from .function import apply
from .ops import decompositions, linalg_more, matrix_functions
from .ops.generic import constant, is_tensor, lift_like
from .ops.reductions import normalize_axis
from .numpy_series import vector_dot
from .numpy_stacking import tensors_like
from .set_numpy import numpy_cross

__all__ = ["linalg_norm", "numpy_cholesky", "numpy_eigh", "numpy_eigvalsh", "numpy_svd", "numpy_qr",
           "numpy_pinv", "numpy_matrix_rank", "numpy_cond", "numpy_lstsq",
           "numpy_tensorinv", "numpy_tensorsolve", "numpy_vector_norm", "numpy_matrix_norm",
           "numpy_svdvals", "numpy_linalg_matmul", "numpy_linalg_cross",
           "numpy_linalg_tensordot", "numpy_outer", "numpy_linalg_outer", "numpy_linalg_trace",
           "numpy_linalg_diagonal", "numpy_matrix_transpose", "numpy_linalg_vecdot", "FUNCTIONS"]

_UNSET = object()  # NumPy's "not given" for pinv's rtol


def linalg_norm(x: Any, ord: Any = None, axis: Any = None,  # noqa: A002
                keepdims: bool = False) -> Any:
    """``np.linalg.norm``: a vector norm (axis an int, or a 1-d x) as ``x.norm``; a
    matrix norm (axis a pair, or a 2-d x) NumPy's: None/'fro', 'nuc', 2, -2, 1, -1, inf,
    -inf (as ``autograd.linalg.matrix_norm``)."""
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    matrix = len(axes) == 2 if axes is not None else x.ndim == 2
    vector = len(axes) == 1 if axes is not None else x.ndim == 1
    if matrix and ord is not None:
        dims = tuple(axes) if axes is not None else (-2, -1)
        return matrix_functions.matrix_norm(x, ord, dims, keepdims, "np.linalg.norm")
    if not (ord is None or (vector and ord != "fro")):
        raise UsageError(
            f"np.linalg.norm(t, ord={ord!r}) on shape {x.shape} with axis={axis!r}: an "
            f"order needs a vector (axis an int, or a 1-d tensor) or a matrix (axis a "
            f"pair, or a 2-d tensor), as in NumPy. Pass axis; for the norm of all elements "
            f"as one vector use t.norm(ord).")
    return x.norm(ord, axis, keepdims)


def numpy_cholesky(a: Any, /, *, upper: bool = False) -> Any:
    """``np.linalg.cholesky``: the lower-triangular L with a = L L^T, read from a's lower
    triangle; ``upper=True`` the upper-triangular U = L'^T with a = U^T U, read from a's
    upper triangle (the lower factor of a^T, transposed), as NumPy's."""
    return linalg_more.cholesky(a, bool(upper))


def numpy_eigh(a: Any, UPLO: str = "L") -> matrix_functions.EighResult:
    """``np.linalg.eigh``: NumPy's named pair (eigenvalues, eigenvectors), differentiable
    as ``autograd.linalg.eigh``."""
    return matrix_functions.eigh(a, UPLO, "np.linalg.eigh")


def numpy_eigvalsh(a: Any, UPLO: str = "L") -> Any:
    """``np.linalg.eigvalsh``: the eigenvalues, ascending."""
    return matrix_functions.eigvalsh(a, UPLO, "np.linalg.eigvalsh")


def numpy_svd(a: Any, full_matrices: bool = True, compute_uv: bool = True,
              hermitian: bool = False) -> Any:
    """``np.linalg.svd``: NumPy's named triple (U, S, Vh), or S alone with
    ``compute_uv=False`` (with ``hermitian=True``: |eigenvalues| descending, as NumPy)."""
    if not compute_uv:
        if hermitian:
            values = matrix_functions.eigvalsh(a, "L", "np.linalg.svd")
            return values.abs().sort(axis=-1, descending=True)
        return matrix_functions.svdvals(a, "np.linalg.svd")
    if hermitian:
        raise UsageError("np.linalg.svd(t, hermitian=True) (NumPy's SVD from eigh, whose "
                         "vectors' signs differ) has no differentiable version: drop "
                         "hermitian (the same S; U and Vh up to signs), or use "
                         "np.linalg.eigh(t)")
    return matrix_functions.svd(a, full_matrices, "np.linalg.svd")


def numpy_qr(a: Any, mode: str = "reduced") -> Any:
    """``np.linalg.qr``: NumPy's named pair (Q, R), or R alone with ``mode='r'``."""
    if mode not in ("reduced", "complete", "r"):
        raise UsageError(f"np.linalg.qr(t, mode={mode!r}) has no differentiable version "
                         f"('reduced', 'complete' and 'r' have). Use one of them, or "
                         f"np.linalg.qr(t.data, mode={mode!r}) for an untracked result")
    result = matrix_functions.qr(a, mode, "np.linalg.qr")
    return result.R if mode == "r" else result


def numpy_pinv(a: Any, rcond: Any = None, hermitian: bool = False, *,
               rtol: Any = _UNSET) -> Any:
    """``np.linalg.pinv`` with NumPy's tolerance: singular values at most rcond times the
    largest count as zero; rcond is 1e-15 when neither is given, rtol if given, and
    eps * max(m, n) for ``rtol=None``. Differentiable as ``autograd.linalg.pinv``;
    ``hermitian=True`` reads the lower triangle (NumPy's eigh) of a square t."""
    if rcond is not None and rtol is not _UNSET:
        raise UsageError("np.linalg.pinv: rcond and rtol cannot both be given (as in "
                         "NumPy); pass only rtol")
    if rcond is None:
        rcond = 1e-15 if rtol is _UNSET else decompositions.tolerances(
            None, rtol, a, "np.linalg.pinv")[1]
    if is_tensor(rcond) or np.ndim(rcond) != 0:
        raise UsageError(f"np.linalg.pinv: rcond/rtol must be one number for a Tensor "
                         f"(per-matrix tolerances are not supported); got {rcond!r}")
    decompositions.check_matrix(a, "np.linalg.pinv", square=bool(hermitian))
    return apply(decompositions.Pinv(0.0, float(rcond), bool(hermitian)), a)


def numpy_matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *,
                      rtol: Any = None) -> Any:
    """``np.linalg.matrix_rank``: NumPy's count, as a constant int64 Tensor."""
    if A.ndim >= 2:
        decompositions.check_matrix(A, "np.linalg.matrix_rank", square=hermitian)
    rank = np.linalg.matrix_rank(constant(A), constant(tol), hermitian, rtol=constant(rtol))
    return lift_like(A, np.asarray(rank, dtype=np.int64))


def numpy_cond(x: Any, p: Any = None) -> Any:
    """``np.linalg.cond``: the condition number, differentiable as
    ``autograd.linalg.cond``; inf for a singular x, as NumPy's: a NaN (0 / 0, from an
    all-zero matrix) becomes inf unless x itself holds a NaN, a constant (gradient 0, as
    for the other orders: the identity takes such a matrix's place in the graph)."""
    value = matrix_functions.cond(x, p, "np.linalg.cond")
    singular = np.isnan(value.data) & ~np.isnan(x.data).any(axis=(-2, -1))
    if not singular.any():
        return value
    identity = lift_like(x, np.eye(x.shape[-2], x.shape[-1], dtype=x.dtype))
    safe = x.where(~singular[..., None, None], identity)
    value = matrix_functions.cond(safe, p, "np.linalg.cond")
    return value.where(~singular, lift_like(value, np.asarray(np.inf, value.dtype)))


def numpy_lstsq(a: Any, b: Any, rcond: Any = None) -> tuple:
    """``np.linalg.lstsq``: NumPy's (x, residuals, rank, s). x = pinv(a) b minimises
    ||a x - b|| (the least-norm one if a is rank-deficient), with NumPy's cutoff: singular
    values at most rcond times the largest count as zero, rcond = eps max(m, n) when None.
    residuals are the squared column norms of b - a x when a has full column rank and more
    rows than columns, else empty; rank and s (the singular values) are constants.
    Integer and bool a and b are computed as float64, as NumPy's."""
    a, b = (t if t.dtype.kind == "f" else t.astype(np.float64) for t in tensors_like([a, b]))
    decompositions.check_matrix(a, "np.linalg.lstsq")
    if a.ndim != 2 or b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ShapeError(f"np.linalg.lstsq: a must be (m, n) and b (m,) or (m, k), as in "
                         f"NumPy; got a {a.shape} and b {b.shape}")
    m, n = a.shape
    cutoff = np.finfo(a.dtype).eps * max(m, n) if rcond is None else float(rcond)
    x = numpy_pinv(a, cutoff) @ b
    s = np.linalg.svd(a.data, compute_uv=False)
    rank = int((s > cutoff * s.max()).sum()) if s.size else 0
    if rank == n and m > n:
        residuals = ((a @ x - b) ** 2).sum(axis=0).reshape(-1)
    else:
        residuals = lift_like(a, np.empty((0,), a.dtype))
    return x, residuals, lift_like(a, np.asarray(rank, dtype=np.int32)), lift_like(a, s)


def numpy_tensorinv(a: Any, ind: int = 2) -> Any:
    """``np.linalg.tensorinv``: the inverse for ``tensordot`` over ``ind`` axes, the
    matrix inverse of a reshaped to (prod of its first ``ind`` axes, prod of the rest)."""
    if ind <= 0:
        raise UsageError(f"np.linalg.tensorinv: ind must be a positive int; got {ind!r}")
    inner, outer = a.shape[:ind], a.shape[ind:]
    if math.prod(inner) != math.prod(outer):
        raise ShapeError(f"np.linalg.tensorinv: a of shape {a.shape} with ind={ind} is not "
                         f"square once reshaped ({math.prod(inner)} x {math.prod(outer)})")
    return a.reshape((math.prod(inner), -1)).inv().reshape(outer + inner)


def numpy_tensorsolve(a: Any, b: Any, axes: Any = None) -> Any:
    """``np.linalg.tensorsolve``: x with tensordot(a, x, x.ndim) = b; ``axes`` of a move
    to its end first. Solved as one square system of prod(b.shape) equations."""
    if axes is not None:
        axes = normalize_axis(axes, a.ndim, "np.linalg.tensorsolve")
        rest = [i for i in range(a.ndim) if i not in axes]
        a = a.transpose(rest + list(axes))
    unknown = a.shape[b.ndim:]
    if math.prod(unknown) != b.size:
        raise ShapeError(f"np.linalg.tensorsolve: a of shape {a.shape} does not give a "
                         f"square system for b of shape {b.shape}")
    matrix = a.reshape((b.size, -1))
    return linalg_more.solve(matrix, b.reshape((-1, 1))).reshape(unknown)


def numpy_vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False,
                      ord: Any = 2) -> Any:  # noqa: A002
    """``np.linalg.vector_norm``: the norm of the entries over ``axis`` (all when None,
    several taken together as one vector) as ``x.norm(ord)`` over one axis."""
    axes = tuple(range(x.ndim)) if axis is None else normalize_axis(
        axis, x.ndim, "np.linalg.vector_norm")
    rest = [i for i in range(x.ndim) if i not in axes]
    flat = x.transpose(rest + list(axes)).reshape(
        tuple(x.shape[i] for i in rest) + (-1,))
    norm = flat.norm(ord, -1)
    if keepdims:
        norm = norm.reshape(tuple(1 if i in axes else n for i, n in enumerate(x.shape)))
    return norm


def numpy_matrix_norm(x: Any, /, *, keepdims: bool = False,
                      ord: Any = "fro") -> Any:  # noqa: A002
    """``np.linalg.matrix_norm``: a norm of each matrix over the last two axes."""
    return matrix_functions.matrix_norm(x, ord, (-2, -1), keepdims, "np.linalg.matrix_norm")


def numpy_svdvals(x: Any, /) -> Any:
    """``np.linalg.svdvals``: the singular values of each matrix, descending."""
    return matrix_functions.svdvals(x, "np.linalg.svdvals")


def numpy_linalg_matmul(x1: Any, x2: Any, /) -> Any:
    """``np.linalg.matmul``: ``x1 @ x2``."""
    return x1 @ x2


def numpy_linalg_cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """``np.linalg.cross``: the cross product of 3-vectors along ``axis``."""
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ShapeError(f"np.linalg.cross takes 3-vectors along axis {axis} (as NumPy 2); "
                         f"got shapes {x1.shape} and {x2.shape}. np.cross takes 2-vectors")
    return numpy_cross(x1, x2, axis=axis)


def numpy_linalg_tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    """``np.linalg.tensordot``: ``np.tensordot`` with ``axes`` by keyword."""
    return linalg_more.tensordot(x1, x2, axes)


def _complex(name: str, instead: str) -> Any:
    """A refusal of ``np.linalg.{name}``, whose results are complex."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise UsageError(f"np.linalg.{name} returns complex values (of a general matrix), "
                         f"which Tensors do not hold: for a symmetric matrix use "
                         f"np.linalg.{instead} (real, differentiable), or call "
                         f"np.linalg.{name}(t.data) for an untracked NumPy result")
    return refuse


def _matrices(x: Any, name: str) -> Any:
    """x, checked to be a stack of matrices (NumPy 2's linalg functions need two axes)."""
    if x.ndim < 2:
        raise ShapeError(f"np.linalg.{name} needs an array of at least 2 axes; got shape "
                         f"{x.shape}")
    return x


def numpy_outer(a: Any, b: Any) -> Any:
    """``np.outer``: out[i, j] = a[i] b[j] of a and b flattened (``Tensor.outer`` takes
    vectors only, as PyTorch's)."""
    return a.reshape(-1).outer(b.reshape(-1))


def numpy_linalg_outer(x1: Any, x2: Any) -> Any:
    """``np.linalg.outer``: the outer product of two 1-d arrays (NumPy 2 refuses others;
    ``np.outer`` flattens them)."""
    if x1.ndim != 1 or x2.ndim != 1:
        raise ShapeError(f"np.linalg.outer takes two 1-d arrays (as NumPy 2); got shapes "
                         f"{x1.shape} and {x2.shape}. np.outer flattens them first")
    return x1.outer(x2)


def numpy_linalg_trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """``np.linalg.trace``: the trace of each matrix, over the *last* two axes."""
    x = _matrices(x, "trace") if dtype is None else _matrices(x, "trace").astype(dtype)
    return x.trace(offset, -2, -1)


def numpy_linalg_diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """``np.linalg.diagonal``: the diagonal of each matrix (the last two axes)."""
    return _matrices(x, "diagonal").diagonal(offset, -2, -1)


def numpy_matrix_transpose(x: Any, /) -> Any:
    """``np.matrix_transpose`` and ``np.linalg.matrix_transpose``: the last two axes
    swapped."""
    return _matrices(x, "matrix_transpose").swapaxes(-1, -2)


def numpy_linalg_vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """``np.linalg.vecdot`` (real): sum(x1 * x2) along ``axis``, broadcast, in NumPy's
    dtype (``numpy_series.vector_dot``)."""
    return vector_dot(x1, x2, axis)


FUNCTIONS = {
    np.linalg.norm: linalg_norm, np.linalg.cholesky: numpy_cholesky, np.linalg.eigh: numpy_eigh,
    np.linalg.eigvalsh: numpy_eigvalsh, np.linalg.svd: numpy_svd, np.linalg.qr: numpy_qr,
    np.linalg.pinv: numpy_pinv, np.linalg.cond: numpy_cond,
    np.linalg.matrix_rank: numpy_matrix_rank, np.linalg.lstsq: numpy_lstsq,
    np.linalg.tensorinv: numpy_tensorinv, np.linalg.tensorsolve: numpy_tensorsolve,
    np.linalg.vector_norm: numpy_vector_norm, np.linalg.matrix_norm: numpy_matrix_norm,
    np.linalg.svdvals: numpy_svdvals,
    np.linalg.eig: _complex("eig", "eigh"), np.linalg.eigvals: _complex("eigvals", "eigvalsh"),
    # NumPy 2's array-API names
    np.linalg.matmul: numpy_linalg_matmul, np.linalg.vecdot: numpy_linalg_vecdot,
    np.outer: numpy_outer, np.linalg.outer: numpy_linalg_outer, np.linalg.trace: numpy_linalg_trace,
    np.linalg.diagonal: numpy_linalg_diagonal, np.linalg.cross: numpy_linalg_cross,
    np.linalg.tensordot: numpy_linalg_tensordot,
    np.linalg.matrix_transpose: numpy_matrix_transpose,
    np.matrix_transpose: numpy_matrix_transpose,
}

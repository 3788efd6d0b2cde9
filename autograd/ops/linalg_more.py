"""Linear algebra beyond matmul: dot, outer, einsum, tensordot, trace, diagonal, det,
slogdet, inv, solve, cholesky.

The product-like ones are compositions (tensordot is an einsum, see ``ops.einsum``); det,
slogdet, inv, solve and cholesky are ops with the classical matrix-calculus VJPs.
Matrices are the last two axes; leading axes are a batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._arrays import int_argument
from ..errors import DTypeError, EinsumError, NaNMatrixError, ShapeError, SingularMatrixError
from ..function import Function, apply
from ..views import take_view
from .einsum import einsum
from .generic import constant, is_tensor, lift_like
from .indexing import triangle
from .lapack import lapack_nan_safe
from .linalg import MatMul
from .reductions import single_axis
from .shape import GetItem
from .tensordot import tensordot

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["dot", "einsum", "tensordot", "diagonal", "solve", "slogdet", "cholesky",
           "slogdet_sign", "check_square",
           "check_solve", "EinsumError", "SingularMatrixError", "Det", "LogAbsDet",
           "Inv", "Solve", "Cholesky"]


def _mT(x: Any) -> Any:
    """The matrix transpose of the last two axes (arrays and Tensors alike)."""
    return x.swapaxes(-1, -2)


def dot(a: T, b: T) -> T:
    """``np.dot``: the inner product of vectors, matmul of matrices, a scalar product
    with a 0-d operand, and a sum over a's last and b's second-to-last axis otherwise."""
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    _check_dot_lengths(a, b)
    if b.ndim <= 2:
        return apply(MatMul(), a, b)
    return tensordot(a, b, axes=([-1], [-2]))


def _check_dot_lengths(a: T, b: T) -> None:
    """ShapeError, naming dot, unless a's last axis and b's summed axis (its only one, or
    its second-to-last) have one length."""
    b_axis = 0 if b.ndim == 1 else b.ndim - 2
    if a.shape[-1] != b.shape[b_axis]:
        which = "only" if b.ndim == 1 else "second-to-last"
        raise ShapeError(f"dot: a's last axis (length {a.shape[-1]}) and b's {which} axis "
                         f"(length {b.shape[b_axis]}) are summed together, so their lengths "
                         f"must be equal; shapes {a.shape} and {b.shape}")


def diagonal(x: T, offset: int, axis1: int, axis2: int) -> T:
    """The diagonal ``offset`` of the axis1 x axis2 planes, as the last axis (as
    ``np.diagonal``); the gradient goes back onto that diagonal. A view of x, as PyTorch's:
    ``K.diagonal().add_(eps)`` writes into K, recorded while K is in a graph (Barlow Twins'
    ``diagonal(c).add_(-1)``; see ``rebase``)."""
    if x.ndim < 2:
        raise ShapeError(f"diagonal: needs at least 2 axes; got shape {x.shape}")
    offset = int_argument("diagonal", "offset", offset)
    a1, a2 = (single_axis(a, x.ndim, "diagonal") for a in (axis1, axis2))
    if a1 == a2:
        raise ShapeError(f"diagonal: axis1 and axis2 are the same axis ({a1})")
    offset = min(max(offset, -x.shape[a1]), x.shape[a2])  # (beyond: the same, empty)
    return take_view(Diagonal(offset, a1, a2, view=True), x)


def _writable_diagonal(x: np.ndarray, offset: int, axes: tuple[int, int]) -> np.ndarray:
    """``np.diagonal``'s view, writable where x is: NumPy returns it read-only, PyTorch's
    ``K.diagonal().add_(eps)`` writes into K."""
    view = np.diagonal(x, offset, *axes)
    view.flags.writeable = x.flags.writeable
    return view


def _onto_diagonal(values: np.ndarray, offset: int, axes: tuple[int, int],
                   shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of ``shape`` with ``values`` on the diagonal ``offset`` of the ``axes`` planes."""
    out = np.zeros(shape, dtype=values.dtype)
    _writable_diagonal(out, offset, axes)[...] = values
    return out


class Diagonal(Function):
    """out = the diagonal ``offset`` of x's ``axes`` planes, as the last axis: a view of x
    (writes into it reach x) or, with ``view=False``, a copy; dx = zeros of x's shape with
    g on that diagonal."""
    __slots__ = ("offset", "axes", "view", "shape")
    save_inputs = False

    def __init__(self, offset: int, axis1: int, axis2: int, view: bool = False) -> None:
        self.offset, self.axes, self.view = int(offset), (axis1, axis2), view

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        if self.view:
            return _writable_diagonal(x, self.offset, self.axes)
        return np.diagonal(x, self.offset, *self.axes).copy()

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if is_tensor(g):
            return (apply(OntoDiagonal(self.offset, self.axes, self.shape), g),)
        return (_onto_diagonal(g, self.offset, self.axes, self.shape),)


class OntoDiagonal(Function):
    """out = zeros of ``shape`` with x on a diagonal; dx = that diagonal of g (Diagonal's
    VJP as an op, so the gradient of a diagonal can be differentiated again)."""
    __slots__ = ("offset", "axes", "shape")
    save_inputs = False

    def __init__(self, offset: int, axes: tuple[int, int], shape: tuple[int, ...]) -> None:
        self.offset, self.axes, self.shape = offset, axes, shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _onto_diagonal(x, self.offset, self.axes, self.shape)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (apply(Diagonal(self.offset, *self.axes), g) if is_tensor(g)
                else np.diagonal(g, self.offset, *self.axes),)


# ------------------------------------------------------------------ matrix functions
class Inv(Function):
    """out = A^-1;  dA = -out^T g out^T."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        return _np_linalg(np.linalg.inv, a)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        out_t = _mT(out)
        return (-(out_t @ g @ out_t),)


def _inv(a: Any) -> Any:
    return apply(Inv(), a) if is_tensor(a) else _np_linalg(np.linalg.inv, a)


class Det(Function):
    """out = det A;  dA = g cof(A), the cofactor matrix: out A^-T where A is invertible.
    At a singular A (det 0) the cofactors come from the SVD A = U S V^T:
    cof(A) = det(U) det(V) U diag(prod_{j != i} s_j) V^T, which needs no inverse; under
    ``create_graph`` (forward mode, a Hessian) from the minors, cof(A)_ij = (-1)^(i+j)
    det(A without row i and column j), dets again, so differentiable at every order."""
    __slots__ = ()
    save_output = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        return np.linalg.det(a)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        g = g.reshape(np.shape(g) + (1, 1))
        if np.all(constant(out) != 0):
            return (g * out.reshape(np.shape(out) + (1, 1)) * _mT(_inv(a)),)
        return (g * (_cofactors_by_minors(a) if is_tensor(a) else _cofactors(a)),)


def _cofactors_by_minors(a: T) -> T:
    """cof(A)_ij = (-1)^(i+j) det(M_ij), M_ij being A without row i and column j, of a
    Tensor stack of matrices (n^2 determinants of size n - 1: only for singular ones)."""
    n = a.shape[-1]
    if n == 1:  # the 0x0 minor's determinant is 1
        return lift_like(a, np.ones(a.shape, dtype=a.dtype))
    others = np.array([[k for k in range(n) if k != i] for i in range(n)])  # (n, n - 1)
    minors = apply(GetItem((Ellipsis, others[:, None, :, None], others[None, :, None, :])),
                   a)  # (..., n, n, n - 1, n - 1): minors[..., i, j] is M_ij
    signs = (-1.0) ** np.add.outer(np.arange(n), np.arange(n))
    return apply(Det(), minors) * signs.astype(a.dtype)


def _cofactors(a: np.ndarray) -> np.ndarray:
    """The cofactor matrix of each matrix in ``a`` (the gradient of det), from its SVD:
    the products of all singular values but one come from running products, without
    division, so a zero singular value is no problem. A matrix holding inf (det 0 can
    come out of LU) gets NaN: LAPACK's SVD of some such matrices never returns."""
    finite = np.isfinite(a).all(axis=(-2, -1))
    u, s, vh = np.linalg.svd(np.where(finite[..., None, None], a, 0))
    ones = np.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    sign = np.linalg.det(u) * np.linalg.det(vh)
    cofactors = sign[..., None, None] * ((u * (before * after)[..., None, :]) @ vh)
    cofactors[~finite] = np.nan
    return cofactors


class LogAbsDet(Function):
    """out = ln |det A|;  dA = g A^-T."""
    __slots__ = ()

    def forward(self, a: np.ndarray) -> np.ndarray:
        return np.linalg.slogdet(a)[1]

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        return (g.reshape(np.shape(g) + (1, 1)) * _mT(_inv(a)),)


class Solve(Function):
    """out = A^-1 B (solves A out = B);  dB = A^-T g,  dA = -dB out^T."""
    __slots__ = ("vector",)
    save_output = True

    def __init__(self, vector: bool) -> None:
        self.vector = vector  # B is one vector (NumPy: when it is 1-d)

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _np_linalg(np.linalg.solve, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        if self.vector:
            g, out = g.reshape(g.shape + (1,)), out.reshape(out.shape + (1,))
        gb = _solve(_mT(a), g)
        ga = -(gb @ _mT(out)) if self.needs_input_grad[0] else None
        if self.vector:
            gb = gb.reshape(gb.shape[:-1])
        return ga, gb


def _solve(a: Any, b: Any) -> Any:
    like = a if is_tensor(a) else b if is_tensor(b) else None
    if like is not None:
        return apply(Solve(False), lift_like(like, a), lift_like(like, b))
    return _np_linalg(np.linalg.solve, a, b)


class Cholesky(Function):
    """out = L, lower triangular with A = L L^T (A symmetric positive definite);
    dA = sym(L^-T Phi(L^T tril(g)) L^-1), where Phi keeps the lower triangle and halves
    the diagonal and sym(X) = (X + X^T) / 2."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        factor = _np_linalg(np.linalg.cholesky, a)
        if np.isnan(np.diagonal(factor, 0, -2, -1)).any():  # NumPy does not flag NaN pivots
            raise NaNMatrixError(
                f"cholesky: the triangle read (the lower one; the upper with upper=True) "
                f"of the matrix (shape {a.shape}) holds NaN, so it is not positive definite "
                f"(PyTorch raises too; cholesky_ex gives info > 0). Find where the NaN comes "
                f"from (autograd.detect_anomaly() if it is a gradient), or replace it "
                f"first: A.nan_to_num()")
        return factor

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        n = np.shape(out)[-1]
        phi = _tril(_mT(out) @ _tril(g))
        phi = phi - phi * (np.eye(n, dtype=np.asarray(_data(g)).dtype) * 0.5)
        l_inv = _inv(out)
        ga = _mT(l_inv) @ phi @ l_inv
        return ((ga + _mT(ga)) * 0.5,)


def _data(x: Any) -> Any:
    return x.data if is_tensor(x) else x


def _tril(x: Any) -> Any:
    return triangle(x, 0, lower=True) if is_tensor(x) else np.tril(x)


def _np_linalg(function: Any, *arrays: np.ndarray) -> np.ndarray:
    """``function`` (NumPy's inv, solve or cholesky) of ``arrays``, a matrix holding NaN
    giving NaN for all of it, as PyTorch's (``lapack_nan_safe``; cholesky's own check
    refuses NaN), and LAPACK's failure as a ``SingularMatrixError``."""
    try:
        if function is np.linalg.cholesky:
            return function(*arrays)
        return lapack_nan_safe(function, *arrays)
    except np.linalg.LinAlgError as exc:
        raise SingularMatrixError(
            f"{function.__name__}: {exc} (shape {arrays[0].shape}). The matrix must be "
            f"invertible{' and positive definite' if function is np.linalg.cholesky else ''}"
            f"; check the input, or add a small multiple of the identity.") from None


def check_square(x: T, op: str) -> None:
    """ShapeError unless the last two axes of x are a square matrix; DTypeError for
    float16, which NumPy's linear algebra (like PyTorch's on the CPU) does not take."""
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ShapeError(f"{op}: needs square matrices in the last two axes; got shape "
                         f"{x.shape}")
    _check_not_float16(x, op)


def _check_not_float16(x: T, op: str) -> None:
    if x.dtype == np.float16:
        raise DTypeError(f"{op}: float16 matrices are not supported (NumPy's linear "
                         f"algebra has no float16 routines); got shape {x.shape}, dtype "
                         f"float16. Convert first: x.astype(np.float32) (the gradient is "
                         f"cast back to float16).")


def check_solve(a: T, b: T) -> None:
    """ShapeError unless b fits a (1-d: one vector; else matrices of a's size rows, whose
    batch axes broadcast with a's); a square b with a's rows as its size, next to a
    non-square a, is PyTorch's removed ``torch.solve(B, A)`` order, and the error says so."""
    square = a.ndim >= 2 and a.shape[-1] == a.shape[-2]
    if not square and b.ndim >= 2 and b.shape[-1] == b.shape[-2] == a.shape[-2]:
        raise ShapeError(f"solve: needs square matrices in a, got a of shape {a.shape} and "
                         f"b of shape {b.shape}: solve(a, b) solves a x = b (NumPy's order, "
                         f"as torch.linalg.solve's). PyTorch's removed torch.solve(B, A) "
                         f"took the right-hand side first: write autograd.linalg.solve(A, B)")
    check_square(a, "solve")
    _check_not_float16(b, "solve")
    inner = b.shape[0] if b.ndim == 1 else b.shape[-2] if b.ndim >= 2 else None
    if inner != a.shape[-1]:
        raise ShapeError(f"solve: a has shape {a.shape}, b has shape {b.shape}; b needs "
                         f"{a.shape[-1]} rows")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"solve: a has shape {a.shape}, b has shape {b.shape}; their batch "
                         f"axes {a.shape[:-2]} and {b.shape[:-2]} cannot broadcast (b is "
                         f"one vector only when 1-d, as in NumPy: for a batch of vectors "
                         f"write solve(a, b[..., None])[..., 0])") from None


def solve(a: T, b: T) -> T:
    """x with a x = b, as ``np.linalg.solve`` (b 1-d: one vector, else matrices)."""
    check_solve(a, b)
    return apply(Solve(b.ndim == 1), a, b)


def slogdet(a: T) -> tuple[T, T]:
    """(sign, ln |det a|), as ``np.linalg.slogdet``: the sign is a constant, the log is
    differentiable (d ln|det A| = A^-T)."""
    check_square(a, "slogdet")
    return slogdet_sign(a), apply(LogAbsDet(), a)


def cholesky(a: T, upper: bool = False) -> T:
    """The lower-triangular L with a = L L^T, read from a's lower triangle, as
    ``np.linalg.cholesky``; ``upper=True``: the upper-triangular U with a = U^T U, read
    from a's upper triangle (U = chol(a^T)^T), as PyTorch's and NumPy 2's ``upper=True``."""
    check_square(a, "cholesky")
    if upper:
        return _mT(apply(Cholesky(), _mT(a)))
    return apply(Cholesky(), a)


def slogdet_sign(a: T) -> T:
    """The sign of det a, a constant (its gradient is 0 almost everywhere); 0 where
    ln |det a| is NaN (a NaN in a), as PyTorch's (NumPy's is +-1 there)."""
    sign, logabsdet = np.linalg.slogdet(a.data)
    return a._make(np.asarray(np.where(np.isnan(logabsdet), 0, sign), dtype=sign.dtype), None)

"""``autograd.linalg``: PyTorch's ``torch.linalg`` spellings over the differentiable ops,
with PyTorch's rules where they differ from NumPy's (``solve``'s batch of vectors,
``diagonal``'s last two axes, ``slogdet``'s named pair). Matrices are the last two axes.

``autograd.solve``, ``autograd.diagonal``... keep NumPy's rules; these follow PyTorch's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from . import functions, more_functions
from .errors import NormOrderError, ShapeError, UsageError
from .function import apply
from .ops import decompositions
from .ops.reductions import normalize_axis
from .tensor import Tensor, as_tensor
from .torch_methods import SlogDet

__all__ = ["det", "slogdet", "inv", "solve", "cholesky", "vector_norm", "matrix_norm",
           "norm", "matmul", "diagonal", "matrix_power", "eigh", "eigvalsh", "svd", "svdvals",
           "qr", "pinv", "matrix_rank", "cond", "SlogDet", "EighResult", "SVDResult",
           "QRResult"]

_MATRIX_ORDERS = "'fro', 'nuc', 1, -1, 2, -2, inf and -inf"


def det(A: Any) -> Tensor:
    """The determinant of each square matrix, as ``torch.linalg.det``."""
    return as_tensor(A).det()


def slogdet(A: Any) -> SlogDet:
    """(sign, ln |det A|) as PyTorch's named pair ``.sign``, ``.logabsdet``; the sign is
    a constant, logabsdet differentiable (gradient A^-T)."""
    return as_tensor(A).slogdet()


def inv(A: Any) -> Tensor:
    """The inverse of each square matrix, as ``torch.linalg.inv``."""
    return as_tensor(A).inv()


def solve(A: Any, B: Any) -> Tensor:
    """X with A X = B, as ``torch.linalg.solve``: B is a (batch of) vector(s) when it is
    1-d or its shape is ``A.shape[:-1]`` (NumPy's ``autograd.solve`` reads the latter as
    matrices), else matrices of A's size rows; batch axes broadcast."""
    A, B = as_tensor(A), as_tensor(B)
    if B.ndim > 1 and B.ndim == A.ndim - 1 and B.shape == A.shape[:-1]:
        return more_functions.solve(A, B.reshape(B.shape + (1,))).reshape(B.shape)
    return more_functions.solve(A, B)


def cholesky(A: Any, *, upper: bool = False) -> Tensor:
    """The lower-triangular L with A = L L^T (A symmetric positive definite; only its
    lower triangle is read); L^T with ``upper=True``, as ``torch.linalg.cholesky``."""
    return as_tensor(A).cholesky(upper)


def vector_norm(x: Any, ord: Any = 2, dim: Any = None,  # noqa: A002
                keepdim: bool = False) -> Tensor:
    """The vector norm of the entries over ``dim`` (all when None), as
    ``torch.linalg.vector_norm``: any real ord, 0 (count of nonzeros), inf, -inf."""
    if isinstance(ord, str):
        raise NormOrderError(f"vector_norm: ord must be a number (any real p, 0, inf, "
                             f"-inf); got {ord!r}. For a matrix norm use matrix_norm")
    return more_functions.norm(x, ord, dim, keepdim)


def _matrix_dims(x: Tensor, dim: Any, name: str) -> tuple[int, int]:
    if x.ndim < 2:
        raise ShapeError(f"{name}: needs matrices (at least 2 axes); got shape {x.shape}. "
                         f"For a vector use vector_norm")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ShapeError(f"{name}: dim must be a pair of axes (the matrix's rows and "
                         f"columns); got {dim!r}")
    rows, cols = (normalize_axis(d, x.ndim, name)[0] for d in dim)  # in the given order
    if rows == cols:
        raise ShapeError(f"{name}: dim must name two different axes; got {dim!r}")
    return rows, cols


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1),  # noqa: A002
                keepdim: bool = False) -> Tensor:
    """A matrix norm over the axes ``dim``, as ``torch.linalg.matrix_norm``: 'fro'
    (sqrt of the sum of squares), 'nuc' (sum of the singular values), 2 / -2 (largest /
    smallest singular value), 1 / -1 (max / min absolute column sum), inf / -inf (max /
    min absolute row sum)."""
    A = as_tensor(A)
    rows, cols = _matrix_dims(A, dim, "matrix_norm")
    if isinstance(ord, str) and ord == "fro":
        return more_functions.norm(A, 2, (rows, cols), keepdim)
    if (isinstance(ord, str) and ord == "nuc") or (not isinstance(ord, str) and ord in (2, -2)):
        return _singular_value_norm(A, ord, rows, cols, keepdim)
    if isinstance(ord, str) or ord not in (1, -1, np.inf, -np.inf):
        raise NormOrderError(f"matrix_norm: ord must be one of {_MATRIX_ORDERS}; got "
                             f"{ord!r}. For the p-norm of the entries use "
                             f"vector_norm(A, ord, dim)")
    summed, reduced = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = A.abs().sum(summed, keepdims=True)
    out = sums.max(reduced, keepdims=True) if ord > 0 else sums.min(reduced, keepdims=True)
    return out if keepdim else out.squeeze((rows, cols))


def _singular_value_norm(A: Tensor, ord: Any, rows: int, cols: int, keepdim: bool) -> Tensor:
    """'nuc', 2 or -2: the sum, largest or smallest of the singular values."""
    rest = [d for d in range(A.ndim) if d not in (rows, cols)]
    values = svdvals(A.transpose(rest + [rows, cols]))
    if ord == "nuc" or (ord == 2 and values.shape[-1] == 0):  # no values: 0, as PyTorch
        out = values.sum(-1)
    else:
        out = values.max(-1) if ord == 2 else values.min(-1)
    if keepdim:
        out = out.reshape([1 if d in (rows, cols) else A.shape[d] for d in range(A.ndim)])
    return out


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """``torch.linalg.norm``: a vector norm over an int ``dim`` or a 1-d input, a matrix
    norm over a pair ``dim`` or a 2-d input; with ord and dim None, the 2-norm of all
    entries. A given ord with dim None needs a 1-d or 2-d input."""
    A = as_tensor(A)
    if isinstance(dim, (int, np.integer)) or (isinstance(dim, (tuple, list)) and len(dim) == 1):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim)
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim)
        if A.ndim not in (1, 2):
            raise ShapeError(f"norm: with ord given and dim None the input must be 1-d or "
                             f"2-d; got shape {A.shape}. Pass dim (an int for a vector "
                             f"norm, a pair for a matrix norm)")
        if A.ndim == 1:
            return vector_norm(A, ord, None, keepdim)
        dim = (-2, -1)
    return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim)


def matmul(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The matrix product, as ``torch.linalg.matmul`` (``input @ other``)."""
    return functions.matmul(input, other)


def diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A diagonal of the dim1 x dim2 planes as the last axis, as
    ``torch.linalg.diagonal``: the last two axes by default (``Tensor.diagonal``'s are 0
    and 1)."""
    return as_tensor(A).diagonal(offset, dim1, dim2)


def matrix_power(A: Any, n: int) -> Tensor:
    """Each square matrix to the integer power n (n < 0: of the inverse), as
    ``torch.linalg.matrix_power``."""
    return as_tensor(A).matrix_power(n)


# ------------------------------------------------------------------ decompositions
class EighResult(NamedTuple):
    """What ``eigh`` gives, as PyTorch's: ``eigenvalues, eigenvectors = linalg.eigh(A)``."""
    eigenvalues: Tensor
    eigenvectors: Tensor


def _checked_uplo(UPLO: Any, name: str) -> str:
    if not isinstance(UPLO, str) or UPLO.upper() not in ("L", "U"):
        raise UsageError(f"{name}: UPLO must be 'L' or 'U' (the triangle of A that is "
                         f"read); got {UPLO!r}")
    return UPLO.upper()


def eigh(A: Any, UPLO: str = "L") -> EighResult:
    """The eigenvalues (ascending) and eigenvectors (columns) of each symmetric matrix,
    A = V diag(l) V^T, as ``torch.linalg.eigh``: only the ``UPLO`` triangle of A is read;
    the gradient is symmetric, as PyTorch's. Eigenvectors are defined up to sign (use
    sign-free losses); with repeated eigenvalues the gradient is inf/NaN, as PyTorch's,
    unless the loss uses only the eigenvalues."""
    A = as_tensor(A)
    decompositions.check_matrix(A, "eigh", square=True)
    packed = apply(decompositions.Eigh(_checked_uplo(UPLO, "eigh")), A)
    return EighResult(*decompositions.eigh_parts(packed))


def eigvalsh(A: Any, UPLO: str = "L") -> Tensor:
    """The eigenvalues (ascending) of each symmetric matrix, as ``torch.linalg.eigvalsh``
    (only the ``UPLO`` triangle is read; gradient V diag(g) V^T, finite everywhere)."""
    A = as_tensor(A)
    decompositions.check_matrix(A, "eigvalsh", square=True)
    return apply(decompositions.Eigvalsh(_checked_uplo(UPLO, "eigvalsh")), A)


class SVDResult(NamedTuple):
    """What ``svd`` gives, as PyTorch's: ``U, S, Vh = linalg.svd(A)``."""
    U: Tensor
    S: Tensor
    Vh: Tensor


def svd(A: Any, full_matrices: bool = True) -> SVDResult:
    """A = U diag(S) Vh for each matrix, as ``torch.linalg.svd``: S descending; U is
    m x m and Vh n x n with ``full_matrices`` (the default, as PyTorch's), else m x k and
    k x n (k = min(m, n)). As in PyTorch, only the first k columns of U (rows of Vh) get
    a gradient; singular vectors are defined up to sign (use sign-free losses) and the
    gradient is inf/NaN at repeated singular values, unless the loss uses only S."""
    A = as_tensor(A)
    decompositions.check_matrix(A, "svd")
    m, n = A.shape[-2:]
    packed = apply(decompositions.Svd(bool(full_matrices)), A)
    u_cols, v_cols = (m, n) if full_matrices else (min(m, n),) * 2
    return SVDResult(packed[..., :m, :u_cols], packed[..., m, :min(m, n)],
                     packed[..., m + 1:, :v_cols].mT)


def svdvals(A: Any) -> Tensor:
    """The singular values (descending) of each matrix, as ``torch.linalg.svdvals``
    (gradient U diag(g) V^T, finite everywhere)."""
    A = as_tensor(A)
    decompositions.check_matrix(A, "svdvals")
    return apply(decompositions.Svdvals(), A)


class QRResult(NamedTuple):
    """What ``qr`` gives, as PyTorch's: ``Q, R = linalg.qr(A)``."""
    Q: Tensor
    R: Tensor


def qr(A: Any, mode: str = "reduced") -> QRResult:
    """A = Q R for each matrix (Q orthonormal columns, R upper triangular), as
    ``torch.linalg.qr``: 'reduced' (Q m x k, R k x n, k = min(m, n)), 'complete' (Q
    m x m; no gradient when m > n, as PyTorch's) or 'r' (Q empty; R differentiable here,
    unlike PyTorch's). The gradient needs R invertible (A of full rank). The signs are
    LAPACK's (NumPy's and PyTorch's): a row of R flips sign where the entries below its
    diagonal entry are exactly 0."""
    A = as_tensor(A)
    decompositions.check_matrix(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise UsageError(f"qr: mode must be 'reduced' (the default), 'complete' or 'r'; "
                         f"got {mode!r}")
    m, n = A.shape[-2:]
    packed = apply(decompositions.Qr("reduced" if mode == "r" else mode), A)
    R = packed[..., m:, :n]
    if mode == "r":
        return QRResult(Tensor(np.zeros(0, dtype=R.dtype)), R)
    return QRResult(packed[..., :m, :m if mode == "complete" else min(m, n)], R)


def pinv(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix, as ``torch.linalg.pinv``: singular
    values at most max(atol, rtol * the largest) count as zero (by default rtol = eps *
    max(m, n)); atol and rtol are numbers or one per matrix (arrays or Tensors of the
    batch shape). The gradient is the derivative at a fixed rank. ``hermitian=True`` is not
    supported (pinv(A) gives the same values for a symmetric A)."""
    A = as_tensor(A)
    decompositions.check_matrix(A, "pinv")
    if hermitian:
        raise UsageError("pinv: hermitian=True is not supported; for a symmetric A, "
                         "pinv(A) (hermitian=False) gives the same values")
    return apply(decompositions.Pinv(*decompositions.tolerances(atol, rtol, A, "pinv")), A)


def matrix_rank(A: Any, *, atol: Any = None, rtol: Any = None,
                hermitian: bool = False) -> Tensor:
    """The number of singular values above max(atol, rtol * the largest) of each matrix,
    as ``torch.linalg.matrix_rank`` (tolerances as ``pinv``'s): an int64 tensor, no
    gradient. ``hermitian=True`` uses the absolute eigenvalues of the lower triangle."""
    A = as_tensor(A)
    decompositions.check_matrix(A, "matrix_rank", square=hermitian)
    atol, rtol = decompositions.tolerances(atol, rtol, A, "matrix_rank")
    if hermitian:
        values = -np.sort(-np.abs(np.linalg.eigvalsh(A.data)), axis=-1)
    else:
        values = np.linalg.svd(A.data, compute_uv=False)
    kept = values > decompositions.cutoff(atol, rtol, values)
    return Tensor(np.sum(kept, axis=-1).astype(np.int64))


def cond(A: Any, p: Any = None) -> Tensor:
    """The condition number of each matrix, as ``torch.linalg.cond``: for p None or 2 the
    largest over the smallest singular value (-2: the inverse), any matrix; for 'fro',
    'nuc', 1, -1, inf, -inf, matrix_norm(A, p) * matrix_norm(inv(A), p), square A only
    (a singular A raises ``SingularMatrixError`` where PyTorch gives inf)."""
    A = as_tensor(A)
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        decompositions.check_matrix(A, "cond")
        values = svdvals(A)
        if values.shape[-1] == 0:  # an empty matrix: 0, as PyTorch
            return values.sum(-1)
        largest, smallest = values[..., 0], values[..., -1]
        return smallest / largest if p == -2 else largest / smallest
    if not ((isinstance(p, str) and p in ("fro", "nuc")) or
            (not isinstance(p, str) and p in (1, -1, np.inf, -np.inf))):
        raise NormOrderError(f"cond: p must be None or one of {_MATRIX_ORDERS}; got {p!r}")
    decompositions.check_matrix(A, f"cond (p={p!r})", square=True)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)

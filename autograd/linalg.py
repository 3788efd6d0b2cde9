"""``autograd.linalg``: PyTorch's ``torch.linalg`` spellings over the differentiable ops,
with PyTorch's rules where they differ from NumPy's (``solve``'s batch of vectors,
``diagonal``'s last two axes, ``slogdet``'s named pair). Matrices are the last two axes.

``autograd.solve``, ``autograd.diagonal``... keep NumPy's rules; these follow PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functions, more_functions
from ._arrays import as_dtype, int_argument
from .errors import DTypeError, NormOrderError, ShapeError, UsageError
from .function import apply
from .grad_mode import _flag
from .linalg_householder import householder_product
from .linalg_ldl import (LDLFactorExResult, LDLFactorResult, ldl_factor, ldl_factor_ex,
                         ldl_solve)
from .linalg_extras import (CholeskyExResult, InvExResult, LUFactorExResult, cholesky_ex, eig,
                            eigvals, inv_ex, lu_factor_ex, multi_dot, vander, vecdot)
from .linalg_lstsq import LstsqResult, lstsq
from .linalg_lu_solve import lu_solve
from .linalg_solve import SolveExResult, solve, solve_ex, tensorinv, tensorsolve
from .linalg_triangular import solve_triangular
from .ops import decompositions, lu as lu_ops, matrix_functions
from .ops.lapack import lapack_eigh, lapack_svd
from .ops.lu import LUFactorResult, LUResult
from .ops.matrix_exp import matrix_exp as ops_matrix_exp
from .ops.matrix_functions import EighResult, QRResult, SVDResult
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .torch_methods import SlogDet

__all__ = ["det", "slogdet", "inv", "matrix_exp", "solve", "cholesky", "vector_norm", "matrix_norm",
           "norm", "matmul", "cross", "diagonal", "matrix_power", "eigh", "eigvalsh", "svd",
           "svdvals", "qr", "lu", "lu_factor", "lu_solve", "solve_triangular", "pinv",
           "matrix_rank", "cond", "lstsq", "householder_product",
           "SlogDet", "EighResult", "SVDResult", "QRResult", "LUResult", "LUFactorResult",
           "LstsqResult", "vecdot", "multi_dot", "vander", "cholesky_ex", "inv_ex", "eig",
           "eigvals",
           "CholeskyExResult", "InvExResult", "LinAlgError", "lu_factor_ex",
           "ldl_factor", "ldl_factor_ex", "ldl_solve", "LDLFactorResult", "LDLFactorExResult",
           "LUFactorExResult", "solve_ex", "tensorsolve", "tensorinv", "SolveExResult"]

LinAlgError = np.linalg.LinAlgError
"""What a failed factorisation raises (``except torch.linalg.LinAlgError``): NumPy's class,
the base of ``errors.SingularMatrixError`` and ``errors.NaNMatrixError``."""


@accepts_out
def det(A: Any) -> Tensor:
    """The determinant of each square matrix, as ``torch.linalg.det``."""
    return as_tensor(A).det()


@accepts_out
def slogdet(A: Any) -> SlogDet:
    """(sign, ln |det A|) as PyTorch's named pair ``.sign``, ``.logabsdet``; the sign is
    a constant, logabsdet differentiable (gradient A^-T)."""
    return as_tensor(A).slogdet()


@accepts_out
def matrix_exp(A: Any) -> Tensor:
    """exp(A) = sum_k A^k / k! of each square matrix, as ``torch.linalg.matrix_exp``
    (scaling and squaring with a Pade approximant; differentiable twice and more)."""
    return ops_matrix_exp(as_tensor(A))


@accepts_out
def inv(A: Any) -> Tensor:
    """The inverse of each square matrix, as ``torch.linalg.inv``."""
    return as_tensor(A).inv()


@accepts_out
def cholesky(A: Any, *, upper: bool = False) -> Tensor:
    """The lower-triangular L with A = L L^T (A symmetric positive definite; only its
    lower triangle is read), as ``torch.linalg.cholesky``; ``upper=True``: the
    upper-triangular U with A = U^T U, read from the upper triangle (U = chol(A^T)^T). A
    NaN in the triangle read is a ``NaNMatrixError`` (not positive definite). ``upper``
    must be a bool, as PyTorch's."""
    return as_tensor(A).cholesky(_flag("cholesky", "upper", upper))


def _in_dtype(x: Any, dtype: Any, name: str) -> Tensor:
    """x as a Tensor, cast to ``dtype`` first when given, as PyTorch's norms' ``dtype=``:
    a float dtype that does not narrow x's (float32 to float64, not back)."""
    x = as_tensor(x)
    if dtype is None:
        return x
    target = as_dtype(dtype, f"{name}(dtype=...)")
    if target.kind != "f":
        raise DTypeError(f"{name}: dtype must be a float dtype such as np.float64 (the input "
                         f"is cast to it before the norm, as PyTorch); got {target}")
    if x.dtype.kind == "f" and not np.can_cast(x.dtype, target, "safe"):
        raise DTypeError(f"{name}: dtype={target} would narrow the input's {x.dtype} "
                         f"(PyTorch refuses it too); pass a dtype at least as wide, or "
                         f"cast the result: {name}(x).astype(np.{target})")
    return x.astype(target)


@accepts_out
def vector_norm(x: Any, ord: Any = 2, dim: Any = None,  # noqa: A002
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The vector norm of the entries over ``dim`` (all when None or ``()``, as PyTorch),
    as ``torch.linalg.vector_norm``: any real ord, 0 (count of nonzeros), inf, -inf;
    computed in ``dtype`` when given (x cast to it first)."""
    if isinstance(ord, str):
        raise NormOrderError(f"vector_norm: ord must be a number (any real p, 0, inf, "
                             f"-inf); got {ord!r}. For a matrix norm use matrix_norm")
    x = _in_dtype(x, dtype, "vector_norm")
    return more_functions.norm(x, ord, dim=dim, keepdim=keepdim)  # (dim=(): every axis)


@accepts_out
def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1),  # noqa: A002
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """A matrix norm over the axes ``dim``, as ``torch.linalg.matrix_norm``: 'fro'
    (sqrt of the sum of squares), 'nuc' (sum of the singular values), 2 / -2 (largest /
    smallest singular value), 1 / -1 (max / min absolute column sum), inf / -inf (max /
    min absolute row sum; a max over no columns or rows is 0); computed in ``dtype`` when
    given (A cast to it first)."""
    A = _in_dtype(A, dtype, "matrix_norm")
    return matrix_functions.matrix_norm(A, ord, dim, keepdim)


@accepts_out
def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False,  # noqa: A002
         *, dtype: Any = None) -> Tensor:
    """``torch.linalg.norm``: a vector norm over an int ``dim`` or a 1-d input, a matrix
    norm over a pair ``dim`` or a 2-d input; with ord and dim None, the 2-norm of all
    entries. A given ord with dim None needs a 1-d or 2-d input. ``dtype``: A cast to it
    first."""
    A = _in_dtype(A, dtype, "norm")
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


@accepts_out
def matmul(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The matrix product, as ``torch.linalg.matmul`` (``input @ other``)."""
    return functions.matmul(input, other)


@accepts_out
def cross(input: Any, other: Any, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along ``dim`` (an int, the last axis by default),
    as ``torch.linalg.cross``: the operands have one number of axes, and the others
    broadcast; differentiable (da = b x g, db = g x a)."""
    dim = int_argument("linalg.cross", "dim", dim)
    return as_tensor(input).cross(other, dim=dim)  # (one number of axes: Tensor.cross)


def diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A diagonal of the dim1 x dim2 planes as the last axis, as
    ``torch.linalg.diagonal``: the last two axes by default (``Tensor.diagonal``'s are 0
    and 1)."""
    return as_tensor(A).diagonal(offset, dim1, dim2)


@accepts_out
def matrix_power(A: Any, n: int) -> Tensor:
    """Each square matrix to the integer power n (n < 0: of the inverse), as
    ``torch.linalg.matrix_power``."""
    return as_tensor(A).matrix_power(n)


# ------------------------------------------------------------------ decompositions
@accepts_out
def eigh(A: Any, UPLO: str = "L") -> EighResult:
    """The eigenvalues (ascending) and eigenvectors (columns) of each symmetric matrix,
    A = V diag(l) V^T, as ``torch.linalg.eigh``: only the ``UPLO`` triangle of A is read;
    the gradient is symmetric, as PyTorch's. Eigenvectors are defined up to sign (use
    sign-free losses); with repeated eigenvalues the gradient is inf/NaN, as PyTorch's,
    unless the loss uses only the eigenvalues: then it is finite at first and second
    order (PyTorch's second derivatives are NaN there; see ``EigenvalueGradient``)."""
    return matrix_functions.eigh(as_tensor(A), UPLO)


@accepts_out
def eigvalsh(A: Any, UPLO: str = "L") -> Tensor:
    """The eigenvalues (ascending) of each symmetric matrix, as ``torch.linalg.eigvalsh``
    (only the ``UPLO`` triangle is read; gradient V diag(g) V^T, finite everywhere, also
    at second order)."""
    return matrix_functions.eigvalsh(as_tensor(A), UPLO)


def _check_driver(driver: Any, name: str) -> None:
    """PyTorch's ``driver=`` picks a cuSOLVER routine, on CUDA only (on the CPU it raises
    for any value but None, as here)."""
    if driver is not None:
        raise UsageError(f"{name}: driver={driver!r} chooses a cuSOLVER method, which only "
                         f"CUDA inputs have (PyTorch refuses it on the CPU too); this engine "
                         f"computes on the CPU with NumPy's LAPACK: leave driver=None")


@accepts_out
def svd(A: Any, full_matrices: bool = True, *, driver: Any = None) -> SVDResult:
    """A = U diag(S) Vh for each matrix, as ``torch.linalg.svd``: S descending; U is
    m x m and Vh n x n with ``full_matrices`` (the default, as PyTorch's), else m x k and
    k x n (k = min(m, n)). As in PyTorch, only the first k columns of U (rows of Vh) get
    a gradient; singular vectors are defined up to sign (use sign-free losses) and the
    gradient is inf/NaN at repeated singular values, unless the loss uses only S.
    ``driver`` must be None (PyTorch's is for CUDA inputs only); ``full_matrices`` a bool,
    as PyTorch's."""
    _check_driver(driver, "svd")
    return matrix_functions.svd(as_tensor(A), _flag("svd", "full_matrices", full_matrices))


@accepts_out
def svdvals(A: Any, *, driver: Any = None) -> Tensor:
    """The singular values (descending) of each matrix, as ``torch.linalg.svdvals``
    (gradient U diag(g) V^T, finite everywhere); ``driver`` must be None, as ``svd``'s."""
    _check_driver(driver, "svdvals")
    return matrix_functions.svdvals(as_tensor(A))


@accepts_out
def qr(A: Any, mode: str = "reduced") -> QRResult:
    """A = Q R for each matrix (Q orthonormal columns, R upper triangular), as
    ``torch.linalg.qr``: 'reduced' (Q m x k, R k x n, k = min(m, n)), 'complete' (Q
    m x m; no gradient when m > n, as PyTorch's) or 'r' (Q empty; R differentiable here,
    unlike PyTorch's). The gradient needs R invertible (A of full rank). The signs are
    LAPACK's (NumPy's and PyTorch's): a row of R flips sign where the entries below its
    diagonal entry are exactly 0."""
    return matrix_functions.qr(as_tensor(A), mode)


def lu_factor(A: Any, *, pivot: bool = True) -> LUFactorResult:
    """(LU, pivots) of each matrix by partial pivoting, as ``torch.linalg.lu_factor``:
    LAPACK's packed factors (L's strict lower triangle, U's upper one; differentiable for
    square matrices) and 1-based int32 row swaps. ``autograd.lu_unpack`` gives P, L, U.
    An exact zero pivot raises ``SingularMatrixError``, as PyTorch's (``lu_factor_ex`` and
    ``lu`` do not); integer matrices are factored as float64."""
    return lu_ops.lu_factor(as_tensor(A), pivot)


def lu(A: Any, *, pivot: bool = True) -> LUResult:
    """A = P L U for each matrix, as ``torch.linalg.lu``: P a permutation (a constant), L
    unit lower triangular (m x k), U upper triangular (k x n), k = min(m, n); the gradient
    (square A) is dA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T."""
    return lu_ops.lu(as_tensor(A), pivot)


def _numpy_tolerance(name: str, legacy: str, value: Any, atol: Any, rtol: Any) -> None:
    """``UsageError`` when PyTorch's NumPy-style tolerance (pinv's rcond, matrix_rank's
    tol) is given with atol or rtol: PyTorch refuses the mix too."""
    if value is not None and (atol is not None or rtol is not None):
        raise UsageError(f"{name}: {legacy}= (NumPy's spelling) cannot be given with atol= "
                         f"or rtol=, as in PyTorch; pass only atol= and rtol=")


@accepts_out
def pinv(A: Any, rcond: Any = None, hermitian: bool = False, *, atol: Any = None,
         rtol: Any = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix, as ``torch.linalg.pinv``: singular
    values at most max(atol, rtol * the largest) count as zero (by default rtol = eps *
    max(m, n)); atol and rtol are numbers or one per matrix (arrays or Tensors of the
    batch shape). PyTorch's NumPy-style ``pinv(A, rcond)`` is rtol = rcond (atol 0).
    ``hermitian=True``: A is symmetric (not checked), only its lower triangle is read and
    the eigenvalues' absolute values take the singular values' place. The gradient is the
    derivative at a fixed rank."""
    _numpy_tolerance("pinv", "rcond", rcond, atol, rtol)
    rtol = rtol if rcond is None else rcond
    A = as_tensor(A)
    decompositions.check_matrix(A, "pinv (hermitian=True)" if hermitian else "pinv",
                                square=bool(hermitian))
    atol, rtol = decompositions.tolerances(atol, rtol, A, "pinv")
    return apply(decompositions.Pinv(atol, rtol, bool(hermitian)), A)


@accepts_out
def matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *, atol: Any = None,
                rtol: Any = None) -> Tensor:
    """The number of singular values above max(atol, rtol * the largest) of each matrix,
    as ``torch.linalg.matrix_rank`` (tolerances as ``pinv``'s): an int64 tensor, no
    gradient. PyTorch's NumPy-style ``matrix_rank(A, tol)`` is atol = tol, rtol = 0.
    ``hermitian=True`` uses the absolute eigenvalues of the lower triangle."""
    _numpy_tolerance("matrix_rank", "tol", tol, atol, rtol)
    if tol is not None:
        atol, rtol = tol, 0.0
    A = as_tensor(A)
    decompositions.check_matrix(A, "matrix_rank", square=hermitian)
    atol, rtol = decompositions.tolerances(atol, rtol, A, "matrix_rank")
    if hermitian:
        values = -np.sort(-np.abs(lapack_eigh(A.data, "L", vectors=False)), axis=-1)
    else:
        values = lapack_svd(A.data, compute_uv=False)
    kept = values > decompositions.cutoff(atol, rtol, values)
    return Tensor(np.sum(kept, axis=-1).astype(np.int64))


@accepts_out
def cond(A: Any, p: Any = None) -> Tensor:
    """The condition number of each matrix, as ``torch.linalg.cond``: for p None or 2 the
    largest over the smallest singular value (-2: the inverse), any matrix; for 'nuc'
    sum(s) * sum(1 / s); for 'fro', 1, -1, inf, -inf, matrix_norm(A, p) *
    matrix_norm(inv(A), p); all but None/2/-2 need square A. A singular A gives inf (or
    a huge number where rounding leaves its smallest singular value above 0, NaN for a
    zero matrix with the singular-value orders), as PyTorch's; empty matrices give 0."""
    return matrix_functions.cond(as_tensor(A), p)

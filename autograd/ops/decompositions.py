"""Matrix decompositions with their VJPs: eigh and eigvalsh (symmetric eigenproblem), svd
and svdvals, qr, pinv. Matrices are the last two axes; leading axes are a batch.

An op has one output array, so a decomposition with several results packs them into one
array, which ``autograd.linalg`` slices (ordinary differentiable indexing):

- ``Eigh``: shape (..., n+1, n); row 0 holds the eigenvalues (ascending), rows 1..n the
  eigenvectors (as columns, A = V diag(l) V^T).
- ``Svd``: shape (..., m+1+n, w); rows :m hold U, row m the singular values (descending),
  rows m+1: hold V (not V^T), so A = U diag(s) V^T; each block is zero-padded on the
  right to the common width w (k = min(m, n) when reduced, max(m, n) with full_matrices).
- ``Qr``: rows :m hold Q, the rows below hold R, zero-padded on the right likewise.

The VJPs of ``Eigh`` and ``Svd`` hold where the eigenvalues (singular values) are distinct
and, for the SVD of a non-square matrix, nonzero: elsewhere they divide by l_j - l_i
(s_j^2 - s_i^2, s_i) and give inf or NaN, as PyTorch's do, unless the loss uses only the
values (the vectors' gradient is zero): then, as in PyTorch, they are finite everywhere,
as those of ``Eigvalsh`` and ``Svdvals``, which need no such division. ``Eigvalsh``'s
VJP recorded under ``create_graph`` is ``EigenvalueGradient``, whose own VJP is finite at
repeated eigenvalues too (PyTorch's second derivatives there are NaN); ``linalg.eigh``
takes its eigenvalues from ``Eigvalsh`` for that reason, and ``linalg.svd`` its singular
values from ``SingularValues`` (read from ``Svd``'s output), so that a recorded gradient
(``create_graph``) of the values alone never meets the vectors' divisions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import BackwardError, DTypeError, ShapeError, UsageError
from ..function import Function, apply
from .generic import constant, is_tensor, lift_like
from .lapack import lapack_eigh, lapack_svd
from .linalg_more import Solve
from .shape import Concatenate

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["Eigh", "Eigvalsh", "EigenvalueGradient", "Svd", "Svdvals", "SingularValues",
           "Qr", "Pinv",
           "check_matrix", "eigh_parts", "svd_parts", "tolerances", "cutoff", "run_solve"]


def _mT(x: Any) -> Any:
    """The matrix transpose of the last two axes (arrays and Tensors alike)."""
    return x.swapaxes(-1, -2)


def _eye(n: int, like: Any) -> np.ndarray:
    return np.eye(n, dtype=like.dtype)


# ------------------------------------------------------------------ symmetric eigenproblem
class Eigh(Function):
    """out = [l; V] packed (see the module docstring), A = V diag(l) V^T with A symmetric
    (only its ``uplo`` triangle is read);
    dA = V (diag(gl) + F o (V^T gV - gV^T V) / 2) V^T,  F_ij = 1 / (l_j - l_i) (i != j).
    The gradient is symmetric (as PyTorch's): the derivative for symmetric changes of A."""
    __slots__ = ("uplo",)
    save_inputs = False
    save_output = True

    def __init__(self, uplo: str) -> None:
        self.uplo = uplo

    def forward(self, a: np.ndarray) -> np.ndarray:
        values, vectors = lapack_eigh(a, self.uplo)
        return np.concatenate([values[..., None, :], vectors], axis=-2)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        values, vectors = out[..., 0, :], out[..., 1:, :]
        g_values, g_vectors = g[..., 0, :], g[..., 1:, :]
        eye = _eye(out.shape[-1], out)
        inner = g_values[..., None, :] * eye
        if _used(g_vectors):  # else, as PyTorch, no 1 / (l_j - l_i): finite everywhere
            gaps = values[..., None, :] - values[..., :, None] + eye  # l_j - l_i; 1 on diag
            vtg = _mT(vectors) @ g_vectors
            inner = inner + (vtg - _mT(vtg)) * 0.5 / gaps
        return (vectors @ inner @ _mT(vectors),)


class Eigvalsh(Function):
    """out = l, the eigenvalues of symmetric A (ascending; ``uplo`` triangle read);
    dA = V diag(g) V^T (V recomputed in the backward pass; under ``create_graph``
    recorded as ``EigenvalueGradient``, differentiable again)."""
    __slots__ = ("uplo",)

    def __init__(self, uplo: str) -> None:
        self.uplo = uplo

    def forward(self, a: np.ndarray) -> np.ndarray:
        return lapack_eigh(a, self.uplo, vectors=False)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        vectors = None if is_tensor(a) else lapack_eigh(a, self.uplo)[1]
        return (_eigenvalue_gradient(self.uplo, a, vectors, g),)


class EigenvalueGradient(Function):
    """out = V diag(g) V^T, the gradient that eigenvalues with upstream gradient g send to
    symmetric A = V diag(l) V^T (``uplo`` triangle read), as a function of A and g: what
    ``Eigvalsh``'s VJP records under ``create_graph``. Its VJP, for an upstream W and
    S = V^T W V:  dg = diag(S),  dA = V (D o (S + S^T) / 2) V^T,  D_ij = (g_j - g_i) /
    (l_j - l_i), and D_ij = 0 where l_i = l_j and g_i = g_j (the diagonal too): inside an
    eigenspace where g is constant, V diag(g) V^T does not move, so repeated eigenvalues
    give finite second derivatives (PyTorch's are NaN there). Where l_i = l_j but
    g_i != g_j the gradient jumps with A: D_ij is inf.
    At an exactly repeated eigenvalue the eigenvalues' first derivative is the convention
    dl_i = v_i^T dA v_i (as PyTorch's), so a loss that is not linear in the repeated ones
    (sum(l ** 2) at the identity) lacks, at second order, f''(l) (v_i^T dA v_j)^2 for
    i != j inside the eigenspace: the graph sees the eigenvalues, not f."""
    __slots__ = ("uplo",)

    def __init__(self, uplo: str) -> None:
        self.uplo = uplo

    def forward(self, a: np.ndarray, g: np.ndarray) -> np.ndarray:
        vectors = lapack_eigh(a, self.uplo)[1]
        return (vectors * g[..., None, :]) @ _mT(vectors)

    def vjp(self, w: Any, out: Any, a: Any, g: Any) -> tuple:
        values, vectors = eigh_parts(_run(Eigh(self.uplo), a))
        s = _mT(vectors) @ w @ vectors
        g_a = None
        if self.needs_input_grad[0]:
            g_row, l_row = g[..., None, :], values[..., None, :]
            rises = g_row - _mT(g_row)  # g_j - g_i
            gaps = l_row - _mT(l_row)  # l_j - l_i
            flat = (constant(gaps) == 0) & (constant(rises) == 0)  # D_ij = 0 there
            ratio = rises / (gaps + flat.astype(constant(gaps).dtype))
            g_a = vectors @ (ratio * (s + _mT(s)) * 0.5) @ _mT(vectors)
        g_g = _diagonal(s) if self.needs_input_grad[1] else None
        return g_a, g_g


def _eigenvalue_gradient(uplo: str, a: Any, vectors: Any, g: Any) -> Any:
    """V diag(g) V^T: on arrays with the eigenvectors at hand, recorded as
    ``EigenvalueGradient`` on Tensors (create_graph) so that its derivative is finite
    at repeated eigenvalues."""
    if is_tensor(a) or is_tensor(g):
        like = a if is_tensor(a) else g
        return apply(EigenvalueGradient(uplo), lift_like(like, a), lift_like(like, g))
    return (vectors * g[..., None, :]) @ _mT(vectors)


def _diagonal(x: Any) -> Any:
    """The diagonal of each matrix (the last two axes) as the last axis."""
    return (x * _eye(x.shape[-1], x)).sum(-1)


def eigh_parts(packed: Any) -> tuple[Any, Any]:
    """(eigenvalues, eigenvectors) from ``Eigh``'s packed output."""
    return packed[..., 0, :], packed[..., 1:, :]


# ------------------------------------------------------------------ singular values
class Svd(Function):
    """out = [U; s; V] packed (see the module docstring), A = U diag(s) V^T;
    dA = U (F o (U^T gU - gU^T U) S + S F o (V^T gV - gV^T V) + diag(gs)) V^T
         + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T),  F_ij = 1 / (s_j^2 - s_i^2).
    With ``full_matrices`` only the first k = min(m, n) columns of U and V get a
    gradient, as in PyTorch (the others are any orthonormal completion)."""
    __slots__ = ("full_matrices",)
    save_output = True

    def __init__(self, full_matrices: bool) -> None:
        self.full_matrices = full_matrices

    def forward(self, a: np.ndarray) -> np.ndarray:
        u, s, vh = lapack_svd(a, full_matrices=self.full_matrices)
        return _stack_rows([u, s[..., None, :], _mT(vh)])

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        m, n = a.shape[-2:]
        u, s, v = svd_parts(out, m, n)
        gu, gs, gv = svd_parts(g, m, n)
        if not (_used(gu) or _used(gv)):  # S alone: U diag(gs) V^T, finite everywhere
            return ((u * gs[..., None, :]) @ _mT(v),)  # (PyTorch skips those terms too)
        s_row, s_col = s[..., None, :], s[..., :, None]
        eye = _eye(s.shape[-1], out)
        gaps = s_row * s_row - s_col * s_col + eye  # s_j^2 - s_i^2; 1 on the diagonal
        utgu, vtgv = _mT(u) @ gu, _mT(v) @ gv
        inner = ((utgu - _mT(utgu)) * s_row + s_col * (vtgv - _mT(vtgv))) / gaps
        ga = u @ (inner + gs[..., None, :] * eye) @ _mT(v)
        if m > n:  # U's columns span only part of R^m
            ga = ga + ((gu - u @ utgu) / s_row) @ _mT(v)
        if n > m:
            ga = ga + u @ (_mT(gv - v @ vtgv) / s_col)
        return (ga,)


def svd_parts(packed: Any, m: int, n: int) -> tuple[Any, Any, Any]:
    """(U, s, V) from ``Svd``'s packed output, each cut to the reduced k = min(m, n)."""
    k = min(m, n)
    return packed[..., :m, :k], packed[..., m, :k], packed[..., m + 1:, :k]


class SingularValues(Function):
    """out = s, read from ``Svd``'s packed output (the second input) of A (the first);
    dA = U diag(g) V^T, with U and V from that output (recorded under ``create_graph``,
    so the second derivative goes through Svd's VJP); no gradient goes to the packed
    output itself. Unlike the s row of the packed output, whose gradient reaches Svd's
    VJP, this one needs no 1 / (s_j^2 - s_i^2): finite at repeated singular values."""
    __slots__ = ()
    save_output = False

    def forward(self, a: np.ndarray, packed: np.ndarray) -> np.ndarray:
        return svd_parts(packed, *a.shape[-2:])[1].copy()

    def vjp(self, g: Any, out: Any, a: Any, packed: Any) -> tuple:
        u, _, v = svd_parts(packed, *a.shape[-2:])
        return ((u * g[..., None, :]) @ _mT(v), None)


class Svdvals(Function):
    """out = s, the singular values of A (descending);  dA = U diag(g) V^T (U, V
    recomputed in the backward pass, differentiably under ``create_graph``)."""
    __slots__ = ()

    def forward(self, a: np.ndarray) -> np.ndarray:
        return lapack_svd(a, compute_uv=False)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        u, _, v = svd_parts(_run(Svd(False), a), *a.shape[-2:])
        return ((u * g[..., None, :]) @ _mT(v),)


# ------------------------------------------------------------------ QR
class Qr(Function):
    """out = [Q; R] packed (see the module docstring), A = Q R, Q with orthonormal
    columns, R upper triangular. m >= n:  dA = (gQ + Q copyltu(M)) R^-T with
    M = R gR^T - gQ^T Q and copyltu(M) = tril(M) + tril(M, -1)^T.  m < n: A = [X Y] with
    X = Q R_1 square and R_2 = Q^T Y: dX by the rule above from gQ + Y gR_2^T and gR_1,
    dY = Q gR_2. ``mode='complete'`` with m > n has no gradient (Q's added columns are
    any orthonormal completion), as in PyTorch."""
    __slots__ = ("mode",)
    save_output = True

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def forward(self, a: np.ndarray) -> np.ndarray:
        return _stack_rows(list(np.linalg.qr(a, mode=self.mode)))

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        m, n = a.shape[-2:]
        if self.mode == "complete" and m > n:
            raise BackwardError(f"qr: mode='complete' with more rows than columns (shape "
                                f"{a.shape}) has no gradient: Q's last {m - n} columns are "
                                f"any orthonormal completion. Use mode='reduced'.")
        k = min(m, n)
        q, r, gq, gr = out[..., :m, :k], out[..., m:, :n], g[..., :m, :k], g[..., m:, :n]
        if m >= n:
            return (_qr_square_vjp(gq, gr, q, r),)
        y, gr_2 = a[..., :, m:], gr[..., :, m:]
        gx = _qr_square_vjp(gq + y @ _mT(gr_2), gr[..., :, :m], q, r[..., :, :m])
        return (_concatenate([gx, q @ gr_2]),)


def _qr_square_vjp(gq: Any, gr: Any, q: Any, r: Any) -> Any:
    """(gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q (R square)."""
    k = r.shape[-1]
    m = r @ _mT(gr) - _mT(gq) @ q
    copyltu = m * np.tri(k, dtype=r.dtype) + _mT(m * np.tri(k, k=-1, dtype=r.dtype))
    return _mT(run_solve(r, _mT(gq + q @ copyltu)))  # X R^-T = (R^-1 X^T)^T


# ------------------------------------------------------------------ pseudo-inverse
class Pinv(Function):
    """out = X = A^+ (singular values s_i <= max(atol, rtol s_max) count as 0); with
    ``hermitian``, from the eigenvalues of the symmetric matrix A's lower triangle holds
    (|l_i| <= max(atol, rtol max |l|) count as 0), as PyTorch's;
    dA = -X^T g X^T + (I - A X) g^T X X^T + X^T X g^T (I - X A), the derivative where
    the rank does not change (PyTorch's, with A as given also when ``hermitian``)."""
    __slots__ = ("atol", "rtol", "hermitian")
    save_output = True

    def __init__(self, atol: Any, rtol: Any, hermitian: bool = False) -> None:
        self.atol, self.rtol = atol, rtol  # numbers or arrays of the batch shape
        self.hermitian = hermitian

    def forward(self, a: np.ndarray) -> np.ndarray:
        if self.hermitian:
            values, vectors = lapack_eigh(a, "L")
            largest = np.abs(values).max(-1, keepdims=True, initial=0.0)
            kept = np.abs(values) > cutoff(self.atol, self.rtol, largest)
            inverse = np.divide(1, values, out=np.zeros_like(values), where=kept)
            return (vectors * inverse[..., None, :]) @ _mT(vectors)
        u, s, vh = lapack_svd(a, full_matrices=False)
        kept = s > cutoff(self.atol, self.rtol, s)
        s_inv = np.divide(1, s, out=np.zeros_like(s), where=kept)
        return (_mT(vh) * s_inv[..., None, :]) @ _mT(u)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        m, n = a.shape[-2:]
        left = _eye(m, out) - a @ out  # I - A X, the projector off A's column space
        right = _eye(n, out) - out @ a  # I - X A
        gt, xt = _mT(g), _mT(out)
        return (-(xt @ g @ xt) + left @ gt @ (out @ xt) + (xt @ out) @ gt @ right,)


def tolerances(atol: Any, rtol: Any, x: T, op: str) -> tuple[Any, Any]:
    """(atol, rtol) as PyTorch's pinv/matrix_rank default them: atol 0 when not given;
    rtol eps * max(m, n) when not given, except where a given atol is > 0 (there 0). Each
    is a number or, as PyTorch's tensor tolerances, one per matrix (broadcasting to x's
    batch shape)."""
    batch = x.shape[:-2]
    given_atol = atol is not None
    atol = _tolerance(0.0 if atol is None else atol, "atol", batch, op)
    if rtol is None:
        floating = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
        default = np.finfo(floating).eps * max(x.shape[-2:])
        rtol = np.where(given_atol & (atol > 0), 0.0, default)
    else:
        rtol = _tolerance(rtol, "rtol", batch, op)
    atol, rtol = (float(t) if t.ndim == 0 else t for t in (atol, rtol))  # reprs read well
    return atol, rtol


def _tolerance(value: Any, name: str, batch: tuple[int, ...], op: str) -> np.ndarray:
    """``value`` (a number, array or Tensor) as float64, checked to broadcast to ``batch``."""
    try:
        array = np.asarray(getattr(value, "data", value), dtype=np.float64)
    except (TypeError, ValueError):
        raise UsageError(f"{op}: {name} must be a number or an array of numbers (one per "
                         f"matrix); got {value!r}") from None
    try:
        np.broadcast_to(array, batch)
    except ValueError:
        raise ShapeError(f"{op}: {name} of shape {array.shape} does not broadcast to the "
                         f"batch shape {batch} of the matrices (one tolerance per matrix, "
                         f"or one number for all)") from None
    return array


def cutoff(atol: np.ndarray, rtol: np.ndarray, values: np.ndarray) -> np.ndarray:
    """max(atol, rtol * the largest) per matrix, shaped to compare with its ``values``
    (singular values, the largest first, on the last axis)."""
    return np.maximum(np.expand_dims(atol, -1), np.expand_dims(rtol, -1) * values[..., :1])


# ------------------------------------------------------------------ helpers
def _used(g: Any) -> bool:
    """False when the gradient block g is a constant of zeros, as for an output the loss
    does not use (PyTorch's undefined gradient): the VJP then skips the terms that divide
    by gaps between eigen- or singular values (0 / 0 = NaN where values repeat). A block
    that is recorded (``create_graph`` with an upstream gradient that depends on the
    inputs, or ``functional.jvp``'s zero probe) is used: its derivative needs the terms."""
    if is_tensor(g):
        return g.requires_grad or bool(np.any(g.data))
    return bool(np.any(g))


def _run(op: Function, a: Any) -> Any:
    """``op`` on a Tensor (recorded, for create_graph) or on an array (plain forward)."""
    return apply(op, a) if is_tensor(a) else op.forward(a)


def run_solve(a: Any, b: Any) -> Any:
    """A^-1 B (matrices) on arrays, or recorded on Tensors."""
    like = a if is_tensor(a) else b if is_tensor(b) else None
    if like is None:
        return Solve(False).forward(a, b)
    return apply(Solve(False), lift_like(like, a), lift_like(like, b))


def _concatenate(parts: list) -> Any:
    """The parts side by side (last axis), arrays or Tensors."""
    if any(is_tensor(p) for p in parts):
        return apply(Concatenate(-1), *parts)
    return np.concatenate(parts, axis=-1)


def _stack_rows(blocks: list) -> np.ndarray:
    """The blocks one above the other (axis -2), each zero-padded on the right to the
    widest."""
    width = max(b.shape[-1] for b in blocks)
    pads = [[(0, 0)] * (b.ndim - 1) + [(0, width - b.shape[-1])] for b in blocks]
    return np.concatenate([np.pad(b, p) for b, p in zip(blocks, pads)], axis=-2)


def check_matrix(x: T, op: str, square: bool = False) -> None:
    """ShapeError unless x has matrices in its last two axes (square ones if asked);
    DTypeError for float16, which NumPy's linear algebra does not take."""
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        kind = "square matrices" if square else "matrices"
        raise ShapeError(f"{op}: needs {kind} in the last two axes; got shape {x.shape}")
    if x.dtype == np.float16:
        raise DTypeError(f"{op}: float16 matrices are not supported (NumPy's linear "
                         f"algebra has no float16 routines); got shape {x.shape}. Convert "
                         f"first: x.astype(np.float32)")

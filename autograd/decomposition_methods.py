"""``DecompositionMethods`` (a mixin of ``Tensor``): PyTorch's older matrix-decomposition
Tensor methods, which ``torch.linalg`` replaced but programs still write (Procrustes and
Kabsch alignment with ``A.svd()``, Gram-Schmidt by ``A.qr()``), the matrix exponential as
a method, the conjugate transposes (``A.mH``, ``A.H``, ``A.adjoint()``: the transposes, as
every tensor here is real) and ``x.cov()``, ``x.corrcoef()`` (ZCA whitening).

Each is a composition of the differentiable decompositions (``ops.matrix_functions``) and
elementary ops, so it differentiates as they do.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .errors import DataError, DTypeError, ShapeError, UsageError
from .grad_mode import _flag
from .ops import linalg_more, matrix_functions
from .ops.matrix_exp import matrix_exp
from .scaled_sums import scaled_sum
from .tensor_math import where

__all__ = ["DecompositionMethods", "SVDTriple", "QRPair", "covariance"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class SVDTriple(NamedTuple):
    """``torch.svd``'s triple: ``U, S, V`` with A = U diag(S) V^T (V, not V^T)."""
    U: AnyTensor
    S: AnyTensor
    V: AnyTensor


class QRPair(NamedTuple):
    """``torch.qr``'s pair: ``Q, R``."""
    Q: AnyTensor
    R: AnyTensor


def _weights(w: Any, name: str, n: int, like: AnyTensor) -> AnyTensor | None:
    """A 1-d weight vector of one weight per observation (or None): ``fweights``
    integers (whole numbers of a float dtype too, as NumPy's), ``aweights`` floating,
    none of them negative."""
    if w is None:
        return None
    w = w if isinstance(w, type(like)) else like.new_tensor(np.asarray(w))
    if w.ndim != 1 or w.shape[0] != n:
        raise ShapeError(f"cov: {name} must be 1-d with one weight per observation ({n}); "
                         f"got shape {w.shape}")
    if w.dtype.kind in "biu" and name == "aweights":
        raise UsageError("cov: aweights must be floating (PyTorch's rule); got "
                         f"{w.dtype}")
    if name == "fweights" and (w.data != np.round(w.data)).any():
        raise DTypeError(f"cov: fweights are frequencies and must be integers (NumPy's "
                         f"rule); got {w.data[w.data != np.round(w.data)][0].item()}. Use "
                         f"aweights for real weights")
    if (w.data < 0).any():
        raise DataError(f"cov: {name} cannot be negative (NumPy's and PyTorch's rule); got "
                        f"{w.data[w.data < 0][0].item()}")
    # integer frequencies take the data's dtype; float weights promote it, as PyTorch's
    return w.astype(like.dtype) if w.dtype.kind in "biu" else w


def covariance(x: AnyTensor, correction: int, fweights: Any, aweights: Any) -> AnyTensor:
    """sum_i w_i (x_i - m)(x_i - m)^T / (sum w - correction * sum(w a) / sum w), rows the
    variables and columns the observations, as ``torch.cov`` (w = fweights * aweights,
    m their weighted mean; without aweights the divisor is sum w - correction). One
    variable (a 1-d x, or one row) gives a 0-d result, as PyTorch's and NumPy's."""
    if x.ndim > 2:
        raise ShapeError(f"cov: the input must have at most 2 axes (variables x "
                         f"observations); got shape {x.shape}")
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    rows = x.reshape(1, -1) if x.ndim < 2 else x
    n = rows.shape[1]
    f, a = _weights(fweights, "fweights", n, rows), _weights(aweights, "aweights", n, rows)
    w = f if a is None else (a if f is None else f * a)
    if w is None:
        mean = rows.mean(axis=1, keepdims=True)
        divisor = n - correction
        centered = rows - mean
        weighted = centered
    else:
        total = w.sum()
        mean = (rows * w).sum(axis=1, keepdims=True) / total
        divisor = (total - correction if a is None
                   else total - correction * (w * a).sum() / total)
        centered = rows - mean
        weighted = centered * w
    divisor = divisor.clamp(min=0) if hasattr(divisor, "clamp") else max(divisor, 0)
    c = (weighted @ centered.mT) / divisor
    return c.reshape(()) if rows.shape[0] == 1 else c  # one variable: 0-d, as PyTorch


class DecompositionMethods:
    """PyTorch's Tensor methods ``svd qr matrix_exp mH H adjoint cov corrcoef addmv addr
    ger``."""

    __slots__ = ()

    def svd(self, some: bool = True, compute_uv: bool = True) -> SVDTriple:
        """A = U diag(S) V^T, as ``torch.svd`` (``torch.linalg.svd``'s older spelling):
        V, not Vh; ``some=True`` (the default) the reduced factors. ``compute_uv=False``:
        S alone is computed, U and V are zeros of shape m x m and n x n, as PyTorch's. Both
        flags must be bools, as PyTorch's."""
        some, compute_uv = _flag("svd", "some", some), _flag("svd", "compute_uv", compute_uv)
        m, n = self.shape[-2:] if self.ndim >= 2 else (None, None)
        if not compute_uv:
            S = matrix_functions.svdvals(self, "svd")
            batch = self.shape[:-2]
            return SVDTriple(self.new_zeros(batch + (m, m)), S,
                             self.new_zeros(batch + (n, n)))
        U, S, Vh = matrix_functions.svd(self, full_matrices=not some, name="svd")
        return SVDTriple(U, S, Vh.mT)

    def qr(self, some: bool = True) -> QRPair:
        """A = Q R, as ``torch.qr`` (``torch.linalg.qr``'s older spelling): ``some=True``
        (the default) is mode 'reduced', ``some=False`` mode 'complete' (a bool, as PyTorch's)."""
        some = _flag("qr", "some", some)
        Q, R = matrix_functions.qr(self, "reduced" if some else "complete", name="qr")
        return QRPair(Q, R)

    def matrix_exp(self) -> AnyTensor:
        """exp(A) of each square matrix, as ``torch.matrix_exp``."""
        return matrix_exp(self)

    @property
    def mH(self) -> AnyTensor:  # noqa: N802  (PyTorch's name)
        """The conjugate transpose of the last two axes: ``mT``, every tensor being real."""
        return self._last_two_swapped("mH")

    @property
    def H(self) -> AnyTensor:  # noqa: N802  (PyTorch's name)
        """The conjugate transpose of a matrix: ``T`` of a 2-d tensor (real here)."""
        if self.ndim != 2:
            raise ShapeError(f"H is the conjugate transpose of a matrix (2 axes), as in "
                             f"PyTorch; got shape {self.shape}. Use mH for a batch")
        return self.mT

    def adjoint(self) -> AnyTensor:
        """``mH``: the last two axes swapped (the conjugate is a no-op on real tensors)."""
        return self._last_two_swapped("adjoint()")

    def cov(self, *, correction: int = 1, fweights: Any = None,
            aweights: Any = None) -> AnyTensor:
        """The covariance of the rows (variables) over the columns (observations), as
        ``torch.cov`` (see ``covariance``)."""
        return covariance(self, correction, fweights, aweights)

    def corrcoef(self) -> AnyTensor:
        """The Pearson correlations of the rows, as ``torch.corrcoef``: cov(x) divided by
        the outer product of its diagonal's square roots, clipped to [-1, 1]."""
        c = covariance(self, 1, None, None)
        if c.ndim == 0:
            return c / c
        std = c.diagonal().sqrt()
        c = c / std[:, None]
        c = c / std[None, :]
        return c.clamp(-1, 1)

    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> AnyTensor:
        """beta * self + alpha * (mat @ vec), as ``torch.addmv`` (mat 2-d, vec 1-d; the
        rules of alpha, beta and self in ``scaled_sums``)."""
        if np.ndim(mat) != 2 or np.ndim(vec) != 1:
            raise ShapeError(f"addmv: mat must be a matrix and vec a vector; got shapes "
                             f"{np.shape(mat)} and {np.shape(vec)}")
        return scaled_sum(self, self._lift(mat) @ vec, beta, alpha, "addmv")

    def addr(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> AnyTensor:
        """beta * self + alpha * outer(vec1, vec2), as ``torch.addr`` (1-d vectors; the
        rules of alpha, beta and self in ``scaled_sums``)."""
        if np.ndim(vec1) != 1 or np.ndim(vec2) != 1:
            raise ShapeError(f"addr: vec1 and vec2 must be vectors; got shapes "
                             f"{np.shape(vec1)} and {np.shape(vec2)}")
        return scaled_sum(self, self._lift(vec1)[:, None] * vec2, beta, alpha, "addr")

    def ger(self, vec2: Any) -> AnyTensor:
        """The outer product self vec2^T of two vectors, as ``torch.ger`` (``outer``)."""
        return self.outer(vec2)

    def matrix_power(self, n: int) -> AnyTensor:
        """Each square matrix to the integer power ``n`` by repeated matmul (n < 0: of
        the inverse; n = 0: the identity, in the graph with gradient 0), as PyTorch's."""
        linalg_more.check_square(self, "matrix_power")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise DTypeError(f"matrix_power: n must be an int; got {type(n).__name__} "
                             f"{n!r}. For a real power of a matrix use its eigenvectors")
        if n == 0:
            identity = np.broadcast_to(np.eye(self.shape[-1], dtype=self.dtype), self.shape)
            return where(np.ones(self.shape, dtype=bool), identity, self)  # dA = 0
        base = self.inv() if n < 0 else self
        result = base
        for _ in range(abs(int(n)) - 1):
            result = result @ base
        return result

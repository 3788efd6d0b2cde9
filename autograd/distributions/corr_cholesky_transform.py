"""``CorrCholeskyTransform`` (as ``torch.distributions.transforms``'): a bijection from
R^(D(D-1)/2) onto the lower Cholesky factors of D x D correlation matrices
(``biject_to(constraints.corr_cholesky)`` and ``transform_to``), the unconstrained
parameter of an ``LKJCholesky`` prior. Stan's construction: tanh gives the canonical
partial correlations r, and stick breaking of the squares keeps each row at unit norm."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..functions import cat
from ..more_functions import softplus
from ..tensor import Tensor, as_tensor
from .constraints import corr_cholesky, real_vector
from .transform_base import Transform, require_axes, same_class

__all__ = ["CorrCholeskyTransform"]


def _size_of(n: int) -> int:
    """D with D (D - 1) / 2 = n, else ``ShapeError``."""
    d = round((0.25 + 2 * n) ** 0.5 + 0.5)
    if d * (d - 1) // 2 != n:
        raise ShapeError(f"CorrCholeskyTransform: the last axis ({n}) is not D (D - 1) / 2 "
                         f"for any D (PyTorch's 'Input is not a flattened lower-diagonal "
                         f"number')")
    return d


def _vector_size(shape: tuple[int, ...], where: str = "CorrCholeskyTransform") -> int:
    """D for x of shape (..., D (D - 1) / 2), else ``ShapeError``."""
    require_axes(where, shape, 1,
                 "the last holds the D (D - 1) / 2 unconstrained coordinates")
    return _size_of(shape[-1])


def _matrix_size(shape: tuple[int, ...], where: str = "CorrCholeskyTransform.inv") -> int:
    """D for y of shape (..., D, D), else ``ShapeError`` (PyTorch's ValueError 'Too few
    dimensions on input' / 'Input is not square')."""
    require_axes(where, shape, 2, "the last two hold a D x D Cholesky factor")
    if shape[-2] != shape[-1]:
        raise ShapeError(f"{where}: expected square matrices of shape "
                         f"(..., D, D), got shape {tuple(shape)} (PyTorch's 'Input is not "
                         f"square'); give the lower Cholesky factor of a correlation matrix")
    return shape[-1]


def _vector_to_strict_lower(x: Tensor, d: int) -> Tensor:
    """The D x D matrix with x below the diagonal, row by row, and 0 elsewhere."""
    index = np.full((d, d), x.shape[-1])  # the appended 0
    rows, cols = np.tril_indices(d, -1)
    index[rows, cols] = np.arange(len(rows))
    zero = as_tensor(np.zeros(x.shape[:-1] + (1,), dtype=x.dtype))
    return cat([x, zero], -1)[..., index]


def _strict_lower_to_vector(y: Tensor, offset: int = -1) -> Tensor:
    """The entries below the ``offset`` diagonal, row by row."""
    rows, cols = np.tril_indices(y.shape[-1], offset)
    return y[..., rows, cols]


class CorrCholeskyTransform(Transform):
    """r = tanh(x) placed below the diagonal (row by row); row i of y is
    r_ij sqrt(1 - sum_{k<j} y_ik^2) for j < i and its remaining length on the diagonal.
    log|det| is taken against y's strictly lower entries:
    sum (1/2) log(1 - sum_{k<j} y_ik^2) + sum log(1 - tanh(x)^2)."""

    domain = real_vector
    codomain = corr_cholesky
    bijective = True
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        x = as_tensor(x)
        d = _vector_size(x.shape)
        eps = float(np.finfo(x.dtype).eps)
        r = _vector_to_strict_lower(x.tanh().clamp(-1 + eps, 1 - eps), d)
        left = (1 - r.pow(2)).sqrt().cumprod(-1)  # what is left of each row's unit length
        ones = as_tensor(np.ones(left.shape[:-1] + (1,), dtype=x.dtype))
        return (r + as_tensor(np.eye(d, dtype=x.dtype))) * cat([ones, left[..., :-1]], -1)

    def _inverse(self, y: Any) -> Tensor:
        y = as_tensor(y)
        _matrix_size(y.shape)
        left = 1 - (y * y).cumsum(-1)
        ones = as_tensor(np.ones(left.shape[:-1] + (1,), dtype=y.dtype))
        shifted = cat([ones, left[..., :-1]], -1)
        t = _strict_lower_to_vector(y) / _strict_lower_to_vector(shifted).sqrt()
        return 0.5 * (t.log1p() - (-t).log1p())  # artanh

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x, y = as_tensor(x), as_tensor(y)
        where = "CorrCholeskyTransform.log_abs_det_jacobian"
        _vector_size(x.shape, where)
        _matrix_size(y.shape, where)
        left = 1 - (y * y).cumsum(-1)
        stick_breaking = 0.5 * _strict_lower_to_vector(left, -2).log().sum(-1)
        tanh = -2 * (x + softplus(-2 * x) - math.log(2.0)).sum(-1)  # log(1 - tanh(x)^2)
        return stick_breaking + tanh

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """(..., D (D - 1) / 2) to (..., D, D); ``ShapeError`` for another shape."""
        d = _vector_size(shape)
        return tuple(shape[:-1]) + (d, d)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """(..., D, D) to (..., D (D - 1) / 2); ``ShapeError`` for another shape."""
        d = _matrix_size(shape)
        return tuple(shape[:-2]) + (d * (d - 1) // 2,)

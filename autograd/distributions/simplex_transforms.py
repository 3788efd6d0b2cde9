"""Transforms onto the probability simplex, onto lower-triangular matrices with a
positive diagonal and onto positive definite matrices, as
``torch.distributions.transforms``'s: ``StickBreakingTransform``
(a bijection R^(K-1) -> simplex in R^K, ``biject_to(constraints.simplex)``),
``SoftmaxTransform`` (R^K -> simplex, not injective, ``transform_to(constraints.simplex)``),
``LowerCholeskyTransform`` (R^(n x n) -> lower Cholesky factors,
``transform_to(constraints.lower_cholesky)``) and ``PositiveDefiniteTransform`` (x -> L L^T
with L that lower Cholesky factor, ``transform_to(constraints.positive_definite)``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import cat, clamp, matmul, sigmoid
from ..linalg import cholesky
from ..more_functions import softplus
from ..tensor import Tensor, as_tensor
from .constraints import (independent, lower_cholesky, positive_definite, real, real_vector,
                          simplex)
from .transform_base import Transform, require_axes, same_class

__all__ = ["StickBreakingTransform", "SoftmaxTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform"]


def _stick_offsets(k: int, dtype: Any) -> Tensor:
    """log(K-1), log(K-2), ..., log(1) for K - 1 = k free coordinates: the shift that maps
    x = 0 to the simplex's centre."""
    return as_tensor(np.log(np.arange(k, 0, -1, dtype=dtype)))


def _vector(value: Any, where: str, event: str) -> Tensor:
    """``value`` as a Tensor, ``ShapeError`` when it is 0-d (its last axis is the event)."""
    value = as_tensor(value)
    require_axes(where, value.shape, 1, event)
    return value


_STICK_X = "the last holds the K - 1 unconstrained coordinates"
_STICK_Y = "the last holds the K simplex coordinates"


class StickBreakingTransform(Transform):
    """Stick breaking: z_i = sigmoid(x_i - log(K - i)) (i = 1..K-1) breaks off a fraction
    of what is left, y_i = z_i prod_{j<i} (1 - z_j), y_K = prod_j (1 - z_j);
    log|det| = sum_i (-x'_i + log sigmoid(x'_i) + log y_i) with x' = x - log(K - i)."""

    domain = real_vector
    codomain = simplex
    bijective = True
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        x = _vector(x, "StickBreakingTransform", _STICK_X)
        finfo = np.finfo(x.dtype)
        z = clamp(sigmoid(x - _stick_offsets(x.shape[-1], x.dtype)), float(finfo.tiny),
                  1.0 - float(finfo.eps))
        ones = as_tensor(np.ones(x.shape[:-1] + (1,), dtype=x.dtype))
        left = (1 - z).cumprod(-1)  # what is left of the stick after each break
        return cat([z, ones], -1) * cat([ones, left], -1)

    def _inverse(self, y: Any) -> Tensor:
        y = _vector(y, "StickBreakingTransform.inv", _STICK_Y)
        y_crop = y[..., :-1]
        left = clamp(1 - y_crop.cumsum(-1), min=float(np.finfo(y.dtype).tiny))
        return y_crop.log() - left.log() + _stick_offsets(y_crop.shape[-1], y.dtype)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        where = "StickBreakingTransform.log_abs_det_jacobian"
        x, y = _vector(x, where, _STICK_X), _vector(y, where, _STICK_Y)
        shifted = x - _stick_offsets(x.shape[-1], x.dtype)
        return (-shifted - softplus(-shifted) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """K - 1 coordinates in, K out; ``ShapeError`` for shape ()."""
        require_axes("StickBreakingTransform", shape, 1, _STICK_X)
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """K coordinates in, K - 1 out; ``ShapeError`` for shape ()."""
        require_axes("StickBreakingTransform.inv", shape, 1, _STICK_Y)
        return tuple(shape[:-1]) + (shape[-1] - 1,)


class SoftmaxTransform(Transform):
    """y = exp(x - max x) / sum exp(x - max x) over the last axis; x = log y is one of its
    preimages (softmax forgets a shift), so it has no log|det|."""

    domain = real_vector
    codomain = simplex
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        x = as_tensor(x)
        probs = (x - x.detach().amax(-1, keepdim=True)).exp()
        return probs / probs.sum(-1, keepdim=True)

    def _inverse(self, y: Any) -> Tensor:
        return as_tensor(y).log()

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The same shape; ``ShapeError`` for shape () (PyTorch's ValueError)."""
        require_axes("SoftmaxTransform", shape, 1, "the last holds the K logits")
        return tuple(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The same shape; ``ShapeError`` for shape () (PyTorch's ValueError)."""
        require_axes("SoftmaxTransform.inv", shape, 1, "the last holds the K probabilities")
        return tuple(shape)


class LowerCholeskyTransform(Transform):
    """y = tril(x, -1) + diag(exp(diag x)): any square matrix to a lower-triangular one
    with a positive diagonal; x = tril(y, -1) + diag(log(diag y)) inverts it. No log|det|
    (PyTorch's has none either)."""

    domain = independent(real, 2)
    codomain = lower_cholesky
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        x = as_tensor(x)
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y: Any) -> Tensor:
        y = as_tensor(y)
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(Transform):
    """y = L L^T with L = LowerCholeskyTransform()(x): any square matrix to a positive
    definite one; x = LowerCholeskyTransform().inv(cholesky(y)) inverts it. No log|det|
    (PyTorch's has none either)."""

    domain = independent(real, 2)
    codomain = positive_definite
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        L = LowerCholeskyTransform()(x)
        return matmul(L, L.transpose(-1, -2))

    def _inverse(self, y: Any) -> Tensor:
        return LowerCholeskyTransform().inv(cholesky(as_tensor(y)))

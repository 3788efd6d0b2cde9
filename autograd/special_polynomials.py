"""``autograd.special``'s orthogonal polynomials of degree n at x, PyTorch's
``torch.special`` names: ``chebyshev_polynomial_t/u/v/w``, their shifted forms on
[0, 1] ``shifted_chebyshev_polynomial_t/u/v/w``, ``hermite_polynomial_h`` (physicists'),
``hermite_polynomial_he`` (probabilists'), ``laguerre_polynomial_l`` and
``legendre_polynomial_p``; the values are ``autograd.orthogonal_polynomial_arrays``'.

Each takes ``(input, n)``, broadcast together; n (a Tensor or a number) is truncated to
an integer and a negative n gives 0. The result has x's float dtype (promoted with a
floating n Tensor's). As in PyTorch, they have no derivative: a backward pass through
one raises ``BackwardError`` (PyTorch drops the gradient silently); for a
differentiable polynomial write its recurrence with Tensor operations.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import orthogonal_polynomial_arrays as arrays
from .errors import ShapeError
from .function import apply
from .ops.special_values import NoDerivative
from .out_argument import accepts_out
from .special_methods import as_float
from .tensor import Tensor, as_tensor

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]

_HINT = "; write the recurrence with Tensor operations for a differentiable polynomial"


def _polynomial(values: Callable[[np.ndarray, np.ndarray], np.ndarray], name: str,
                input: Any, n: Any) -> Tensor:  # noqa: A002
    """values(x, n) as a node without derivative, in PyTorch's result dtype."""
    if isinstance(input, Tensor) or not isinstance(n, Tensor):
        x = as_float(as_tensor(input))
        degree = n if isinstance(n, Tensor) else as_tensor(np.asarray(n))
    else:  # a Python number x with a Tensor n
        degree = n
        x = as_tensor(input, dtype=np.result_type(n.dtype, np.float64)
                      if n.dtype.kind != "f" else n.dtype)
    try:
        np.broadcast_shapes(x.shape, degree.shape)
    except ValueError:  # (NumPy's bare message otherwise, from the forward)
        raise ShapeError(f"special.{name}(input, n): shapes {x.shape} and {degree.shape} "
                         f"cannot broadcast (trailing axes must be equal or 1); reshape or "
                         f"add an axis (x[:, None]) so they line up") from None
    wrapped = not isinstance(n, (Tensor, np.ndarray))  # a Python number keeps x's dtype
    dtype = x.dtype if wrapped or degree.dtype.kind != "f" else \
        np.result_type(x.dtype, degree.dtype)

    def forward(x_values: np.ndarray, n_values: np.ndarray) -> np.ndarray:
        return values(x_values, n_values).astype(dtype, copy=False)
    return apply(NoDerivative(forward, f"special.{name}", _HINT), x, degree)


def _define(name: str, values: Callable[[np.ndarray, np.ndarray], np.ndarray],
            math: str) -> Callable[..., Tensor]:
    def polynomial(input: Any, n: Any) -> Tensor:  # noqa: A002
        return _polynomial(values, name, input, n)
    polynomial.__name__ = polynomial.__qualname__ = name
    polynomial.__doc__ = math
    return accepts_out(polynomial)


chebyshev_polynomial_t = _define(
    "chebyshev_polynomial_t", arrays.chebyshev_t,
    "T_n(x): T_0 = 1, T_1 = x, T_(k+1) = 2x T_k - T_(k-1); T_n(cos t) = cos(n t).")
chebyshev_polynomial_u = _define(
    "chebyshev_polynomial_u", arrays.chebyshev_u,
    "U_n(x): U_0 = 1, U_1 = 2x, U_(k+1) = 2x U_k - U_(k-1); U_n(cos t) = sin((n+1) t) "
    "/ sin t.")
chebyshev_polynomial_v = _define(
    "chebyshev_polynomial_v", arrays.chebyshev_v,
    "V_n(x): V_0 = 1, V_1 = 2x - 1, V_(k+1) = 2x V_k - V_(k-1).")
chebyshev_polynomial_w = _define(
    "chebyshev_polynomial_w", arrays.chebyshev_w,
    "W_n(x): W_0 = 1, W_1 = 2x + 1, W_(k+1) = 2x W_k - W_(k-1).")
shifted_chebyshev_polynomial_t = _define(
    "shifted_chebyshev_polynomial_t", arrays.shifted_chebyshev_t, "T*_n(x) = T_n(2x - 1).")
shifted_chebyshev_polynomial_u = _define(
    "shifted_chebyshev_polynomial_u", arrays.shifted_chebyshev_u, "U*_n(x) = U_n(2x - 1).")
shifted_chebyshev_polynomial_v = _define(
    "shifted_chebyshev_polynomial_v", arrays.shifted_chebyshev_v, "V*_n(x) = V_n(2x - 1).")
shifted_chebyshev_polynomial_w = _define(
    "shifted_chebyshev_polynomial_w", arrays.shifted_chebyshev_w, "W*_n(x) = W_n(2x - 1).")
hermite_polynomial_h = _define(
    "hermite_polynomial_h", arrays.hermite_h,
    "H_n(x) (physicists'): H_0 = 1, H_1 = 2x, H_(k+1) = 2x H_k - 2k H_(k-1).")
hermite_polynomial_he = _define(
    "hermite_polynomial_he", arrays.hermite_he,
    "He_n(x) (probabilists'): He_0 = 1, He_1 = x, He_(k+1) = x He_k - k He_(k-1).")
laguerre_polynomial_l = _define(
    "laguerre_polynomial_l", arrays.laguerre_l,
    "L_n(x): L_0 = 1, L_1 = 1 - x, (k+1) L_(k+1) = (2k + 1 - x) L_k - k L_(k-1).")
legendre_polynomial_p = _define(
    "legendre_polynomial_p", arrays.legendre_p,
    "P_n(x): P_0 = 1, P_1 = x, (k+1) P_(k+1) = (2k+1) x P_k - k P_(k-1).")

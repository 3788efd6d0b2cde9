"""The classical orthogonal polynomials of degree n at x, on NumPy arrays broadcast over
x and n (PyTorch's ``torch.special.*_polynomial_*``): Chebyshev T, U, V, W and their
shifted forms T*_n(x) = T_n(2x - 1) ..., the physicists' and probabilists' Hermite H and
He, Laguerre L and Legendre P.

Each runs its three-term recurrence p_(k+1) = a_k(x) p_k - b_k p_(k-1) from p_0 = 1 and
p_1. PyTorch's conventions are kept: n is truncated to an integer, a negative n gives 0,
the values at the ends x = +-1 (x = 0, 1 for the shifted ones) are exact, and for
|y| < 1 and n above a small threshold the Chebyshev families use their trigonometric
forms T_n(cos t) = cos(n t), U_n = sin((n+1) t) / sin t,
V_n = cos((n + 1/2) t) / cos(t/2), W_n = sin((n + 1/2) t) / sin(t/2).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["chebyshev_t", "chebyshev_u", "chebyshev_v", "chebyshev_w",
           "shifted_chebyshev_t", "shifted_chebyshev_u", "shifted_chebyshev_v",
           "shifted_chebyshev_w", "hermite_h", "hermite_he", "laguerre_l", "legendre_p"]

Step = Callable[[int, np.ndarray, np.ndarray], np.ndarray]


def _prepare(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    """(x as float64, n truncated to int64, both broadcast; the result dtype)."""
    x, n = np.asarray(x), np.asarray(n)
    dtype = np.result_type(x, n, np.float16) if n.dtype.kind == "f" else \
        np.result_type(x, np.float16)
    with np.errstate(invalid="ignore"):
        degree = np.trunc(np.nan_to_num(n.astype(np.float64), nan=-1.0)).astype(np.int64)
    x64, degree = np.broadcast_arrays(x.astype(np.float64), degree)
    return x64, degree, dtype


def _recurrence(degree: np.ndarray, first: np.ndarray, step: Step,
                where: np.ndarray) -> np.ndarray:
    """p_n by p_(k+1) = step(k, p_k, p_(k-1)) from p_0 = 1, p_1 = first, for the entries
    in ``where`` (others 0)."""
    ones = np.ones_like(first)
    out = np.where(degree == 0, ones, np.where(degree == 1, first, 0.0))
    top = int(np.max(np.where(where, degree, 0), initial=0))
    before, current = ones, first
    with np.errstate(all="ignore"):
        for k in range(1, top):
            before, current = current, step(k, current, before)
            out = np.where(degree == k + 1, current, out)
    return np.where(where & (degree >= 0), out, 0.0)


def _chebyshev(y: np.ndarray, degree: np.ndarray, first: np.ndarray, trig_above: int,
               trig: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """A Chebyshev family in y: its recurrence (2y p_k - p_(k-1)) or, for |y| < 1 and
    n > trig_above, its trigonometric form at t = arccos y."""
    inside = (np.abs(y) < 1) & (degree > trig_above)
    by_steps = _recurrence(degree, first, lambda k, p, q: (y + y) * p - q, ~inside)
    with np.errstate(all="ignore"):
        by_angle = trig(np.arccos(np.where(inside, y, 0.0)), degree.astype(np.float64))
    return np.where(inside, by_angle, by_steps)


def _t_angle(t: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.cos(n * t)


def _u_angle(t: np.ndarray, n: np.ndarray) -> np.ndarray:
    sin_t = np.sin(t)
    return np.where(sin_t != 0, np.sin((n + 1) * t) / np.where(sin_t != 0, sin_t, 1.0),
                    (n + 1) * np.cos((n + 1) * t) / np.cos(t))


def _v_angle(t: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.cos((n + 0.5) * t) / np.cos(t / 2)


def _w_angle(t: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.sin((n + 0.5) * t) / np.sin(t / 2)


def _signed(degree: np.ndarray, value: np.ndarray) -> np.ndarray:
    """(-1)^n value."""
    return np.where(degree % 2 == 0, value, -value)


def _family(y: np.ndarray, degree: np.ndarray, kind: str, trig_above: int) -> np.ndarray:
    """Chebyshev ``kind`` (t, u, v, w) of degree n at y, with its values at y = +-1."""
    n = degree.astype(np.float64)
    first = {"t": y, "u": y + y, "v": y + y - 1, "w": y + y + 1}[kind]
    angle = {"t": _t_angle, "u": _u_angle, "v": _v_angle, "w": _w_angle}[kind]
    at_one = {"t": 1.0, "u": n + 1, "v": 1.0, "w": n + n + 1}[kind]
    at_minus_one = _signed(degree, {"t": 1.0, "u": n + 1, "v": n + n + 1, "w": 1.0}[kind])
    out = _chebyshev(y, degree, first, trig_above, angle)
    out = np.where(y == 1, at_one, np.where(y == -1, at_minus_one, out))
    return np.where(degree < 0, 0.0, out)


def _chebyshev_function(kind: str, trig_above: int, shifted: bool) -> Callable:
    def polynomial(x: np.ndarray, n: np.ndarray) -> np.ndarray:
        x64, degree, dtype = _prepare(x, n)
        y = x64 + x64 - 1 if shifted else x64
        if shifted:  # PyTorch tests x = 1 and x = 0 themselves, before shifting
            y = np.where(x64 == 1, 1.0, np.where(x64 == 0, -1.0, y))
        return _family(y, degree, kind, trig_above).astype(dtype)
    polynomial.__name__ = ("shifted_" if shifted else "") + "chebyshev_" + kind
    return polynomial


chebyshev_t = _chebyshev_function("t", 6, False)
chebyshev_u = _chebyshev_function("u", 8, False)
chebyshev_v = _chebyshev_function("v", 8, False)
chebyshev_w = _chebyshev_function("w", 8, False)
shifted_chebyshev_t = _chebyshev_function("t", 6, True)
shifted_chebyshev_u = _chebyshev_function("u", 6, True)
shifted_chebyshev_v = _chebyshev_function("v", 6, True)
shifted_chebyshev_w = _chebyshev_function("w", 4, True)


def hermite_h(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """H_n(x): H_(k+1) = 2x H_k - 2k H_(k-1), H_1 = 2x."""
    x64, degree, dtype = _prepare(x, n)
    return _recurrence(degree, x64 + x64, lambda k, p, q: (x64 + x64) * p - (k + k) * q,
                       np.ones(degree.shape, bool)).astype(dtype)


def hermite_he(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """He_n(x): He_(k+1) = x He_k - k He_(k-1), He_1 = x."""
    x64, degree, dtype = _prepare(x, n)
    return _recurrence(degree, x64, lambda k, p, q: x64 * p - k * q,
                       np.ones(degree.shape, bool)).astype(dtype)


def laguerre_l(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """L_n(x): (k+1) L_(k+1) = (2k + 1 - x) L_k - k L_(k-1), L_1 = 1 - x; L_n(0) = 1."""
    x64, degree, dtype = _prepare(x, n)
    out = _recurrence(degree, 1 - x64, lambda k, p, q: (((k + k) + (1 - x64)) * p - k * q)
                      / (k + 1), np.ones(degree.shape, bool))
    return np.where((x64 == 0) & (degree >= 0), 1.0, out).astype(dtype)


def legendre_p(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """P_n(x): (k+1) P_(k+1) = (2k+1) x P_k - k P_(k-1), P_1 = x; P_n(+-1) = (+-1)^n."""
    x64, degree, dtype = _prepare(x, n)
    out = _recurrence(degree, x64, lambda k, p, q: ((k + k + 1) * x64 * p - k * q) / (k + 1),
                      np.ones(degree.shape, bool))
    ends = np.where(x64 == 1, 1.0, _signed(degree, np.ones_like(x64)))
    return np.where((np.abs(x64) == 1) & (degree >= 0), ends, out).astype(dtype)

"""The elementwise part of an LSTM and a GRU step as fused ops: two graph nodes where the
composition of slices, sigmoids, tanhs, products and sums was thirteen (LSTM), one where
it was seventeen (GRU). The products with the weights stay ``F.linear`` nodes ("matmul switches").

A character LSTM builds two or three thousand of these steps per batch, and the engine's
bookkeeping per node was about half of its training step (``benchmarks/README.md``,
lstm). The math is the cells' (``nn/recurrent_cells.py``); every VJP below is checked
against finite differences, to second order, in ``tests/nn/test_recurrent_gates.py``.

The forward passes keep their activations for the VJP and the VJP drops them (a loss
kept after ``backward()`` holds no activation arrays; a second backward through a
retained graph computes them again). Under ``create_graph`` the VJP recomputes them from
its input Tensors, so the gradient is itself differentiable.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Function, cat, zeros_like
from autograd.extend import is_tensor

from .fused import _sigmoid

__all__ = ["LSTMCellState", "LSTMCellOutput", "GRUCellUpdate"]


def _tanh(x: Any) -> Any:
    """tanh on an array, or differentiably on a Tensor."""
    return x.tanh() if is_tensor(x) else np.tanh(x)


def _join(parts: list[Any]) -> Any:
    """The parts side by side on the last axis (arrays, or Tensors under create_graph)."""
    return cat(parts, dim=-1) if any(map(is_tensor, parts)) else np.concatenate(parts, -1)


def _zeros(x: Any) -> Any:
    return zeros_like(x) if is_tensor(x) else np.zeros_like(x)


def _quarters(a: Any) -> tuple[Any, Any, Any, Any]:
    """The LSTM's gate pre-activations i, f, g, o: the last axis in four."""
    n = a.shape[-1] // 4
    return a[..., :n], a[..., n:2 * n], a[..., 2 * n:3 * n], a[..., 3 * n:]


def _thirds(a: Any) -> tuple[Any, Any, Any]:
    """The GRU's r, z, n parts: the last axis in three."""
    n = a.shape[-1] // 3
    return a[..., :n], a[..., n:2 * n], a[..., 2 * n:]


class LSTMCellState(Function):
    """The LSTM's next cell state from the gates a (..., 4H) = x W_ih^T + h W_hh^T + b,
    split into i, f, g, o, and the cell state c:
        c' = sigmoid(a_f) c + sigmoid(a_i) tanh(a_g);
        da_i = g' tanh(a_g) s_i (1 - s_i),  da_f = g' c s_f (1 - s_f),
        da_g = g' s_i (1 - tanh(a_g)^2),    da_o = 0,    dc = g' s_f."""
    __slots__ = ("kept",)

    def forward(self, a: np.ndarray, c: np.ndarray) -> np.ndarray:
        i, f, g, _ = self.kept = self._activations(a)
        return f * c + i * g

    def _activations(self, a: Any) -> tuple[Any, Any, Any, Any]:
        """(s_i, s_f, tanh(a_g), a_o): the sigmoids of i and f in one pass."""
        i, _, g, o = _quarters(a)
        s = _sigmoid(a[..., :2 * i.shape[-1]])
        return s[..., :i.shape[-1]], s[..., i.shape[-1]:], _tanh(g), o

    def vjp(self, g: Any, out: Any, a: Any, c: Any) -> tuple:
        kept, self.kept = getattr(self, "kept", None), None
        if kept is None or is_tensor(a):  # create_graph, or a second backward
            kept = self._activations(a)
        s_i, s_f, t_g, a_o = kept
        da = _join([g * t_g * s_i * (1 - s_i), g * c * s_f * (1 - s_f),
                    g * s_i * (1 - t_g * t_g), _zeros(a_o)])
        return da, g * s_f


class LSTMCellOutput(Function):
    """The LSTM's next hidden state from the gates a (..., 4H) and the new cell state c':
        h' = sigmoid(a_o) tanh(c');
        da_o = g tanh(c') s_o (1 - s_o),  da_i = da_f = da_g = 0,
        dc' = g s_o (1 - tanh(c')^2)."""
    __slots__ = ("kept",)

    def forward(self, a: np.ndarray, c: np.ndarray) -> np.ndarray:
        s_o, t_c = self.kept = self._activations(a, c)
        return s_o * t_c

    @staticmethod
    def _activations(a: Any, c: Any) -> tuple[Any, Any]:
        return _sigmoid(_quarters(a)[3]), _tanh(c)

    def vjp(self, g: Any, out: Any, a: Any, c: Any) -> tuple:
        kept, self.kept = getattr(self, "kept", None), None
        if kept is None or is_tensor(a):  # create_graph, or a second backward
            kept = self._activations(a, c)
        s_o, t_c = kept
        ifg = a[..., :3 * s_o.shape[-1]]
        da = _join([_zeros(ifg), g * t_c * s_o * (1 - s_o)])
        return da, g * s_o * (1 - t_c * t_c)


class GRUCellUpdate(Function):
    """The GRU's next hidden state from the input's and the state's products
    a (..., 3H) = x W_ih^T + b_ih and b (..., 3H) = h W_hh^T + b_hh (parts r, z, n) and h:
        r = sigmoid(a_r + b_r),  z = sigmoid(a_z + b_z),  n = tanh(a_n + r b_n),
        h' = (1 - z) n + z h;
        dn* = g (1 - z)(1 - n^2),  dr* = dn* b_n r (1 - r),  dz* = g (h - n) z (1 - z),
        da = [dr*, dz*, dn*],  db = [dr*, dz*, dn* r],  dh = g z."""
    __slots__ = ("kept",)

    def forward(self, a: np.ndarray, b: np.ndarray, h: np.ndarray) -> np.ndarray:
        r, z, n = self.kept = self._activations(a, b)
        return n + z * (h - n)  # (1 - z) n + z h, one product fewer

    @staticmethod
    def _activations(a: Any, b: Any) -> tuple[Any, Any, Any]:
        a_r, _, a_n = _thirds(a)
        b_r, _, b_n = _thirds(b)
        rz = _sigmoid(a[..., :2 * a_r.shape[-1]] + b[..., :2 * b_r.shape[-1]])
        r, z = rz[..., :a_r.shape[-1]], rz[..., a_r.shape[-1]:]
        return r, z, _tanh(a_n + r * b_n)

    def vjp(self, g: Any, out: Any, a: Any, b: Any, h: Any) -> tuple:
        kept, self.kept = getattr(self, "kept", None), None
        if kept is None or is_tensor(a):  # create_graph, or a second backward
            kept = self._activations(a, b)
        r, z, n = kept
        dn = g * (1 - z) * (1 - n * n)
        dr = dn * _thirds(b)[2] * r * (1 - r)
        dz = g * (h - n) * z * (1 - z)
        return _join([dr, dz, dn]), _join([dr, dz, dn * r]), g * z

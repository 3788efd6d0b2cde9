"""Scaled dot-product attention as one op (``DotProductAttention``), and the masked
softmax it shares with the composed path (``masked_softmax``).

Written with autograd ops, y = softmax(Q K^T s + M) V was five or six graph nodes (the
transpose, two products, the scaling, the mask, the softmax), and it kept the scores and
the weights for the backward pass. Fused, it is one node that keeps the weights only,
with the VJP (A = the weights, after dropout's mask if any):

    dV = A^T g,   dA = g V^T,   dS = A (dA - sum(dA A)) over the keys,
    dQ = s dS K,  dK = s dS^T Q.

Under ``create_graph`` the VJP computes the weights again from its input Tensors, so the
gradient is itself differentiable. ``scaled_dot_product_attention`` uses the op unless a
float mask needs a gradient of its own.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd.extend import Function, constant, is_tensor, where

from .fused import _softmax_last

__all__ = ["DotProductAttention", "masked_softmax"]


def masked_softmax(scores: Any, allowed: np.ndarray | None, bias: Any) -> Any:
    """softmax over the keys (last axis) of the scores where ``allowed`` (a boolean mask,
    True = the key takes part) and plus ``bias`` (a float mask); a row in which no key
    takes part gets zero weights. On arrays, or on Tensors (differentiably)."""
    empty = None  # rows in which no key takes part
    if allowed is not None:
        empty = ~allowed.any(axis=-1, keepdims=True)
        scores = where(allowed | empty, scores, -np.inf)  # an empty row: softmax of finite
    if bias is not None:
        scores = scores + bias
        empty = np.all(np.isneginf(constant(bias)), axis=-1, keepdims=True)
        if empty.any():
            scores = where(empty, 0.0, scores)
    weights = _softmax_last(scores)
    if empty is not None and empty.any():
        weights = where(empty, 0.0, weights)
    return weights


class DotProductAttention(Function):
    """y = (softmax(Q K^T s + M) * keep) V, Q (..., L, E), K (..., S, E), V (..., S, Ev)
    with broadcasting leading axes; ``allowed`` and ``bias`` the masks (see
    ``masked_softmax``), ``keep`` dropout's scaled mask of the weights' shape (or None).
    The VJP is in the module's docstring."""
    __slots__ = ("scale", "allowed", "bias", "keep", "kept")

    def __init__(self, scale: float, allowed: np.ndarray | None = None,
                 bias: np.ndarray | None = None, keep: np.ndarray | None = None) -> None:
        self.scale, self.allowed, self.bias, self.keep = scale, allowed, bias, keep

    def _weights(self, q: Any, k: Any) -> Any:
        return masked_softmax((q @ k.swapaxes(-1, -2)) * self.scale, self.allowed, self.bias)

    def forward(self, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
        self.kept = self._weights(q, k)
        return (self.kept if self.keep is None else self.kept * self.keep) @ v

    def vjp(self, g: Any, out: Any, q: Any, k: Any, v: Any) -> tuple:
        weights, self.kept = getattr(self, "kept", None), None
        if weights is None or is_tensor(q):  # create_graph, or a second backward
            weights = self._weights(q, k)
        dropped = weights if self.keep is None else weights * self.keep
        d_weights = g @ v.swapaxes(-1, -2)
        if self.keep is not None:
            d_weights = d_weights * self.keep
        d_scores = weights * (d_weights - (d_weights * weights).sum(axis=-1, keepdims=True))
        d_scores = d_scores * self.scale
        return (d_scores @ k, d_scores.swapaxes(-1, -2) @ q, dropped.swapaxes(-1, -2) @ g)

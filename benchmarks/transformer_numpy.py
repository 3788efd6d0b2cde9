"""The transformer case's baseline: a tiny GPT-like character model's loss, gradients and
AdamW step written by hand in NumPy, making the engine's BLAS calls (one product for
the query, key and value projections, the heads as strided views of it, batched
products per head, 3-d inputs times 2-d weights).

Forward of one pre-norm layer (``nn.TransformerEncoderLayer(norm_first=True)``, GELU,
no dropout) on x (N, L, E), H heads of D = E / H features, causal mask M (0 on and
below the diagonal, -inf above):

    a = LN1(x);  [q k v] = a W_in^T + b_in;  A = softmax(q k^T / sqrt(D) + M) per head
    x1 = x + (A v, heads joined) W_o^T + b_o;  c = LN2(x1)
    x2 = x1 + GELU(c W_1^T + b_1) W_2^T + b_2,   GELU(h) = h Phi(h)

and its backward: dS = A (dA - sum_keys(dA A)) / sqrt(D), dq = dS k, dk = dS^T q,
dv = A^T g; layer norm dx = (g - mean(g) - x_hat mean(g x_hat)) / sqrt(var + eps) with
g = dy gamma; GELU' = Phi(h) + h phi(h).

NumPy has no erf. Phi is computed in float32 from a rational approximation of erf
(Eigen's ``generic_fast_erf_float``: x clamped to [-4, 4], an odd degree-13 polynomial
over an even degree-8 one; within 4.2e-7 of ``math.erf`` on a dense grid of [-6, 6]),
about 15 passes over the array. The library's exact GELU computes erf in float64 from
a 34-term series (``nn.functional.special``): the same values to float32 rounding, at
many times the cost; the table's 'ops alone' row carries that difference.
"""

from __future__ import annotations

import math

import numpy as np

from .harness import LossAndGrads, NumpyAdamW, cross_entropy, same_layout, weight_grad

__all__ = ["erf32", "gelu_forward", "layer_norm", "layer_norm_backward", "causal_mask",
           "NumpyTransformer", "PARAMS_PER_LAYER"]

PARAMS_PER_LAYER = 12  # in_proj w/b, out_proj w/b, linear1 w/b, linear2 w/b, norm1, norm2
LN_EPS = 1e-5

# erf(x) ~ x P(x^2) / Q(x^2) on [-4, 4] (Eigen's float32 coefficients), highest first
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
          -7.37332916720468e-03, -1.42647390514189e-02)
_SQRT_HALF = math.sqrt(0.5)
_ONE_OVER_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _horner(coefficients: tuple[float, ...], x2: np.ndarray) -> np.ndarray:
    """sum_k c_k x2^(n-k) by Horner's rule, in x2's dtype."""
    total = np.full_like(x2, coefficients[0])
    for c in coefficients[1:]:
        total *= x2
        total += c
    return total


def erf32(x: np.ndarray) -> np.ndarray:
    """erf(x) in x's dtype (float32 accuracy, see the module docstring)."""
    x = np.clip(x, -4.0, 4.0)
    x2 = x * x
    numerator = _horner(_ERF_P, x2)
    numerator *= x
    numerator /= _horner(_ERF_Q, x2)
    return numerator


def gelu_forward(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(GELU(h) = h Phi(h), Phi(h)), Phi(h) = (1 + erf(h / sqrt 2)) / 2."""
    cdf = erf32(h * _SQRT_HALF)
    cdf += 1.0
    cdf *= 0.5
    return h * cdf, cdf


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(y = x_hat gamma + beta, x_hat, 1 / sqrt(var + eps)) over the last axis (biased
    var), as the library's ``Standardize``."""
    centred = x - x.mean(-1, keepdims=True)
    inv_std = ((centred * centred).mean(-1, keepdims=True) + LN_EPS) ** -0.5
    x_hat = centred * inv_std
    return x_hat * gamma + beta, x_hat, inv_std


def layer_norm_backward(dy: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray,
                        gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dgamma, dbeta) for y = x_hat gamma + beta (module docstring)."""
    rows = dy.reshape(-1, dy.shape[-1])
    d_gamma = (rows * x_hat.reshape(rows.shape)).sum(0)
    g = dy * gamma
    dx = g - g.mean(-1, keepdims=True) - x_hat * (g * x_hat).mean(-1, keepdims=True)
    dx *= inv_std
    return dx, d_gamma, rows.sum(0)


def causal_mask(length: int, dtype: np.dtype) -> np.ndarray:
    """(length, length): 0 on and below the diagonal, -inf above."""
    return np.triu(np.full((length, length), -np.inf, dtype), k=1)


def _linear(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x W^T + b, x (N, L, in) times the 2-d weight (the engine's ``Affine`` call)."""
    y = x @ W.T
    y += b
    return y


def _linear_grads(dy: np.ndarray, x: np.ndarray, W: np.ndarray
                  ) -> tuple[np.ndarray, list[np.ndarray]]:
    """(dx, [dW, db]) for y = x W^T + b, leading axes folded for dW and db."""
    rows = dy.reshape(-1, dy.shape[-1])
    return dy @ W, [weight_grad(rows, x.reshape(-1, x.shape[-1]), W), rows.sum(0)]


class NumpyTransformer:
    """The same step by hand: params W_tok, W_pos, then per layer (PyTorch's order)
    in_proj weight and bias, out_proj weight and bias, linear1, linear2, norm1 and norm2
    weight and bias, then the final norm's weight and bias and the head's W_y, b_y;
    AdamW by hand (``NumpyAdamW``)."""

    def __init__(self, params: list[np.ndarray], heads: int, lr: float,
                 betas: tuple[float, float], eps: float, weight_decay: float) -> None:
        self.params = same_layout(params)
        self.heads = heads
        self.layers = (len(params) - 6) // PARAMS_PER_LAYER
        self.adam = NumpyAdamW(self.params, lr, betas, eps, weight_decay)

    def attention(self, a: np.ndarray, W_in: np.ndarray, b_in: np.ndarray,
                  mask: np.ndarray) -> dict[str, np.ndarray]:
        """Causal self-attention's heads joined, (N, L, E), and what the backward reads."""
        n, length, width = a.shape
        qkv = _linear(a, W_in, b_in).reshape(n, length, 3, self.heads, width // self.heads)
        q, k, v = (qkv[:, :, i].swapaxes(1, 2) for i in range(3))  # (N, H, L, D) views
        scale = 1.0 / math.sqrt(width // self.heads)
        scores = (q @ k.swapaxes(-1, -2)) * scale
        scores += mask
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        joined = (weights @ v).swapaxes(1, 2).reshape(n, length, width)
        return {"q": q, "k": k, "v": v, "A": weights, "joined": joined, "scale": scale}

    def attention_backward(self, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        """d[q k v] (N, L, 3E) from the gradient of the joined heads g (N, L, E)."""
        n, length, width = g.shape
        q, k, v, weights = s["q"], s["k"], s["v"], s["A"]
        g = g.reshape(n, length, self.heads, width // self.heads).swapaxes(1, 2)
        dv = weights.swapaxes(-1, -2) @ g
        d_weights = g @ v.swapaxes(-1, -2)
        d_scores = d_weights - (d_weights * weights).sum(-1, keepdims=True)
        d_scores *= weights
        d_scores *= s["scale"]
        dqkv = np.empty((n, length, 3, self.heads, width // self.heads), g.dtype)
        for i, d in enumerate((d_scores @ k, d_scores.swapaxes(-1, -2) @ q, dv)):
            dqkv[:, :, i] = d.swapaxes(1, 2)
        return dqkv.reshape(n, length, 3 * width)

    def layer_forward(self, x: np.ndarray, p: list[np.ndarray], mask: np.ndarray
                      ) -> tuple[np.ndarray, dict]:
        """One pre-norm layer (module docstring): (x2, what the backward reads)."""
        W_in, b_in, W_o, b_o, W_1, b_1, W_2, b_2, g_1, c_1, g_2, c_2 = p
        a, x_hat1, inv_std1 = layer_norm(x, g_1, c_1)
        s = self.attention(a, W_in, b_in, mask)
        x1 = x + _linear(s["joined"], W_o, b_o)
        c, x_hat2, inv_std2 = layer_norm(x1, g_2, c_2)
        h = _linear(c, W_1, b_1)
        f, cdf = gelu_forward(h)
        x2 = x1 + _linear(f, W_2, b_2)
        s.update(a=a, x_hat1=x_hat1, inv_std1=inv_std1, c=c, x_hat2=x_hat2,
                 inv_std2=inv_std2, h=h, f=f, cdf=cdf)
        return x2, s

    def layer_backward(self, dx2: np.ndarray, p: list[np.ndarray], s: dict
                       ) -> tuple[np.ndarray, list[np.ndarray]]:
        """(dx, the layer's parameter gradients in ``p``'s order) from dL/dx2."""
        W_in, _, W_o, _, W_1, _, W_2, _, g_1, _, g_2, _ = p
        df, grads_2 = _linear_grads(dx2, s["f"], W_2)
        h = s["h"]
        pdf = np.exp(h * h * -0.5)
        pdf *= _ONE_OVER_SQRT_2PI
        pdf *= h
        pdf += s["cdf"]
        dh = df * pdf  # GELU' = Phi(h) + h phi(h)
        dc, grads_1 = _linear_grads(dh, s["c"], W_1)
        dx1, d_g2, d_c2 = layer_norm_backward(dc, s["x_hat2"], s["inv_std2"], g_2)
        dx1 += dx2
        d_joined, grads_o = _linear_grads(dx1, s["joined"], W_o)
        dqkv = self.attention_backward(d_joined, s)
        da, grads_in = _linear_grads(dqkv, s["a"], W_in)
        dx, d_g1, d_c1 = layer_norm_backward(da, s["x_hat1"], s["inv_std1"], g_1)
        dx += dx1
        return dx, grads_in + grads_o + grads_1 + grads_2 + [d_g1, d_c1, d_g2, d_c2]

    def loss_and_grads(self, tokens: np.ndarray, targets: np.ndarray) -> LossAndGrads:
        """Mean cross-entropy of the next token, and the gradients in ``params``' order."""
        W_tok, W_pos, *rest = self.params
        count = PARAMS_PER_LAYER
        layers = [rest[count * k:count * (k + 1)] for k in range(self.layers)]
        g_f, c_f, W_y, b_y = rest[count * self.layers:]
        length = tokens.shape[1]
        positions = np.arange(length)
        mask = causal_mask(length, W_tok.dtype)
        x = W_tok[tokens] + W_pos[positions]
        saved = []
        for p in layers:
            x, s = self.layer_forward(x, p, mask)
            saved.append(s)
        z, x_hat, inv_std = layer_norm(x, g_f, c_f)
        logits = _linear(z, W_y, b_y).reshape(-1, W_y.shape[0])
        loss, dlogits = cross_entropy(logits, targets)
        dz, head = _linear_grads(dlogits.reshape(z.shape[:-1] + (-1,)), z, W_y)
        dx, d_gf, d_cf = layer_norm_backward(dz, x_hat, inv_std, g_f)
        grads: list[np.ndarray] = []
        for p, s in zip(reversed(layers), reversed(saved)):
            dx, layer_grads = self.layer_backward(dx, p, s)
            grads = layer_grads + grads
        d_tok, d_pos = np.zeros_like(W_tok), np.zeros_like(W_pos)
        np.add.at(d_tok, tokens, dx)
        np.add.at(d_pos, positions, dx.sum(0))
        return float(loss), [d_tok, d_pos] + grads + [d_gf, d_cf] + head

    def step(self, tokens: np.ndarray, targets: np.ndarray) -> float:
        loss, grads = self.loss_and_grads(tokens, targets)
        self.adam.step(grads)
        return loss

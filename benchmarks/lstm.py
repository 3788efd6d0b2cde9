"""lstm: one Adam step of a character-level language model, float32: a 2-layer
``nn.LSTM(32, 64)`` over 64 steps of a batch of 16 one-hot characters (vocabulary 32), a
``Linear(64, 32)`` head and the cross-entropy of the next character at every step
(mean). The engine runs the library's layers; the baseline is the same step by hand in
NumPy (each layer's input projection for all steps in one product, then the loop over
time for h W_hh^T, the same loop backwards, gates i, f, g, o), and PyTorch runs it too."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from .breakdown import NOTE, adam_step_candidates
from .harness import (Case, LossAndGrads, NumpyAdam, Settings, cross_entropy, measure,
                      same_layout, weight_grad)

__all__ = ["run", "NumpyLSTM"]

VOCAB, HIDDEN, LAYERS, BATCH, LENGTH = 32, 64, 2, 16, 64
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8
TARGET = "none: it shows where a recurrent model stands"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) = e^min(x, 0) / (1 + e^-|x|), stable for any |x| (the engine's
    ``Sigmoid``)."""
    out = np.exp(np.minimum(x, 0))
    out /= 1 + np.exp(-np.abs(x))
    return out


class NumpyLSTM:
    """The same step by hand: params per layer W_ih W_hh b_ih b_hh (PyTorch's shapes),
    then the head's W_y b_y; Adam by hand (``NumpyAdam``)."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = same_layout(params)
        self.adam = NumpyAdam(self.params, LR, BETAS, EPS)

    @staticmethod
    def layer_forward(x: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray,
                      b_hh: np.ndarray) -> dict[str, np.ndarray]:
        """One layer over x (L, N, in) from zero state: the activated gates (L, N, 4H),
        the cells c and outputs h, each (L + 1, N, H) with the zero state first."""
        length, batch, H = x.shape[0], x.shape[1], W_hh.shape[1]
        projected = x @ W_ih.T + b_ih  # every step's x_t W_ih^T + b_ih at once
        gates = np.empty_like(projected)
        c = np.zeros((length + 1, batch, H), x.dtype)
        h = np.zeros((length + 1, batch, H), x.dtype)
        for t in range(length):
            z = projected[t] + (h[t] @ W_hh.T + b_hh)
            gates[t, :, :2 * H] = _sigmoid(z[:, :2 * H])  # i, f
            gates[t, :, 2 * H:3 * H] = np.tanh(z[:, 2 * H:3 * H])  # g
            gates[t, :, 3 * H:] = _sigmoid(z[:, 3 * H:])  # o
            i, f, g, o = np.split(gates[t], 4, axis=1)
            c[t + 1] = f * c[t] + i * g
            h[t + 1] = o * np.tanh(c[t + 1])
        return {"x": x, "gates": gates, "c": c, "h": h}

    @staticmethod
    def layer_backward(saved: dict[str, np.ndarray], dh_out: np.ndarray, W_ih: np.ndarray,
                       W_hh: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """(dL/dx, [dW_ih, dW_hh, db_ih, db_hh]) from dL/dh_t of every step (L, N, H)."""
        x, gates, c, h = saved["x"], saved["gates"], saved["c"], saved["h"]
        dz = np.empty_like(gates)
        dh_next = np.zeros_like(dh_out[0])
        dc_next = np.zeros_like(dh_out[0])
        for t in reversed(range(len(x))):
            i, f, g, o = np.split(gates[t], 4, axis=1)
            dh = dh_out[t] + dh_next
            tanh_c = np.tanh(c[t + 1])
            dc = dh * o * (1 - tanh_c * tanh_c) + dc_next
            dz[t] = np.concatenate([dc * g * i * (1 - i), dc * c[t] * f * (1 - f),
                                    dc * i * (1 - g * g), dh * tanh_c * o * (1 - o)], axis=1)
            dc_next = dc * f
            dh_next = dz[t] @ W_hh
        rows = dz.reshape(-1, dz.shape[-1])
        db = rows.sum(0)
        grads = [weight_grad(rows, x.reshape(-1, x.shape[-1]), W_ih),
                 weight_grad(rows, h[:-1].reshape(-1, h.shape[-1]), W_hh), db, db.copy()]
        return dz @ W_ih, grads

    def loss_and_grads(self, x: np.ndarray, targets: np.ndarray) -> LossAndGrads:
        *layers, W_y, b_y = self.params
        saved = []
        for k in range(LAYERS):
            saved.append(self.layer_forward(x, *layers[4 * k:4 * k + 4]))
            x = saved[-1]["h"][1:]
        logits = (x @ W_y.T + b_y).reshape(-1, W_y.shape[0])
        loss, dlogits = cross_entropy(logits, targets)
        outputs = x.reshape(-1, x.shape[-1])
        head = [weight_grad(dlogits, outputs, W_y), dlogits.sum(0)]
        dh = (dlogits @ W_y).reshape(x.shape)
        grads: list[np.ndarray] = []
        for k in reversed(range(LAYERS)):
            W_ih, W_hh = layers[4 * k], layers[4 * k + 1]
            dh, layer_grads = self.layer_backward(saved[k], dh, W_ih, W_hh)
            grads = layer_grads + grads
        return float(loss), grads + head

    def step(self, x: np.ndarray, targets: np.ndarray) -> float:
        loss, grads = self.loss_and_grads(x, targets)
        self.adam.step(grads)
        return loss


def _engine_model(rng: np.random.Generator) -> tuple[Callable[[Any, Any], ag.Tensor], list]:
    """(the loss of nn.LSTM + nn.Linear as a function of (x, targets), the parameters in
    the baseline's order)."""
    lstm = nn.LSTM(VOCAB, HIDDEN, LAYERS, rng=rng, dtype=np.float32)
    head = nn.Linear(HIDDEN, VOCAB, rng=rng, dtype=np.float32)
    named = dict(lstm.named_parameters())
    order = [f"{kind}_l{k}" for k in range(LAYERS)
             for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    if list(named) != order:
        raise RuntimeError(f"nn.LSTM has parameters {list(named)}; the benchmark's NumPy "
                           f"baseline expects {order}: update benchmarks/lstm.py")

    def loss_fn(x: ag.Tensor, targets: np.ndarray) -> ag.Tensor:
        output, _ = lstm(x)
        return F.cross_entropy(head(output).reshape(-1, VOCAB), targets)
    return loss_fn, [named[k] for k in order] + [head.weight, head.bias]


def torch_lstm(torch: Any, params: list[np.ndarray]) -> tuple[Callable[[Any, Any], Any], list]:
    """(loss function (x, targets) -> tensor, parameters in the baseline's order)."""
    lstm = torch.nn.LSTM(VOCAB, HIDDEN, LAYERS)
    head = torch.nn.Linear(HIDDEN, VOCAB)
    tp = list(lstm.parameters()) + list(head.parameters())
    with torch.no_grad():
        for p, value in zip(tp, params):
            p.copy_(torch.from_numpy(value))

    def loss_fn(x: Any, targets: Any) -> Any:
        output, _ = lstm(x)
        return torch.nn.functional.cross_entropy(head(output).reshape(-1, VOCAB), targets)
    return loss_fn, tp


def run(settings: Settings, length: int | None = None) -> list[Case]:
    length = length or (16 if settings.quick else LENGTH)
    rng = np.random.default_rng(4)
    text = rng.integers(0, VOCAB, (length + 1, BATCH))
    x = np.eye(VOCAB, dtype=np.float32)[text[:-1]]  # (L, N, VOCAB) one-hot
    targets = text[1:].reshape(-1)  # the next character at every step
    loss_fn, params = _engine_model(np.random.default_rng(0))
    arrays = same_layout(p.data for p in params)
    by_hand = NumpyLSTM(arrays)
    xt = ag.Tensor(x)
    adam = dict(lr=LR, betas=BETAS, eps=EPS)
    optimizer = nn.optim.Adam(params, **adam)

    def torch_parts(torch: Any) -> tuple[Callable[[], Any], list]:
        tloss, tparams = torch_lstm(torch, arrays)
        tx, tt = torch.from_numpy(x), torch.from_numpy(targets)
        return (lambda: tloss(tx, tt)), tparams

    candidates, note = adam_step_candidates(
        settings, by_hand, (x, targets), "autograd + nn.LSTM", lambda: loss_fn(xt, targets),
        params, optimizer, adam, torch_parts)
    title = (f"{LAYERS}-layer LSTM({VOCAB}, {HIDDEN}) + Linear head, float32, length "
             f"{length}, batch {BATCH}, cross-entropy at every step, one Adam step")
    case = measure("lstm", title, "ms/step", 1e-3, candidates, settings, rtol=1e-4,
                   atol=1e-6, target=TARGET)
    case.notes += [NOTE] + ([note] if note else [])
    return [case]

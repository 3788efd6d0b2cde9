"""cnn: one Adam step of a small convolutional classifier on 8x8 one-channel images
(digit-sized), float32, batch 64:

    Conv2d(1, 8, 3, padding=1) - ReLU - MaxPool2d(2) - Conv2d(8, 16, 3, padding=1) - ReLU
    - MaxPool2d(2) - Flatten - Linear(64, 10), cross-entropy (mean).

The engine runs the library's layers (``nn.Sequential``); the baseline is the same step
by hand in NumPy with the library's layout: im2col windows (N, C, kH, kW, H', W') copied
one kernel tap at a time, each convolution one batched product of the (C_out, C_in kH kW)
weight with the columns, pooling as an argmax over the 2x2 windows' taps, the gradients
added back tap by tap (col2im); PyTorch runs it too. Images and labels are random (a
benchmark needs the shapes, not the digits)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from .breakdown import NOTE, adam_step_candidates
from .harness import (Case, LossAndGrads, NumpyAdam, Settings, cross_entropy, measure,
                      same_layout, weight_grad)

__all__ = ["run", "NumpyCNN", "im2col", "col2im"]

SIDE, CHANNELS, CLASSES, BATCH = 8, (1, 8, 16), 10, 64
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8
TARGET = "none: it shows where a convolutional model stands"


def im2col(x: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    """The windows of x (N, C, H, W) (already padded) as (N, C, k, k, H', W'): entry
    [n, c, i, j, p, q] is x[n, c, p*stride + i, q*stride + j]."""
    n, c, h, w = x.shape
    oh, ow = (h - kernel) // stride + 1, (w - kernel) // stride + 1
    cols = np.empty((n, c, kernel, kernel, oh, ow), x.dtype)
    for i in range(kernel):
        for j in range(kernel):
            cols[:, :, i, j] = x[:, :, i:i + stride * (oh - 1) + 1:stride,
                                 j:j + stride * (ow - 1) + 1:stride]
    return cols


def col2im(cols: np.ndarray, shape: tuple[int, ...], stride: int) -> np.ndarray:
    """The adjoint of ``im2col``: each tap's column added back into zeros of ``shape``."""
    kernel, (oh, ow) = cols.shape[2], cols.shape[4:]
    grad = np.zeros(shape, cols.dtype)
    for i in range(kernel):
        for j in range(kernel):
            grad[:, :, i:i + stride * (oh - 1) + 1:stride,
                 j:j + stride * (ow - 1) + 1:stride] += cols[:, :, i, j]
    return grad


class NumpyCNN:
    """The same step by hand: params W1 b1 W2 b2 (PyTorch's (C_out, C_in, 3, 3) and
    (C_out,)), then the head's W_y b_y; Adam by hand (``NumpyAdam``)."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = same_layout(params)
        self.adam = NumpyAdam(self.params, LR, BETAS, EPS)

    @staticmethod
    def conv_relu_pool(x: np.ndarray, W: np.ndarray, b: np.ndarray
                       ) -> tuple[np.ndarray, dict[str, Any]]:
        """3x3 convolution (padding 1) + ReLU + 2x2 max pooling of x (N, C, H, W): the
        pooled output (N, C_out, H/2, W/2) and what the backward needs."""
        n, _, h, w = x.shape
        padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        cols = im2col(padded, 3, 1).reshape(n, -1, h * w)  # (N, C_in 9, H W)
        z = (W.reshape(len(W), -1) @ cols + b[:, None]).reshape(n, len(W), h, w)
        a = np.maximum(z, 0)
        windows = im2col(a, 2, 2).reshape(n, len(W), 4, h // 2, w // 2)
        taps = windows.argmax(axis=2)[:, :, None]  # the first largest of each window
        pooled = np.take_along_axis(windows, taps, axis=2)[:, :, 0]
        return pooled, {"x": x, "padded": padded, "cols": cols, "z": z, "taps": taps}

    @staticmethod
    def conv_relu_pool_backward(saved: dict[str, Any], g: np.ndarray, W: np.ndarray,
                                input_grad: bool) -> tuple[np.ndarray | None, list]:
        """(dL/dx or None, [dW, db]) from dL/d(pooled output)."""
        x, z, taps = saved["x"], saved["z"], saved["taps"]
        n, _, h, w = x.shape
        dwindows = np.zeros((n, len(W), 4, h // 2, w // 2), g.dtype)
        np.put_along_axis(dwindows, taps, g[:, :, None], axis=2)
        da = col2im(dwindows.reshape(n, len(W), 2, 2, h // 2, w // 2), z.shape, 2)
        dz = (da * (z > 0)).reshape(n, len(W), h * w)
        W2 = W.reshape(len(W), -1)
        dW = (dz @ saved["cols"].swapaxes(1, 2)).sum(0).reshape(W.shape)
        grads = [dW, dz.sum((0, 2))]
        if not input_grad:  # the images need no gradient (the engine skips it too)
            return None, grads
        dcols = (W2.T @ dz).reshape(n, x.shape[1], 3, 3, h, w)
        return col2im(dcols, saved["padded"].shape, 1)[:, :, 1:-1, 1:-1], grads

    def loss_and_grads(self, x: np.ndarray, targets: np.ndarray) -> LossAndGrads:
        W1, b1, W2, b2, W_y, b_y = self.params
        p1, saved1 = self.conv_relu_pool(x, W1, b1)
        p2, saved2 = self.conv_relu_pool(p1, W2, b2)
        features = p2.reshape(len(x), -1)
        logits = features @ W_y.T + b_y
        loss, dlogits = cross_entropy(logits, targets)
        head = [weight_grad(dlogits, features, W_y), dlogits.sum(0)]
        dp2 = (dlogits @ W_y).reshape(p2.shape)
        dp1, grads2 = self.conv_relu_pool_backward(saved2, dp2, W2, input_grad=True)
        _, grads1 = self.conv_relu_pool_backward(saved1, dp1, W1, input_grad=False)
        return float(loss), grads1 + grads2 + head

    def step(self, x: np.ndarray, targets: np.ndarray) -> float:
        loss, grads = self.loss_and_grads(x, targets)
        self.adam.step(grads)
        return loss


def layers(module: Any, dtype: Any, **kwargs: Any) -> list[Any]:
    """The case's layers, built by ``module`` (``nn`` or ``torch.nn``)."""
    (c0, c1, c2), flat = CHANNELS, CHANNELS[-1] * (SIDE // 4) ** 2
    return [module.Conv2d(c0, c1, 3, padding=1, dtype=dtype, **kwargs), module.ReLU(),
            module.MaxPool2d(2), module.Conv2d(c1, c2, 3, padding=1, dtype=dtype, **kwargs),
            module.ReLU(), module.MaxPool2d(2), module.Flatten(),
            module.Linear(flat, CLASSES, dtype=dtype, **kwargs)]


def _engine_model(rng: np.random.Generator) -> tuple[Callable[[Any, Any], ag.Tensor], list]:
    """(the loss of the nn.Sequential as a function of (x, targets), its parameters in the
    baseline's order: W1 b1 W2 b2 W_y b_y)."""
    model = nn.Sequential(*layers(nn, np.float32, rng=rng))

    def loss_fn(x: ag.Tensor, targets: np.ndarray) -> ag.Tensor:
        return F.cross_entropy(model(x), targets)
    return loss_fn, list(model.parameters())


def torch_cnn(torch: Any, params: list[np.ndarray]) -> tuple[Callable[[Any, Any], Any], list]:
    """(loss function (x, targets) -> tensor, parameters in the baseline's order)."""
    model = torch.nn.Sequential(*layers(torch.nn, torch.float32))
    tp = list(model.parameters())
    with torch.no_grad():
        for p, value in zip(tp, params):
            p.copy_(torch.from_numpy(value))

    def loss_fn(x: Any, targets: Any) -> Any:
        return torch.nn.functional.cross_entropy(model(x), targets)
    return loss_fn, tp


def run(settings: Settings, batch: int | None = None) -> list[Case]:
    batch = batch or (16 if settings.quick else BATCH)
    rng = np.random.default_rng(5)
    x = rng.random((batch, CHANNELS[0], SIDE, SIDE), dtype=np.float32)  # "pixels" in [0, 1)
    targets = rng.integers(0, CLASSES, batch)
    loss_fn, params = _engine_model(np.random.default_rng(0))
    arrays = same_layout(p.data for p in params)
    by_hand = NumpyCNN(arrays)
    xt = ag.Tensor(x)
    adam = dict(lr=LR, betas=BETAS, eps=EPS)
    optimizer = nn.optim.Adam(params, **adam)

    def torch_parts(torch: Any) -> tuple[Callable[[], Any], list]:
        tloss, tparams = torch_cnn(torch, arrays)
        tx, tt = torch.from_numpy(x), torch.from_numpy(targets)
        return (lambda: tloss(tx, tt)), tparams

    candidates, note = adam_step_candidates(
        settings, by_hand, (x, targets), "autograd + nn", lambda: loss_fn(xt, targets),
        params, optimizer, adam, torch_parts)
    title = (f"Conv2d(1, 8, 3) - ReLU - MaxPool2d(2) - Conv2d(8, 16, 3) - ReLU - "
             f"MaxPool2d(2) - Linear(64, 10), padding 1, {SIDE}x{SIDE} float32, batch "
             f"{batch}, cross-entropy, one Adam step")
    case = measure("cnn", title, "ms/step", 1e-3, candidates, settings, rtol=1e-4,
                   atol=1e-6, target=TARGET)
    case.notes += [NOTE] + ([note] if note else [])
    return [case]

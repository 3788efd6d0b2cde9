"""per-op: a chain of 999 ops (333 times: multiply by a constant, add a constant, tanh)
on a float64 tensor of shape (8,) and (), forward and backward. The constants are once
Python floats and once Tensors that do not require grad. Against the same chain by hand
in NumPy (the forward keeps each tanh output; the backward applies the chain rule) and
PyTorch. Figures are per op: the engine's fixed cost of recording and replaying one op."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag

from .breakdown import NOTE, breakdown_candidates
from .harness import Candidate, Case, Settings, measure, torch_or_none

__all__ = ["run", "numpy_chain", "engine_loss", "engine_chain"]

SCALE, SHIFT = 1.0001, 0.5
TARGET = "<= 2.5x NumPy forward+backward, with either kind of constant"


def numpy_chain(x0: np.ndarray, links: int) -> tuple[float, list[np.ndarray]]:
    """y = tanh(y * SCALE + SHIFT), ``links`` times; the loss is sum(y), its gradient
    runs back through tanh' = 1 - y^2 and the scale (the add passes it unchanged)."""
    outputs, y = [], x0
    for _ in range(links):
        y = np.tanh(y * SCALE + SHIFT)
        outputs.append(y)
    g = np.ones_like(y)
    for y in reversed(outputs):
        g = g * (1 - y * y) * SCALE
    return float(outputs[-1].sum()), [g]


def engine_loss(x0: np.ndarray, links: int, scale, shift) -> tuple[ag.Tensor, ag.Tensor]:
    """(x, sum of the chain on x) on autograd Tensors; ``scale`` and ``shift`` are floats
    or Tensors."""
    x = ag.Tensor(x0, requires_grad=True)
    y = x
    for _ in range(links):
        y = (y * scale + shift).tanh()
    return x, y.sum()


def engine_chain(x0: np.ndarray, links: int, scale, shift) -> tuple[float, list[np.ndarray]]:
    """The chain forward and backward: (loss, [dloss/dx])."""
    x, loss = engine_loss(x0, links, scale, shift)
    loss.backward()
    return loss.item(), [x.grad.numpy()]


def torch_chain(torch, x0: np.ndarray, links: int, scale, shift):
    x = torch.tensor(x0, requires_grad=True)
    y = x
    for _ in range(links):
        y = (y * scale + shift).tanh()
    loss = y.sum()
    loss.backward()
    return loss.item(), [x.grad]


def run(settings: Settings, links: int | None = None) -> list[Case]:
    links = links or (100 if settings.quick else 333)
    ops = 3 * links
    torch, note = torch_or_none(settings)
    cases = []
    for shape in ((8,), ()):
        x0 = np.random.default_rng(0).random(shape)
        for kind in ("float", "Tensor"):
            if kind == "float":
                consts = (SCALE, SHIFT)
            else:
                consts = (ag.Tensor(SCALE), ag.Tensor(SHIFT))
            candidates = [
                Candidate("numpy (by hand)", lambda x0=x0: numpy_chain(x0, links),
                          lambda x0=x0: numpy_chain(x0, links)),
                Candidate("autograd", lambda x0=x0, c=consts: engine_chain(x0, links, *c),
                          lambda x0=x0, c=consts: engine_chain(x0, links, *c)),
                *breakdown_candidates(lambda x0=x0, c=consts: engine_loss(x0, links, *c)[1])]
            if torch is not None:
                tconsts = consts if kind == "float" else (
                    torch.tensor(SCALE, dtype=torch.float64),
                    torch.tensor(SHIFT, dtype=torch.float64))
                def fn(x0: Any = x0, c: Any = tconsts) -> Any:
                    return torch_chain(torch, x0, links, *c)
                candidates.append(Candidate(f"torch {torch.__version__}", fn, fn))
            title = (f"chain of {ops} mul/add/tanh, shape {shape} float64, {kind} "
                     f"constants, forward + backward")
            case = measure("per-op", title, "us/op", ops * 1e-6, candidates, settings,
                           rtol=1e-10, atol=1e-12, target=TARGET)
            case.notes += [NOTE] + ([note] if note else [])
            cases.append(case)
    return cases

"""Where the engine's time goes: three more rows under the engine's, timed in the same
interleaved rounds (so their ratios are as steady as the others):

- ``forward only``: the engine's forward pass (the loss, recorded), no backward;
- ``VJPs alone``: every recorded op's ``vjp`` called on arrays in a bare Python loop,
  newest first: no engine, no bookkeeping, no Tensors;
- ``ops alone``: the recorded ops' ``forward`` and then ``vjp`` in such a loop, plus the
  optimizer's update: the same step with an engine that costs nothing.

``ops alone`` bounds from below what any engine around these ops can reach; ``forward
only`` plus ``VJPs alone`` is the least the engine's own forward leaves room for. Only
public API is used: ``autograd.viz.topological_order``, ``grad_fn``, an op's ``parents``,
``forward``, ``vjp`` and its ``save_inputs``/``save_output`` flags.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from autograd.viz import topological_order

from .harness import Candidate, Settings, torch_or_none, training_candidate

__all__ = ["breakdown_candidates", "adam_step_candidates", "graph_nodes", "replays", "NOTE"]

NOTE = ("'forward only': the engine's forward; 'VJPs alone': the recorded ops' vjp on "
        "arrays in a bare loop; 'ops alone': their forward and vjp called the same way, plus "
        "the update, i.e. the step with a cost-free engine (benchmarks/breakdown.py)")


def graph_nodes(root: Any) -> list[Any]:
    """The tensors computed by ops below ``root``, inputs before outputs (the drawing's
    order, ``autograd.viz.topological_order``, without the leaves)."""
    return [t for t in topological_order([root]) if t.grad_fn is not None]


def replays(nodes: Sequence[Any]) -> tuple[Callable[[], None], Callable[[], None]]:
    """(the ops' forwards, their VJPs newest first), each a loop on plain arrays."""
    forwards = [(n.grad_fn, [p.data for p in n.grad_fn.parents]) for n in nodes]
    vjps = []
    for n in reversed(nodes):
        op = n.grad_fn
        out = n.data if op.save_output else None
        inputs = [p.data if op.save_inputs else None for p in op.parents]
        g = np.ones_like(n.data) if n.data.ndim else n.data.dtype.type(1)
        vjps.append((op, g, out, inputs))

    def run_forwards() -> None:
        for op, arrays in forwards:
            op.forward(*arrays)

    def run_vjps() -> None:
        for op, g, out, inputs in vjps:
            op.vjp(g, out, *inputs)
    return run_forwards, run_vjps


def breakdown_candidates(loss_fn: Callable[[], Any],
                         update: Callable[[], object] | None = None) -> list[Candidate]:
    """The three timed-only rows for the graph ``loss_fn()`` records; ``update`` (the
    optimizer's step, if the timed step has one) runs in ``ops alone`` too."""
    forwards, vjps = replays(graph_nodes(loss_fn()))

    def ops_alone() -> None:
        forwards()
        vjps()
        if update is not None:
            update()
    return [Candidate("  forward only", None, loss_fn), Candidate("  VJPs alone", None, vjps),
            Candidate("  ops alone", None, ops_alone)]


def adam_step_candidates(settings: Settings, by_hand: Any, inputs: tuple[np.ndarray, ...],
                         engine_name: str, engine_loss: Callable[[], Any],
                         params: Sequence[Any], optimizer: Any, adam: dict[str, Any],
                         torch_parts: Callable[[Any], tuple[Callable[[], Any], list]],
                         torch_optimizer: str = "Adam") -> tuple[list[Candidate], str]:
    """The candidates of an Adam-step case (vae, lstm, cnn, transformer) and the note on
    PyTorch: the baseline ``by_hand`` (``loss_and_grads(*inputs)``, ``step(*inputs)``),
    the engine's step with its breakdown rows, and PyTorch's when installed
    (``torch_parts(torch)`` gives its loss function and parameters;
    ``torch.optim.<torch_optimizer>(**adam)``, Adam or AdamW, steps them)."""
    candidates = [
        Candidate("numpy (by hand)", lambda: by_hand.loss_and_grads(*inputs),
                  lambda: by_hand.step(*inputs)),
        training_candidate(engine_name, engine_loss, params, optimizer),
        *breakdown_candidates(engine_loss, optimizer.step)]
    torch, note = torch_or_none(settings)
    if torch is not None:
        torch_loss, torch_params = torch_parts(torch)
        candidates.append(training_candidate(
            f"torch {torch.__version__}", torch_loss, torch_params,
            getattr(torch.optim, torch_optimizer)(torch_params, **adam)))
    return candidates, note

"""What ``fit``'s metrics see: the scores of the forward pass the loss ran, and the
per-batch sums of the metrics and loss parts.

With ``loss_fn`` the loop calls the model itself, so the scores are that call's output.
With ``loss_fn=None`` the loss is ``model.loss(X, ...)``: a forward hook on the model,
registered for the duration of that call only, keeps the output of the model's first
own call (``self(x)``), so the metrics see the very forward the loss was computed on, in
the same mode, before the optimizer step, and no second forward changes BatchNorm's
running statistics or draws dropout masks (which would make adding a metric change the
trained weights). A ``model.loss`` that never calls the model (only its parts) leaves
nothing to keep: then the model is run once more on the inputs, in evaluation mode and
without a graph (no random draws of dropout, no running statistics updated), and the
metrics see that output."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, no_grad

from ..errors import ArgumentTypeError
from ..module import Module
from ._arguments import check_part_names, metric_value

__all__ = ["loss_and_output", "evaluation_output", "metric_scores", "accumulate"]


def loss_and_output(model: Module, x: Tensor, rest: Sequence[Any]) -> tuple[Any, Any]:
    """``(model.loss(x, *rest), the output of the model's first own call in it)``; the
    output is None when ``model.loss`` does not call the model."""
    seen: list[Any] = []

    def keep_first_output(module: Module, args: tuple, output: Any) -> None:
        if not seen:
            seen.append(output)

    handle = model.register_forward_hook(keep_first_output)
    try:
        result = model.loss(x, *rest)
    finally:
        handle.remove()
    return result, (seen[0] if seen else None)


def evaluation_output(model: Module, x: Tensor) -> Any:
    """``model(x)`` in evaluation mode without a graph; the mode is restored after."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            return model(x)
    finally:
        model.train(was_training)


def metric_scores(output: Any, model: Module) -> np.ndarray:
    """The scores the metrics receive: the model's output as a NumPy array, or the first
    item of a tuple or list output (the VAE's ``(logits, mu, logvar)``). An output that
    is not numbers (a dict, items of different shapes) is an ``ArgumentTypeError``."""
    first = output[0] if isinstance(output, (tuple, list)) and len(output) > 0 else output
    data = first.data if isinstance(first, Tensor) else first
    try:
        scores = np.asarray(data)
    except (ValueError, TypeError):  # ragged nesting
        scores = None
    if scores is None or scores.dtype.kind not in "biuf":
        raise ArgumentTypeError(
            f"fit: the metrics receive the model's output as a NumPy array of scores (the "
            f"first item of a tuple output, as the VAE's (logits, mu, logvar)); "
            f"{type(model).__name__} returned {_described(output)}, which is not numbers. "
            f"Return the scores as a Tensor (first in a tuple), or drop metrics= and "
            f"measure after fit")
    return scores


def _described(output: Any) -> str:
    if isinstance(output, (tuple, list)) and len(output) > 0:
        return f"a {type(output).__name__} whose first item is a {type(output[0]).__name__}"
    return f"a {type(output).__name__}"


def accumulate(sums: dict[str, float], result: Any, output: Any, batch: Sequence[Any],
               metrics: Mapping[str, Callable], model: Module, n: int) -> None:
    """Add the batch's loss parts and metrics, weighted by its size ``n``. ``output`` is
    the forward the loss ran on (see the module's docstring); the metrics get its scores
    and the batch's target (the inputs when the batch has no target), as NumPy."""
    parts = getattr(result, "_fields", ())[1:]  # a named tuple of loss parts
    if parts:
        check_part_names(parts, metrics)
    for name in parts:
        sums[name] = sums.get(name, 0.0) + float(getattr(result, name).item()) * n
    if not metrics:
        return
    scores = metric_scores(output, model)
    target = batch[1] if len(batch) > 1 else batch[0]
    target = target.data if isinstance(target, Tensor) else target  # metrics take NumPy
    for name, fn in metrics.items():
        sums[name] = sums.get(name, 0.0) + metric_value(name, fn(scores, target)) * n

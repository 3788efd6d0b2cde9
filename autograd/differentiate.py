"""The user's entry points to the backward pass: ``backward()`` and ``grad()``.

Both check and seed the outputs, then run the one backward loop in ``engine``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from numbers import Number
from typing import Any, Sequence

import numpy as np

from .engine import accumulate_into, run_backward, seed
from .errors import BackwardError, ShapeError, UsageError
from .tensor import Tensor
from .tensor_math import stack

__all__ = ["backward", "grad", "HIPS_GRAD", "HIPS_TRANSFORMS"]

HIPS_TRANSFORMS = (
    "HIPS's grad(f)(x) is autograd.func.grad(f)(x) here (nested for higher derivatives), "
    "elementwise_grad(f)(x) is autograd.func.grad(lambda x: np.sum(f(x)))(x), value_and_grad "
    "is autograd.func.grad_and_value (it returns (grad, value)), jacobian is "
    "autograd.func.jacrev, hessian is autograd.func.hessian, hessian_vector_product is "
    "autograd.functional.hvp, and primitive/defvjp (your own op) is a subclass of "
    "autograd.Function with forward and vjp (see autograd.extend).")
HIPS_GRAD = (
    "autograd.grad(outputs, inputs) is PyTorch's: it differentiates tensors already computed "
    "(loss = f(w); autograd.grad(loss, [w])). The transform grad(f)(x) of HIPS autograd and "
    "JAX is autograd.func.grad(f)(x). " + HIPS_TRANSFORMS + " autograd.numpy is plain NumPy "
    "(import numpy as np): NumPy's functions run the differentiable ops on Tensors.")


def backward(tensors: Tensor | Sequence[Tensor], grad: Any = None,
             retain_graph: bool | None = None, create_graph: bool = False, *,
             grad_tensors: Any = None, inputs: Tensor | Sequence[Tensor] | None = None) -> None:
    """``backward(loss)``, or PyTorch's ``backward([l1, l2], [g1, g2])``: accumulate
    d(sum_k g_k . tensors_k)/d(leaf) into ``leaf.grad`` for every leaf that requires
    grad (one pass for all of them; ``tensors``, PyTorch's name, may be passed by name).
    ``grad_tensors=`` is PyTorch's name for ``grad``; with ``inputs=`` only those
    tensors' ``.grad`` is written (each once, leaves or not), as PyTorch's."""
    if grad_tensors is not None:
        if grad is not None:
            raise UsageError("backward: got both grad and grad_tensors; they are two names "
                             "(ours and PyTorch's) for dL/droot. Pass only one.")
        grad = grad_tensors
    roots = _as_list(tensors, "tensors", "the tensor(s) to differentiate, e.g. the loss",
                     "backward")
    _check_outputs(roots)
    if isinstance(tensors, Tensor) or isinstance(grad, (Tensor, np.ndarray, Number)):
        grads = [grad]
    else:
        grads = [None] * len(roots) if grad is None else list(grad)
    if len(grads) != len(roots):
        raise BackwardError(f"backward: {len(roots)} tensors but {len(grads)} gradients; "
                            f"give one per tensor (None for a one-element tensor)")
    targets = None
    if inputs is not None:
        targets = list({id(t): t for t in _as_list(
            inputs, "inputs", "the tensor(s) whose .grad to accumulate", "backward")}.values())
        _check_inputs(targets, "backward")
    seeds = [seed(r, g, create_graph, i) for i, (r, g) in enumerate(zip(roots, grads))]
    retain = create_graph if retain_graph is None else retain_graph
    found = run_backward(roots, seeds, retain, create_graph, targets)
    if targets is not None:
        accumulate_into(targets, found)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor] | None = None,
         grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None, *,
         is_grads_batched: bool = False, materialize_grads: bool = False,
         only_inputs: bool = True) -> tuple:
    """d(outputs)/d(inputs) as a tuple (one entry per input), without touching ``.grad``.

    ``grad_outputs`` gives dL/d(output) for each output (needed unless it has one element).
    With ``create_graph=True`` the results are differentiable Tensors (grad of grad).
    The pass stops at the inputs: the ops that made them are neither run nor released.
    An input the outputs do not depend on gets ``None`` if ``allow_unused`` (zeros with
    ``materialize_grads``), else an error. ``is_grads_batched``: the first axis of each
    grad_output indexes a batch of vectors, and so does each result's (one pass each).
    ``only_inputs`` is PyTorch's deprecated flag: ignored (False warns), as there.
    ``grad(f)`` of a function (HIPS autograd's and JAX's transform) raises ``UsageError``
    naming ``autograd.func.grad``, which is that transform here.
    """
    if callable(outputs) and not isinstance(outputs, Tensor):
        raise UsageError(HIPS_GRAD)
    if inputs is None:
        raise UsageError("grad: inputs must be a Tensor or a non-empty list of Tensors, the "
                         "tensor(s) to differentiate with respect to; got none (missing inputs):"
                         " autograd.grad(loss, [w, b]) (PyTorch's signature)")
    if not only_inputs:
        warnings.warn("grad: only_inputs is deprecated and ignored, as in PyTorch (only "
                      "the inputs' gradients are computed). To accumulate gradients into "
                      "other tensors' .grad, use autograd.backward.", FutureWarning,
                      stacklevel=2)
    if materialize_grads and allow_unused is False:
        raise UsageError("grad: materialize_grads=True gives zeros for unused inputs, so "
                         "allow_unused must be True or left out (as in PyTorch); got False")
    allow_unused = bool(allow_unused) or materialize_grads
    outputs = _as_list(outputs, "outputs", "the tensor(s) to differentiate, e.g. the loss")
    inputs = _as_list(inputs, "inputs", "the tensor(s) to differentiate with respect to")
    if is_grads_batched:
        return _batched(outputs, inputs, grad_outputs, retain_graph, create_graph,
                        allow_unused, materialize_grads)
    _check_outputs(outputs)
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray, Number, str,
                                                         bytes, dict)):  # (seed names those)
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise BackwardError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} "
                            f"grad_outputs; give one per output")
    _check_inputs(inputs, "grad")
    seeds = [seed(out, g, create_graph, i, "grad")
             for i, (out, g) in enumerate(zip(outputs, grad_outputs))]
    retain = create_graph if retain_graph is None else retain_graph
    found = run_backward(outputs, seeds, retain, create_graph, inputs)
    result = []
    for i, t in enumerate(inputs):
        g = found.get(t._seq)
        if g is None and not allow_unused:
            raise BackwardError(f"grad: input {i} (shape {t.shape}) is not used to compute "
                                f"the outputs; pass allow_unused=True to get None for it")
        if g is None and materialize_grads:  # zeros that, under create_graph, require grad
            g = Tensor(np.zeros(t.shape, dtype=t.dtype), requires_grad=bool(create_graph))
        elif g is not None and not isinstance(g, Tensor):
            g = Tensor(np.array(g, copy=True))  # its own memory, never a shared array
        elif g is not None and not g.requires_grad:
            g = g.copy()
        result.append(g)
    return tuple(result)


def _batched(outputs: list, inputs: list, grad_outputs: Any, retain_graph: bool | None,
             create_graph: bool, allow_unused: bool, materialize_grads: bool) -> tuple:
    """``grad`` for each vector of a batch (the first axis of every grad_output), the
    results stacked along a new first axis (PyTorch's ``is_grads_batched``)."""
    single = isinstance(grad_outputs, (Tensor, np.ndarray))
    batches = [grad_outputs] if single else list(grad_outputs or [])
    if not batches or any(b is None or np.ndim(b) == 0 for b in batches):
        raise UsageError("grad: is_grads_batched=True needs grad_outputs, each with a "
                         "leading batch axis (e.g. an identity matrix for a Jacobian)")
    sizes = {len(b) for b in batches}
    if len(sizes) != 1 or 0 in sizes:
        raise ShapeError(f"grad: is_grads_batched=True needs one batch size (at least 1) "
                         f"for every grad_output; got first axes of sizes {sorted(sizes)}")
    size = sizes.pop()
    rows = [grad(outputs, inputs, [b[k] for b in batches],
                 retain_graph=True if k < size - 1 else retain_graph,
                 create_graph=create_graph, allow_unused=allow_unused,
                 materialize_grads=materialize_grads) for k in range(size)]
    return tuple(None if column[0] is None else stack(list(column))
                 for column in zip(*rows))


def _as_list(tensors: Any, what: str, meaning: str, caller: str = "grad") -> list:
    """One Tensor, or an iterable of them (a list, ``model.parameters()``), as a non-empty
    list (else ``UsageError`` naming ``caller``)."""
    if isinstance(tensors, Tensor):
        return [tensors]
    iterable = isinstance(tensors, Iterable) and not isinstance(tensors, (str, bytes, dict))
    found = list(tensors) if iterable else []
    if not found:
        raise UsageError(f"{caller}: {what} must be a Tensor or a non-empty list of Tensors "
                         f"({meaning}); got {tensors!r:.60}")
    return found



def _check_inputs(inputs: list, what: str) -> None:
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise BackwardError(f"{what}: input {i} does not require grad, so it has no "
                                f"gradient. Create it with requires_grad=True.")


def _check_outputs(outputs: list) -> None:
    for i, root in enumerate(outputs):
        if not isinstance(root, Tensor):
            raise UsageError(f"backward needs Tensors; output {i} is {type(root).__name__}")

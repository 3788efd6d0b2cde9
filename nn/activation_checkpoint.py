"""Activation checkpointing, PyTorch's ``torch.utils.checkpoint``: ``checkpoint(function,
*args)`` runs ``function`` without keeping its intermediate results for backward, and
runs it again in the backward pass to get them, trading compute for memory. Reached as
``nn.checkpoint.checkpoint`` and ``nn.checkpoint.checkpoint_sequential`` (``torch.utils``'s
modules are ``nn``'s here, as ``torch.utils.data`` is ``nn.data``; ``nn.checkpoint`` also
saves and loads files).

The graph keeps one node for the whole block, whose inputs are the tensor arguments and
the leaves the block reaches (found by walking the graph of its first run, which is then
dropped); the block's own intermediates are freed as soon as its forward returns.
Gradients equal those of the plain run: the recomputation replays the default
generator's draws (``preserve_rng_state``), so dropout drops the same units.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import autograd
from autograd import Function, Tensor, UnsupportedError, UsageError, enable_grad
from autograd.graph import AccumulateGrad

__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable[[], Any] | None = None,
               determinism_check: str = "default", debug: bool = False,
               preserve_rng_state: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, keeping for backward only its inputs: the tensor
    arguments and the leaves that require grad it reaches (a Module's parameters, or a
    closure's). Forward runs ``function`` once, recording, to find those leaves, and
    drops its graph; backward runs it again under ``enable_grad()`` and differentiates
    that.

    ``use_reentrant`` True or False (PyTorch asks for it explicitly) gives the same result
    here, PyTorch's non-reentrant one: no input needs to require grad, and
    ``autograd.grad`` works through it. Under ``no_grad()`` the function just runs. The
    function must return a Tensor or a tuple of Tensors and be deterministic apart from
    the default generator's draws, which are replayed (``preserve_rng_state=True``). A
    tensor computed outside that the block closes over is differentiated through by the
    recomputation (its graph must still be there: the block's node links to leaves).
    Under ``create_graph=True`` the recomputation is recorded: double backward works."""
    if context_fn is not None:
        raise UnsupportedError(
            "checkpoint(context_fn=...): selective activation checkpointing (which ops to "
            "save) needs PyTorch's saved-tensor machinery, which the graph here does not "
            "have; checkpoint a smaller block instead, or drop context_fn.")
    if use_reentrant not in (None, True, False):
        raise UsageError(f"checkpoint(use_reentrant=...) must be True or False, got "
                         f"{use_reentrant!r}")
    del determinism_check, debug  # PyTorch's checks of the recomputation: it is exact here
    if not callable(function):
        raise UsageError(f"checkpoint(function, *args): function must be callable (a "
                         f"Module or a function), got {type(function).__name__}")
    names = list(kwargs)
    values = list(args) + [kwargs[k] for k in names]
    slots = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
    plan = _Plan(function, values, slots, len(args), names, preserve_rng_state)
    given = [values[i] for i in slots]
    if not autograd.is_grad_enabled():
        return plan.call(given)
    detached = [t.detach().requires_grad_(t.requires_grad) for t in given]
    out = plan.call(detached)  # recorded once, to find the leaves it reaches
    outs = out if isinstance(out, tuple) else (out,)
    leaves = _leaves_reached(outs, detached)
    plan.output = tuple(o.detach() for o in outs) if isinstance(out, tuple) else out.detach()
    del out, outs  # the block's graph and intermediates go with these
    return _Checkpoint.apply(plan, *given, *leaves)


def checkpoint_sequential(functions: Any, segments: int, input: Tensor,  # noqa: A002
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """Run ``functions`` (an ``nn.Sequential`` or a list of modules) on ``input`` in
    ``segments`` pieces of ``len // segments`` modules, checkpointing every piece but the
    last (which runs as it is, as PyTorch's does)."""
    if hasattr(functions, "children") and callable(functions.children):
        functions = list(functions.children())
    functions = list(functions)
    if not isinstance(segments, int) or isinstance(segments, bool) or segments < 1:
        raise UsageError(f"checkpoint_sequential: segments must be an int >= 1, got "
                         f"{segments!r}")
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(_Segment(functions[start:end + 1]), input,
                           use_reentrant=use_reentrant, **kwargs)
    return _Segment(functions[end + 1:])(input)


class _Segment:
    """Modules called one after another."""

    def __init__(self, modules: list) -> None:
        self.modules = modules

    def __call__(self, x: Any) -> Any:
        for module in self.modules:
            x = module(x)
        return x


class _Plan:
    """What a checkpoint needs to run its block again: the call and the random state."""

    def __init__(self, function: Callable[..., Any], values: list, slots: list[int],
                 n_args: int, names: list[str], preserve_rng_state: bool) -> None:
        self.function, self.values, self.slots = function, values, slots
        self.n_args, self.names = n_args, names
        self.rng_state = autograd.get_rng_state() if preserve_rng_state else None
        self.output: Any = None  # the first run's result, until the op takes it

    def call(self, tensors: list) -> Any:
        """``function`` on the arguments, with ``tensors`` in the tensor slots."""
        values = list(self.values)
        for i, t in zip(self.slots, tensors):
            values[i] = t
        kwargs = dict(zip(self.names, values[self.n_args:]))
        out = self.function(*values[:self.n_args], **kwargs)
        if isinstance(out, Tensor) or (isinstance(out, tuple) and out
                                       and all(isinstance(o, Tensor) for o in out)):
            return out
        raise UnsupportedError(
            f"checkpoint: the function returned {type(out).__name__}; a checkpointed block "
            "must return a Tensor or a tuple of Tensors (return the others from outside "
            "the block).")


class _Checkpoint(Function):
    """y = f(inputs), saving only the inputs; the backward recomputes f to differentiate."""

    @staticmethod
    def forward(ctx: Any, plan: _Plan, *inputs: Tensor) -> Any:
        ctx.plan = plan
        ctx.save_for_backward(*inputs)
        out, plan.output = plan.output, None
        return out

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        plan = ctx.plan
        inputs = ctx.saved_tensors
        given = list(inputs[:len(plan.slots)])
        leaves = list(inputs[len(plan.slots):])
        # backward(create_graph=True) runs this with grad enabled: the recomputation then
        # starts from the inputs themselves, so the gradient's own graph reaches them
        create_graph = autograd.is_grad_enabled()
        with enable_grad():
            rerun = given if create_graph else [
                t.detach().requires_grad_(t.requires_grad) for t in given]
            out = _replay(plan, rerun)
        outs = out if isinstance(out, tuple) else (out,)
        pairs = [(o, g) for o, g in zip(outs, grads) if o.requires_grad and g is not None]
        wanted = [t for t in rerun + leaves if t.requires_grad]
        if not pairs or not wanted:
            return (None,) * (1 + len(inputs))
        # retain_graph: the recomputed graph is freed when this returns all the same
        found = iter(autograd.grad([o for o, _ in pairs], wanted,
                                   grad_outputs=[g for _, g in pairs], allow_unused=True,
                                   retain_graph=True, create_graph=create_graph))
        return (None, *[next(found) if t.requires_grad else None for t in rerun + leaves])


def _replay(plan: _Plan, tensors: list) -> Any:
    """The block again, with the default generator as it was at the first run."""
    if plan.rng_state is None:
        return plan.call(tensors)
    now = autograd.get_rng_state()
    autograd.set_rng_state(plan.rng_state)
    try:
        return plan.call(tensors)
    finally:
        autograd.set_rng_state(now)


def _leaves_reached(outs: tuple, inputs: list[Tensor]) -> list[Tensor]:
    """The leaves requiring grad that ``outs`` were computed from, other than ``inputs``
    (the parameters the block used, its closure's tensors), by ``grad_fn.next_functions``."""
    known = {id(t) for t in inputs}
    stack = [o.grad_fn for o in outs if isinstance(o, Tensor) and o.grad_fn is not None]
    seen: set[Any] = set()  # the nodes themselves: AccumulateGrad ones are made when read
    leaves: list[Tensor] = []
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in known:
                known.add(id(node.variable))
                leaves.append(node.variable)
            continue
        stack.extend(next_node for next_node, _ in node.next_functions)
    return leaves

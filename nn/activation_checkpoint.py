"""Activation checkpointing, PyTorch's ``torch.utils.checkpoint``: ``checkpoint(function,
*args)`` runs ``function`` without keeping its intermediate results for backward, and
runs it again in the backward pass to get them, trading compute for memory. Reached as
``nn.checkpoint.checkpoint`` and ``nn.checkpoint.checkpoint_sequential`` (``torch.utils``'s
modules are ``nn``'s here, as ``torch.utils.data`` is ``nn.data``; ``nn.checkpoint`` also
saves and loads files).

The graph keeps one node for the whole block, whose inputs are the tensor arguments and
the parameters the block reaches; the block's own intermediates are freed as soon as its
forward returns. Gradients equal those of the plain run: the recomputation replays the
default generator's draws (``preserve_rng_state``), so dropout drops the same units.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import autograd
from autograd import Function, Tensor, UnsupportedError, UsageError, enable_grad
from autograd.graph import AccumulateGrad

__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable[[], Any] | None = None,
               determinism_check: str = "default", debug: bool = False,
               preserve_rng_state: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, keeping for backward only its inputs (the tensor
    arguments, and the parameters of ``function`` if it is a Module or a Module's method):
    backward runs ``function`` again under ``enable_grad()`` and differentiates that.

    ``use_reentrant`` True or False (PyTorch asks for it explicitly) gives the same result
    here: no input needs to require grad, and ``autograd.grad`` works through it. A leaf
    the function reaches another way (a closure over a model) gets its gradient added
    into its ``.grad`` by the recomputation, as PyTorch's reentrant checkpoint does. The
    function must return a Tensor or a tuple of Tensors, and be deterministic apart from
    the default generator's draws, which are replayed (``preserve_rng_state=True``).
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
    given = {id(values[i]) for i in slots}
    params = [p for p in _parameters_of(function) if id(p) not in given]
    plan = _Plan(function, values, slots, len(args), names, preserve_rng_state)
    inputs = [values[i] for i in slots] + params
    return _Checkpoint.apply(plan, *inputs)


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
    """Modules called one after another; its ``parameters()`` are theirs."""

    def __init__(self, modules: list) -> None:
        self.modules = modules

    def __call__(self, x: Any) -> Any:
        for module in self.modules:
            x = module(x)
        return x

    def parameters(self) -> Iterable[Tensor]:
        return itertools.chain.from_iterable(_parameters_of(m) for m in self.modules)


def _parameters_of(function: Any) -> list[Tensor]:
    """The parameters that require grad of ``function`` (a Module, a ``_Segment``) or of
    the object a bound method belongs to; [] for a plain function."""
    owner = function if hasattr(function, "parameters") else getattr(function, "__self__",
                                                                     None)
    found = getattr(owner, "parameters", None)
    if not callable(found):
        return []
    seen: set[int] = set()
    params = []
    for p in found():
        if isinstance(p, Tensor) and p.requires_grad and id(p) not in seen:
            seen.add(id(p))
            params.append(p)
    return params


class _Plan:
    """What a checkpoint needs to run its block again: the call and the random state."""

    def __init__(self, function: Callable[..., Any], values: list, slots: list[int],
                 n_args: int, names: list[str], preserve_rng_state: bool) -> None:
        self.function, self.values, self.slots = function, values, slots
        self.n_args, self.names = n_args, names
        self.rng_state = autograd.get_rng_state() if preserve_rng_state else None

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
        return plan.call(list(inputs[:len(plan.slots)]))

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        plan = ctx.plan
        inputs = ctx.saved_tensors
        given = inputs[:len(plan.slots)]
        params = list(inputs[len(plan.slots):])
        # backward(create_graph=True) runs this with grad enabled: the recomputation then
        # starts from the inputs themselves, so the gradient's own graph reaches them
        create_graph = autograd.is_grad_enabled()
        with enable_grad():
            detached = list(given) if create_graph else [
                t.detach().requires_grad_(t.requires_grad) for t in given]
            out = _replay(plan, detached)
        outs = out if isinstance(out, tuple) else (out,)
        pairs = [(o, g) for o, g in zip(outs, grads) if o.requires_grad and g is not None]
        if not pairs:
            return (None,) * (1 + len(inputs))
        wanted = [t for t in detached + params if t.requires_grad]
        strays = _leaves_outside(pairs, wanted)
        results = autograd.grad([o for o, _ in pairs], wanted + strays,
                                grad_outputs=[g for _, g in pairs], allow_unused=True,
                                create_graph=create_graph)
        for leaf, g in zip(strays, results[len(wanted):]):  # as PyTorch's reentrant one
            if g is not None:
                g = g if create_graph else g.detach()
                leaf.grad = g if leaf.grad is None else leaf.grad + g
        found = iter(results)
        per_input = [next(found) if t.requires_grad else None for t in detached + params]
        return (None, *per_input)


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


def _leaves_outside(pairs: list, known: list) -> list[Tensor]:
    """The leaves requiring grad that the recomputed outputs reach other than ``known``
    (tensors the function closes over), walking ``grad_fn.next_functions``."""
    known_ids = {id(t) for t in known}
    stack = [o.grad_fn for o, _ in pairs if o.grad_fn is not None]
    seen: set[Any] = set()  # the nodes themselves: AccumulateGrad ones are made when read
    strays: list[Tensor] = []
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in known_ids:
                known_ids.add(id(node.variable))
                strays.append(node.variable)
            continue
        stack.extend(next_node for next_node, _ in node.next_functions)
    return strays

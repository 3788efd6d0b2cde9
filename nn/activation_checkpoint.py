"""Activation checkpointing, PyTorch's ``torch.utils.checkpoint``: ``checkpoint(function,
*args)`` runs ``function`` without keeping its intermediate results for backward, and
runs it again in the backward pass to get them, trading compute for memory. Reached as
``nn.checkpoint.checkpoint`` and ``nn.checkpoint.checkpoint_sequential`` (``torch.utils``'s
modules are ``nn``'s here, as ``torch.utils.data`` is ``nn.data``; ``nn.checkpoint`` also
saves and loads files).

The graph keeps one node for the whole block, whose inputs are exactly the tensors the
block read: its tensor arguments, and the tensors that require grad it read from its
modules and closure (a non-leaf one too). Every run of the block reads stand-ins for them
(``nn/checkpoint_reads.py``), so the first run's graph, dropped as soon as the forward
returns, tells which were read, and the recomputation's backward stops at the stand-ins:
the outer backward passes each tensor's gradient on once, whole, through its hooks.
Gradients equal those of the plain run: the recomputation replays the default
generator's draws (``preserve_rng_state``), so dropout drops the same units.
"""
from __future__ import annotations

import operator
import threading
import warnings
from collections.abc import Callable
from typing import Any

import autograd
from autograd import Function, Tensor, UnsupportedError, UsageError, enable_grad
from autograd.errors import GraphFreedError, InplaceError
from autograd.extend import last_write
from autograd.graph import AccumulateGrad

from ._checks import caller_outside_nn
from .checkpoint_reads import Reads, flatten, standin, unique

__all__ = ["checkpoint", "checkpoint_sequential"]


class _Depth(threading.local):
    """How many checkpointed blocks are running in this thread (one inside another)."""

    def __init__(self) -> None:
        self.value = 0


_RUNNING = _Depth()


def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable[[], Any] | None = None,
               determinism_check: str = "default", debug: bool = False,
               preserve_rng_state: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, keeping for backward only the tensors it read: its
    tensor arguments (also in list, tuple and dict arguments) and the tensors requiring
    grad it read from its modules and closure. Forward runs ``function`` once, recording,
    to find those, and drops its graph; backward runs it again under ``enable_grad()``
    and differentiates that.

    ``use_reentrant`` True or False (PyTorch asks for it explicitly) gives the same result
    here, PyTorch's non-reentrant one: no input needs to require grad, and
    ``autograd.grad`` works through it (to a closure's non-leaf tensor too). Under
    ``no_grad()`` the function just runs. The function must return a Tensor or a tuple
    (its other items, e.g. None, are passed on) and be deterministic apart from the
    default generator's draws, which are replayed (``preserve_rng_state=True``); it must
    not change its tensor arguments in place (backward raises ``InplaceError``, as
    PyTorch's). A block that reads a tensor requiring grad from a place that gets no
    stand-in (``nn/checkpoint_reads.py``: e.g. a Tensor attribute of a plain object)
    runs without checkpointing, with a warning: its gradients stay exact, its
    activations are kept. Under ``create_graph=True`` the recomputation is recorded:
    double backward works."""
    _check_options(function, use_reentrant, context_fn)
    del determinism_check, debug  # PyTorch's checks of the recomputation: it is exact here
    plan = _Plan(function, args, kwargs, preserve_rng_state)
    if not autograd.is_grad_enabled():
        return plan.run({})
    before = [last_write(t.data) for t in plan.arguments]
    standins = {id(t): standin(t, recorded=False) for t in plan.reads.tensors}
    out = plan.first_run(standins)  # recorded once, to find what it read
    outs = _tensors_of(out)
    if not outs:
        return out  # a tuple without Tensors: nothing to differentiate
    read = _originals_reached(outs, {id(standins[id(t)]): t for t in plan.reads.tensors})
    plan.output = tuple(o.detach() for o in outs) if isinstance(out, tuple) else out.detach()
    shell = [_TENSOR if isinstance(o, Tensor) else o for o in out] if isinstance(
        out, tuple) else None  # where the tensors go among the other items
    del out, outs, standins  # the block's graph and intermediates go with these
    if read is None:
        return _run_plainly(plan)
    plan.changed = [i for i, (t, time) in enumerate(zip(plan.arguments, before))
                    if last_write(t.data) != time]
    others = [t for t in plan.reads.tensors if id(t) in read]
    result = _Checkpoint.apply(plan, *unique(plan.arguments + others))
    return result if shell is None else _placed(shell, result)


_TENSOR = object()  # the place of a Tensor among a tuple's items


def _placed(shell: list, tensors: Any) -> tuple:
    """The block's tuple again: ``shell``'s items, with ``tensors`` in the Tensors'
    places (``_TENSOR``)."""
    found = iter(tensors if isinstance(tensors, tuple) else (tensors,))
    return tuple(next(found) if item is _TENSOR else item for item in shell)


def _tensors_of(out: Any) -> tuple:
    """The Tensors a block returned: itself, or those among its tuple's items."""
    return tuple(o for o in out if isinstance(o, Tensor)) if isinstance(out, tuple) else (out,)


def _check_options(function: Any, use_reentrant: Any, context_fn: Any) -> None:
    """Refuse what ``checkpoint`` cannot do, or was given wrongly."""
    if context_fn is not None:
        raise UnsupportedError(
            "checkpoint(context_fn=...): selective activation checkpointing (which ops to "
            "save) needs PyTorch's saved-tensor machinery, which the graph here does not "
            "have; checkpoint a smaller block instead, or drop context_fn.")
    if use_reentrant not in (None, True, False):
        raise UsageError(f"checkpoint(use_reentrant=...) must be True or False, got "
                         f"{use_reentrant!r}")
    if not callable(function):
        raise UsageError(f"checkpoint(function, *args): function must be callable (a "
                         f"Module or a function), got {type(function).__name__}")


def checkpoint_sequential(functions: Any, segments: int, input: Tensor,  # noqa: A002
                          use_reentrant: bool | None = None, *,
                          preserve_rng_state: bool = True, **unexpected: Any) -> Any:
    """Run ``functions`` (an ``nn.Sequential`` or a list of modules) on ``input`` in
    ``segments`` pieces of ``len // segments`` modules, checkpointing every piece but the
    last (which runs as it is, as PyTorch's does). As PyTorch's, the only other keyword
    is ``preserve_rng_state``; ``segments`` is between 1 and the number of modules."""
    if unexpected:
        raise UsageError(f"checkpoint_sequential: unexpected keyword argument(s) "
                         f"{', '.join(unexpected)}; it takes use_reentrant and "
                         f"preserve_rng_state (as PyTorch's). To pass others to each "
                         f"piece, call checkpoint on the pieces yourself.")
    if hasattr(functions, "children") and callable(functions.children):
        functions = list(functions.children())
    functions = list(functions)
    segments = _segment_count(segments, len(functions))
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(_Segment(functions[start:end + 1]), input,
                           use_reentrant=use_reentrant,
                           preserve_rng_state=preserve_rng_state)
    return _Segment(functions[end + 1:])(input)


def _segment_count(segments: Any, modules: int) -> int:
    """``segments`` as an int from 1 to ``modules`` (a NumPy integer too), else UsageError."""
    try:
        count = None if isinstance(segments, bool) else operator.index(segments)
    except TypeError:
        count = None
    if count is None or count < 1:
        raise UsageError(f"checkpoint_sequential: segments must be an int >= 1, got "
                         f"{segments!r}")
    if not modules:
        raise UsageError("checkpoint_sequential: functions holds no modules; give an "
                         "nn.Sequential or a list with at least one module")
    if count > modules:
        raise UsageError(f"checkpoint_sequential: segments ({count}) is more than the "
                         f"number of modules ({modules}); each segment needs at least one "
                         f"module. Pass segments between 1 and {modules}.")
    return count


class _Segment:
    """Modules called one after another."""

    def __init__(self, modules: list) -> None:
        self.modules = modules

    def __call__(self, x: Any) -> Any:
        for module in self.modules:
            x = module(x)
        return x


class _Plan:
    """What a checkpoint needs to run its block again: the call, where the block reads
    tensors, and the random state before the first run."""

    def __init__(self, function: Callable[..., Any], args: tuple, kwargs: dict,
                 preserve_rng_state: bool) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.arguments = unique(flatten([args, kwargs]))  # the tensor arguments
        self.reads = Reads(function, self.arguments)
        self.preserve_rng_state = preserve_rng_state
        self.rng_state = autograd.get_rng_state()
        self.output: Any = None  # the first run's result, until the op takes it
        self.changed: list[int] = []  # the arguments the first run changed in place

    def run(self, standins: dict[int, Tensor]) -> Any:
        """``function`` on the arguments, reading the stand-ins (by ``id`` of the tensor
        they stand for)."""
        _RUNNING.value += 1
        try:
            out = self.reads.call(self.function, self.args, self.kwargs, standins)
        finally:
            _RUNNING.value -= 1
        if isinstance(out, (Tensor, tuple)):
            return out
        raise UnsupportedError(
            f"checkpoint: the function returned {type(out).__name__}; a checkpointed block "
            "must return a Tensor or a tuple (whose Tensors are checkpointed, and other "
            "items passed on); return tuple(...) of a list, or the dict's values.")

    def first_run(self, standins: dict[int, Tensor]) -> Any:
        """``run``, saying what an in-place change of a stand-in means."""
        try:
            return self.run(standins)
        except InplaceError as error:
            raise InplaceError(
                f"checkpoint: {error} Inside a checkpointed block each tensor argument "
                f"and parameter that requires grad is read through a leaf standing in "
                f"for it, and the block runs twice (forward, then backward): it must not "
                f"change them in place. Write x = x + y in the block, or pass "
                f"x.clone().") from error

    def refuse_changed_arguments(self) -> None:
        """InplaceError if the first run changed a tensor argument in place: the
        recomputation would start from the changed values and change them again."""
        if not self.changed:
            return
        t = self.arguments[self.changed[0]]
        raise InplaceError(
            f"checkpoint: the block changed its tensor argument {self.changed[0]} "
            f"(shape {t.shape}) in place; backward runs the block again, which would "
            f"start from the changed values (and change them a second time), so its "
            f"gradients would be wrong (PyTorch refuses this backward too). Change a copy "
            f"in the block (x = x + 1, not x.add_(1)), or pass x.clone().")


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
        plan.refuse_changed_arguments()
        # backward(create_graph=True) runs this with grad enabled: the stand-ins are then
        # views of the inputs, so the gradient's own graph reaches them
        create_graph = autograd.is_grad_enabled()
        with enable_grad():
            standins = {id(t): standin(t, create_graph) for t in inputs if t.requires_grad}
            out = _rerun(plan, standins, plan.preserve_rng_state)
        outs = _tensors_of(out)
        pairs = [(o, g) for o, g in zip(outs, grads) if o.requires_grad and g is not None]
        if not pairs or not standins:
            return (None,) * (1 + len(inputs))
        # retain_graph: the recomputed graph is freed when this returns all the same
        found = iter(autograd.grad([o for o, _ in pairs], list(standins.values()),
                                   grad_outputs=[g for _, g in pairs], allow_unused=True,
                                   retain_graph=True, create_graph=create_graph))
        return (None, *[next(found) if id(t) in standins else None for t in inputs])


def _rerun(plan: _Plan, standins: dict[int, Tensor], same_draws: bool) -> Any:
    """The block again; ``same_draws``: with the default generator as it was at the
    first run (and put back after)."""
    if not same_draws:
        return plan.run(standins)
    now = autograd.get_rng_state()
    autograd.set_rng_state(plan.rng_state)
    try:
        return plan.run(standins)
    finally:
        autograd.set_rng_state(now)


def _run_plainly(plan: _Plan) -> Any:
    """The block run as it is (its graph kept), after a first run that read a tensor
    requiring grad it had no stand-in for: with that one in its graph, the checkpoint's
    node could not pass its gradient on exactly once. Inside another checkpointed block
    (whose modules then hold its stand-ins, which this one does not know) it does so
    quietly: the outer checkpoint frees the activations all the same."""
    if not _RUNNING.value:
        warnings.warn(
            "checkpoint: the block read a tensor that requires grad from a place checkpoint "
            "cannot give a stand-in for (a Tensor attribute of a module or other object, a "
            "global of another module, a tensor made inside the block with requires_grad); "
            "it ran without checkpointing, keeping its activations, so that its gradients "
            "stay exact. Pass such a tensor as an argument, or hold it as a parameter of a "
            "module the block uses.", UserWarning, stacklevel=caller_outside_nn())
    return _rerun(plan, {}, same_draws=True)


def _originals_reached(outs: tuple, originals: dict[int, Tensor]) -> set[int] | None:
    """The ids of the tensors (``originals``, by ``id`` of their stand-in) whose
    stand-ins ``outs`` were computed from, by ``grad_fn.next_functions``; None if the
    outputs also reach another tensor that requires grad (or a released graph)."""
    stack: list[Any] = [o.grad_fn if o.grad_fn is not None else AccumulateGrad(o)
                        for o in outs if isinstance(o, Tensor) and o.requires_grad]
    seen: set[Any] = set()  # the nodes themselves: AccumulateGrad ones are made when read
    reached: set[int] = set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if isinstance(node, AccumulateGrad):
            original = originals.get(id(node.variable))
            if original is None:
                return None
            reached.add(id(original))
            continue
        try:
            stack.extend(next_node for next_node, _ in node.next_functions)
        except GraphFreedError:
            return None
    return reached

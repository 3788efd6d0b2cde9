"""PyTorch's way of writing an op: static ``forward(ctx, ...)`` and ``backward(ctx, g)``.

People who come from PyTorch write their own op like this, and it works here as it is::

    class MyExp(ag.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    MyExp.apply(x)

Each ``apply`` records one op of this engine, :class:`CtxOp`, which calls the class's
static methods. As in PyTorch, ``forward`` gets the Tensors themselves (arrays become
constant Tensors, other arguments such as numbers arrive unchanged) and runs without
recording; ``backward`` gets g as a Tensor and returns one gradient per argument of
``forward`` (None for those that need none). ``apply`` binds its arguments to
``forward``'s as PyTorch does (keywords take their places; with ``setup_context``,
defaults are added). Under ``create_graph=True`` the backward is
recorded, and a saved output stands for the output apply returned (its hooks and
``retain_grad`` see the gradient through it), so second derivatives are right. Several
outputs: see ``autograd.ctx_outputs``. The engine's own style (``forward`` on arrays and
``vjp``) is the faster one.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from typing import Any, Callable

import numpy as np

from . import function
from .clock import last_write
from .ctx_outputs import CtxNode, output_of, outputs_of, pack, upstream_gradients
from .errors import InplaceError, UsageError, VJPError
from .extend_checks import defines
from .grad_mode import STATE, no_grad
from .ops.generic import is_tensor
from .tensor import Tensor
from .views import share_in_function

__all__ = ["FunctionCtx", "CtxOp", "is_ctx_style", "ctx_apply", "once_differentiable"]


class FunctionCtx:
    """The ``ctx`` that ``forward`` and ``backward`` share: saved tensors, which
    arguments need a gradient, and any attribute the function sets (``ctx.alpha = 2``)."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad  # one per argument of forward, as PyTorch
        self._saved: tuple[Any, ...] = ()
        self._versions: tuple = ()  # each saved tensor's (creation number, last write)
        self._outputs: tuple = ()  # what forward returned (None for an input or a constant)
        self._given: tuple = ()  # per output: (weak reference to what apply returned, version)
        self._graph_outputs: tuple = ()  # the recorded outputs, while a create_graph backward runs
        self._marked: list = []  # the outputs marked non-differentiable
        self._dirty: tuple = ()  # the inputs forward changed in place (mark_dirty)
        self._returned: tuple = ()  # what forward returned, until apply has placed it
        self._materialize = True

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep Tensors (or None) for ``backward``, which reads them as ``saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise UsageError(f"save_for_backward takes Tensors or None; argument {i} is "
                                 f"a {type(t).__name__}. Keep other values as attributes: "
                                 f"ctx.name = value.")
        self._saved = tensors
        self._versions = tuple(None if t is None else (t._seq, last_write(t._data))
                               for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What ``save_for_backward`` kept; under create_graph a saved output is the
        output apply returned (as PyTorch's). ``InplaceError`` if one was changed in
        place since it was saved, as in PyTorch: a write into its memory (the memory's
        write time moved on), or an in-place op in a graph, which gives the tensor a new
        value and history (``x.mul_(2)`` records ``x[...] = x * 2``: x takes a new
        creation number). For a saved output, the output apply returned is checked too."""
        for i, (t, version) in enumerate(zip(self._saved, self._versions)):
            if version is not None and (_changed(t, version) or self._given_changed(t)):
                raise InplaceError(
                    f"saved_tensors: saved tensor {i} (shape {t.shape}) was modified in "
                    f"place (x.mul_(), x += ..., x[i] = v, a write through a view, "
                    f"assigning .data, or detach_()) after save_for_backward kept it, so "
                    f"backward would read its new values (PyTorch refuses this too). "
                    f"Change a copy instead (x = x * 10, or x.clone() before writing), or "
                    f"run the backward first.")
        if not self._graph_outputs:
            return self._saved
        return tuple(next((r for o, r in zip(self._outputs, self._graph_outputs)
                           if o is not None and t is o), t) for t in self._saved)

    def _given_changed(self, saved: Tensor) -> bool:
        """Whether the output apply returned for the saved output ``saved`` was changed
        in place since (an in-place op in a graph gives it a new creation number, which
        the saved tensor does not see)."""
        for output, given in zip(self._outputs, self._given):
            if output is saved and given is not None:
                returned = given[0]()
                return returned is not None and _changed(returned, given[1])
        return False

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """These outputs are constants (an index, a mask): they record no gradient. Only
        what ``forward`` returns counts (a marked intermediate changes nothing), and only
        Tensors (or arrays) may be marked, as in PyTorch."""
        for i, t in enumerate(outputs):
            if not isinstance(t, (Tensor, np.ndarray)):
                raise UsageError(f"mark_non_differentiable takes the Tensors forward returns "
                                 f"(PyTorch: 'only accepts variable arguments'); argument "
                                 f"{i} is a {type(t).__name__}. Leave it out: an output "
                                 f"that is no Tensor is returned as it is, with no gradient.")
        self._marked.extend(outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` gets None (not zeros) for a constant Tensor output's
        gradient (a non-Tensor output's is always None). A differentiable output's
        gradient always arrives as a Tensor here (zeros when the backward did not pass
        through it), which PyTorch's code handles too."""
        self._materialize = bool(value)

    def mark_dirty(self, *tensors: Any) -> None:
        """These inputs were changed in place by ``forward``, which returns them: each
        becomes its output, as in PyTorch (``apply`` returns the input itself, with the
        op as its history; earlier uses of its old value are caught by the version
        check)."""
        self._dirty = tensors


class CtxOp(CtxNode, function.Function):
    """One call of a PyTorch-style function class, as an op of this engine: ``forward``
    and ``vjp`` call the class's static ``forward(ctx, ...)`` and ``backward(ctx, g)``. As
    ``y.grad_fn`` it shows the ctx, as PyTorch's node (``CtxNode``: ``saved_tensors``,
    ``grad_fn.k`` for ``ctx.k = 7``)."""
    __slots__ = ("fn", "ctx", "args", "layout", "several", "_parents", "__dict__")  # CtxNode
    # vjp reads no array the engine hands it: ctx.saved_tensors checks what
    # save_for_backward kept, as PyTorch checks only that (an unsaved input may change)
    save_inputs = False
    vjp_reads_arrays = False  # so a TypeError in backward is never about a missing array

    def __init__(self, fn: type, args: tuple, ctx: FunctionCtx) -> None:
        self.fn, self.args, self.ctx = fn, args, ctx
        self.layout: list | None = None  # with several outputs: where each one lies
        self.several = False  # forward returned a tuple (or list), which apply returns

    def _function_node(self) -> "CtxOp":
        return self

    def name(self) -> str:
        return self.fn.__name__

    def state(self) -> dict[str, Any]:
        """The arguments that are no Tensors (numbers, flags), by position."""
        return {f"arg{i}": a for i, a in enumerate(self.args) if not isinstance(a, Tensor)}

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        """``fn.forward(ctx, *args)`` without recording (``arrays`` are the Tensor
        arguments' own); its result as an array (several: see ``ctx_outputs.pack``)."""
        with no_grad():
            if defines(self.fn, "setup_context"):  # PyTorch 2's split: forward has no ctx
                result = self.fn.forward(*self.args)
                self.fn.setup_context(self.ctx, self.args, result)
            else:
                result = self.fn.forward(self.ctx, *self.args)
        self.several = isinstance(result, (tuple, list))
        self.ctx._returned = tuple(result) if self.several else (result,)
        # several outputs, or one that is no Tensor (a number; None, as PyTorch's apply)
        if self.several or not isinstance(result, (Tensor, np.ndarray, np.generic)):
            self.layout, self.ctx._outputs, packed = pack(self.ctx._returned,
                                                          self.ctx._marked, self.args)
            return packed
        # an input returned as it is stays that input when saved (as in PyTorch)
        self.ctx._outputs = (None if any(result is a for a in self.args) else result,)
        return result.data if isinstance(result, Tensor) else result

    def vjp(self, g: Any, out: Any, *inputs: Any) -> tuple:
        """``fn.backward(ctx, g)``, one gradient per Tensor argument (as arrays, or as
        Tensors when the backward is recorded)."""
        ctx, recorded = self.ctx, is_tensor(out)  # create_graph hands over the graph's nodes
        if recorded:
            ctx._graph_outputs = self._graph_outputs(out)
        if self.layout is None:
            upstream: tuple = (g if is_tensor(g) else Tensor(g),)
        else:
            upstream = upstream_gradients(self.layout, g, ctx._materialize)
        try:
            grads = _backward_of(self.fn)(ctx, *upstream)
        finally:
            ctx._graph_outputs = ()
        return self._per_input(grads if isinstance(grads, tuple) else (grads,), recorded)

    def _graph_outputs(self, node: Tensor) -> tuple:
        """Under create_graph, each output as apply returned it, so the gradient through a
        saved output passes its hooks and ``retain_grad`` (PyTorch's saved output is the
        user's tensor); one no longer held is made again from the op's ``node``."""
        found = []
        for k, (output, given) in enumerate(zip(self.ctx._outputs, self.ctx._given)):
            returned = None if given is None else given[0]()
            if returned is None and output is not None:
                returned = node if self.layout is None else output_of(self, node, k,
                                                                      output._data)
            found.append(returned)
        return tuple(found)

    def _per_input(self, grads: tuple, recorded: bool) -> tuple:
        """The gradients of the Tensor arguments, checked against PyTorch's rules."""
        if len(grads) < len(self.args) or any(g is not None for g in grads[len(self.args):]):
            raise VJPError(f"{self.name()}.backward returned {len(grads)} gradients; forward "
                           f"took {len(self.args)} arguments: return one per argument "
                           f"(None for those that need no gradient), as in PyTorch.")
        picked = []
        for i, (arg, g) in enumerate(zip(self.args, grads)):
            if not isinstance(arg, Tensor):
                if g is not None:
                    raise VJPError(f"{self.name()}.backward returned a gradient for argument "
                                   f"{i}, a {type(arg).__name__}, which is no Tensor; return "
                                   f"None there.")
                continue
            picked.append(g.data if isinstance(g, Tensor) and not recorded else g)
        return tuple(picked)


def is_ctx_style(cls: type) -> bool:
    """True for a class written PyTorch's way: a ``backward`` and no ``vjp`` (static
    methods or not, as PyTorch's older tutorials write them: ``cls.forward(ctx, ...)``
    runs either way), or a static ``forward`` with a ``backward``, or with a static
    ``vjp(ctx, g)``, PyTorch's alias of ``backward`` (class methods count as static, as
    in PyTorch: deep-spin's entmax writes them so); ``UsageError`` for a static
    ``forward`` without either."""
    static_forward = _is_static(cls, "forward")
    backward = defines(cls, "backward")
    if backward and (static_forward or not defines(cls, "vjp")):
        return True
    if static_forward and defines(cls, "vjp") and _is_static(cls, "vjp"):
        return True  # PyTorch's alias: backward = vjp
    if static_forward:
        # PyTorch's forward-mode-only Function (forward and jvp): its jvp has no use here
        jvp = (" Its jvp is not used: forward-mode AD here (autograd.forward_ad, "
               "func.jvp) is computed from the backward, by reverse passes; write "
               "backward(ctx, g) (g times the Jacobian) instead." if defines(cls, "jvp")
               else "")
        raise UsageError(
            f"{cls.__name__} has a static forward but no backward.{jvp} Write this "
            f"library's op (forward(self, *arrays) and vjp(self, g, out, *inputs)) or "
            f"PyTorch's (@staticmethod forward(ctx, ...) and @staticmethod backward(ctx, "
            f"g), or its alias @staticmethod vjp(ctx, g)).")
    return False


def _is_static(cls: type, name: str) -> bool:
    """Whether ``cls.name`` is a static method (or a class method, which counts as one)."""
    return isinstance(inspect.getattr_static(cls, name, None), (staticmethod, classmethod))


def _backward_of(cls: type) -> Callable:
    """``cls.backward``, or ``cls.vjp`` where that is PyTorch's alias of it (no
    ``backward``: see ``is_ctx_style``)."""
    return cls.backward if defines(cls, "backward") else cls.vjp


def ctx_apply(cls: type, args: tuple, keywords: dict[str, Any]) -> Tensor:
    """``cls.apply(*args)`` for a PyTorch-style class: one recorded :class:`CtxOp`."""
    args = _positional(cls, args, keywords)
    args = tuple(Tensor(a) if isinstance(a, np.ndarray) else a for a in args)
    tensors = [a for a in args if isinstance(a, Tensor)]
    # whether each argument requires grad, under no_grad() too (as PyTorch's)
    ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
    op = CtxOp(cls, args, ctx)
    # nothing to record without a Tensor argument (PyTorch runs it the same way)
    out = function.apply(op, *tensors) if tensors else Tensor(op.forward())
    if op.layout is not None:  # several outputs (or a non-Tensor one): see ctx_outputs
        results = outputs_of(op, out, ctx._returned)
    elif out.requires_grad and (out.dtype.kind != "f"
                                or any(ctx._returned[0] is m for m in ctx._marked)):
        results = (out.detach(),)  # a constant (an index, a mask), as in PyTorch
    else:
        results = (out,)
    if ctx._dirty:
        results = _dirty_inputs_as_outputs(op, results)
    _remember_shared_memory(op, results)
    for node in {op} | {r.grad_fn for r in results if isinstance(r, Tensor)
                        and isinstance(r.grad_fn, CtxNode)}:
        node.show_ctx()  # y.grad_fn.k for ctx.k, as PyTorch's node is its ctx
    ctx._given = tuple((weakref.ref(r), (r._seq, last_write(r._data)))
                       if isinstance(r, Tensor) else None for r in results)
    ctx._returned = ()
    return results if op.several else results[0]


def _remember_shared_memory(op: CtxOp, results: tuple) -> None:
    """Each output that shares an input's memory (``forward`` returned the input as it
    is, or a view of it) is remembered with that input (``views.share_in_function``): a
    write into either while recording is then refused, as PyTorch refuses writing into a
    view created inside a custom Function (here the two would silently stop sharing)."""
    inputs = [a for a in op.args if isinstance(a, Tensor)]
    for k, r in enumerate(results):
        for a in inputs if isinstance(r, Tensor) else ():
            if r is not a and np.may_share_memory(r._data, a._data):  # (not a mark_dirty)
                share_in_function(r, a, f"output {k} of the custom Function {op.name()}")


def _changed(t: Tensor, version: tuple) -> bool:
    """Whether ``t`` was changed in place since it had ``version`` (creation number, last
    write into its memory)."""
    return t._seq != version[0] or last_write(t._data) > version[1]


def _dirty_inputs_as_outputs(op: CtxOp, results: tuple) -> tuple:
    """PyTorch's ``ctx.mark_dirty``: each input ``forward`` changed in place and returned
    is returned itself in its output's place. While recording it takes the output's value
    and history as ``x[...] = out`` does (the op then reads x's earlier identity, and x's
    gradient reaches x's old value through the op's backward); saved, it stands for the
    output."""
    ctx, name = op.ctx, op.name()
    for t in ctx._dirty:
        if not any(t is a for a in op.args):
            raise UsageError(f"{name}: ctx.mark_dirty takes the inputs forward changed in "
                             f"place; it was given a {type(t).__name__} that is no argument "
                             f"of forward.")
        if not any(t is r for r in ctx._returned):
            raise UsageError(f"{name}: an input marked dirty was not returned by forward, "
                             f"as PyTorch requires: return the changed input (return x).")
    placed = list(results)
    for i, returned in enumerate(ctx._returned):
        if not any(returned is t for t in ctx._dirty):
            continue
        if placed[i].requires_grad:
            if returned.requires_grad and returned.is_leaf:
                raise InplaceError(f"{name}: forward changed a leaf tensor that requires "
                                   f"grad in place (ctx.mark_dirty), and its gradient "
                                   f"would have nowhere to go (PyTorch refuses it too). "
                                   f"Pass a copy (x.clone()) or call it under no_grad().")
            # the op's output holds x's own array: on a copy, x[...] = out is no write
            # from an alias of x (refused for a constant x as a write into its detach())
            placed[i]._data = placed[i]._data.copy()
            returned[...] = placed[i]
        placed[i] = returned
    ctx._outputs = tuple(r if any(r is t for t in ctx._dirty) else o
                         for r, o in zip(ctx._returned, ctx._outputs))
    ctx._versions = tuple(None if t is None else (t._seq, last_write(t._data))
                          if any(t is d for d in ctx._dirty) else v
                          for t, v in zip(ctx._saved, ctx._versions))
    return tuple(placed)


def _positional(cls: type, args: tuple, keywords: dict[str, Any]) -> tuple:
    """``forward``'s arguments by position, as PyTorch binds them: a keyword goes to its
    argument's place (``MyOp.apply(x, alpha=2.0)``), and with ``setup_context`` the
    defaults of arguments not given are added (its ``inputs``, and the gradients
    ``backward`` returns, count every argument of ``forward``)."""
    split = defines(cls, "setup_context")
    if not keywords and not split:
        return args
    signature = _signature(cls)
    lead = () if split else (None,)  # the place of ctx
    try:
        bound = signature.bind(*lead, *args, **keywords)
    except TypeError as error:
        raise UsageError(f"{cls.__name__}.apply: {error} (forward{signature})") from None
    if split:
        bound.apply_defaults()
    unplaced = sorted(set(bound.kwargs) & set(keywords))
    if unplaced:
        raise UsageError(f"{cls.__name__}.apply: forward{signature} gets its arguments by "
                         f"position, as in PyTorch, and keywords {unplaced} have no place "
                         f"(keyword-only, or an argument before them is missing): give "
                         f"every argument up to the last one.")
    return bound.args[len(lead):]


@functools.lru_cache(maxsize=256)
def _signature(cls: type) -> inspect.Signature:
    """``cls.forward``'s signature, computed once per class (it costs more than a call)."""
    return inspect.signature(cls.forward)


def once_differentiable(backward: Callable) -> Callable:
    """Mark a PyTorch-style ``backward`` that cannot itself be differentiated (written
    with NumPy, say): it then runs without recording, and a backward with
    ``create_graph=True`` through it raises instead of giving a silently wrong second
    derivative. (PyTorch raises later, when the second derivative is taken.)"""
    @functools.wraps(backward)
    def wrapper(ctx: FunctionCtx, *grads: Any) -> Any:
        if STATE.grad_enabled:  # the engine records a backward only for create_graph
            raise UsageError(f"{backward.__qualname__} is @once_differentiable: it cannot be "
                             f"differentiated again, and backward(create_graph=True) (or "
                             f"grad(..., create_graph=True), hessian...) asks for that.")
        with no_grad():
            return backward(ctx, *grads)
    return wrapper

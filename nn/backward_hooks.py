"""Full backward hooks of one module call (``register_full_backward_hook`` and
``register_full_backward_pre_hook``, PyTorch's semantics), built from two identity ops.

When a module has such hooks, each call wraps the Tensors among its positional inputs
and among its outputs (those that require grad, with recording on)::

    G = HookGate(x_1, ..., x_n)   x_i' = HookPass(G, x_i)     forward sees x_i'
    H = HookGate(y_1, ..., y_m)   y_j' = HookPass(H, y_j)     the caller gets y_j'

A ``HookPass`` returns a copy of its second input; in the backward it keeps the gradient it
received (dL/dx_i' or dL/dy_j') and sends its gate a zero. The engine visits tensors
newest first, so a gate's VJP runs after every ``HookPass`` made after it: H then holds the
complete grad_output, runs the pre-hooks (which may replace it) and hands it on to the
y_j; later G holds the complete grad_input, runs the full hooks (which may replace it)
and hands it on to the x_i. A module called twice has two pairs of gates.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, is_grad_enabled
from autograd.errors import DTypeError, ShapeError, UsageError
from autograd.extend import Function, is_tensor

from ._checks import caller_outside_nn

__all__ = ["BackwardCall", "HookGate", "HookPass"]


class HookGate(Function):
    """G = 0 (one number); its VJP hands on the gradients its ``HookPass`` ops received,
    as ``done`` (a hook runner) returns them."""

    save_inputs = False  # (the state is private: a drawn graph shows only the name)

    def __init__(self, done: Callable[[tuple], tuple], received: list,
                 positions: list[int]) -> None:
        self._done, self._received, self._positions = done, received, positions

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return np.zeros((), xs[0].dtype)

    def vjp(self, g: Any, out: Any, *xs: Any) -> tuple:
        grads = self._done(tuple(self._received))
        self._received[:] = [None] * len(self._received)  # ready for another backward
        return tuple(grads[i] for i in self._positions)


class HookPass(Function):
    """y = x (the second input, copied); its VJP keeps g for the gate and sends the gate 0."""

    save_inputs = False

    def __init__(self, received: list, position: int) -> None:
        self._received, self._position = received, position

    def forward(self, gate: np.ndarray, x: np.ndarray) -> np.ndarray:
        return x.copy()  # not x: a write to y (under no_grad) would change x unseen

    def vjp(self, g: Any, out: Any, gate: Any, x: Any) -> tuple:
        self._received[self._position] = g
        zero = np.zeros((), g.dtype)  # the engine casts it to the gate's dtype
        return (Tensor(zero) if is_tensor(g) else zero), None


class BackwardCall:
    """One call of a module with full backward hooks: the hooks as they were at the call
    (as PyTorch), and grad_output once the backward has found it."""

    def __init__(self, module: Any, hooks: list[Callable], pre_hooks: list[Callable]
                 ) -> None:
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.n_inputs = 0
        self.inputs_wrapped = False
        self.stand_ins: list[tuple[int, Tensor, Any]] = []  # (position, stand-in, its op)
        self.grad_output: tuple | None = None

    def __repr__(self) -> str:
        return f"BackwardCall({type(self.module).__name__})"

    def wrap_inputs(self, args: tuple) -> tuple:
        """``args`` with its Tensors that require grad passed through identity ops."""
        self.n_inputs = len(args)
        wrapped = _wrap(args, self._inputs_done)
        self.inputs_wrapped = wrapped is not args
        self.stand_ins = [(i, t, t.grad_fn) for i, t in enumerate(wrapped)
                          if t is not args[i]]
        return wrapped

    def wrap_outputs(self, output: Any) -> Any:
        """``output`` (a Tensor or a tuple) with its Tensors that require grad passed
        through identity ops; other outputs are returned as they are (with a warning,
        as PyTorch: the hooks will not fire). First, ``UsageError`` if forward (or a
        forward hook) wrote into an input in place: it wrote into the stand-in that
        ``wrap_inputs`` passed, so the caller's tensor would silently keep its values
        (PyTorch refuses such a write too)."""
        for i, stand_in, op in self.stand_ins:
            if stand_in.grad_fn is not op:
                raise UsageError(
                    f"{type(self.module).__name__}.forward modified its input {i} in place "
                    f"(e.g. x.relu_(), x += 1, ReLU(inplace=True) first), while the module "
                    f"has full backward hooks: the hooks see the input through a stand-in, "
                    f"so the tensor you passed would silently keep its values (PyTorch "
                    f"refuses this write too). Compute a new tensor in forward (x = x + 1, "
                    f"inplace=False), or clone the input first.")
        if isinstance(output, Tensor):
            return _wrap((output,), self._outputs_done)[0]
        if isinstance(output, tuple):
            return _wrap(output, self._outputs_done)
        warnings.warn(f"{type(self.module).__name__} returned a {type(output).__name__}: "
                      f"its backward hooks fire only for a Tensor or a tuple of Tensors "
                      f"as output", stacklevel=caller_outside_nn())
        return output

    def _outputs_done(self, grad_output: tuple) -> tuple:
        """grad_output is complete: each pre-hook may replace it. With no input to wait
        for, the full hooks run now, with grad_input all None (as PyTorch). A gradient a
        pre-hook replaced by None is handed on as zeros (PyTorch's engine does so)."""
        received = shown = _as_tensors(grad_output)
        for hook in self.pre_hooks:
            result = hook(self.module, shown)
            if result is not None:  # a bare Tensor is refused, as PyTorch does
                shown = _checked("full backward pre-hook", hook, result, shown)
        self.grad_output = shown
        if not self.inputs_wrapped:
            for hook in self.hooks:
                result = hook(self.module, (None,) * self.n_inputs, shown)
                if result is not None and any(r is not None for r in result):
                    raise UsageError(
                        f"a full backward hook of {type(self.module).__name__} returned "
                        f"gradients, but none of its inputs requires grad: there is "
                        f"nothing to replace. Return None.")
            self.grad_output = None
        return _engine_form(_zeros_where_dropped(shown, received))

    def _inputs_done(self, grad_input: tuple) -> tuple:
        """grad_input is complete: each full hook may replace it."""
        if self.grad_output is None:  # reached without passing the outputs (a double
            return grad_input  # backward through the module's own gradient graph)
        shown = _as_tensors(grad_input)
        for hook in self.hooks:
            result = hook(self.module, shown, self.grad_output)
            if result is not None:
                shown = _checked("full backward hook", hook, result, shown)
        self.grad_output = None
        return _engine_form(shown)


def _wrap(values: tuple, done: Callable[[tuple], tuple]) -> tuple:
    """``values`` with each Tensor that requires grad replaced by HookPass(gate, value)."""
    positions = [i for i, v in enumerate(values)
                 if isinstance(v, Tensor) and v.requires_grad]
    if not positions or not is_grad_enabled():
        return values
    received: list = [None] * len(values)
    gate = HookGate.apply(*(values[i] for i in positions), done=done, received=received,
                       positions=positions)
    wrapped = list(values)
    for i in positions:
        wrapped[i] = HookPass.apply(gate, values[i], received=received, position=i)
    return tuple(wrapped)


def _as_tensors(grads: tuple) -> tuple:
    """The engine's gradients (arrays, or Tensors under create_graph) as hooks see them."""
    return tuple(g if g is None or is_tensor(g) else Tensor(g) for g in grads)


def _zeros_where_dropped(grads: tuple, received: tuple) -> tuple:
    """``grads`` with zeros (of the received gradient's shape and dtype) where a hook
    replaced a ``received`` gradient by None."""
    return tuple(Tensor(np.zeros(old.shape, old.dtype)) if new is None and old is not None
                 else new for new, old in zip(grads, received))


def _engine_form(grads: tuple) -> tuple:
    """Gradients as the engine takes them: arrays, or Tensors under create_graph."""
    if is_grad_enabled():  # the engine records only under create_graph
        return grads
    return tuple(None if g is None else g.data for g in grads)


def _checked(kind: str, hook: Any, result: Any, before: tuple) -> tuple:
    """A hook's replacement gradients as Tensors, each None or of the shape and dtype of
    the gradient it replaces (Python numbers take that dtype)."""
    if not isinstance(result, (tuple, list)) or len(result) != len(before):
        raise UsageError(f"a {kind} must return None or a tuple of {len(before)} "
                         f"gradients (one per position, None for none); {hook!r} returned "
                         f"{_describe(result)}")
    checked = []
    for k, (new, old) in enumerate(zip(result, before)):
        if new is None or old is None:
            checked.append(None if old is None else new)  # nothing to replace: as PyTorch
            continue
        if not isinstance(new, Tensor):
            dtype = old.dtype if isinstance(new, (int, float)) else None
            new = Tensor(np.asarray(new, dtype=dtype))
        if new.shape != old.shape or new.dtype != old.dtype:
            error = ShapeError if new.shape != old.shape else DTypeError
            raise error(f"a {kind} returned a gradient of shape {new.shape} and dtype "
                        f"{new.dtype} at position {k}, replacing one of shape {old.shape} "
                        f"and dtype {old.dtype}: return one of the same shape and dtype")
        checked.append(new)
    return tuple(checked)


def _describe(result: Any) -> str:
    if isinstance(result, (tuple, list)):
        return f"a {type(result).__name__} of {len(result)}"
    return f"a {type(result).__name__}"

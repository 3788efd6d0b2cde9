"""``Function``: the op interface, one differentiable operation as a forward and a VJP.

An op is a small class. ``forward`` computes the result from NumPy arrays; ``vjp`` maps
the upstream gradient ``g = dL/dout`` to one gradient per input, ``dL/dx_i = g . dout/dx_i``.
Non-tensor arguments (axis, exponent, slope...) are set in ``__init__`` and kept as
op state, never as graph inputs.

``vjp`` is written once and runs in two modes: on NumPy arrays for an ordinary
``backward()`` (fast, nothing recorded), and on Tensors under ``create_graph=True``
(the gradient is itself differentiable). Write it with operators (``+ - * / ** @``),
array methods both types share (``sum``, ``reshape``, ``swapaxes``, ``transpose``,
``astype``) and the helpers in ``autograd.extend`` (``exp``, ``log``, ``where``...).

``apply(op, *tensors)`` runs an op on tensors and records it. This module does not
import ``Tensor`` (the ops and the Tensor class are built on it): ``apply`` builds its
result with the inputs' own constructor, ``Tensor._make``. ``autograd.extend.Function``
adds ``MyOp()(x)`` for users.
"""

from __future__ import annotations

import sys
from operator import attrgetter
from typing import Any

import numpy as np

from ._arrays import check_dtype
from .errors import AnomalyError, UsageError
from .grad_mode import STATE
from .graph import Node, SavedAttribute, next_functions_of, no_node_hooks

__all__ = ["Function", "apply"]


class Function:
    """Base class of every op (the engine's own and user-defined ones).

    Subclasses define ``forward(self, *arrays) -> ndarray`` and
    ``vjp(self, g, out, *inputs) -> tuple`` (one gradient or ``None`` per input).
    Class flags say what ``vjp`` reads and promises:

    - ``save_inputs = False`` / ``save_output = True``: what ``vjp`` reads. The engine
      hands it the output's and the inputs' arrays (the graph keeps the inputs, so
      nothing is copied in the forward pass); what it does not read arrives as ``None``,
      and only what it reads is checked for in-place writes since the forward.
    - ``gradient_reads``: for each input, the indices of the inputs its gradient reads
      (Mul: ``((1,), (0,))``, each input's gradient reads the other one). Only the inputs
      read for the gradients wanted are then checked for in-place writes, as PyTorch
      saves only those (``y = x * w`` with w alone requiring grad lets x change). None:
      every input (when ``save_inputs``).
    - ``fresh_grads = True``: each gradient is a new array nothing else refers to, so a
      leaf's ``.grad`` may take it without a copy.

    While ``vjp`` runs, ``needs_input_grad[i]`` tells whether input ``i`` wants a
    gradient: compute only those and return ``None`` for the rest (the engine ignores
    gradients nobody asked for, so skipping them is only a saving).
    """

    __slots__ = ("parents", "wanted", "origin", "_metadata")
    save_inputs: bool = True
    save_output: bool = False
    fresh_grads: bool = False
    gradient_reads: tuple | None = None

    def forward(self, *inputs: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def vjp(self, g: Any, out: Any, *inputs: Any) -> tuple:
        raise NotImplementedError(f"{type(self).__name__} must define vjp()")

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether it wants a gradient: it required grad when the op ran
        (``wanted``: PyTorch's graph has an edge to it only then, and its
        ``ctx.needs_input_grad`` is fixed then too)."""
        return self.wanted

    @property
    def next_functions(self) -> tuple:
        """PyTorch's view of the graph below this op: one ``(node, 0)`` per input, the
        node being the input's op, an ``AccumulateGrad`` for a leaf that requires grad,
        or ``None`` (see ``autograd.graph``). Computed from ``parents`` when read."""
        return next_functions_of(self)

    def name(self) -> str:
        """The op's display name, its class name (a method, as PyTorch's ``Node.name()``)."""
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        """A dict of your own about this node (PyTorch's ``grad_fn.metadata``), made when
        first read; the engine never reads it."""
        try:
            return self._metadata
        except AttributeError:
            self._metadata = {}
            return self._metadata

    def register_hook(self, hook: Any) -> Any:
        """Not here: this engine keeps hooks on tensors (the error says which to use)."""
        raise no_node_hooks(self.name(), "register_hook")

    # PyTorch's grad_fn._saved_self / _saved_other (the inputs themselves) and the names
    # that are errors here, saying what to read instead (autograd.graph.saved_attribute).
    _saved_self = SavedAttribute()
    _saved_other = SavedAttribute()
    _saved_result = SavedAttribute()
    _raw_saved_self = SavedAttribute()
    _raw_saved_other = SavedAttribute()

    def register_prehook(self, hook: Any) -> Any:
        """Not here: this engine keeps hooks on tensors (the error says which to use)."""
        raise no_node_hooks(self.name(), "register_prehook")

    def state(self) -> dict[str, Any]:
        """The op's non-tensor arguments (axis, exponent, ...), for drawings and reprs."""
        names = [s for cls in type(self).__mro__[:-1] if cls is not Function
                 for s in getattr(cls, "__slots__", ())]
        found = {n: getattr(self, n) for n in names if hasattr(self, n)}
        found.update({k: v for k, v in getattr(self, "__dict__", {}).items()
                      if not k.startswith("_")})
        return found

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.state().items())
        return f"{self.name()}({args})"


Node.register(Function)  # isinstance(t.grad_fn, autograd.graph.Node), as PyTorch's


def apply(op: Function, *tensors: Any) -> Any:
    """Run ``op`` forward on the tensors' arrays. If recording is on and an input requires
    grad, the result remembers ``op`` as the node that made it, and ``op`` remembers its
    inputs (``parents``) and which of them required grad then (``wanted``): the graph. The
    VJP later reads the arrays it needs from them; a flag changed after this op ran does
    not change whether it passes a gradient (``FreezeParameters`` around a forward)."""
    # One and two inputs (most ops) are spelled out: the general lines' call with *arrays
    # and two map() passes cost a quarter of a one-input op's forward (per-op chain, shape
    # (8,): 2.07 -> 1.65 us per op forward, 4.1x -> 3.7x NumPy forward + backward) and
    # 0.35 us of a two-input op's (the chain with Tensor constants: 8% less time).
    if len(tensors) == 1:
        out = op.forward(tensors[0]._data)
        wanted = tensors[0]._requires_grad
        flags = _ONE_INPUT_WANTED
    elif len(tensors) == 2:
        a, b = tensors
        out = op.forward(a._data, b._data)
        flags = (a._requires_grad, b._requires_grad)
        wanted = flags[0] or flags[1]
    else:
        out = op.forward(*map(_data_of, tensors))
        flags = tuple(map(_requires_grad_of, tensors))
        wanted = True in flags  # does an input want a gradient?
    if type(out) is not np.ndarray and not isinstance(out, np.generic):
        out = _as_output(op, out)  # a 0-d result may stay a NumPy scalar: see Tensor._make
    if STATE.anomaly:
        if STATE.anomaly_check_nan:
            _check_forward(op, tuple(map(_data_of, tensors)), out)
        op.origin = _user_frame()
    if not (wanted and STATE.grad_enabled):
        return tensors[0]._make(out, None)  # nothing to record
    op.parents, op.wanted = tensors, flags
    return tensors[0]._make(out, op)


_data_of, _requires_grad_of = attrgetter("_data"), attrgetter("_requires_grad")
_ONE_INPUT_WANTED = (True,)  # a recorded one-input op: its input required grad


def _as_output(op: Function, out: Any) -> np.ndarray:
    """What a (user's) ``forward`` returned that is not an array: numbers and lists become
    one; None (a missing ``return``), a tuple (several outputs) or non-numbers raise."""
    if out is None:
        raise UsageError(f"{op.name()}.forward returned None; it must return an array (is a "
                         f"return statement missing?)")
    if isinstance(out, tuple):
        raise UsageError(f"{op.name()}.forward returned a tuple of {len(out)}; an op has one "
                         f"output array. Write one op per output, or stack them into one.")
    try:
        out = np.asarray(out)
    except ValueError:  # ragged: rows of different lengths
        raise UsageError(f"{op.name()}.forward returned a {type(out).__name__} that is not "
                         f"one rectangular array (rows of different lengths?); return one "
                         f"array") from None
    check_dtype(out.dtype)
    return out


def _user_frame() -> str:
    """``file:line`` of the first caller outside this package (for anomaly messages)."""
    package = __name__.rsplit(".", 1)[0]
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module != package and not module.startswith(package + "."):
            return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back
    return "<unknown>"


def _check_forward(op: Function, arrays: tuple, out: np.ndarray) -> None:
    if np.issubdtype(out.dtype, np.floating) and not np.isfinite(out).all():
        inputs_finite = all(np.isfinite(a).all() for a in arrays
                            if np.issubdtype(a.dtype, np.floating))
        if inputs_finite:
            raise AnomalyError(
                f"{op.name()} produced NaN/Inf in its forward pass from finite inputs "
                f"(output shape {out.shape}), at {_user_frame()}. Check the input domain "
                f"(log/sqrt of values <= 0, division by zero, overflow in exp).")


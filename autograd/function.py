"""``Function``: one differentiable operation, its forward and its vector-Jacobian product.

An op is a small class. ``forward`` computes the result from NumPy arrays; ``vjp`` maps
the upstream gradient ``g = dL/dout`` to one gradient per input, ``dL/dx_i = g . dout/dx_i``.
Non-tensor arguments (axis, exponent, slope...) are set in ``__init__`` and kept as
op state, never as graph inputs.

``vjp`` is written once and runs in two modes: on NumPy arrays for an ordinary
``backward()`` (fast, nothing recorded), and on Tensors under ``create_graph=True``
(the gradient is itself differentiable). Write it with operators (``+ - * / ** @``),
array methods both types share (``sum``, ``reshape``, ``swapaxes``, ``transpose``,
``astype``) and the helpers in ``autograd.ops.generic`` (``exp``, ``log``, ``where``...).
The engine un-broadcasts what ``vjp`` returns and checks its shape and dtype, so a vjp
may return a gradient in the broadcast shape of the output.

Defining your own op::

    class Cube(Function):
        '''y = x^3;  dy/dx = 3 x^2.'''
        def forward(self, x):
            return x ** 3
        def vjp(self, g, out, x):
            return (g * 3 * x * x,)

    y = Cube()(t)          # or Cube.apply(t)
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .clock import next_seq
from .errors import AnomalyError
from .grad_mode import STATE
from .tensor import Tensor, as_tensor

__all__ = ["Function", "apply", "apply1"]


class Function:
    """Base class of every op (the engine's own and user-defined ones).

    Subclasses define ``forward(self, *arrays) -> ndarray`` and
    ``vjp(self, g, out, *inputs) -> tuple`` (one gradient or ``None`` per input). Set
    ``save_inputs = False`` / ``save_output = True`` to say what ``vjp`` reads; what is
    not saved arrives as ``None`` in an ordinary backward. ``needs_input_grad[i]`` tells
    whether input ``i`` wants a gradient, so expensive ones can be skipped.

    ``exact_grads = True`` promises that ``vjp`` returns each gradient in exactly its
    input's shape (elementwise one-input ops), so the engine skips its shape check.
    ``fresh_grads = True`` promises that each gradient ``vjp`` returns is a new array
    that nothing else refers to (no view, not ``g``, not a saved array, not twice), so a
    leaf's ``.grad`` may take it without a copy or a check. The built-in ops that set
    either are verified by tests.
    """

    __slots__ = ("parents", "saved", "needs_input_grad", "origin")
    save_inputs: bool = True
    save_output: bool = False
    exact_grads: bool = False
    fresh_grads: bool = False

    def forward(self, *inputs: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def vjp(self, g: Any, out: Any, *inputs: Any) -> tuple:
        raise NotImplementedError(f"{type(self).__name__} must define vjp()")

    @property
    def name(self) -> str:
        """The op's display name (its class name)."""
        return type(self).__name__

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
        return f"{self.name}({args})"

    def __call__(self, *inputs: Any) -> Tensor:
        for x in inputs:
            if not isinstance(x, Tensor):  # arrays and numbers become constant tensors
                return apply(self, *[as_tensor(x) for x in inputs])
        return apply(self, *inputs)

    @classmethod
    def apply(cls, *inputs: Any, **state: Any) -> Tensor:
        """``MyOp.apply(x, y, axis=1)`` is ``MyOp(axis=1)(x, y)``."""
        return cls(**state)(*inputs)


def apply(op: Function, *tensors: Tensor) -> Tensor:
    """Run ``op`` forward on the tensors' arrays and, if any input requires grad while
    recording is on, attach ``op`` to the result as the node that made it."""
    count = len(tensors)
    if count == 1:
        return apply1(op, tensors[0])
    # saved = (output, *input arrays), the vjp's arguments; the output slot is filled below
    # if the op saves it (the common cases spelled out: a call with *arrays costs 3x)
    if count == 2:
        a, b = tensors
        x, y = a._data, b._data
        saved: tuple = (None, x, y)
        needs: tuple = (a._requires_grad, b._requires_grad)
        out = op.forward(x, y)
    elif count == 3:
        a, b, c = tensors
        x, y, z = a._data, b._data, c._data
        saved = (None, x, y, z)
        needs = (a._requires_grad, b._requires_grad, c._requires_grad)
        out = op.forward(x, y, z)
    else:
        saved = (None,) + tuple([t._data for t in tensors])
        needs = tuple([t._requires_grad for t in tensors])
        out = op.forward(*saved[1:])
    if type(out) is not np.ndarray and not isinstance(out, np.generic):
        out = np.asarray(out)  # NumPy scalars stay: see Tensor._make
    if STATE.anomaly:
        _check_forward(op, saved[1:], out)
        op.origin = _user_frame()
    result = _new(Tensor)  # Tensor._make, inlined
    result._data = out
    result._grad = None
    result._seq = next_seq()
    result._retains_grad = False
    if True not in needs or not STATE.grad_enabled:
        result._requires_grad = False
        result._op = None
        return result
    op.parents = tensors
    op.needs_input_grad = needs
    if op.save_output or not op.save_inputs:
        saved = ((out if op.save_output else None,)
                 + (saved[1:] if op.save_inputs else (None,) * count))
    op.saved = saved
    result._requires_grad = True
    result._op = op
    return result


def apply1(op: Function, x: Tensor) -> Tensor:
    """``apply`` for a one-input op (the hottest path: elementwise ops and scalar ops)."""
    data = x._data
    out = op.forward(data)
    if type(out) is not np.ndarray and not isinstance(out, np.generic):
        out = np.asarray(out)
    if STATE.anomaly:
        _check_forward(op, (data,), out)
        op.origin = _user_frame()
    result = _new(Tensor)
    result._data = out
    result._grad = None
    result._seq = next_seq()
    result._retains_grad = False
    if x._requires_grad and STATE.grad_enabled:
        op.parents = (x,)
        op.needs_input_grad = _JUST_ONE
        if op.save_output:
            op.saved = (out, data if op.save_inputs else None)
        else:
            op.saved = (None, data) if op.save_inputs else _NOTHING_SAVED
        result._requires_grad = True
        result._op = op
    else:
        result._requires_grad = False
        result._op = None
    return result


_JUST_ONE, _NOTHING_SAVED = (True,), (None, None)
_new = object.__new__


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


def _check_forward(op: Function, arrays: list, out: np.ndarray) -> None:
    if np.issubdtype(out.dtype, np.floating) and not np.isfinite(out).all():
        inputs_finite = all(np.isfinite(a).all() for a in arrays
                            if np.issubdtype(a.dtype, np.floating))
        if inputs_finite:
            raise AnomalyError(
                f"{op.name} produced NaN/Inf in its forward pass from finite inputs "
                f"(output shape {out.shape}), at {_user_frame()}. Check the input domain "
                f"(log/sqrt of values <= 0, division by zero, overflow in exp).")

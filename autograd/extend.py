"""The extension API: what you need to define your own differentiable op.

An op is a ``Function`` subclass with a ``forward`` on NumPy arrays and a ``vjp``
(vector-Jacobian product) that maps g = dL/dout to one gradient per input::

    from autograd.extend import Function

    class Cube(Function):
        '''y = x^3;  dx = 3 x^2 g.'''
        def forward(self, x):
            return x ** 3
        def vjp(self, g, out, x):
            return (g * 3 * x * x,)

    y = Cube()(t)          # or Cube.apply(t)

Write ``vjp`` with operators, shared array methods and the helpers below (or ``np.*``,
which Tensors support), so it runs on arrays in an ordinary backward and on Tensors
under ``create_graph=True``. The engine un-broadcasts what ``vjp`` returns
(``unbroadcast``) and checks its shape and dtype; ``self.needs_input_grad[i]`` says
whether input ``i`` needs a gradient (return ``None`` for those that do not).
``last_write(t.data)`` is the time of the latest in-place write into a tensor's memory
(0: never; the engine's version check), for ops that must notice their inputs changing.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from . import function
from ._vjp_checks import unbroadcast
from .clock import last_write
from .ctx_function import ctx_apply, is_ctx_style, once_differentiable
from .extend_checks import classic_style_error
from .ops.generic import broadcast_to, constant, erf, erfc, exp, is_tensor, log, where
from .errors import ShapeError, UsageError
from .memory_formats import check_memory_format
from .out_argument import accepts_out
from .ops.elementwise import PiecewiseLinear, masked, slope_vjp
from .printing import format_array
from .tensor import Tensor, as_tensor

__all__ = ["Function", "unbroadcast", "constant", "is_tensor", "exp", "log", "erf", "erfc",
           "where", "broadcast_to", "once_differentiable", "format_array",
           "check_memory_format", "piecewise_linear", "masked", "slope_vjp", "last_write",
           "accepts_out"]


class Function(function.Function):
    """Base class of user-defined ops: ``MyOp(state)(x, y)`` runs and records it.

    A class written PyTorch's way (``@staticmethod forward(ctx, ...)`` and
    ``backward(ctx, g)``) works too: see ``autograd.ctx_function``."""

    __slots__ = ()
    _ctx_style = False  # PyTorch's way of writing it; set per subclass when defined
    _style_error: str | None = None  # why the class cannot run (raised when applied)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in vars(cls) and not callable(vars(cls)["name"]):  # name = "MyOp"
            raise UsageError(f"{cls.__name__}.name must be a method, as PyTorch's "
                             f"grad_fn.name() (drawings and error messages call it); got "
                             f"{vars(cls)['name']!r}. Write def name(self): return ...")
        try:  # an error is raised when the class is used, not when defined
            cls._ctx_style = is_ctx_style(cls)
            cls._style_error = None if cls._ctx_style else classic_style_error(cls)
        except UsageError as error:
            cls._ctx_style, cls._style_error = False, str(error)

    def __call__(self, *inputs: Any) -> Tensor:
        """Apply this op to tensors (arrays and numbers become constant tensors).

        One instance may be called several times, as a module (``s = Scale(2); s(s(x))``):
        a recorded call keeps the instance as its graph node, so later calls record a
        copy of it. An integer or bool result (an index, a mask) is a constant."""
        if self._ctx_style or self._style_error:
            return type(self).apply(*inputs)
        return _run(copy.copy(self) if hasattr(self, "parents") else self, inputs)

    @classmethod
    def apply(cls, *inputs: Any, **state: Any) -> Tensor:
        """``MyOp.apply(x, y, axis=1)`` is ``MyOp(axis=1)(x, y)``, PyTorch's spelling. The
        instance is new, so nothing needs copying: ``nn``'s ops are called this way (the
        check for an instance called before costs 0.8 us per call on the moons step)."""
        if cls._ctx_style:
            return ctx_apply(cls, inputs, state)
        if cls._style_error:
            raise UsageError(cls._style_error)
        return _run(cls(**state), inputs)


def _run(op: Function, inputs: tuple) -> Tensor:
    """``op`` applied to the inputs as tensors; an integer or bool result is a constant."""
    out = function.apply(op, *map(as_tensor, inputs))
    if out._requires_grad and out._data.dtype.kind != "f":
        return out.detach()  # not differentiable (as in PyTorch)
    return out


def piecewise_linear(x: Any, value: Any, slope: Any) -> Tensor:
    """An op piecewise linear in ``x`` (relu, leaky_relu, hardtanh...) from its values:
    out = ``value`` and d out / dx = ``slope`` elementwise, both arrays the caller computed
    from x's array (``slope`` may be a boolean mask). Under ``create_graph=True`` the
    gradient's graph still reaches x, with derivative 0, so a second derivative with
    respect to x is 0 (as PyTorch's relu), not "x is not used"."""
    x = as_tensor(x)
    value, slope = np.asarray(value), np.asarray(slope)
    if value.shape != x.shape or np.broadcast_shapes(slope.shape, x.shape) != x.shape:
        raise ShapeError(f"piecewise_linear: value must have x's shape {x.shape} and slope "
                         f"a shape that broadcasts to it; got {value.shape} and {slope.shape}")
    if slope.dtype != bool and value.dtype.kind == "f":
        slope = slope.astype(value.dtype, copy=False)
    return _run(PiecewiseLinear(value, slope), (x,))

"""In-place operators: ``+= -= *= /=`` (the others, ``%= //= **= &= |= ^= <<= >>=``, in
``inplace_operators``) and PyTorch's in-place methods (``zero_ fill_ masked_fill_ add_
sub_ mul_ div_ neg_ clamp_ copy_ scatter_ scatter_add_ fill_diagonal_ exp_ sqrt_ abs_
relu_ sigmoid_ tanh_ sin_ cos_ log_ addcmul_ addcdiv_ lerp_ sign_``; the bases
``inplace_*`` add the rounding, comparison, triangle, power, clamp, index-write
(``index_add_ index_put_``) and matmul ones).

Outside a graph (tensors that do not require grad, or under ``no_grad()``, as in an
optimizer's update) they write in place. Every write stamps the written memory with the
time of the write (``clock.record_write``), so a backward pass can tell that an array an
op reads was changed after the op's output was created, and refuse (``InplaceError``),
whichever tensor (a view, a detached copy) the write went through.
While recording, on a computed tensor or with an operand that requires grad, they are
recorded as PyTorch records them: ``x += y`` as ``x[...] = x + y``, ``x.relu_()`` as
``x[...] = x.relu()`` (``OpMethods._record_update``). A leaf that requires grad is refused
(its gradient would have nowhere to go), and so are the random fills and
``fill_diagonal_``, naming the out-of-place form. Assigning ``.data`` is the documented
untracked escape hatch; it stamps the new array, so a graph built before it refuses too.
"""

from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from ._arrays import to_array
from .clock import record_write
from .errors import (AutogradError, DTypeError, InplaceError, ShapeError, TensorIndexError,
                     UsageError)
from .grad_mode import STATE
from .inplace_clamps import ClampInplace
from .inplace_aliases import AliasInplace
from .inplace_index_writes import IndexWriteInplace
from .inplace_operators import (OperatorInplace, can_cast_back, check_cast_back,
                                check_operand_held)
from .inplace_powers import PowerInplace
from .inplace_shapes import store_update
from .inplace_rounding import RoundingInplace
from .inplace_triangles import TriangleInplace
from .inplace_values import value_fits
from .ops.scalars import FLOAT16, half_with_number, is_scalar, weak_number
from .torch_arguments import (alpha_overload, check_mask_value, keyword_factors,
                              number_first)
from .torch_methods import scatter_target
from .scalar_axis import one_element_axis_

__all__ = ["InplaceOps", "check_writable", "check_fits"]


def _assign(array: np.ndarray, value: Any, out: np.ndarray) -> None:
    """``out[...] = value`` shaped like a ufunc for ``_inplace`` (x * 0 + v would keep NaN/inf),
    cast to out's dtype as ``ndarray.fill`` and PyTorch's ``fill_`` do (2.7 -> 2 -> True)."""
    np.copyto(out, value, casting="unsafe")


_assign.__name__ = "fill_"
_SYMBOL = {np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/", _assign: "* 0 +"}
_OPERATOR = {np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
             np.true_divide: operator.truediv}


def check_writable(array: np.ndarray, what: str) -> None:
    """UsageError if ``array`` is read-only, e.g. the broadcast gradient a hook gets from
    ``sum`` (NumPy's ValueError would have read as a ShapeError)."""
    if not array.flags.writeable:
        raise UsageError(
            f"{what} into a read-only array of shape {array.shape}: a broadcast (such as "
            f"the gradient a hook gets from a sum), a copy that must not pass for the "
            f"original (such as nn's state_dict() values: to change the model, load them "
            f"with model.load_state_dict(sd), or write the parameter under autograd."
            f"no_grad(); an EMA's ema_v.copy_(...) loop over state_dict().values() takes "
            f"state_dict(keep_vars=True), whose values are the parameters and buffers "
            f"themselves), or an array NumPy marked read-only. Compute a new tensor "
            f"instead (g = g * 2, and return it from a hook), or copy first (t = t.clone()).")


def check_fits(value: Any, dtype: np.dtype, what: str, integers: bool = False) -> None:
    """DTypeError if ``value`` (a number, a tensor, an array) is not numbers (None, a
    string), or, one float number, cannot be stored in ``dtype`` (NaN or 255.9 into uint8,
    1e6 into float16), as PyTorch's ``fill_``; with ``integers`` also a Python integer
    (-1 into uint8): ``inplace_values.value_fits``."""
    value_fits(_value(value), dtype, what, integers)


class InplaceOps(RoundingInplace, TriangleInplace, PowerInplace, ClampInplace,
                 AliasInplace, IndexWriteInplace, OperatorInplace):
    """The in-place methods of ``Tensor`` (a mixin: Tensor is the only subclass)."""

    __slots__ = ()

    def _inplace(self, ufunc: Any, other: Any, name: str | None = None) -> Any:
        value, operation = _value(other), _OPERATOR.get(ufunc)
        return self._write(name or ufunc.__name__, f"x = x {_SYMBOL[ufunc]} y",
                           lambda out: _into(ufunc, out, value), other,
                           recorded=(lambda: operation(self, other)) if operation
                           else (lambda: other))  # zero_, fill_: x[...] = value

    def _write(self, name: str, instead: str, write: Callable[[np.ndarray], Any],
               *operands: Any, recorded: Callable[[], Any] | None = None) -> Any:
        """Run ``write(self.data)`` under the rules of the module docstring. While
        recording, if self or an operand requires grad: a leaf that requires grad is
        refused (``instead`` is the out-of-place form); otherwise the update is recorded as
        PyTorch records it, self[...] = recorded() (``OpMethods._record_update``), or
        refused where there is no ``recorded``. Refused on a read-only array, NumPy's
        errors named (a bad cast DTypeError, a bad shape ShapeError, an index out of bounds
        TensorIndexError), the write stamped."""
        tracked = self._requires_grad or any(isinstance(t, InplaceOps) and t._requires_grad
                                             for t in operands)
        if STATE.grad_enabled and tracked:
            leaf = self._op is None and self._requires_grad
            if recorded is not None and not leaf:
                return self._record_update(name, instead, recorded)
            if leaf:
                raise InplaceError(
                    f"in-place {name} on a leaf tensor that requires grad, while recording: "
                    f"its gradient would have nowhere to go (PyTorch refuses it too). Write "
                    f"{instead} (a new tensor), or do the update under autograd.no_grad() "
                    f"(an optimizer's step, an initialisation).")
            raise InplaceError(
                f"in-place {name} on a tensor that requires grad (or with an operand "
                f"that does) is not recorded here. Write {instead} instead, "
                f"or do the update under autograd.no_grad().")
        check_writable(self.data, f"in-place {name}")
        try:
            write(self.data)
        except AutogradError:  # named already (a refused cast back, an op's own error)
            raise
        except (TypeError, OverflowError) as exc:  # numpy's casting errors; 300 into uint8
            raise DTypeError(f"in-place {name} cannot store the result in a "
                             f"{self.dtype} tensor: {exc}") from None
        except ValueError as exc:
            raise ShapeError(f"in-place {name}: {exc}") from None
        except IndexError as exc:  # NumPy's: an index out of bounds (index_put_)
            raise TensorIndexError(f"in-place {name}: {exc} (tensor of shape {self.shape}); "
                                   f"an index into an axis of length n must lie in "
                                   f"[-n, n)") from None
        record_write(self.data)
        return self

    def __iadd__(self, other: Any) -> Any:
        return self._inplace(np.add, other)

    def __isub__(self, other: Any) -> Any:
        return self._inplace(np.subtract, other)

    def __imul__(self, other: Any) -> Any:
        return self._inplace(np.multiply, other)

    def __itruediv__(self, other: Any) -> Any:
        return self._inplace(np.true_divide, other)

    def zero_(self) -> Any:
        """Set every element to 0 in place (untracked; see the module docstring)."""
        return self._inplace(_assign, 0)

    def fill_(self, value: float) -> Any:
        """Set every element to ``value`` in place: a number, or a 0-d tensor or array (as
        PyTorch; ``copy_`` takes a tensor of values), cast to self's dtype. A number the
        dtype cannot hold is a DTypeError (NaN, 255.9 or -1 into uint8; PyTorch wraps -1
        to 255), as in ``masked_fill_``; a 0-d tensor is cast (tensor(-1): 255), as there."""
        if np.ndim(_value(value)) != 0:
            raise UsageError(
                f"fill_ takes one value (a number or a 0-d tensor), as PyTorch; got a "
                f"{type(value).__name__} of shape {np.shape(_value(value))}. To copy "
                f"several values in, write t.copy_(values) (they broadcast to t's shape).")
        check_fits(value, self.dtype, "fill_", integers=True)  # -1 into uint8, as masked_fill_
        return self._inplace(_assign, value)

    def masked_fill_(self, mask: Any, value: Any) -> Any:
        """Set the elements where ``mask`` (boolean, broadcasting to self's shape) is True
        to ``value`` (a number or a 0-d tensor), in place, as PyTorch's."""
        mask = np.asarray(_value(mask))
        if mask.dtype != np.bool_:
            raise DTypeError(f"masked_fill_: the mask must be boolean; got dtype {mask.dtype}")
        check_mask_value("masked_fill_", value)
        check_fits(value, self.dtype, "masked_fill_", integers=True)
        return self._write("masked_fill_", "x = x.masked_fill(mask, value)",
                           lambda out: np.copyto(out, _value(value), casting="unsafe",
                                                 where=mask), value,
                           recorded=lambda: self.masked_fill(mask, value))

    def add_(self, other: Any, *deprecated: Any, alpha: Any = None) -> Any:
        """self += alpha * other, in place (PyTorch's; ``other`` broadcasts to self; its
        deprecated ``x.add_(alpha, other)`` warns)."""
        other, alpha = alpha_overload("add_", other, deprecated, alpha)
        alpha = 1 if alpha is None else alpha
        value = _scaled(other, alpha, self.dtype)
        return self._write("add_", "x = x + y" if alpha == 1 else f"x = x + {alpha} * y",
                           lambda out: _into(np.add, out, value), other,
                           recorded=lambda: self.add(other, alpha=alpha))

    def sub_(self, other: Any, *deprecated: Any, alpha: Any = None) -> Any:
        """self -= alpha * other, in place (``w.sub_(lr * w.grad)`` under no_grad(); the
        deprecated ``x.sub_(alpha, other)`` warns)."""
        other, alpha = alpha_overload("sub_", other, deprecated, alpha)
        alpha = 1 if alpha is None else alpha
        value = _scaled(other, alpha, self.dtype)
        return self._write("sub_", "x = x - y" if alpha == 1 else f"x = x - {alpha} * y",
                           lambda out: _into(np.subtract, out, value), other,
                           recorded=lambda: self.sub(other, alpha=alpha))

    def mul_(self, other: Any) -> Any:
        """self *= other, in place."""
        return self._inplace(np.multiply, other, "mul_")

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Any:
        """self /= other, in place (true division: an integer tensor raises DTypeError);
        with PyTorch's ``rounding_mode`` ("floor", "trunc") it writes
        ``self.div(other, rounding_mode=...)``, which keeps an integer tensor integer (an
        integer ``other`` its dtype cannot hold is refused, ``operand_held``)."""
        if rounding_mode is None:
            return self._inplace(np.true_divide, other, "div_")
        check_operand_held("div", other, self.dtype)  # uint8 x.div_(-1, ...): refused
        quotient = _value(self.detach().div(other, rounding_mode=rounding_mode))

        def write(out: np.ndarray) -> None:  # int64 into uint8 as PyTorch: can_cast_back
            check_cast_back("in-place div_", quotient.dtype, out.dtype,
                            "Write the out-of-place x = x.div(y, rounding_mode=...).")
            store_update("div_", out, quotient)

        return self._write("div_", f"x = x.div(y, rounding_mode={rounding_mode!r})", write,
                           other, recorded=lambda: self.div(other, rounding_mode=rounding_mode))

    def neg_(self) -> Any:
        """self = -self, in place (a bool tensor raises DTypeError, as in PyTorch)."""
        return self._write("neg_", "x = -x", lambda out: np.negative(out, out=out),
                           recorded=lambda: -self)

    def exp_(self) -> Any:
        """self = exp(self), in place (a floating tensor, as PyTorch)."""
        return self._math_("exp")

    def sqrt_(self) -> Any:
        """self = sqrt(self), in place (NaN below 0, as PyTorch)."""
        return self._math_("sqrt")

    def abs_(self) -> Any:
        """self = |self|, in place (integer tensors too)."""
        return self._math_("abs")

    def relu_(self) -> Any:
        """self = max(self, 0), in place (integer tensors too)."""
        return self._math_("relu")

    def sigmoid_(self) -> Any:
        """self = 1 / (1 + exp(-self)), in place."""
        return self._math_("sigmoid")

    def tanh_(self) -> Any:
        """self = tanh(self), in place."""
        return self._math_("tanh")

    def sin_(self) -> Any:
        """self = sin(self), in place."""
        return self._math_("sin")

    def cos_(self) -> Any:
        """self = cos(self), in place."""
        return self._math_("cos")

    def log_(self) -> Any:
        """self = log(self), in place (NaN below 0, as PyTorch)."""
        return self._math_("log")

    def _math_(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The values of ``self.<name>(*args, **kwargs)`` written into self (``_result_``).
        As PyTorch, a bool tensor is refused (but by ``sign_ sgn_ nan_to_num_``, the
        identity on bool, and ``heaviside_``, whose bool values stay bool; ``pow_`` takes a
        bool exponent), and so is an integer one where the values are floats."""
        if self.dtype == np.bool_ and name not in ("sign", "sgn", "nan_to_num", "heaviside"):
            raise DTypeError(f"in-place {name}_ on a bool tensor, whose result is no bool "
                             f"(PyTorch refuses it too); convert it first (t = t.float())")
        return self._result_(name, *args, **kwargs)

    def addcmul_(self, *tensors: Any, tensor1: Any = None, tensor2: Any = None,
                 value: Any = None) -> Any:
        """self += value * tensor1 * tensor2, in place (Adam's ``exp_avg_sq.addcmul_(grad,
        grad, value=1 - beta2)``; the deprecated value-first call warns, as PyTorch's)."""
        tensors = keyword_factors("addcmul_", tensors, tensor1, tensor2)
        (tensor1, tensor2), value = number_first("addcmul_", "value", tensors, value, 2)
        return self._math_("addcmul", tensor1, tensor2, value=value)

    def addcdiv_(self, *tensors: Any, tensor1: Any = None, tensor2: Any = None,
                 value: Any = None) -> Any:
        """self += value * tensor1 / tensor2, in place (``p.addcdiv_(m, denom, value=-lr)``)."""
        tensors = keyword_factors("addcdiv_", tensors, tensor1, tensor2)
        (tensor1, tensor2), value = number_first("addcdiv_", "value", tensors, value, 2)
        return self._math_("addcdiv", tensor1, tensor2, value=value)

    def lerp_(self, end: Any, weight: Any) -> Any:
        """self += weight * (end - self), in place (``exp_avg.lerp_(grad, 1 - beta1)``)."""
        return self._math_("lerp", end, weight)

    def sign_(self) -> Any:
        """self = sign(self), in place (Lion's ``update.sign_()``; a bool tensor stays
        itself, as PyTorch's)."""
        return self._math_("sign")

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        """self limited to [min, max] in place (either may be None, not both; where min >
        max the result is max; bounds that require grad get gradients), as PyTorch's: the
        values of ``clamp(min, max)``, so a bound an integer dtype cannot hold where the
        result would take it (uint8 with max=-1) is its DTypeError."""
        if min is None and max is None:
            raise UsageError("clamp_: give at least one of min and max")
        return self._result_("clamp", min, max)  # clamp's check of a bound beyond the dtype

    def copy_(self, src: Any, non_blocking: bool = False) -> Any:
        """Copy ``src``'s values into self, in place: ``src`` broadcasts to self's shape
        and is cast to self's dtype as PyTorch does (floats to ints truncate toward 0).
        ``non_blocking`` changes nothing: every copy here is on the CPU, done on return."""
        value = to_array(src)  # DataError/DTypeError for ragged, object or text data
        return self._write("copy_", "x = y.broadcast_to(x.shape).astype(x.dtype)",
                           lambda out: store_update("copy_", out, value), src,
                           recorded=lambda: src)

    @one_element_axis_
    def scatter_(self, dim: int, index: Any, src: Any = None, *, value: Any = None,
                 reduce: Any = None) -> Any:
        """``self.scatter(dim, index, src)`` written in place, as PyTorch's: the one-hot
        habit ``zeros(n, C).scatter_(1, y.unsqueeze(1), 1.0)`` works."""
        positions, values = scatter_target(self, dim, index, src, value, reduce, "scatter_")
        check_fits(values, self.dtype, "scatter_")
        return self._write("scatter_", "x = x.scatter(dim, index, src)",
                           lambda out: out.__setitem__(positions, _value(values)), src, value,
                           recorded=lambda: self.index_put(positions, values))

    @one_element_axis_
    def scatter_add_(self, dim: int, index: Any, src: Any) -> Any:
        """``self.scatter_add(dim, index, src)`` written in place, as PyTorch's (repeated
        positions add up)."""
        positions, values = scatter_target(self, dim, index, src, None, None, "scatter_add_")
        check_fits(values, self.dtype, "scatter_add_")
        return self._write("scatter_add_", "x = x.scatter_add(dim, index, src)",
                           lambda out: np.add.at(out, positions, _value(values)), src,
                           recorded=lambda: self.index_add(positions, values))

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Any:
        """Set the main diagonal to ``fill_value`` in place, as PyTorch: a matrix (of any
        shape) or a tensor whose axes all have one length; ``wrap=True`` starts again
        below a tall matrix's diagonal, every columns + 1 rows."""
        if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) > 1):
            raise ShapeError(f"fill_diagonal_ needs a matrix, or a tensor whose axes all have "
                             f"one length; got shape {self.shape}")
        if np.ndim(_value(fill_value)) != 0:
            raise UsageError(f"fill_diagonal_ takes one value (a number or a 0-d tensor); "
                             f"got shape {np.shape(_value(fill_value))}")
        check_fits(fill_value, self.dtype, "fill_diagonal_")
        return self._write("fill_diagonal_", "x = x.index_put((i, i), value), i = np.arange(n)",
                           lambda out: np.fill_diagonal(out, _value(fill_value), wrap=wrap),
                           fill_value)


def _into(ufunc: Any, out: np.ndarray, *values: Any) -> None:
    """ufunc(out, *values) into out, cast as PyTorch's (``can_cast_back``: int64 into uint8;
    a Python int out's dtype cannot hold widens to int64 first, so uint8 ``add_(-1)`` wraps;
    float16 out * or / a number in float32, rounded once, as ``x * c``: half_with_number)."""
    if out.dtype is FLOAT16 and ufunc in (np.multiply, np.true_divide) and is_scalar(values[0]):
        out[...] = half_with_number(ufunc, out, values[0])
        return
    try:
        ufunc(out, *values, out=out)
    except (TypeError, OverflowError):  # "same_kind" refused the cast back; uint8 with -1
        if not isinstance(ufunc, np.ufunc):  # fill_'s _assign: check_fits named it already
            raise
        result = ufunc(out, *(_widened(v, out.dtype) for v in values))
        if not can_cast_back(result.dtype, out.dtype):
            raise
        np.copyto(out, result, casting="unsafe")


def _widened(value: Any, dtype: np.dtype) -> Any:
    """A Python int as an array NumPy takes beside ``dtype`` (``weak_number``: int64 where
    ``dtype`` cannot hold it); anything else as it is."""
    return weak_number(value, dtype) if type(value) is int else value


def _value(x: Any) -> Any:
    """A tensor's array, anything else as it is (NumPy takes numbers and arrays)."""
    return x.data if isinstance(x, InplaceOps) else x


def _scaled(other: Any, alpha: Any, dtype: np.dtype) -> Any:
    """alpha * other for add_/sub_ of a tensor of ``dtype``: a Python number stays one (so
    float32 stays float32); an array is scaled in its dtype promoted with ``dtype``, as
    PyTorch (int8 100 with alpha 2 is 200 into float32, not int8's wrapped -56)."""
    value = _value(other)
    if alpha == 1 or isinstance(value, (int, float)):  # a number stays one
        return value if alpha == 1 else value * alpha
    value = np.asarray(value)
    value = value.astype(np.promote_types(value.dtype, dtype), copy=False)
    try:
        return value * alpha
    except OverflowError:  # uint8 by -2: in int64 (weak_number), which _into wraps back
        return value * weak_number(alpha, value.dtype)

"""NumPy's functions of sequences and polynomials on Tensors, with NumPy's arguments and
results, each a composition of differentiable ops: ``np.cumulative_sum
np.cumulative_prod np.vander np.vdot np.polyval np.interp np.convolve np.correlate
np.linspace np.logspace np.geomspace`` (with Tensor end points), and the elementwise
``np.cbrt np.rint np.heaviside np.float_power np.ldexp np.vecdot np.matvec np.vecmat``.
``autograd.interop`` dispatches to these (``FUNCTIONS``, ``UFUNCS``); they sit below
the Tensor class.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .elementwise_extra_methods import ElementwiseExtraMethods
from .errors import ShapeError, UsageError
from .function import Function, apply
from .ops.generic import constant, is_tensor
from .numpy_stacking import tensors_like
from .ops.reductions import single_axis
from .tensor_math import concatenate, where
from .tensor_methods import OpMethods

__all__ = ["Cbrt", "numpy_cbrt", "numpy_modf", "numpy_spacing", "present",
           "numpy_cumulative_sum", "numpy_cumulative_prod", "numpy_vander", "numpy_vdot",
           "vector_dot", "numpy_polyval", "numpy_interp", "numpy_convolve", "numpy_correlate",
           "numpy_linspace", "numpy_logspace", "numpy_geomspace", "numpy_vecdot",
           "numpy_matvec", "numpy_vecmat", "FUNCTIONS", "UFUNCS"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def present(table: dict[str, Any], module: Any = np) -> dict:
    """The entries of ``table`` (NumPy name -> function) that this NumPy has: some came
    after 2.0 (``np.unstack``, ``np.cumulative_sum``, ``np.matvec``...)."""
    return {getattr(module, name): f for name, f in table.items() if hasattr(module, name)}


class Cbrt(Function):
    """out = x^(1/3) (real, odd);  dx = g / (3 out^2), infinite at 0 as NumPy's limit."""
    __slots__ = ()
    save_inputs, save_output = False, True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cbrt(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore"):
            return (g / (out * out * 3),)


def numpy_cbrt(x: AnyTensor) -> AnyTensor:
    """``np.cbrt``: the real cube root (``Cbrt``)."""
    return apply(Cbrt(), x)


def numpy_modf(x: AnyTensor) -> tuple:
    """``np.modf``: (x - trunc x, trunc x) with NumPy's signs: the fraction has x's sign
    (-0. for -1.), and is ±0 for ±inf. The fraction passes the gradient, the whole part
    has gradient 0."""
    whole = x.trunc()
    negative = np.signbit(x.data)
    with np.errstate(invalid="ignore"):  # inf - inf, replaced below
        fraction = where(negative, -(whole - x), x - whole)  # -(0.) is -0.: x's sign
    infinite = np.isinf(x.data)
    if infinite.any():
        fraction = where(infinite, np.where(negative, -0.0, 0.0).astype(x.dtype), fraction)
    return fraction, whole


def numpy_spacing(x: AnyTensor) -> AnyTensor:
    """``np.spacing``: the gap to the next representable number, a constant."""
    return x._lift(np.spacing(x.data))


def _cumulative(name: str, x: AnyTensor, axis: Any, dtype: Any, out: Any,
                include_initial: bool) -> AnyTensor:
    if out is not None:
        raise UsageError(f"np.{name}(t, out=...): write t2 = np.{name}(t) instead")
    if axis is None:
        if x.ndim > 1:
            raise ShapeError(f"np.{name}: axis is needed for an array of {x.ndim} axes, "
                             f"as in NumPy")
        axis = 0
    axis = single_axis(axis, x.ndim, f"np.{name}")
    method = "cumsum" if name == "cumulative_sum" else "cumprod"
    result = getattr(x, method)(axis=axis, dtype=dtype)
    if not include_initial:
        return result
    shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
    first = np.full(shape, 0 if method == "cumsum" else 1, dtype=result.dtype)
    return concatenate([result._lift(first), result], axis=axis)


def numpy_cumulative_sum(x: AnyTensor, /, *, axis: Any = None, dtype: Any = None,
                         out: Any = None, include_initial: bool = False) -> AnyTensor:
    """``np.cumulative_sum``: the running sum along ``axis`` (0 first, if asked)."""
    return _cumulative("cumulative_sum", x, axis, dtype, out, include_initial)


def numpy_cumulative_prod(x: AnyTensor, /, *, axis: Any = None, dtype: Any = None,
                          out: Any = None, include_initial: bool = False) -> AnyTensor:
    """``np.cumulative_prod``: the running product along ``axis`` (1 first, if asked)."""
    return _cumulative("cumulative_prod", x, axis, dtype, out, include_initial)


def numpy_vander(x: AnyTensor, N: int | None = None, increasing: bool = False) -> AnyTensor:
    """``np.vander``: column j is x^(N-1-j) (x^j when ``increasing``) of a 1-d x."""
    if x.ndim != 1:
        raise ShapeError(f"np.vander takes a 1-d array; got shape {x.shape}")
    powers = np.arange(x.shape[0] if N is None else N)
    powers = powers if increasing else powers[::-1]
    return x.reshape((-1, 1)) ** x._lift(powers.astype(x.dtype))


def numpy_vdot(a: AnyTensor, b: AnyTensor, /) -> AnyTensor:
    """``np.vdot`` (real): the dot product of the two arrays flattened, in NumPy's dtype
    (``vector_dot``)."""
    a, b = tensors_like([a, b])
    if a.size != b.size:
        raise ShapeError(f"np.vdot: {a.size} and {b.size} elements; they must be equal")
    return vector_dot(a.reshape(-1), b.reshape(-1), 0)


def vector_dot(x1: AnyTensor, x2: AnyTensor, axis: int) -> AnyTensor:
    """sum(x1 * x2) along ``axis`` in the dtype the two promote to, as NumPy's dot
    products (int32 stays int32; for bools, any(x1 & x2), a bool), where a plain sum
    widens integers to int64."""
    dtype = np.result_type(x1.dtype, x2.dtype)
    products = x1 * x2
    if dtype.kind == "b":
        return products.any(axis=axis)
    return products.sum(axis=axis, dtype=dtype) if dtype.kind in "iu" else \
        products.sum(axis=axis)


def numpy_polyval(p: Any, x: Any) -> AnyTensor:
    """``np.polyval``: p[0] x^(n-1) + ... + p[n-1] by Horner's rule (y = y x + p[i] from
    y = 0), differentiable in the coefficients and in x."""
    x = x if is_tensor(x) else p._lift(x)  # (then p is the Tensor)
    result = x._lift(np.zeros(x.shape, dtype=x.dtype))
    for i in range(len(p)):
        result = result * x + p[i]
    return result


def numpy_interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
                 period: Any = None) -> AnyTensor:
    """``np.interp``: the piecewise-linear interpolant through (xp, fp) at x, fp[0] (or
    ``left``) before xp[0] and fp[-1] (or ``right``) after xp[-1]. Differentiable in x
    (the slope of its piece; 0 outside) and in fp; xp is a constant (a Tensor xp that
    requires grad is a ``UsageError``). At a repeated last xp, x = xp[-1] gives fp[-1],
    as NumPy's."""
    if period is not None:
        raise UsageError("np.interp(..., period=...) on Tensors: wrap x yourself first, "
                         "x % period, and pass the periodic xp, fp")
    if getattr(xp, "requires_grad", False):
        raise UsageError("np.interp: xp is a constant here (no gradient flows to it); pass "
                         "xp.detach()")
    (x, fp), xp = _floats(tensors_like([x, fp])), np.asarray(constant(xp), dtype=np.float64)
    if xp.ndim != 1 or fp.ndim != 1 or xp.shape != fp.shape or not xp.size:
        raise ShapeError(f"np.interp: xp and fp must be 1-d of one (non-zero) length; got "
                         f"{xp.shape} and {fp.shape}")
    if xp.size == 1:  # one point: its value everywhere
        inside = fp[np.zeros(x.shape, dtype=np.int64)]
    else:
        piece = np.clip(np.searchsorted(xp, x.data, side="right") - 1, 0, xp.size - 2)
        x0, width = xp[piece], xp[piece + 1] - xp[piece]
        empty = width == 0  # the last piece, xp[-1] repeated: x = xp[-1] takes fp[-1]
        t = (x - x0.astype(x.dtype)) / np.where(empty, 1.0, width).astype(x.dtype)
        t = where(empty, 1.0, t) if empty.any() else t
        inside = fp[piece] + t * (fp[piece + 1] - fp[piece])
    before = fp[0] if left is None else left
    after = fp[-1] if right is None else right
    return where(x.data < xp[0], before, where(x.data > xp[-1], after, inside))


def _numpy_floats(*values: Any) -> list:
    """``values`` as Tensors of the float dtype NumPy computes them in: their promotion,
    Python numbers weak (float32 with 1.0 stays float32), float64 for integers and bools."""
    dtype = np.result_type(*(v.dtype if is_tensor(v) else v if isinstance(v, (int, float))
                             else np.asarray(v) for v in values))
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    return [t if t.dtype == dtype else t.astype(dtype) for t in tensors_like(list(values))]


def _floats(tensors: list) -> list:
    """Integer or bool tensors converted to the float dtype among ``tensors`` (float64
    when there is none), as NumPy computes ``interp`` in floats."""
    floats = [t.dtype for t in tensors if t.dtype.kind == "f"]
    dtype = np.result_type(*floats) if floats else np.dtype(np.float64)
    return [t if t.dtype.kind == "f" else t.astype(dtype) for t in tensors]


def _full_convolution(a: AnyTensor, v: AnyTensor) -> AnyTensor:
    """sum_j a[j] v[k - j] for k in 0 .. n + m - 2: the matrix V[k, j] = v[k - j] (0
    outside v) gathered from v with zeros around it, times a."""
    n, m = a.shape[0], v.shape[0]
    zeros = v._lift(np.zeros(n - 1, dtype=v.dtype))
    padded = concatenate([zeros, v, zeros], axis=0)
    rows = np.arange(n + m - 1)[:, None] - np.arange(n)[None, :] + n - 1
    return padded[rows] @ a


def _trimmed(full: AnyTensor, n: int, m: int, mode: str, name: str) -> AnyTensor:
    if mode == "full":
        return full
    if mode == "same":
        start = (min(n, m) - 1) // 2
        return full[start:start + max(n, m)]
    if mode == "valid":
        return full[min(n, m) - 1:max(n, m)]
    raise UsageError(f"np.{name}: mode must be 'full', 'same' or 'valid'; got {mode!r}")


def _one_d_pair(a: Any, v: Any, name: str) -> tuple:
    a, v = tensors_like([a, v])
    if a.ndim != 1 or v.ndim != 1 or not a.size or not v.size:
        raise ShapeError(f"np.{name} takes two non-empty 1-d arrays; got shapes {a.shape} "
                         f"and {v.shape}")
    return a, v


def numpy_convolve(a: Any, v: Any, mode: str = "full") -> AnyTensor:
    """``np.convolve``: (a * v)[k] = sum_j a[j] v[k - j], trimmed to ``mode``."""
    a, v = _one_d_pair(a, v, "convolve")
    return _trimmed(_full_convolution(a, v), a.shape[0], v.shape[0], mode, "convolve")


def numpy_correlate(a: Any, v: Any, mode: str = "valid") -> AnyTensor:
    """``np.correlate`` (real): c[k] = sum_n a[n + k] v[n], the convolution of a with v
    reversed (reversed again when v is the longer, as NumPy's)."""
    a, v = _one_d_pair(a, v, "correlate")
    n, m = a.shape[0], v.shape[0]
    if m > n:
        return _trimmed(_full_convolution(v, a[::-1]), n, m, mode, "correlate")[::-1]
    return _trimmed(_full_convolution(a, v[::-1]), n, m, mode, "correlate")


def numpy_linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                   retstep: bool = False, dtype: Any = None, axis: int = 0, *,
                   device: Any = None) -> Any:
    """``np.linspace`` with Tensor end points: start + (stop - start) t for NumPy's own
    fractions t, so the result is differentiable in both ends; integer end points are
    float64 (an integer ``dtype`` rounds down at the end, as NumPy). The step is
    (stop - start) / (num - 1), or / num without the end point; NaN when that is / 0.
    The dtype is NumPy's: Python numbers do not widen a float32 end point."""
    start, stop = _numpy_floats(start, stop)
    fractions = np.linspace(0.0, 1.0, num, endpoint=endpoint)
    shape = (num,) + (1,) * max(start.ndim, stop.ndim)
    values = start + (stop - start) * start._lift(fractions.reshape(shape).astype(start.dtype))
    if axis != 0:
        values = values.movedim(0, axis)
    if dtype is not None:
        values = (values.floor() if np.dtype(dtype).kind in "iu" else values).astype(dtype)
    if not retstep:
        return values
    steps = num - 1 if endpoint else num
    if steps <= 0:  # no step between fewer than two points
        return values, start._lift(np.asarray(np.nan, dtype=start.dtype))
    return values, (stop - start) / steps


def numpy_logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                   base: Any = 10.0, dtype: Any = None, axis: int = 0) -> AnyTensor:
    """``np.logspace``: base ** ``np.linspace(start, stop)``."""
    exponents = numpy_linspace(start, stop, num, endpoint, axis=axis)
    if type(base) in (int, float):  # weak, as NumPy's: a float32 graph stays float32
        values = base ** exponents
    else:
        values = tensors_like([base, exponents])[0] ** exponents
    return values if dtype is None else values.astype(dtype)


def numpy_geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                    dtype: Any = None, axis: int = 0) -> AnyTensor:
    """``np.geomspace`` of end points of one sign: sign e^(linspace(log|start|,
    log|stop|)), the ends exactly start and stop; computed in float64, as NumPy's."""
    ends = (np.asarray(constant(start), dtype=np.float64),
            np.asarray(constant(stop), dtype=np.float64))
    if (ends[0] == 0).any() or (ends[1] == 0).any() or (np.sign(ends[0]) != np.sign(
            ends[1])).any():
        raise UsageError("np.geomspace on Tensors takes end points of one sign and never 0 "
                         "(as NumPy refuses 0)")
    sign = np.sign(ends[0]).astype(np.float64)
    low, high = (t.astype(np.float64) * sign for t in tensors_like([start, stop]))
    values = numpy_linspace(low.log(), high.log(), num, endpoint, axis=0).exp() * sign
    if axis != 0:
        values = values.movedim(0, axis)
    return values if dtype is None else values.astype(dtype)


def numpy_vecdot(x1: AnyTensor, x2: AnyTensor) -> AnyTensor:
    """``np.vecdot`` (real): sum(x1 * x2) over the last axis, broadcast, in NumPy's
    dtype (``vector_dot``)."""
    return vector_dot(x1, x2, -1)


def numpy_matvec(x1: AnyTensor, x2: AnyTensor) -> AnyTensor:
    """``np.matvec``: each matrix of x1 times the matching vector of x2."""
    return (x1 @ x2.reshape(x2.shape + (1,))).reshape(
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-1]) + x1.shape[-2:-1])


def numpy_vecmat(x1: AnyTensor, x2: AnyTensor) -> AnyTensor:
    """``np.vecmat`` (real): each vector of x1 times the matching matrix of x2."""
    return (x1.reshape(x1.shape[:-1] + (1,) + x1.shape[-1:]) @ x2).reshape(
        np.broadcast_shapes(x1.shape[:-1], x2.shape[:-2]) + x2.shape[-1:])


FUNCTIONS = {np.vander: numpy_vander, np.vdot: numpy_vdot, np.polyval: numpy_polyval,
             np.interp: numpy_interp, np.convolve: numpy_convolve,
             np.correlate: numpy_correlate, np.linspace: numpy_linspace,
             np.logspace: numpy_logspace, np.geomspace: numpy_geomspace,
             **present({"cumulative_sum": numpy_cumulative_sum,
                        "cumulative_prod": numpy_cumulative_prod})}

UFUNCS = {np.cbrt: numpy_cbrt, np.rint: OpMethods.round, np.modf: numpy_modf,
          np.spacing: numpy_spacing,
          np.heaviside: ElementwiseExtraMethods.heaviside,
          np.float_power: ElementwiseExtraMethods.float_power,
          np.ldexp: ElementwiseExtraMethods.ldexp, np.vecdot: numpy_vecdot,
          **present({"matvec": numpy_matvec, "vecmat": numpy_vecmat})}

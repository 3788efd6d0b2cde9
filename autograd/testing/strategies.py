"""Hypothesis strategies for property-testing ops, yours and the engine's.

Everything here draws small inputs (at most 3 axes of at most 4 elements by default) so
that ``autograd.gradcheck``, which evaluates the function twice per input element, stays
fast. Copy this pattern to test your own op::

    from hypothesis import given
    import autograd
    from autograd.testing import domain, tensors

    @given(tensors(elements=domain("log"), requires_grad=True))
    def test_log_gradient(x):
        autograd.gradcheck(autograd.log, [x])

What is here:

- ``shapes``, ``broadcastable_shapes``: shape tuples (0-d and size-1 axes included);
- ``arrays``, ``tensors``: bounded float (or int/bool) data, optionally as
  non-contiguous views (strided slices, transposes);
- ``axes``, ``index_expressions``: valid ``axis=`` arguments and ``x[...]`` indices;
- ``DOMAINS`` / ``domain``: per-op element strategies, for every op of the engine's op
  table, kept away from kinks (relu, abs, clip, sign), poles (log, sqrt, 1/x, tan), jumps
  (floor, round, //, %) and ties (max, min, maximum, minimum, std, sort). ``norm`` has one
  entry per order: ``"norm1"``, ``"norm2"``, ``"norm_inf"``; PyTorch's names ``clamp`` and
  ``cat`` are there too.

Only this module and its helper ``_array_strategies`` import hypothesis; ``import
autograd`` never does.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Mapping, Sequence

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    from ..errors import MissingDependencyError
    raise MissingDependencyError(
        "autograd.testing needs the optional dependency hypothesis: "
        "pip install -e \".[test]\" in a checkout of this repository (it is not on PyPI "
        "yet), or pip install hypothesis") from exc

from .._array_strategies import (array_strategy, as_dtype, as_flag, as_shape, check_unique_fits,
                                 floats_of, rounded_to, strided_view)
from ..errors import UnknownOpError, UsageError
from ..tensor import Tensor

__all__ = ["shapes", "broadcastable_shapes", "arrays", "tensors", "axes",
           "index_expressions", "domain", "DOMAINS", "CLIP_BOUNDS", "GRID_SPACING"]

#: The bounds ``domain("clip")`` keeps away from: test ``clip(x, *CLIP_BOUNDS)``.
CLIP_BOUNDS: tuple[float, float] = (-1.0, 1.0)

#: Distance between the values of the tie-free domains (max, min, maximum, minimum, std).
GRID_SPACING: float = 0.05


def _is_count(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


# ------------------------------------------------------------------ shapes
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Shape tuples with ``min_dims..max_dims`` axes of ``min_side..max_side`` elements.

    The defaults include 0-d shapes ``()`` and size-1 axes::

        @given(shapes(max_dims=2))
        def test_something(shape): ...
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3,
                         min_side: int = 1, max_side: int = 4,
                         ) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of ``num_shapes`` shapes that broadcast together (NumPy rules).

    Drawn shapes differ in rank and have size-1 axes where the others do not, e.g.
    ``((3, 1), (4,))`` or ``((), (2, 3))``::

        @given(broadcastable_shapes(2))
        def test_add(shapes):
            a_shape, b_shape = shapes
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side).map(lambda drawn: tuple(drawn.input_shapes))


# ------------------------------------------------------------------ data
def _element_strategy(dtype: np.dtype, elements: Any) -> tuple[st.SearchStrategy, np.dtype]:
    """The strategy for one element and the dtype it is drawn in (cast afterwards)."""
    if isinstance(elements, st.SearchStrategy):
        if dtype.kind != "f":
            return elements, dtype
        # drawn in float64 (hypothesis refuses a float that float32 cannot hold exactly)
        # but already rounded to dtype, so that unique=True holds in dtype too
        return rounded_to(elements, dtype), np.dtype(np.float64)
    if dtype.kind == "b":
        return st.booleans(), dtype
    try:
        lo, hi = elements
    except (TypeError, ValueError):
        raise UsageError(f"arrays: elements must be (low, high) or a hypothesis strategy "
                         f"such as domain('log'); got {elements!r}") from None
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low, high = max(int(np.ceil(lo)), info.min), min(int(np.floor(hi)), info.max)
        if low > high:  # hypothesis would say 'Cannot have max_value=0 < min_value=1'
            raise UsageError(f"arrays: no {dtype} value lies in [{lo}, {hi}] (the dtype holds "
                             f"{info.min}..{info.max}); widen the elements bounds")
        return st.integers(low, high), dtype
    if dtype.kind != "f":
        raise UsageError(f"arrays: dtype must be bool, integer or float; got {dtype}")
    return floats_of(dtype, lo, hi), dtype


@st.composite
def arrays(draw: Callable, shape: int | tuple[int, ...] | st.SearchStrategy | None = None,
           dtype: Any = np.float64, elements: Any = (-10.0, 10.0),
           noncontiguous: bool | None = None, unique: bool = False) -> np.ndarray:
    """NumPy arrays of ``shape`` (an int or a tuple as in NumPy, or drawn from ``shapes()``
    when None) and ``dtype``.

    ``elements`` is ``(low, high)`` (inclusive, no NaN/inf, also after rounding to a
    float16/float32 ``dtype``; cut to its finite range) or a hypothesis strategy,
    e.g. ``domain("log")`` (its values are rounded to ``dtype``; one that would
    overflow to inf there is a UsageError). ``noncontiguous=True`` returns a strided
    view (every other element of a larger array, or a transposed array); ``None`` draws
    either kind. ``unique=True`` makes the elements distinct (in ``dtype``)::

        @given(arrays((2, 3), elements=(-1, 1), noncontiguous=True))
        def test_view(a): assert a.shape == (2, 3)
    """
    if shape is None or isinstance(shape, st.SearchStrategy):
        shape = draw(shapes() if shape is None else shape)
    shape, dtype = as_shape(shape, "arrays"), as_dtype(dtype, "arrays")  # an int: as NumPy
    noncontiguous = as_flag(noncontiguous, "noncontiguous", "arrays", allow_none=True)
    element, draw_dtype = _element_strategy(dtype, elements)
    if as_flag(unique, "unique", "arrays"):
        check_unique_fits(shape, dtype, elements, "arrays")
    if noncontiguous is None:
        noncontiguous = draw(st.booleans())
    base_shape, make_view = strided_view(draw, shape) if noncontiguous else (shape, None)
    # unique=True holds in the view: what a strided view skips may repeat (a base of
    # twice as many distinct values was often more than the elements have)
    skips = unique and make_view is not None and np.prod(base_shape) > np.prod(shape)
    base = draw(array_strategy(draw_dtype, base_shape, element, unique and not skips))
    if skips:
        make_view(base)[...] = draw(array_strategy(draw_dtype, shape, element, True))
    base = base.astype(dtype, copy=False)
    return make_view(base) if make_view is not None else base


def tensors(shape: int | tuple[int, ...] | st.SearchStrategy | None = None,
            dtype: Any = np.float64, elements: Any = (-10.0, 10.0),
            requires_grad: bool = False, noncontiguous: bool | None = None,
            unique: bool = False) -> st.SearchStrategy[Tensor]:
    """``autograd.Tensor`` leaves wrapping ``arrays(...)`` (same arguments; the array is
    shared, so a non-contiguous view stays one)::

        @given(tensors(shapes(min_dims=1), elements=domain("sqrt"), requires_grad=True))
        def test_sqrt(x): autograd.gradcheck(autograd.sqrt, [x])
    """
    if shape is not None and not isinstance(shape, st.SearchStrategy):
        shape = as_shape(shape, "tensors")  # a named error now, not at the first draw
    requires_grad = as_flag(requires_grad, "requires_grad", "tensors")
    as_flag(noncontiguous, "noncontiguous", "tensors", allow_none=True)
    as_flag(unique, "unique", "tensors")
    return arrays(shape, dtype, elements, noncontiguous, unique).map(
        lambda array: Tensor(array, requires_grad=requires_grad))


# ------------------------------------------------------------------ axes and indices
def axes(ndim: int, allow_none: bool = True,
         allow_tuple: bool = True) -> st.SearchStrategy[int | tuple[int, ...] | None]:
    """A valid ``axis=`` for an ``ndim``-d array: None, an int in ``[-ndim, ndim)`` or a
    tuple of distinct axes (possibly empty, each written positive or negative)::

        @given(st.data())
        def test_sum(data):
            x = data.draw(arrays(shape=(2, 3)))
            axis = data.draw(axes(x.ndim))
    """
    if not _is_count(ndim):
        raise UsageError(f"axes: ndim must be an int >= 0 (x.ndim); got {ndim!r:.40}")
    allow_none, allow_tuple = (as_flag(allow_none, "allow_none", "axes"),
                               as_flag(allow_tuple, "allow_tuple", "axes"))
    kinds = (["none"] if allow_none else []) + (["int"] if ndim > 0 else []) + \
        (["tuple"] if allow_tuple else [])
    if not kinds:
        raise UsageError(f"axes: a {ndim}-d array has no int axis; allow None or tuples")
    return _axes(int(ndim), kinds)


@st.composite
def _axes(draw: Callable, ndim: int, kinds: list[str]) -> int | tuple[int, ...] | None:
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    if ndim == 0:
        return ()
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    return tuple(a - ndim if draw(st.booleans()) else a for a in chosen)


def _basic_part(draw: Callable, n: int) -> Any:
    """An int (when the axis is not empty), a slice or a full slice for an axis of size n."""
    kinds = ["slice", "full"] + (["int"] if n > 0 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "full":
        return slice(None)
    bound = st.none() | st.integers(-n - 1, n + 1)
    return slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, -1, -2])))


def index_expressions(shape: tuple[int, ...], allow_arrays: bool = True,
                      allow_newaxis: bool = True) -> st.SearchStrategy[Any]:
    """A valid index for an array of ``shape``: basic (ints, slices with steps, ``None``,
    ``...``) or with one integer array (indices may repeat, which a VJP must accumulate)::

        @given(st.data())
        def test_getitem(data):
            x = data.draw(tensors((3, 4), requires_grad=True))
            index = data.draw(index_expressions(x.shape))
            autograd.gradcheck(lambda t: t[index], [x])
    """
    return _indices(as_shape(shape, "index_expressions", for_arrays=False),
                    as_flag(allow_arrays, "allow_arrays", "index_expressions"),
                    as_flag(allow_newaxis, "allow_newaxis", "index_expressions"))


@st.composite
def _indices(draw: Callable, shape: tuple[int, ...], allow_arrays: bool,
             allow_newaxis: bool) -> Any:
    parts = [_basic_part(draw, n) for n in shape]
    sized = [k for k, n in enumerate(shape) if n > 0]
    if allow_arrays and sized and draw(st.booleans()):
        axis = draw(st.sampled_from(sized))
        n = shape[axis]
        picks = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5))
        parts[axis] = np.array(picks, dtype=np.intp)
        for k in range(len(parts)):  # keep the result layout simple: no other ints
            if k != axis and isinstance(parts[k], int):
                parts[k] = slice(None)
    cut = draw(st.integers(0, len(parts)))
    has_array = [isinstance(p, np.ndarray) for p in parts]
    if draw(st.booleans()):  # x[..., parts for the last axes]
        cut = 0 if any(has_array[:cut]) else cut
        parts = [Ellipsis] + parts[cut:]
    else:  # x[parts for the first axes], the others left out (':'), maybe x[parts, ...]
        cut = len(parts) if any(has_array[cut:]) else cut
        parts = parts[:cut] + ([Ellipsis] if draw(st.booleans()) else [])
    if allow_newaxis and draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]
    return tuple(parts)


# ------------------------------------------------------------------ domains
def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _away_from(points: Sequence[float], lo: float, hi: float,
               gap: float = 0.1) -> st.SearchStrategy[float]:
    """Floats in [lo, hi] at least ``gap`` away from each of the sorted ``points``."""
    edges = [lo] + [e for p in points for e in (p - gap, p + gap)] + [hi]
    return st.one_of(*[_floats(a, b) for a, b in zip(edges[::2], edges[1::2])])


def _grid(offset: float = 0.0, half_width: float = 10.0) -> st.SearchStrategy[float]:
    """Multiples of 2 * GRID_SPACING (+ offset): distinct values are far apart next to a
    finite-difference step, so no perturbation turns a winner into a tie."""
    step = 2 * GRID_SPACING
    n = int(half_width / step)
    return st.integers(-n, n).map(lambda k: round(k * step + offset, 12))


_SMOOTH = _floats(-2.0, 2.0)
_POSITIVE = _floats(0.1, 5.0)
_NONZERO = _away_from([0.0], -3.0, 3.0)
_TIE_FREE = _grid()
_TIE_FREE_OTHER = _grid(offset=GRID_SPACING)  # never equal to a value of _TIE_FREE
_OFF_ZERO = _away_from([0.0], -3.0, 3.0, gap=0.5)
#: |x| in [0.8, 1.25]: products of up to 16 such stay within 0.03..35, where central
#: differences of their (second) derivatives are not drowned by rounding (|x| near 2 gave
#: 2^16 and a false gradgradcheck failure)
_OFF_ZERO_SMALL = _away_from([0.0], -1.25, 1.25, gap=0.8)
#: k/2 + 1/4: a quarter away from every integer (floor, ceil) and half (round).
_OFF_STEPS = st.integers(-8, 7).map(lambda k: k / 2 + 0.25)
#: divisors for _OFF_STEPS: a / b stays 1/8 or more away from every integer (a // b, a % b)
_STEP_DIVISORS = st.sampled_from([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
#: distinct multiples of 0.1 in [-5, 5] (sort and norm_inf never meet ties)
_TENTHS = st.integers(-50, 50).map(lambda k: k / 10)

#: For each op, one element strategy per input (the last one serves any further
#: inputs). Values stay away from kinks, poles and ties; draw with ``unique=True`` for
#: max, min and std, whose ties are between elements of the same array.
DOMAINS: Mapping[str, tuple[st.SearchStrategy[float], ...]] = {
    **{name: (_SMOOTH,) for name in (
        "add", "sub", "mul", "neg", "matmul", "exp", "tanh", "sigmoid", "sum", "mean",
        "var", "logsumexp", "softmax", "log_softmax", "where", "astype", "reshape",
        "transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to", "concatenate",
        "stack", "getitem")},
    "div": (_SMOOTH, _away_from([0.0], -3.0, 3.0, gap=0.5)),
    "rdiv": (_away_from([0.0], -3.0, 3.0, gap=0.5),),          # c / x
    "pow": (_floats(0.5, 2.0), _SMOOTH),                       # positive base
    "rpow": (_SMOOTH,),                                         # c ** x, c > 0
    "log": (_POSITIVE,),
    "sqrt": (_POSITIVE,),
    "relu": (_NONZERO,),
    "abs": (_NONZERO,),
    "clip": (_away_from(list(CLIP_BOUNDS), -3.0, 3.0),),
    "max": (_TIE_FREE,),
    "min": (_TIE_FREE,),
    "std": (_TIE_FREE,),
    "maximum": (_TIE_FREE, _TIE_FREE_OTHER),
    "minimum": (_TIE_FREE, _TIE_FREE_OTHER),
    "nextafter": (_TIE_FREE, _TIE_FREE_OTHER),  # x != y (the gradient in x is 0 at x = y)
    # trig.py, special.py, scans.py, shape.py, indexing.py, linalg_more.py, einsum.py
    **{name: (_SMOOTH,) for name in (
        "sin", "cos", "arctan", "sinh", "cosh", "arcsinh", "expm1", "square", "erf", "erfc",
        "erfcx", "softplus",
        "cumsum", "flip", "roll", "pad", "tile", "repeat", "tril", "triu", "diagonal",
        "trace", "dot", "outer", "einsum", "tensordot", "take_along_axis", "index_put")},
    "prod": (_OFF_ZERO_SMALL,),
    "cumprod": (_OFF_ZERO_SMALL,),
    "tan": (_floats(-1.2, 1.2),),
    "arcsin": (_floats(-0.9, 0.9),),
    "arccos": (_floats(-0.9, 0.9),),
    "arctanh": (_floats(-0.9, 0.9),),
    "arccosh": (_floats(1.1, 5.0),),
    "arctan2": (_OFF_ZERO, _SMOOTH),  # y != 0: off the branch cut and the origin
    "log1p": (_floats(-0.5, 5.0),),
    "log2": (_POSITIVE,),
    "log10": (_POSITIVE,), "lgamma": (_POSITIVE,), "digamma": (_POSITIVE,),
    # zeta(x, q): NaN for x < 1, pole at x = 1; q > 0 (no derivative in x is implemented)
    "zeta": (_floats(1.5, 5.0), _POSITIVE),
    "i0": (_SMOOTH,), "i1": (_SMOOTH,), "i0e": (_NONZERO,), "i1e": (_NONZERO,),  # |x| kinks
    "reciprocal": (_OFF_ZERO,),
    "sign": (_NONZERO,),
    "floor": (_OFF_STEPS,),
    "ceil": (_OFF_STEPS,),
    "round": (_OFF_STEPS,),
    "floor_divide": (_OFF_STEPS, _STEP_DIVISORS),
    "remainder": (_OFF_STEPS, _STEP_DIVISORS),
    "fmod": (_OFF_STEPS, _STEP_DIVISORS),
    "sort": (_TENTHS,),
    # norm(x, ord) by its order: 2 (also Frobenius), 1, inf
    "norm2": (_OFF_ZERO_SMALL,),
    "norm1": (_NONZERO,),
    "norm_inf": (_TENTHS.filter(lambda v: v != 0),),
}
#: The other names autograd exports (PyTorch's ``clamp`` and ``cat``; ``index_add``
#: moves values as ``index_put`` does) share their op's domain.
DOMAINS = {**DOMAINS, "clamp": DOMAINS["clip"], "cat": DOMAINS["concatenate"],
           "index_add": DOMAINS["index_put"]}


def domain(op_name: str, arg: int = 0) -> st.SearchStrategy[float]:
    """Element strategy for input ``arg`` of ``op_name`` (a key of ``DOMAINS``).

    ``domain("log")`` is positive and >= 0.1, ``domain("relu")`` keeps |x| >= 0.1,
    ``domain("clip")`` stays 0.1 away from ``CLIP_BOUNDS``, ``domain("div", 1)`` keeps the
    denominator |x| >= 0.5, ``domain("maximum", 0)`` and ``domain("maximum", 1)`` never
    produce equal values::

        a = data.draw(arrays(elements=domain("maximum", 0)))
        b = data.draw(arrays(elements=domain("maximum", 1)))
    """
    if not _is_count(arg):
        raise UsageError(f"domain: arg (which input) must be an int >= 0; got {arg!r:.40}")
    try:
        per_input = DOMAINS[op_name]
    except KeyError:
        raise UnknownOpError(f"domain: no domain for op {op_name!r}; known ops: "
                       f"{', '.join(sorted(DOMAINS))}") from None
    return per_input[min(arg, len(per_input) - 1)]

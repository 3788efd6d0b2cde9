"""Element strategies for the ops added after ``autograd.testing.DOMAINS``: one strategy
per input (the last serves further inputs), away from poles, kinks and jumps."""

from __future__ import annotations

from hypothesis import strategies as st


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(bound: float = 3.0, gap: float = 0.5) -> st.SearchStrategy[float]:
    return floats(-bound, -gap) | floats(gap, bound)


SMOOTH = floats(-2.0, 2.0)
POSITIVE = floats(0.1, 5.0)
#: k/2 + 1/4: a quarter away from every integer (floor, ceil) and half (round).
OFF_STEPS = st.integers(-8, 7).map(lambda k: k / 2 + 0.25)
#: distinct multiples of 0.1: sort and argmax never meet ties
TIE_FREE = st.integers(-50, 50).map(lambda k: k / 10)

DOMAINS = {
    **{name: (SMOOTH,) for name in (
        "sin", "cos", "arctan", "sinh", "cosh", "expm1", "square", "erf", "softplus",
        "cumsum", "flip", "roll", "pad", "tile", "repeat", "tril", "triu", "diagonal",
        "trace", "dot", "outer", "einsum", "tensordot", "take_along_axis", "index_put")},
    "prod": (away_from_zero(2.0, 0.2),),
    "cumprod": (away_from_zero(2.0, 0.2),),
    "norm2": (away_from_zero(2.0, 0.2),),
    "tan": (floats(-1.2, 1.2),),
    "arcsin": (floats(-0.9, 0.9),),
    "arccos": (floats(-0.9, 0.9),),
    "arctan2": (away_from_zero(), SMOOTH),  # y != 0: off the branch cut and the origin
    "log1p": (floats(-0.5, 5.0),),
    "log2": (POSITIVE,),
    "log10": (POSITIVE,),
    "reciprocal": (away_from_zero(),),
    "sign": (away_from_zero(gap=0.1),),
    "floor": (OFF_STEPS,),
    "ceil": (OFF_STEPS,),
    "round": (OFF_STEPS,),
    "norm1": (away_from_zero(gap=0.1),),
    "norm_inf": (TIE_FREE.filter(lambda v: v != 0),),
    "sort": (TIE_FREE,),
}

"""The engine's ops: each a ``Function`` with its forward and VJP, and the functions that
apply them. ``autograd`` re-exports the functions; the classes stay here."""

from .arithmetic import add, div, mul, neg, pow, sub
from .elementwise import (abs, astype, clip, compare, exp, log, maximum, minimum, relu,
                          sigmoid, sqrt, tanh, where)
from .linalg import matmul
from .reductions import (log_softmax, logsumexp, max, mean, min, softmax, std, sum, var)
from .special import (ceil, erf, expm1, floor, log1p, log2, log10, reciprocal, round, sign,
                      softplus, square)
from .trig import arccos, arcsin, arctan, arctan2, cos, cosh, sin, sinh, tan
from .indexing import (At, flip, index_add, index_put, pad, repeat, roll, take_along_axis,
                       tile, tril, triu)
from .scans import argmax, argmin, argsort, cumprod, cumsum, norm, prod, sort
from .linalg_more import (cholesky, det, diagonal, dot, einsum, inv, outer, slogdet, solve,
                          tensordot, trace)
from .reductions import pick_axis
from .shape import (broadcast_to, concatenate, expand_dims, getitem, reshape, squeeze,
                    stack, swapaxes, transpose)

__all__ = ["add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "tanh",
           "sigmoid", "relu", "maximum", "minimum", "where", "clip", "astype", "compare",
           "matmul", "sum", "mean", "var", "std", "max", "min", "logsumexp", "softmax",
           "log_softmax", "reshape", "transpose", "swapaxes", "expand_dims", "squeeze",
           "broadcast_to", "concatenate", "stack", "getitem",
           # trig.py, special.py
           "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
           "log1p", "expm1", "log2", "log10", "square", "reciprocal", "erf", "softplus",
           "sign", "floor", "ceil", "round",
           # scans.py
           "prod", "cumsum", "cumprod", "norm", "argmax", "argmin", "sort", "argsort",
           # linalg_more.py
           "dot", "outer", "einsum", "tensordot", "trace", "diagonal", "det", "slogdet",
           "inv", "solve", "cholesky",
           # indexing.py
           "take_along_axis", "flip", "roll", "pad", "tile", "repeat", "tril", "triu",
           "index_put", "index_add", "At", "pick_axis"]

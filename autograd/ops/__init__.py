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
           "sign", "floor", "ceil", "round"]

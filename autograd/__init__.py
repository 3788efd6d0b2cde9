"""autograd: a small, readable automatic-differentiation engine on NumPy.

``Tensor`` records the operations applied to it; ``backward()`` applies one
vector-Jacobian product per op in reverse order. Addition distributes the gradient,
matmul switches it. See README.md for a tour; ``autograd.extend`` defines new ops.
"""

from . import _numpy_version  # noqa: F401  (first: refuses NumPy 1.x)
from . import errors, extend
from .differentiate import backward, grad
from .errors import (AnomalyError, AutogradError, AxisError, BackwardError, DataError,
                     DTypeError, GradcheckError, GraphFreedError, InplaceError, ShapeError,
                     UsageError, VJPError)
from .extend import Function
from .functions import (abs, add, astype, broadcast_to, clip, concatenate, div, exp,
                        expand_dims, log, log_softmax, logsumexp, matmul, max, maximum, mean,
                        min, minimum, mul, neg, pow, relu, reshape, sigmoid, softmax, sqrt,
                        squeeze, stack, std, sub, sum, swapaxes, tanh, transpose, var, where)
from .grad_mode import (detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled,
                        no_grad, set_grad_enabled)
from .gradcheck import gradcheck, gradgradcheck, numerical_grad
from .tensor import Tensor, as_tensor, tensor

__version__ = "0.1.0"

__all__ = [
    # tensors and differentiation
    "Tensor", "tensor", "as_tensor", "backward", "grad", "Function", "extend",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "detect_anomaly", "is_anomaly_enabled",
    "gradcheck", "gradgradcheck", "numerical_grad",
    # ops
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "tanh",
    "sigmoid", "relu", "maximum", "minimum", "where", "clip", "astype", "matmul",
    "sum", "mean", "var", "std", "max", "min", "logsumexp", "softmax", "log_softmax",
    "reshape", "transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to",
    "concatenate", "stack",
    # errors
    "errors", "AutogradError", "DataError", "DTypeError", "ShapeError", "AxisError",
    "BackwardError", "GraphFreedError", "InplaceError", "VJPError", "AnomalyError",
    "GradcheckError", "UsageError",
]

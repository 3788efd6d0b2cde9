"""PyTorch's in-place activation functions: ``relu_``, ``elu_``, ``leaky_relu_``,
``hardtanh_``, ``selu_``, ``celu_``, ``threshold_`` and ``rrelu_``. Each writes the
values of its out-of-place twin (``F.relu`` ...) into the given Tensor and returns it.

They follow the engine's rules for in-place writes (``Tensor.relu_`` and the others):
the write bumps the tensor's version, so a graph that saved its old values refuses to
backward (``InplaceError``). On a tensor computed by recorded ops, while grad is
recorded, the write is recorded as PyTorch records it (``x[...] = F.relu(x)``, through
``Tensor.copy_``); a leaf that requires grad is refused with PyTorch's message. Under
``autograd.no_grad()`` any tensor may be written, as in PyTorch.
"""

from __future__ import annotations

from typing import Any, Callable

from autograd import Tensor, is_grad_enabled
from autograd.errors import DTypeError, InplaceError

from .._random import RNGLike
from ..errors import ArgumentTypeError
from .activations import elu, hardtanh, leaky_relu, relu
from .more_activations import celu, rrelu, selu, threshold

__all__ = ["relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "threshold_",
           "rrelu_"]


def _write(name: str, x: Any, function: Callable[[Tensor], Tensor],
           floats_only: bool = True) -> Tensor:
    """``x`` overwritten with ``function(x)`` (computed without recording) and returned,
    under the rules of the module docstring."""
    if not isinstance(x, Tensor):
        raise ArgumentTypeError(f"{name} writes its result into a Tensor; got "
                                f"{type(x).__name__}. Use {name[:-1]}(x), which returns a "
                                f"new tensor, or wrap the array: autograd.Tensor(array).")
    if x.requires_grad and is_grad_enabled() and x.is_leaf:
        raise InplaceError(f"{name}: a leaf Variable that requires grad is being used "
                           f"in an in-place operation. Write x = F.{name[:-1]}(x), or "
                           f"do the update under autograd.no_grad().")
    if floats_only and x.dtype.kind != "f":
        raise DTypeError(f"{name} needs a floating tensor (its values are not integers), as "
                         f"PyTorch; got {x.dtype}. Convert it first: "
                         f"x = x.astype(np.float64).")
    return x.copy_(function(x))  # while recording, on a computed x: x[...] = F.relu(x)


def relu_(input: Tensor) -> Tensor:
    """input = max(input, 0), in place (integer tensors too); returns input."""
    return _write("relu_", input, relu, floats_only=False)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """input = elu(input, alpha), in place; returns input."""
    return _write("elu_", input, lambda x: elu(x, alpha))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """input = leaky_relu(input, negative_slope), in place; returns input."""
    return _write("leaky_relu_", input,
                  lambda x: leaky_relu(x, negative_slope=negative_slope))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """input clipped to [min_val, max_val], in place (integer tensors too)."""
    return _write("hardtanh_", input, lambda x: hardtanh(x, min_val, max_val),
                  floats_only=False)


def selu_(input: Tensor) -> Tensor:
    """input = selu(input), in place; returns input."""
    return _write("selu_", input, selu)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """input = celu(input, alpha), in place; returns input."""
    return _write("celu_", input, lambda x: celu(x, alpha))


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """input = value where input <= threshold, in place (integer tensors too)."""
    return _write("threshold_", input, lambda x: _threshold(x, threshold, value),
                  floats_only=False)


_threshold = threshold  # the function, shadowed by the argument's name in threshold_


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False, *, generator: RNGLike = None) -> Tensor:
    """input = rrelu(input, lower, upper, training), in place: in training each negative
    element is scaled by its own slope from U(lower, upper), drawn from ``generator``."""
    return _write("rrelu_", input,
                  lambda x: rrelu(x, lower, upper, training, generator=generator))

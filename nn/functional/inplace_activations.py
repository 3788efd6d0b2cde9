"""PyTorch's in-place activation functions: ``relu_``, ``elu_``, ``leaky_relu_``,
``hardtanh_``, ``selu_``, ``celu_``, ``threshold_`` and ``rrelu_``. Each writes the
values of its out-of-place twin (``F.relu`` ...) into the given Tensor and returns it.

They follow the engine's rules for in-place writes (``inplace_write.write_in_place``):
the version bump seen by a saved graph, PyTorch's error on a leaf that requires grad, a
computed tensor's write recorded as PyTorch records it, anything under ``no_grad()``.
"""

from __future__ import annotations


from autograd import Tensor

from .._random import RNGLike
from .inplace_write import write_in_place
from .activations import elu, hardtanh, leaky_relu, relu
from .more_activations import celu, rrelu, selu, threshold

__all__ = ["relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "threshold_",
           "rrelu_"]


def relu_(input: Tensor) -> Tensor:
    """input = max(input, 0), in place (integer tensors too); returns input."""
    return write_in_place("relu_", input, relu, floats_only=False)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """input = elu(input, alpha), in place; returns input."""
    return write_in_place("elu_", input, lambda x: elu(x, alpha))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """input = leaky_relu(input, negative_slope), in place; returns input."""
    return write_in_place("leaky_relu_", input,
                  lambda x: leaky_relu(x, negative_slope=negative_slope))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """input clipped to [min_val, max_val], in place (integer tensors too)."""
    return write_in_place("hardtanh_", input, lambda x: hardtanh(x, min_val, max_val),
                  floats_only=False)


def selu_(input: Tensor) -> Tensor:
    """input = selu(input), in place; returns input."""
    return write_in_place("selu_", input, selu)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """input = celu(input, alpha), in place; returns input."""
    return write_in_place("celu_", input, lambda x: celu(x, alpha))


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """input = value where input <= threshold, in place (integer tensors too)."""
    return write_in_place("threshold_", input, lambda x: _threshold(x, threshold, value),
                  floats_only=False)


_threshold = threshold  # the function, shadowed by the argument's name in threshold_


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False, *, generator: RNGLike = None) -> Tensor:
    """input = rrelu(input, lower, upper, training), in place: in training each negative
    element is scaled by its own slope from U(lower, upper), drawn from ``generator``."""
    return write_in_place("rrelu_", input,
                  lambda x: rrelu(x, lower, upper, training, generator=generator))

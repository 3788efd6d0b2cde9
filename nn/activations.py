"""Activations as modules (for ``Sequential``), each a thin wrapper of ``nn.functional``.

Names and defaults follow PyTorch; ``axis`` replaces ``dim`` (``dim=`` and the ``dim``
attribute work too). Only ``PReLU`` has a parameter (its learned negative slope). See
``nn.functional.activations`` for the math and the conventions at kinks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import AxisError

from . import functional as F
from . import init as nn_init
from .functional.activations import (check_hardtanh_bounds, check_inplace,
                                     check_softplus_beta, check_temperature)
from ._checks import integer, real_number
from .containers import FUSED_PAIRS
from .layers import Linear, factory_dtype, warn_wider_input
from .module import Module, Parameter
from .errors import ConfigError

__all__ = ["Step", "Heaviside", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU",
           "GELU", "SiLU", "Swish", "Softmax", "LogSoftmax", "Softplus", "LogSigmoid",
           "Hardtanh"]


def _inplace_repr(inplace: bool, separator: str = "") -> str:
    """PyTorch shows ``inplace=True`` only when it is set."""
    return f"{separator}inplace=True" if inplace else ""


class Step(Module):
    """The perceptron's step: 1 where x > 0, else 0. Zero gradient everywhere (it cannot
    be trained by gradient descent)."""

    def forward(self, x: Any) -> Tensor:
        return F.step(x)


class Heaviside(Module):
    """H(x) = 1 for x > 0, ``value_at_zero`` at 0, 0 for x < 0. Zero gradient."""

    def __init__(self, value_at_zero: float = 0.0) -> None:
        super().__init__()
        self.value_at_zero = real_number("Heaviside", "value_at_zero", value_at_zero,
                                         finite=False)

    def forward(self, x: Any) -> Tensor:
        return F.heaviside(x, self.value_at_zero)

    def extra_repr(self) -> str:
        return f"value_at_zero={self.value_at_zero}"


class Sigmoid(Module):
    """sigma(x) = 1 / (1 + e^-x)."""

    def forward(self, input: Any) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x)."""

    def forward(self, input: Any) -> Tensor:
        return F.tanh(input)


class ReLU(Module):
    """max(x, 0), with relu'(0) = 0. ``inplace=True`` (here and in ``LeakyReLU``, ``ELU``,
    ``SiLU``, ``Hardtanh``) writes the result into the input and returns it, as PyTorch
    (``F.relu_``): a program that reuses the input afterwards sees the new values."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = check_inplace("ReLU", inplace)

    def forward(self, input: Any) -> Tensor:
        return F.relu(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise (derivative negative_slope at 0).
    ``inplace=True`` writes into the input, as ``ReLU``'s."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = real_number("LeakyReLU", "negative_slope", negative_slope)
        self.inplace = check_inplace("LeakyReLU", inplace)

    def forward(self, input: Any) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + _inplace_repr(self.inplace, ", ")


class Hardtanh(Module):
    """x clipped to [min_val, max_val], gradient 1 strictly inside (``F.hardtanh``)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        check_hardtanh_bounds("Hardtanh", min_val, max_val)
        if min_val == max_val:  # the module is stricter than F.hardtanh, as PyTorch's
            raise ConfigError(f"Hardtanh: max_val must be greater than min_val; got both "
                              f"{min_val!r} (every output would be that constant)")
        self.min_val, self.max_val = min_val, max_val
        self.inplace = check_inplace(type(self).__name__, inplace)  # ReLU6's too

    def forward(self, input: Any) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + _inplace_repr(self.inplace, ", "))


class PReLU(Module):
    """Leaky ReLU with a learned slope: x for x > 0, weight * x otherwise.

    ``num_parameters=1`` shares one slope; ``num_parameters=C`` learns one per channel
    (axis 1 of the input). The slopes start at ``init`` (0.25, as PyTorch), and
    ``reset_parameters()`` sets them back to it. ``device`` and ``dtype`` come in
    PyTorch's positions, as the other layers' (the CPU only; the slopes' dtype, float64 by
    default)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = integer("PReLU", "num_parameters", num_parameters, minimum=1,
                                      advice="Use 1, or the number of channels.")
        self.init = real_number("PReLU", "init", init)
        self.weight = Parameter(np.full(self.num_parameters, self.init,
                                        factory_dtype("PReLU", device, dtype)))
        self._dtype_warned = False  # DTypePromotionWarning: once per layer, as Linear
        self.reset_parameters()  # as PyTorch: a subclass's override runs at construction

    def reset_parameters(self) -> None:
        """Every slope back to ``init``, in place (as PyTorch)."""
        nn_init.constant_(self.weight, self.init)

    def forward(self, input: Any) -> Tensor:
        if not self._dtype_warned:  # float64 data into float32 slopes: said once
            warn_wider_input(self, input, self.weight.dtype)
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """x for x > 0, alpha (e^x - 1) otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = real_number("ELU", "alpha", alpha)
        self.inplace = check_inplace("ELU", inplace)

    def forward(self, input: Any) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_repr(self.inplace, ", ")


class GELU(Module):
    """x Phi(x) (``approximate="none"``, exact) or its tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ConfigError(f"GELU: approximate must be 'none' (exact) or 'tanh'; "
                              f"got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Any) -> Tensor:
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x sigma(x) (swish with beta = 1)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = check_inplace("SiLU", inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)

    def forward(self, input: Any) -> Tensor:
        return F.silu(input, self.inplace)


class Swish(Module):
    """x sigma(beta x) with a fixed ``beta``."""

    def __init__(self, beta: float = 1.0) -> None:
        super().__init__()
        self.beta = real_number("Swish", "beta", beta)

    def forward(self, x: Any) -> Tensor:
        return F.swish(x, self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta}"


class DimAttribute:
    """PyTorch's ``dim`` attribute of a module that keeps its axis in ``axis`` (Softmax,
    Softmin, GLU...): reading it gives the axis, setting it changes what forward uses."""

    axis: int | None

    @property
    def dim(self) -> int | None:
        return self.axis

    @dim.setter
    def dim(self, value: int | None) -> None:
        self.axis = value


class Softmax(DimAttribute, Module):
    """softmax(x / temperature) along ``axis`` (or PyTorch's ``dim``); not given, the last
    for up to 2-d input (with PyTorch's warning) and an error for more (``F.softmax``)."""

    def __init__(self, axis: int | None = None, temperature: float = 1.0, *,
                 dim: int | None = None) -> None:
        super().__init__()
        if dim is not None and axis is not None:
            raise AxisError(f"{type(self).__name__}: got axis={axis} and dim={dim}; pass one")
        self.axis = axis if dim is None else dim
        self.temperature = check_temperature(type(self).__name__, temperature)

    def forward(self, input: Any) -> Tensor:
        return F.softmax(input, self.axis, temperature=self.temperature)

    def extra_repr(self) -> str:
        extra = f", temperature={self.temperature}" if self.temperature != 1 else ""
        return f"dim={self.axis}{extra}"  # PyTorch's name of the axis


class LogSoftmax(Softmax):
    """log softmax(x / temperature) along ``axis`` (stable)."""

    def forward(self, input: Any) -> Tensor:
        return F.log_softmax(input, self.axis, temperature=self.temperature)


class Softplus(Module):
    """(1 / beta) ln(1 + e^{beta x}), linear above ``threshold`` (PyTorch's)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = check_softplus_beta("Softplus", beta)
        self.threshold = real_number("Softplus", "threshold", threshold, finite=False)

    def forward(self, input: Any) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    """ln sigmoid(x), without overflow."""

    def forward(self, input: Any) -> Tensor:
        return F.logsigmoid(input)


FUSED_PAIRS[Linear, ReLU] = Linear.forward_relu  # Sequential: Linear then ReLU, one op

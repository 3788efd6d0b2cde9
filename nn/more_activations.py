"""More of PyTorch's activation modules, each a thin wrapper of
``nn.functional.more_activations`` (see it for the math and the conventions at kinks).

Names, defaults and reprs follow PyTorch; ``axis`` replaces ``dim`` (``dim=`` is
accepted too, and ``m.dim`` reads and sets the axis). ``inplace=True`` writes into the
input, as PyTorch.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd import softmax
from autograd.errors import AxisError, ShapeError

from .activations import DimAttribute, Hardtanh
from .functional import more_activations as F
from .functional.activations import check_inplace
from ._checks import real_number
from ._random import RNGLike, as_generator
from .module import Module

__all__ = ["ReLU6", "SELU", "CELU", "Mish", "Hardsigmoid", "Hardswish", "Softsign",
           "Softmin", "GLU", "Hardshrink", "Softshrink", "Tanhshrink", "Threshold", "RReLU",
           "Softmax2d"]


class _InplaceActivation(Module):
    """An activation whose only option is PyTorch's ``inplace`` flag."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = check_inplace(type(self).__name__, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU6(Hardtanh):
    """min(max(x, 0), 6): ``Hardtanh(0, 6)``, as PyTorch's (a subclass, with its
    ``min_val`` = 0.0 and ``max_val`` = 6.0 attributes)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def forward(self, input: Any) -> Tensor:
        return F.relu6(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""  # as PyTorch's: no bounds shown


class SELU(_InplaceActivation):
    """scale * elu(x, alpha) with PyTorch's self-normalising constants."""

    def forward(self, input: Any) -> Tensor:
        return F.selu(input, self.inplace)


class CELU(Module):
    """x for x > 0, alpha (e^{x / alpha} - 1) otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = F.check_celu_alpha("CELU", alpha)
        self.inplace = check_inplace("CELU", inplace)

    def forward(self, input: Any) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Mish(_InplaceActivation):
    """x tanh(softplus(x))."""

    def forward(self, input: Any) -> Tensor:
        return F.mish(input, self.inplace)


class Hardsigmoid(_InplaceActivation):
    """relu6(x + 3) / 6."""

    def extra_repr(self) -> str:
        return ""  # PyTorch's Hardsigmoid and Hardswish do not show inplace

    def forward(self, input: Any) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class Hardswish(_InplaceActivation):
    """x relu6(x + 3) / 6."""

    def extra_repr(self) -> str:
        return ""  # as PyTorch's

    def forward(self, input: Any) -> Tensor:
        return F.hardswish(input, self.inplace)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input: Any) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input: Any) -> Tensor:
        return F.tanhshrink(input)


class _AxisActivation(DimAttribute, Module):
    """An activation along one axis: ``axis`` (NumPy's word) or PyTorch's ``dim``."""

    default_axis: int | None = -1

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        super().__init__()
        if dim is not None and axis is not None:
            raise AxisError(f"{type(self).__name__}: got axis={axis} and dim={dim}; pass one")
        self.axis = dim if dim is not None else self.default_axis if axis is None else axis

    def extra_repr(self) -> str:
        return f"dim={self.axis}"  # PyTorch's name of the axis


class Softmin(_AxisActivation):
    """softmax(-x) along ``axis`` (as ``Softmax``: the last for up to 2-d input when not
    given, an error for more)."""

    default_axis = None

    def forward(self, input: Any) -> Tensor:
        return F.softmin(input, self.axis)


class GLU(_AxisActivation):
    """a * sigmoid(b), a and b the two halves of x along ``axis``."""

    def forward(self, input: Any) -> Tensor:
        return F.glu(input, self.axis)


class Softmax2d(Module):
    """softmax over the channels at each location of (N, C, H, W) or (C, H, W) inputs
    (axis -3), as PyTorch's ``nn.Softmax2d``."""

    def forward(self, input: Any) -> Tensor:
        ndim = getattr(input, "ndim", None)
        if ndim not in (3, 4):
            shape = getattr(input, "shape", input)
            raise ShapeError(f"Softmax2d expects an input of shape (N, C, H, W) or "
                             f"(C, H, W), as PyTorch; got shape {shape}. "
                             f"For another axis use Softmax(axis=...).")
        return softmax(input, axis=-3)


class Hardshrink(Module):
    """x where |x| > lambd, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = real_number("Hardshrink", "lambd", lambd)

    def forward(self, input: Any) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    """x - lambd for x > lambd, x + lambd for x < -lambd, else 0 (lambd >= 0)."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = F.check_softshrink_lambd("Softshrink", lambd)

    def forward(self, input: Any) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Threshold(Module):
    """x where x > threshold, else ``value`` (both required, as in PyTorch)."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = real_number("Threshold", "threshold", threshold, finite=False)
        self.value = real_number("Threshold", "value", value, finite=False)
        self.inplace = check_inplace("Threshold", inplace)

    def forward(self, input: Any) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, value={self.value}"
                + (", inplace=True" if self.inplace else ""))


class RReLU(Module):
    """Randomized leaky ReLU: x for x > 0, a x otherwise, a ~ U(lower, upper) per element
    in training (drawn from ``rng``, kept as ``self.rng``, so ``fit``'s resume restores
    it), a = (lower + upper) / 2 in evaluation (see ``F.rrelu``)."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False,
                 *, rng: RNGLike = None) -> None:
        super().__init__()
        self.lower, self.upper = F.check_rrelu_bounds("RReLU", lower, upper)
        self.inplace = check_inplace("RReLU", inplace)
        self.rng = as_generator(rng)

    def forward(self, input: Any) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace,
                       generator=self.rng)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else "")

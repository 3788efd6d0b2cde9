"""``Unfold`` and ``Fold``: PyTorch's layers for sliding blocks of 2-d images as columns,
and back (they call ``F.unfold`` / ``F.fold``; no parameters). Their arguments are kept
as given (checked when built), as PyTorch's, for the repr."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from .functional.fold import block_arguments, fold, unfold
from .functional.windows import int_tuple
from .module import Module

__all__ = ["Unfold", "Fold"]


class Unfold(Module):
    """PyTorch's ``nn.Unfold(kernel_size, dilation=1, padding=0, stride=1)``: the sliding
    blocks of (N, C, H, W) input as columns (N, C kH kW, L) (see ``F.unfold``)."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        block_arguments("Unfold", kernel_size, dilation, padding, stride)
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input: Any) -> Tensor:
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """PyTorch's ``nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1)``:
    columns (N, C kH kW, L) added back into an (N, C, *output_size) image, the adjoint of
    ``Unfold`` with the same arguments (see ``F.fold``)."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1,
                 padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        int_tuple("Fold", "output_size", output_size, 2, minimum=0)
        block_arguments("Fold", kernel_size, dilation, padding, stride)
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Any) -> Tensor:
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                    self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")

"""More of PyTorch's loss modules: ``KLDivLoss`` (knowledge distillation).

Each wraps the function of the same name in ``nn.functional`` (see it for the math), as
the modules of ``nn.losses`` do: ``reduction`` first, PyTorch's deprecated
``size_average`` / ``reduce`` keyword-only.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from . import functional as F
from ._checks import flag
from .losses import _Loss

__all__ = ["KLDivLoss"]


class KLDivLoss(_Loss):
    """KL(p || q) terms p (log p - log q) for ``criterion(input, target)`` with input =
    log q and target = p (or log p with ``log_target=True``), reduced by ``reduction``:
    "batchmean" (the KL per sample), "sum", "none", or "mean" (per element, with
    PyTorch's warning at each call). See ``F.kl_div``."""

    def __init__(self, reduction: str = "mean", log_target: bool = False, *,
                 size_average: bool | None = None, reduce: bool | None = None) -> None:
        legacy = size_average is not None or reduce is not None  # they replace reduction
        super().__init__("mean" if reduction == "batchmean" and not legacy else reduction,
                         size_average=size_average, reduce=reduce)
        if reduction == "batchmean" and not legacy:
            self.reduction = reduction
        self.log_target = flag("KLDivLoss", "log_target", log_target)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, log_target={self.log_target}"

"""More of PyTorch's loss modules: ``KLDivLoss`` (knowledge distillation),
``MultiLabelMarginLoss``, ``TripletMarginWithDistanceLoss`` and ``CTCLoss``.

Each wraps the function of the same name in ``nn.functional`` (see it for the math), as
the modules of ``nn.losses`` do: ``reduction`` first, PyTorch's deprecated
``size_average`` / ``reduce`` keyword-only.
"""

from __future__ import annotations

from typing import Any, Callable

from autograd import Tensor

from . import functional as F
from .functional.loss_base import check_number
from ._checks import flag
from .errors import ArgumentTypeError
from .losses import _Loss
from .module import Module
from .more_layers import PairwiseDistance

__all__ = ["KLDivLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss", "CTCLoss"]


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


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge on scores (N, C) with each sample's classes listed in
    ``target`` (integers, ended by -1): ``criterion(input, target)``; see
    ``F.multilabel_margin_loss``."""

    def __init__(self, *, reduction: str = "mean", size_average: bool | None = None,
                 reduce: bool | None = None) -> None:
        super().__init__(reduction, size_average=size_average, reduce=reduce)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """max(0, d(a, pos) - d(a, neg) + margin) with any distance d:
    ``criterion(anchor, positive, negative)``. ``distance_function`` defaults to
    ``PairwiseDistance()``, kept as a submodule when it is a module (as PyTorch)."""

    def __init__(self, *, distance_function: Callable[..., Any] | None = None,
                 margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> None:
        name = "TripletMarginWithDistanceLoss"
        margin = check_number(name, "margin", margin, minimum=0, open_min=True)
        if distance_function is not None and not callable(distance_function):
            raise ArgumentTypeError(f"{name}: distance_function must be a callable of two "
                                    f"tensors or None; got "
                                    f"{type(distance_function).__name__}.")
        super().__init__(reduction)
        self.distance_function: Callable[..., Any] | Module = (
            PairwiseDistance() if distance_function is None else distance_function)
        self.margin, self.swap = margin, flag(name, "swap", swap)

    def forward(self, anchor: Any, positive: Any, negative: Any) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class CTCLoss(_Loss):
    """The connectionist temporal classification loss:
    ``criterion(log_probs, targets, input_lengths, target_lengths)``, with log_probs
    (T, N, C); ``blank`` is the blank class. See ``F.ctc_loss``."""

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction)
        self.blank = blank
        self.zero_infinity = flag("CTCLoss", "zero_infinity", zero_infinity)

    def forward(self, log_probs: Any, targets: Any, input_lengths: Any,
                target_lengths: Any) -> Tensor:
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)

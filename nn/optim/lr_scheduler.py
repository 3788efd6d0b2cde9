"""PyTorch's path to the learning-rate schedulers: ``nn.optim.lr_scheduler.StepLR`` (as
``torch.optim.lr_scheduler.StepLR``).

The classes are those of ``nn.optim`` itself, not copies
(``nn.optim.lr_scheduler.StepLR is nn.optim.StepLR``); they live in ``schedulers.py``,
``cyclic.py``, ``plateau.py``, ``more_schedulers.py`` and ``one_cycle.py``. PyTorch's
schedulers that nn.optim lacks (``ChainedScheduler``) raise ``MemberNotFoundError`` (an
``AttributeError``) naming those it has.
"""
from typing import Any

from .cyclic import CosineAnnealingWarmRestarts, CyclicLR
from .more_schedulers import ConstantLR, LambdaLR, MultiplicativeLR, PolynomialLR
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau
from ..errors import MemberNotFoundError
from .schedulers import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    LinearWarmup,
    LRScheduler,
    MultiStepLR,
    SequentialLR,
    StepLR,
)

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "LinearWarmup",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "SequentialLR",
    "ReduceLROnPlateau", "LambdaLR", "MultiplicativeLR", "ConstantLR",
    "PolynomialLR", "OneCycleLR",
]

_TORCH_ONLY = ("ChainedScheduler",)


def __getattr__(name: str) -> Any:
    """Only called for a name the module lacks: PyTorch's schedulers that nn.optim does not
    have get a message saying so (other names: Python's own AttributeError)."""
    if name in _TORCH_ONLY:
        raise MemberNotFoundError(
            f"nn.optim.lr_scheduler has no {name} (PyTorch's torch.optim.lr_scheduler does); "
            f"it has {', '.join(__all__)}. For another schedule, set each "
            f"optimizer.param_groups[i]['lr'] yourself before each step.")
    raise AttributeError(f"module 'nn.optim.lr_scheduler' has no attribute {name!r}")

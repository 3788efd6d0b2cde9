"""PyTorch's path to the learning-rate schedulers: ``nn.optim.lr_scheduler.StepLR`` (as
``torch.optim.lr_scheduler.StepLR``).

The classes are those of ``nn.optim`` itself, not copies
(``nn.optim.lr_scheduler.StepLR is nn.optim.StepLR``); they live in ``schedulers.py``,
``cyclic.py``, ``plateau.py``, ``more_schedulers.py`` and ``one_cycle.py``, their base
class ``LRScheduler`` in ``scheduler_base.py``. Every name
of PyTorch's ``torch.optim.lr_scheduler.__all__`` is here, and ``_LRScheduler``, the base
class's name before PyTorch 2.0 (not in its ``__all__`` either), which custom schedulers
still subclass.
"""
from .cyclic import CosineAnnealingWarmRestarts, CyclicLR
from .more_schedulers import (ChainedScheduler, ConstantLR, LambdaLR, MultiplicativeLR,
                              PolynomialLR, SequentialLR)
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau
from .schedulers import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    LinearWarmup,
    LRScheduler,
    MultiStepLR,
    StepLR,
)

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "LinearWarmup",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "SequentialLR",
    "ReduceLROnPlateau", "LambdaLR", "MultiplicativeLR", "ConstantLR",
    "PolynomialLR", "OneCycleLR", "ChainedScheduler",
]


class _LRScheduler(LRScheduler):  # noqa: N801 (PyTorch's name)
    """PyTorch's ``torch.optim.lr_scheduler._LRScheduler``, the base class before 2.0 and
    a subclass of ``LRScheduler`` there too: a scheduler written as its subclass
    (overriding ``get_lr()``) runs unchanged."""

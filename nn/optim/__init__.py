"""Optimizers and learning-rate schedulers (PyTorch names, defaults and update rules).

Optimizers update ``p.data`` in place with plain NumPy, outside any autograd graph.
The schedulers are also reachable under PyTorch's path, ``nn.optim.lr_scheduler``.
"""
from . import lr_scheduler, schedulers
from .adam import Adam, AdamW
from .adaptive import Adagrad, RMSprop
from .cyclic import CosineAnnealingWarmRestarts, CyclicLR
from .more_schedulers import (ChainedScheduler, ConstantLR, LambdaLR, MultiplicativeLR,
                              PolynomialLR)
from .one_cycle import OneCycleLR
from .optimizer import Optimizer
from .plateau import ReduceLROnPlateau
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
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW",
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "LinearWarmup",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "SequentialLR",
    "ReduceLROnPlateau", "LambdaLR", "MultiplicativeLR", "ConstantLR",
    "PolynomialLR", "OneCycleLR", "ChainedScheduler", "lr_scheduler", "schedulers",
]

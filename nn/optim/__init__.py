"""Optimizers and learning-rate schedulers (PyTorch names, defaults and update rules).

Optimizers update ``p.data`` in place with plain NumPy, outside any autograd graph.
The schedulers are also reachable under PyTorch's path, ``nn.optim.lr_scheduler``
(``nn.optim.lr_scheduler.StepLR is nn.optim.StepLR``).
"""
from . import lr_scheduler, schedulers
from . import swa_utils  # PyTorch's torch.optim.swa_utils (AveragedModel, SWALR, update_bn)
from .adafactor import Adafactor
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .adaptive import Adadelta, Adagrad, RMSprop
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .lr_scheduler import (ChainedScheduler, ConstantLR, CosineAnnealingLR,
                           CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR, LambdaLR,
                           LinearLR, LinearWarmup, LRScheduler, MultiplicativeLR, MultiStepLR,
                           OneCycleLR, PolynomialLR, ReduceLROnPlateau, SequentialLR, StepLR)
from .optimizer import Optimizer
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam",
    "Adadelta", "Rprop", "LBFGS", "SparseAdam", "Adafactor", "Muon", "ASGD",
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "LinearWarmup",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "SequentialLR",
    "ReduceLROnPlateau", "LambdaLR", "MultiplicativeLR", "ConstantLR", "PolynomialLR",
    "OneCycleLR", "ChainedScheduler", "lr_scheduler", "schedulers",
    "swa_utils",
]

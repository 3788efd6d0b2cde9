"""Optimizers and learning-rate schedulers (PyTorch names, defaults and update rules).

Optimizers update ``p.data`` in place with plain NumPy, outside any autograd graph.
The schedulers are listed once, in ``lr_scheduler`` (PyTorch's path,
``nn.optim.lr_scheduler.StepLR``), and are also here (``nn.optim.StepLR``).
"""
from . import lr_scheduler, schedulers
from .adam import Adam, AdamW
from .adaptive import Adagrad, RMSprop
from .lr_scheduler import *  # noqa: F401,F403  (every scheduler: lr_scheduler.__all__)
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW",
           *lr_scheduler.__all__, "lr_scheduler", "schedulers"]

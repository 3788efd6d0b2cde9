"""Training: ``fit`` (mini-batches, validation, callbacks, checkpoints, exact resume,
Ctrl-C), ``History``, the Keras-named callbacks and metrics."""
from .callbacks import (Callback, EarlyStopping, GradientClipping, KLAnnealing, LRScheduler,
                        ModelCheckpoint)
from .history import History
from .metrics import accuracy
from .more_callbacks import CSVLogger, LambdaCallback, LearningRateScheduler, TerminateOnNaN
from .resume import model_generators
from .trainer import ResumeError, Trainer, fit

__all__ = ["fit", "Trainer", "History", "Callback", "EarlyStopping", "ModelCheckpoint",
           "LRScheduler", "KLAnnealing", "GradientClipping", "TerminateOnNaN", "CSVLogger",
           "LambdaCallback", "LearningRateScheduler", "accuracy", "ResumeError", "model_generators"]

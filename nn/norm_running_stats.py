"""How ``BatchNorm*d`` and ``InstanceNorm*d`` (``normalization._NormBase``) treat their
running statistics ``running_mean``, ``running_var`` and ``num_batches_tracked``, by
PyTorch's rules (``torch.nn.modules.batchnorm``):

- batch statistics normalise in training, and in evaluation when ``running_mean`` and
  ``running_var`` are both None: the buffers decide, not ``track_running_stats``
  (``uses_batch_statistics``);
- the running statistics are updated only in training with ``track_running_stats``
  (``statistics_to_pass``), and then the batch is counted in ``num_batches_tracked``
  (``momentum_of_step``);
- a checkpoint without ``num_batches_tracked`` keeps the layer's count, and one with
  running statistics for an instance norm that keeps none is refused (the loading
  helpers, called by the layers' ``_load_from_state_dict``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import ShapeError, UsageError

from .errors import ConfigError
from .module import Module

__all__ = ["uses_batch_statistics", "statistics_to_pass", "momentum_of_step",
           "one_value_error", "zero_eps_error", "reset_running_stats",
           "keep_count_of_old_checkpoint", "refuse_untracked_running_stats"]


def uses_batch_statistics(norm: Module) -> bool:
    """True in training, and in evaluation when the layer has no running statistics
    (``running_mean`` and ``running_var`` both None), as PyTorch's ``_BatchNorm``."""
    return norm.training or (norm.running_mean is None and norm.running_var is None)


def statistics_to_pass(norm: Module) -> tuple[Tensor | None, Tensor | None]:
    """``(running_mean, running_var)`` for ``F.batch_norm``: the buffers in evaluation
    (to normalise with) and in training with ``track_running_stats`` (to update), else
    ``(None, None)``, so that training with the flag off leaves them alone."""
    if not norm.training or norm.track_running_stats:
        return norm.running_mean, norm.running_var
    return None, None


def momentum_of_step(norm: Module) -> float:
    """Count a training batch of a tracking layer in ``num_batches_tracked`` and return
    the momentum m of running <- (1 - m) running + m batch: ``norm.momentum``, or for
    ``momentum=None`` (a cumulative average) m = 1 / batches counted.

    A layer without the counter (set to None) is not counted, as PyTorch's, unless the
    cumulative average needs it: then it is created at 0 (PyTorch would use m = 0 and
    silently never update the statistics)."""
    counter = norm.num_batches_tracked
    if counter is None and norm.momentum is None and norm.running_mean is not None:
        norm.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        counter = norm.num_batches_tracked
    if counter is not None:
        counter.data[...] += 1
        counter.bump_version()  # a write, as the statistics' update
    if norm.momentum is not None:
        return norm.momentum
    return 0.0 if counter is None else 1.0 / float(counter.data)


def one_value_error(norm: Module, shape: tuple[int, ...]) -> ShapeError:
    """The error for a batch with one value per channel normalised with batch
    statistics (its variance is 0: every output would be the bias)."""
    has_stats = norm.running_mean is not None
    why = ("track_running_stats=False" if not norm.track_running_stats else
           "running_mean and running_var are None")
    mode = ("in training mode" if norm.training else
            f"in evaluation mode without running statistics ({why}: batch statistics are "
            f"used)")
    remedy = ("call .eval() to use the running statistics" if has_stats else
              "build it with track_running_stats=True to have running statistics for "
              ".eval()")
    return ShapeError(f"{type(norm).__name__} {mode} needs more than one value per channel "
                      f"to estimate a variance; got input shape {shape}. Use a batch of 2 "
                      f"or more, or {remedy}.")


def zero_eps_error(norm: Module) -> ConfigError:
    """The error for a batch norm built with eps=0 that normalises with batch statistics
    (PyTorch refuses it too): a channel whose values are all equal has variance 0, and
    x_hat = (x - mean) / sqrt(var + eps) would be 0 / 0. eps=0 works with running ones."""
    mode = ("in training mode" if norm.training else
            "in evaluation mode without running statistics")
    return ConfigError(f"{type(norm).__name__} with eps=0 cannot normalise with batch "
                       f"statistics {mode}, as PyTorch's: a constant channel would be "
                       f"0 / sqrt(0). Build it with eps > 0, e.g. 1e-5 (eps=0 works in "
                       f"evaluation mode with running statistics).")


def reset_running_stats(norm: Module) -> None:
    """running_mean = 0, running_var = 1 and num_batches_tracked = 0 (if the layer has
    the counter); a ``UsageError`` if the layer tracks (``track_running_stats=True``)
    but has no running statistics, e.g. built with the flag off and switched on later."""
    if norm.running_mean is None or norm.running_var is None:
        raise UsageError(
            f"{type(norm).__name__}.reset_running_stats(): track_running_stats=True but "
            f"running_mean or running_var is None (the layer was built with "
            f"track_running_stats=False, or they were set to None), so there is nothing "
            f"to reset; build the layer with track_running_stats=True to keep running "
            f"statistics, or set track_running_stats back to False")
    buffers = (norm.running_mean, norm.running_var, norm.num_batches_tracked)
    for buffer, start in zip(buffers, (0, 1, 0)):
        if buffer is not None:
            buffer.data[...] = start
            buffer.bump_version()


def keep_count_of_old_checkpoint(norm: Module, state_dict: dict[str, Any],
                                 prefix: str) -> None:
    """Give ``state_dict`` (the loader's copy) this layer's ``num_batches_tracked``, if
    the layer has one, when the dict has none: PyTorch 0.3's checkpoints, which
    torchvision's DenseNet loader still renames, and dicts rebuilt key by key. PyTorch
    does so for a dict with no version in its ``_metadata``; this library's state dicts
    carry no version, so every dict is treated so."""
    key = prefix + "num_batches_tracked"
    counter = norm.num_batches_tracked
    if norm.track_running_stats and counter is not None and key not in state_dict:
        state_dict[key] = counter.detach().numpy().copy()


def refuse_untracked_running_stats(norm: Module, state_dict: dict[str, Any], prefix: str,
                                   error_msgs: list[str]) -> None:
    """PyTorch's ``_InstanceNorm`` check: running statistics in ``state_dict`` for an
    instance norm with ``track_running_stats=False`` (a checkpoint from before PyTorch
    0.4, when instance norms kept them by default) are an error, also with
    ``strict=False``; the keys are removed from the loader's copy, so that they are
    reported once."""
    if norm.track_running_stats:
        return
    keys = [prefix + name for name in ("running_mean", "running_var")
            if prefix + name in state_dict]
    if not keys:
        return
    klass, names = type(norm).__name__, " and ".join(f'"{key}"' for key in keys)
    error_msgs.append(
        f"Unexpected running stats buffer(s) {names} for {klass} "
        f"with track_running_stats=False. If state_dict is a checkpoint saved before "
        f"0.4.0, this may be expected because {klass} does not track running stats by "
        f"default since 0.4.0. Please remove these keys from state_dict. If the running "
        f"stats are actually needed, instead set track_running_stats=True in {klass} to "
        f"enable them.")
    for key in keys:
        del state_dict[key]

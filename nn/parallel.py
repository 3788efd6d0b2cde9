"""PyTorch's ``torch.nn.parallel`` wrappers on a machine with one device: ``DataParallel``
forwards to the module it wraps (as PyTorch's does without a GPU), and
``DistributedDataParallel``, which needs processes, is a named error."""
from __future__ import annotations

from typing import Any

from autograd.errors import UnsupportedError

from .module import Module

__all__ = ["DataParallel", "DistributedDataParallel"]


class DataParallel(Module):
    """y = module(x): PyTorch's ``DataParallel`` where no GPU is found, which keeps the
    module as ``self.module`` (so its state dict's keys start with ``module.``, as a
    checkpoint saved from one has) and runs it in this process. ``device_ids``,
    ``output_device`` and ``dim`` are accepted and, as there, unused (``device_ids``
    reads ``[]``)."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[Any] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(Module):
    """Refused with ``UnsupportedError``: PyTorch's trains one replica per process, with
    gradients averaged across processes; here training runs in one process."""

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        raise UnsupportedError(
            "DistributedDataParallel: there is one process and one device here (NumPy on "
            "the CPU), and no process group to average gradients over. Train the module "
            "itself in one process (or wrap it in nn.DataParallel, which forwards to it).")

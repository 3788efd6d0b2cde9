"""PyTorch DataLoader options that configure its worker processes: ``prefetch_factor``,
``worker_init_fn``, ``timeout``, ``multiprocessing_context``, ``pin_memory_device`` and
``in_order``. Batches are read in this process here, so they change nothing; they are
accepted as PyTorch accepts them (Hugging Face's ``Trainer`` passes
``worker_init_fn=seed_worker, prefetch_factor=None`` with ``num_workers=0``), with
PyTorch's ValueError where a value needs workers."""
from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext
from typing import Any

from .._checks import is_integer, is_real
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["WORKER_OPTION_DEFAULTS", "worker_options"]

# PyTorch's defaults, in its order
WORKER_OPTION_DEFAULTS: dict[str, Any] = {
    "timeout": 0, "worker_init_fn": None, "multiprocessing_context": None,
    "prefetch_factor": None, "pin_memory_device": "", "in_order": True}


def worker_options(num_workers: int, given: dict[str, Any]) -> dict[str, Any]:
    """The worker options ``given`` to a DataLoader, completed with PyTorch's defaults
    (``prefetch_factor`` becomes 2 with workers, as there). An unknown name is a TypeError
    (ArgumentTypeError), as Python's; a value that needs workers while ``num_workers ==
    0`` (``prefetch_factor``, ``multiprocessing_context``, a ``timeout`` > 0) is a
    ConfigError with PyTorch's message; a ``timeout`` that is no number is an
    ArgumentTypeError; a ``worker_init_fn`` with workers is a
    ConfigError, as no worker would call it here."""
    for name in given:
        if name not in WORKER_OPTION_DEFAULTS:
            raise ArgumentTypeError(f"DataLoader.__init__() got an unexpected keyword "
                                    f"argument {name!r}")
    options = {**WORKER_OPTION_DEFAULTS, **given}
    timeout = options["timeout"]
    if not is_real(timeout):
        raise ArgumentTypeError(f"DataLoader: timeout option should be a number of seconds "
                                f"(0: no timeout); got {type(timeout).__name__} {timeout!r}")
    if timeout < 0:
        raise ConfigError("DataLoader: timeout option should be non-negative")
    if num_workers == 0 and timeout > 0:  # PyTorch's AssertionError, when iterated
        raise ConfigError(f"DataLoader: timeout={timeout!r} bounds the wait for a worker's "
                          f"batch, and with num_workers=0 there are no workers "
                          f"(_SingleProcessDataLoaderIter requires timeout == 0): leave "
                          f"timeout out, or set it to 0")
    prefetch_factor = options["prefetch_factor"]
    if num_workers == 0 and prefetch_factor is not None:
        raise ConfigError("DataLoader: prefetch_factor option could only be specified in "
                          "multiprocessing. let num_workers > 0 to enable multiprocessing, "
                          "otherwise set prefetch_factor to None.")
    if num_workers > 0 and prefetch_factor is None:
        options["prefetch_factor"] = 2
    elif prefetch_factor is not None and not (is_integer(prefetch_factor)
                                              and prefetch_factor >= 0):
        raise ConfigError(f"DataLoader: prefetch_factor option should be a non-negative int "
                          f"(batches loaded in advance by each worker); got "
                          f"{prefetch_factor!r}")
    context = options["multiprocessing_context"]
    if num_workers == 0 and context is not None:
        raise ConfigError("DataLoader: multiprocessing_context can only be used with "
                          "multi-process loading (num_workers > 0), but got num_workers=0")
    if isinstance(context, str) and context not in multiprocessing.get_all_start_methods():
        raise ConfigError(f"DataLoader: multiprocessing_context option should specify a "
                          f"valid start method in {multiprocessing.get_all_start_methods()!r}"
                          f", but got multiprocessing_context={context!r}")
    if not (context is None or isinstance(context, (str, BaseContext))):
        raise ArgumentTypeError(f"DataLoader: multiprocessing_context option should be a "
                                f"valid context object or a string naming the start method, "
                                f"but got {type(context).__name__} {context!r}")
    if num_workers > 0 and options["worker_init_fn"] is not None:
        raise ConfigError("DataLoader: worker_init_fn runs in worker processes, and batches "
                          "are read in this process here (num_workers changes nothing), so "
                          "nothing would call it: pass num_workers=0 (PyTorch then never "
                          "calls it either), or call it yourself once before the loop")
    return options

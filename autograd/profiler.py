"""``autograd.profiler``: PyTorch's ``record_function`` (``torch.autograd.profiler`` and
``torch.profiler``), which training loops wrap around their phases to label them in a
profiler's trace (StyleGAN2-ADA's ``with torch.autograd.profiler.record_function(
'Gmain_forward'):``). Outside a profiler run PyTorch's does nothing else, and there is no
profiler here, so it is a context manager and decorator that runs the code unchanged and
keeps the label. Profiling itself (``profile``, ``schedule``...) is a ``MissingNameError``
saying how to time code instead."""

from __future__ import annotations

import functools
from typing import Any, Callable

from .errors import UsageError, module_attribute_error

__all__ = ["record_function"]


class record_function:  # noqa: N801 (PyTorch's name)
    """``with record_function(name):`` or ``@record_function(name)``: runs the code as is
    (nothing records a trace here); ``name`` is kept as ``.name``, ``args`` as ``.args``."""

    def __init__(self, name: str, args: str | None = None) -> None:
        if not isinstance(name, str):
            raise UsageError(f"record_function: name must be a str (the label); got "
                             f"{type(name).__name__}")
        self.name, self.args = name, args

    def __enter__(self) -> record_function:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def labelled(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)
        return labelled


def __getattr__(name: str) -> object:
    """Any other profiler name: a ``MissingNameError`` (an AttributeError)."""
    raise module_attribute_error("autograd.profiler", name, "there is no profiler here, "
                                 "only record_function (a no-op label); time code with "
                                 "time.perf_counter() or Python's cProfile")

"""Switches for graph recording: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode`` (PyTorch's name; here an alias of ``no_grad``), ``detect_anomaly``.

The state is per thread, as PyTorch's: a ``no_grad()`` block or a backward pass in one
thread never changes what another thread records. Each switch works as a context
manager and as a decorator (also of generator functions: the mode holds while the
generator's own code runs, not while its caller's does). ``no_grad`` may decorate
without parentheses, and ``set_grad_enabled(False)`` called as a plain function
switches the mode until it is switched back, as in PyTorch.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable

import numpy as np

from .errors import UsageError

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "inference_mode", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "is_inference_mode_enabled"]


class _State(threading.local):
    """The switches of the current thread; ops read ``STATE.grad_enabled`` on every call."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False
        self.anomaly_check_nan = True  # detect_anomaly(check_nan=False): origins only
        self.inference = False  # inside inference_mode() (is_inference_mode_enabled)


STATE = _State()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (in this thread)."""
    return STATE.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (in this thread)."""
    return STATE.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection checks for NaN/Inf (``check_nan=True``)."""
    return STATE.anomaly and STATE.anomaly_check_nan


class _Switch:
    """Set ``STATE.<field>`` to ``value`` for a block, a function or a generator."""

    field = "grad_enabled"

    def __init__(self, value: bool) -> None:
        self.value = bool(value)
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(getattr(STATE, self.field))
        setattr(STATE, self.field, self.value)

    def __exit__(self, *exc: Any) -> None:
        setattr(STATE, self.field, self._previous.pop())

    def _fresh(self) -> "_Switch":
        """An independent switch with the same setting (one per call of a decorated
        function, so calls in several threads do not share a stack)."""
        switch = _Switch(self.value)
        switch.field = self.field
        return switch

    def __call__(self, func: Callable) -> Callable:
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return func(*args, **kwargs)
        return wrapper

    def _wrap_generator(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            generator = func(*args, **kwargs)
            resume = functools.partial(generator.send, None)
            while True:
                with self._fresh():  # the generator's code runs under the mode
                    try:
                        item = resume()
                    except StopIteration as stop:
                        return stop.value
                try:
                    sent = yield item  # the caller's code runs under its own mode
                except GeneratorExit:
                    with self._fresh():
                        generator.close()
                    raise
                except BaseException as exc:  # thrown in: pass it to the generator
                    resume = functools.partial(generator.throw, exc)
                else:
                    resume = functools.partial(generator.send, sent)
        return wrapper


class set_grad_enabled(_Switch):
    """Turn recording on or off: ``with set_grad_enabled(flag):``, as a decorator, or
    called as a plain function, which switches at once (``set_grad_enabled(False)``)."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, (bool, np.bool_)):
            raise UsageError(f"set_grad_enabled(mode): mode must be a bool (True or False), "
                             f"as in PyTorch; got {mode!r}")
        super().__init__(mode)
        self._before_call = STATE.grad_enabled
        STATE.grad_enabled = self.value  # a plain call switches now, as PyTorch's

    def __enter__(self) -> None:
        self._previous.append(self._before_call)
        STATE.grad_enabled = self.value

    def __call__(self, func: Callable) -> Callable:
        STATE.grad_enabled = self._before_call  # used as a decorator: undo the switch
        return super().__call__(func)


class no_grad(_Switch):
    """Record nothing: results have ``requires_grad=False`` (evaluation, optimizer
    updates). ``@no_grad`` and ``@no_grad()`` both decorate."""

    def __new__(cls, func: Callable | None = None) -> Any:
        if func is not None:  # @no_grad without parentheses
            if not callable(func):
                raise UsageError(f"{cls.__name__}() takes no arguments (it is a context manager "
                                 f"or a decorator: with {cls.__name__}(): ... or @{cls.__name__});"
                                 f" got {func!r}")
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func: Callable | None = None) -> None:
        super().__init__(False)


class enable_grad(no_grad):
    """Record operations again, e.g. inside a ``no_grad`` block."""

    def __init__(self, func: Callable | None = None) -> None:
        _Switch.__init__(self, True)


class inference_mode(no_grad):
    """PyTorch's ``inference_mode``, an alias of ``no_grad`` in this engine: record
    nothing (``@inference_mode`` and ``@inference_mode()`` both decorate).
    ``inference_mode(False)`` records, as ``enable_grad`` (PyTorch's switches grad mode on
    too). Tensors made under it are ordinary tensors: PyTorch's "inference tensors",
    which later refuse to enter a graph, have no counterpart here."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # @inference_mode without parentheses
            return cls()(mode)
        return _Switch.__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        _Switch.__init__(self, not mode)
        self._inference_previous: list[bool] = []

    def __enter__(self) -> None:
        super().__enter__()
        self._inference_previous.append(STATE.inference)
        STATE.inference = not self.value

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        STATE.inference = self._inference_previous.pop()

    def _fresh(self) -> "_Switch":
        return inference_mode(not self.value)


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (in this thread), as PyTorch's."""
    return STATE.inference


class detect_anomaly(_Switch):
    """While on, the first op whose forward or backward yields NaN/Inf raises ``AnomalyError``.

    The error names the op and the line of user code that created it. Ops record their
    creation site while this is on, so it costs time: use it to debug, not to train.
    ``check_nan=False`` (PyTorch's) records the creation sites without the NaN/Inf checks.
    """

    field = "anomaly"

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__(True)
        self.check_nan = _flag("detect_anomaly", "check_nan", check_nan)
        self._nan_previous: list[bool] = []

    def __enter__(self) -> None:
        super().__enter__()
        self._nan_previous.append(STATE.anomaly_check_nan)
        STATE.anomaly_check_nan = self.check_nan

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        STATE.anomaly_check_nan = self._nan_previous.pop()

    def _fresh(self) -> "_Switch":
        return detect_anomaly(self.check_nan)


class set_detect_anomaly(detect_anomaly):
    """Turn anomaly detection on or off (PyTorch's ``set_detect_anomaly(mode,
    check_nan=True)``): called alone it switches at once; as a context manager or a
    decorator it holds for the block or the call."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        super().__init__(check_nan)
        self.value = _flag("set_detect_anomaly", "mode", mode)
        self._before_call = (STATE.anomaly, STATE.anomaly_check_nan)
        STATE.anomaly, STATE.anomaly_check_nan = self.value, self.check_nan

    def __enter__(self) -> None:
        self._previous.append(self._before_call[0])
        self._nan_previous.append(self._before_call[1])
        STATE.anomaly, STATE.anomaly_check_nan = self.value, self.check_nan

    def __call__(self, func: Callable) -> Callable:
        STATE.anomaly, STATE.anomaly_check_nan = self._before_call  # a decorator: undo
        return super().__call__(func)

    def _fresh(self) -> "_Switch":
        fresh = detect_anomaly(self.check_nan)
        fresh.value = self.value
        return fresh


def _flag(caller: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise UsageError(f"{caller}: {name} must be a bool (True or False), as in PyTorch; "
                         f"got {value!r}")
    return bool(value)

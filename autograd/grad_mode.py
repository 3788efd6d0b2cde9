"""Switches for graph recording: ``no_grad``, ``enable_grad``, ``detect_anomaly``.

All three work as context managers and as decorators. The state is process-wide (not
per thread), which is all a single training loop needs.
"""

from __future__ import annotations

from contextlib import ContextDecorator
from typing import Any

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "detect_anomaly", "is_anomaly_enabled"]


class _State:
    """The mutable switches; ops read ``STATE.grad_enabled`` on every call."""

    __slots__ = ("grad_enabled", "anomaly")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False


STATE = _State()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return STATE.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()``."""
    return STATE.anomaly


class set_grad_enabled(ContextDecorator):
    """Turn graph recording on or off for a block (or a decorated function)."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(STATE.grad_enabled)
        STATE.grad_enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        STATE.grad_enabled = self._previous.pop()


class no_grad(set_grad_enabled):
    """Record nothing: results have ``requires_grad=False`` (evaluation, optimizer updates)."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record operations again, e.g. inside a ``no_grad`` block."""

    def __init__(self) -> None:
        super().__init__(True)


class detect_anomaly(ContextDecorator):
    """While on, the first op whose forward or backward yields NaN/Inf raises ``AnomalyError``.

    The error names the op and the line of user code that created it. Ops record their
    creation site while this is on, so it costs time: use it to debug, not to train.
    """

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(STATE.anomaly)
        STATE.anomaly = True

    def __exit__(self, *exc: Any) -> None:
        STATE.anomaly = self._previous.pop()

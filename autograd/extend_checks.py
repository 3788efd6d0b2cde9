"""What ``autograd.extend.Function`` checks about a class written this library's way
(``forward(self, *arrays)`` and ``vjp(self, g, out, *inputs)``) when it is defined.

Mistakes in the class itself would otherwise surface only in the backward pass, as
errors that name neither the class nor the fix (``TypeError: vjp() takes 3 positional
arguments``, ``NotImplementedError``, an ``IndexError`` from ``gradient_reads`` after
some unrelated in-place write). The error found is kept and raised, as ``UsageError``,
when the class is first applied, so a base class that subclasses complete is no error.
"""

from __future__ import annotations

import inspect
from typing import Any

from . import function
from ._vjp_checks import check_gradient_reads
from .errors import UsageError

__all__ = ["classic_style_error", "defines"]

_HOW = ("an op written this library's way defines forward(self, *arrays) (the result as "
        "an array) and vjp(self, g, out, *inputs) (one gradient per input); PyTorch's "
        "way is @staticmethod forward(ctx, ...) and @staticmethod backward(ctx, g)")


def classic_style_error(cls: type) -> str | None:
    """Why ``cls`` cannot run, or None: ``forward`` or ``vjp`` missing, a ``vjp`` that
    cannot take ``g, out`` and one argument per input of ``forward``, or a malformed
    ``gradient_reads`` (one tuple of input indices per input)."""
    missing = [name for name in ("forward", "vjp") if not defines(cls, name)]
    if missing:
        return f"{cls.__name__} defines no {' and no '.join(missing)}: {_HOW}."
    forward, vjp = _positional_range(cls, "forward"), _positional_range(cls, "vjp")
    if forward is not None and vjp is not None and not _overlap(
            (forward[0] + 2, None if forward[1] is None else forward[1] + 2), vjp):
        names = ", ".join(_input_names(cls)) or "*inputs"
        inputs = _count(forward)
        plural = "" if inputs == "1" else "s"
        return (f"{cls.__name__}.vjp takes {_count(vjp)} arguments after self, and forward "
                f"takes {inputs} input{plural}: vjp gets g (dL/dout), out (forward's "
                f"result) and then each input, so write def vjp(self, g, out, {names}).")
    if cls.gradient_reads is not None:
        fixed = forward is not None and forward[0] == forward[1]
        try:
            check_gradient_reads(cls.__name__, cls.gradient_reads,
                                 forward[0] if fixed else None)
        except UsageError as error:
            return str(error)
    return None


def defines(cls: type, name: str) -> bool:
    """Whether a class below the engine's ``Function`` defines ``name``."""
    for c in cls.__mro__:
        if c is function.Function:
            return False
        if name in vars(c):
            return True
    return False


def _positional_range(cls: type, name: str) -> tuple[int, int | None] | None:
    """(fewest, most) positional arguments method ``name`` takes after self (most None
    with ``*args``); None when that cannot be read (a callable object, a builtin)."""
    raw = inspect.getattr_static(cls, name)
    if isinstance(raw, (staticmethod, classmethod)):
        func, skip = raw.__func__, int(isinstance(raw, classmethod))
    elif inspect.isfunction(raw):
        func, skip = raw, 1
    else:
        return None
    try:
        parameters = list(inspect.signature(func).parameters.values())[skip:]
    except (TypeError, ValueError):
        return None
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY,
                                                       p.POSITIONAL_OR_KEYWORD)]
    fewest = sum(p.default is p.empty for p in positional)
    variadic = any(p.kind is p.VAR_POSITIONAL for p in parameters)
    return fewest, None if variadic else len(positional)


def _overlap(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    """Whether two ranges of argument counts (upper bound None: no bound) share one."""
    low = max(a[0], b[0])
    return all(high is None or low <= high for high in (a[1], b[1]))


def _count(span: tuple[int, int | None]) -> str:
    low, high = span
    return f"{low} or more" if high is None else str(low) if low == high else f"{low} to {high}"


def _input_names(cls: Any) -> list[str]:
    """The names of ``forward``'s inputs (for the signature the error suggests)."""
    try:
        parameters = list(inspect.signature(cls.forward).parameters.values())[1:]
    except (TypeError, ValueError):
        return []
    return [p.name if p.kind is not p.VAR_POSITIONAL else f"*{p.name}" for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]

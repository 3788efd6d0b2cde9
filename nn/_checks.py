"""Checks of numeric hyper-parameters (learning rates, probabilities, sizes, flags) with
one rule for all of ``nn``:

* a value of the wrong type (a str, None, a bool, a Tensor, an array where a number is
  expected) raises ``ArgumentTypeError`` (a ``TypeError``);
* a number of the right type but out of range (a negative learning rate, NaN, a
  probability of 1.5) raises ``ConfigError`` (a ``ValueError``).

NumPy scalars (``np.float32(0.1)``, ``np.int64(3)``) are numbers; bools never are (a
``True`` in a number's place is almost always an argument in the wrong position).
Messages read ``"<owner>: <name> must be <what>; got <value!r>"``, then the caller's
advice, if any.
"""
from __future__ import annotations

import math
import numbers
import sys
from typing import Any

import numpy as np
from autograd.errors import DTypeError

from .errors import ArgumentTypeError, ConfigError

__all__ = ["is_real", "is_integer", "real_number", "integer", "whole_steps", "flag",
           "bias_flag", "is_cpu", "caller_outside_nn", "refuse_bool"]


def is_real(value: Any) -> bool:
    """True for a real number: int, float, ``Fraction``, a NumPy integer or float scalar;
    False for bools, strings, None, arrays (0-d too) and Tensors."""
    if type(value) is float or type(value) is int:  # the usual case, checked per call
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    """True for an int or a NumPy integer scalar; False for bools and floats (``3.0``)."""
    if type(value) is int:
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _bound(value: float) -> str:
    return f"{value:g}"


def _describe(noun: str, minimum: float | None, maximum: float | None, open_min: bool,
              open_max: bool) -> str:
    """``noun`` with its range: "a number > 0", "an int >= 1", "a number in [0, 1)"."""
    if minimum is not None and maximum is not None:
        left, right = "(" if open_min else "[", ")" if open_max else "]"
        return f"{noun} in {left}{_bound(minimum)}, {_bound(maximum)}{right}"
    if minimum is not None:
        return f"{noun} {'>' if open_min else '>='} {_bound(minimum)}"
    if maximum is not None:
        return f"{noun} {'<' if open_max else '<='} {_bound(maximum)}"
    return noun


def _message(owner: str, name: str, what: str, value: Any, advice: str,
             show_type: bool) -> str:
    kind = f" ({type(value).__name__})" if show_type else ""
    return (f"{owner}: {name} must be {what}; got {value!r}{kind}."
            + (f" {advice}" if advice else ""))


def _in_range(value: float, minimum: float | None, maximum: float | None, open_min: bool,
              open_max: bool) -> bool:
    """Whether ``value`` lies in the range (NaN never does when there is a bound)."""
    if minimum is not None and not (value > minimum if open_min else value >= minimum):
        return False
    if maximum is not None and not (value < maximum if open_max else value <= maximum):
        return False
    return True


def real_number(owner: str, name: str, value: Any, *, minimum: float | None = None,
                maximum: float | None = None, open_min: bool = False,
                open_max: bool = False, finite: bool = True, advice: str = "") -> float:
    """``value`` as a float, checked: a real number (else ``ArgumentTypeError``) within
    ``[minimum, maximum]`` (``open_min`` / ``open_max`` exclude the ends) and, with
    ``finite`` (the default), neither infinite nor NaN (else ``ConfigError``).
    ``advice`` is appended to either message."""
    if not is_real(value):
        raise ArgumentTypeError(_message(
            owner, name, _real_what(minimum, maximum, open_min, open_max, finite), value,
            advice, show_type=True))
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        number = math.inf if value > 0 else -math.inf
    if (finite and not math.isfinite(number)) or not _in_range(
            number, minimum, maximum, open_min, open_max):
        raise ConfigError(_message(
            owner, name, _real_what(minimum, maximum, open_min, open_max, finite), value,
            advice, show_type=False))
    return number


def _real_what(minimum: float | None, maximum: float | None, open_min: bool, open_max: bool,
               finite: bool) -> str:
    """What ``real_number`` expects, in words (built only for a message: losses and
    penalties check their numbers on every call)."""
    noun = "a finite number" if finite and (minimum is None or maximum is None) else "a number"
    return _describe(noun, minimum, maximum, open_min, open_max)


def integer(owner: str, name: str, value: Any, *, minimum: int | None = None,
            maximum: int | None = None, advice: str = "") -> int:
    """``value`` as a Python int, checked: an int or NumPy integer (else
    ``ArgumentTypeError``; a float such as ``3.0`` too) within ``[minimum, maximum]``
    (else ``ConfigError``). ``advice`` is appended to either message."""
    if not is_integer(value):
        if not advice and isinstance(value, (float, np.floating)) and float(value).is_integer():
            advice = f"Pass an int, e.g. {name}={int(value)}."
        raise ArgumentTypeError(_message(owner, name, _describe(
            "an int", minimum, maximum, False, False), value, advice, show_type=True))
    if not _in_range(value, minimum, maximum, False, False):
        raise ConfigError(_message(owner, name, _describe(
            "an int", minimum, maximum, False, False), value, advice, show_type=False))
    return int(value)


def whole_steps(owner: str, name: str, value: Any, *, minimum: int) -> int:
    """A scheduler's count of steps (a step size, a milestone, total_iters) as a Python
    int: an int, or a whole float such as ``0.5 * epochs`` (PyTorch takes one and compares
    the step counter with it). Anything else is checked as by ``integer``; a fraction is
    an ``ArgumentTypeError`` that says to round it (PyTorch skips it silently: the step
    counter never reaches it)."""
    advice = ""
    if is_real(value) and not is_integer(value) and math.isfinite(value):
        if float(value).is_integer():
            value = int(value)
        else:
            advice = (f"A count of steps is whole (the step counter never reaches {value}); "
                      f"round it, e.g. {name}={math.ceil(value)}.")
    return integer(owner, name, value, minimum=minimum, advice=advice)


def flag(owner: str, name: str, value: Any, *, advice: str = "") -> bool:
    """``value`` as a bool: True, False or a NumPy bool, else ``ArgumentTypeError`` (an
    int 0 or 1 too: in a flag's place it is usually an argument in the wrong position)."""
    if value is True or value is False:
        return value
    if not isinstance(value, np.bool_):
        if not advice and is_integer(value) and value in (0, 1):
            advice = (f"PyTorch reads {value} as {bool(value)}; write {name}={bool(value)} "
                      f"(refused here: an int in a flag's place is often a misplaced "
                      f"argument).")
        raise ArgumentTypeError(_message(owner, name, "True or False", value, advice,
                                         show_type=True))
    return bool(value)


def bias_flag(owner: str, value: Any) -> bool:
    """A layer's ``bias=`` as a bool: None is False (PyTorch's layers test ``if bias:``, and
    a program that rebuilds a layer passes another's ``module.bias``, None when it has no
    bias); anything else as ``flag``."""
    return False if value is None else flag(owner, "bias", value)


def is_cpu(device: Any) -> bool:
    """Whether ``device`` names the CPU, the only device here: None, "cpu", "cpu:0" or a
    ``torch.device("cpu")`` (read through ``str``). Each caller words its own refusal."""
    return device is None or str(device).split(":")[0] == "cpu"


def caller_outside_nn() -> int:
    """The ``stacklevel`` for ``warnings.warn`` that names the first caller outside the
    ``nn`` package (the user's ``model(x)`` or ``fit(...)`` line, however deep the layer
    sits in a Sequential or a model), counted from the function that calls this."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "nn":
        frame, level = frame.f_back, level + 1
    return level


def refuse_bool(name: str, input: Any) -> Any:
    """``input`` (a Tensor), unless it holds bools: a DTypeError naming the loss or
    function, whose formula needs numbers (NumPy cannot negate bools; PyTorch refuses
    them too)."""
    if input.dtype == np.bool_:
        raise DTypeError(f"{name}: input is a bool tensor; it needs numbers (scores, "
                         f"probabilities). Convert it first: input.double()")
    return input

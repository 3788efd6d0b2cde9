"""The earlier keyword names of the public functions, kept beside PyTorch's.

The functions name their parameters as PyTorch's (``exp(input)``, ``add(input, other)``,
``tile(input, dims)``); ``keyword_aliases(x="input")`` keeps ``exp(x=t)`` working, the
name NumPy documents (or this library used before). Positional calls are unaffected.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .errors import UsageError

__all__ = ["keyword_aliases"]


def keyword_aliases(**aliases: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator: each keyword ``old=`` given is passed on as ``aliases[old]=``
    (``keyword_aliases(x="input")``: ``f(x=t)`` is ``f(input=t)``); giving both names is
    a ``UsageError`` naming them. The signature shown stays the function's."""
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            if kwargs and not aliases.keys().isdisjoint(kwargs):
                _rename(function.__name__, aliases, kwargs)
            return function(*args, **kwargs)
        call.aliases = dict(aliases)  # type: ignore[attr-defined]  # read by the name tests
        return call
    return decorate


def _rename(name: str, aliases: dict[str, str], kwargs: dict[str, Any]) -> None:
    """``kwargs`` with the alias keywords replaced by the parameter names, in place."""
    for old, new in aliases.items():
        if old in kwargs:
            if new in kwargs:
                raise UsageError(f"{name}: got {old}= and {new}=; they are names of one "
                                 f"argument ({new}= is PyTorch's). Pass only one.")
            kwargs[new] = kwargs.pop(old)

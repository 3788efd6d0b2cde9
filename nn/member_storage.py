"""The list and dict in which the containers (``Sequential``, ``ModuleList``,
``ModuleDict``, ``ParameterList``, ``ParameterDict``) keep their items: a plain ``list``
and ``dict`` whose every in-place change calls ``members_changed()``, so that
``parameters()`` knows its kept answer is out of date (``nn.module_discovery``). The
containers' own methods, and anything else that edits their items, are covered alike.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from .module_discovery import members_changed

__all__ = ["MemberList", "MemberDict"]


def _noted(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (of list or dict), then ``members_changed()``."""
    @functools.wraps(method)
    def change(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        members_changed()
        return result
    return change


class MemberList(list):
    """A list whose in-place changes are noted (see the module)."""


class MemberDict(dict):
    """A dict whose in-place changes are noted (see the module)."""


for _name in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
              "__setitem__", "__delitem__", "__iadd__", "__imul__"):
    setattr(MemberList, _name, _noted(getattr(list, _name)))
for _name in ("__setitem__", "__delitem__", "pop", "popitem", "clear", "update",
              "setdefault", "__ior__"):
    setattr(MemberDict, _name, _noted(getattr(dict, _name)))
del _name

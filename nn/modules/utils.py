"""PyTorch's ``torch.nn.modules.utils``: the argument helpers custom layers import
(``from torch.nn.modules.utils import _pair``: ``kernel_size = _pair(kernel_size)``) and
``consume_prefix_in_state_dict_if_present``, which strips the ``module.`` prefix that
``DataParallel`` / ``DistributedDataParallel`` checkpoints carry."""

from __future__ import annotations

import collections.abc
from itertools import repeat
from typing import Any, Callable

__all__ = ["consume_prefix_in_state_dict_if_present", "_ntuple", "_single", "_pair",
           "_triple", "_quadruple", "_reverse_repeat_tuple"]


def _ntuple(n: int, name: str = "parse") -> Callable[[Any], tuple]:
    """A function giving ``tuple(x)`` for an iterable x, else x repeated n times."""
    def parse(x: Any) -> tuple:
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t: tuple, n: int) -> tuple:
    """Each element of the reversed ``t`` n times: conv padding (a, b) to F.pad's
    (b, b, a, a) with n = 2."""
    return tuple(x for x in reversed(t) for _ in range(n))


def consume_prefix_in_state_dict_if_present(state_dict: dict[str, Any], prefix: str) -> None:
    """Strip ``prefix`` from every key of ``state_dict`` that starts with it, in place (a
    renamed key moves to the end, as PyTorch's), and from its ``_metadata`` if it has one."""
    keys = list(state_dict.keys())
    for key in keys:
        if key.startswith(prefix):
            newkey = key[len(prefix):]
            state_dict[newkey] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is not None:
        for key in list(metadata.keys()):
            if len(key) == 0:
                continue
            if key == prefix.replace(".", "") or key.startswith(prefix):
                metadata[key[len(prefix):]] = metadata.pop(key)

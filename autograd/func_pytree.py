"""Nested containers ("pytrees") for ``autograd.func``: tuples (named tuples too),
lists and dicts holding tensors (or anything else: a leaf), as ``torch.utils._pytree``.

``flatten(tree)`` gives the leaves in order and a ``spec`` that ``unflatten(spec,
leaves)`` uses to rebuild the same structure around new leaves. ``broadcast_prefix``
spreads a prefix of a tree (``in_dims=(None, 0)`` for arguments that are dicts) over
the tree's leaves.
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError
from .tensor import Tensor

__all__ = ["flatten", "unflatten", "broadcast_prefix", "leaf_count", "describe"]

_LEAF = "leaf"


def _is_node(x: Any) -> bool:
    return isinstance(x, (tuple, list, dict))


def flatten(tree: Any) -> tuple[list[Any], Any]:
    """(leaves in depth-first order, spec): dict items in their insertion order."""
    leaves: list[Any] = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(tree: Any, leaves: list[Any]) -> Any:
    if isinstance(tree, dict):
        return (dict, list(tree), [_flatten_into(v, leaves) for v in tree.values()])
    if isinstance(tree, (tuple, list)):
        return (type(tree), None, [_flatten_into(v, leaves) for v in tree])
    leaves.append(tree)
    return _LEAF


def unflatten(spec: Any, leaves: list[Any]) -> Any:
    """The structure described by ``spec`` with ``leaves`` in its places."""
    it = iter(leaves)
    return _build(spec, it)


def _build(spec: Any, it: Any) -> Any:
    if spec == _LEAF:
        return next(it)
    kind, keys, children = spec
    items = [_build(child, it) for child in children]
    if kind is dict:
        return dict(zip(keys, items))
    if kind is tuple or kind is list:
        return kind(items)
    if hasattr(kind, "_fields"):  # a named tuple
        return kind(*items)
    return kind(items)


def leaf_count(spec: Any) -> int:
    """How many leaves a tree with ``spec`` holds."""
    if spec == _LEAF:
        return 1
    return sum(leaf_count(child) for child in spec[2])


def broadcast_prefix(prefix: Any, tree: Any, what: str) -> list[Any]:
    """One entry of ``prefix`` per leaf of ``tree``: a leaf of ``prefix`` (an int or None)
    covers the whole subtree in its place; a container must match the tree's there."""
    out: list[Any] = []
    _broadcast_into(prefix, tree, out, what, "")
    return out


def _broadcast_into(prefix: Any, tree: Any, out: list[Any], what: str, path: str) -> None:
    if not _is_node(prefix):
        out.extend([prefix] * leaf_count(flatten(tree)[1]))
        return
    here = path or "the arguments"
    if isinstance(prefix, dict):
        if not isinstance(tree, dict) or set(prefix) != set(tree):
            raise UsageError(f"{what}: at {here} a dict with keys {sorted(map(str, prefix))}"
                             f" was given for {describe(tree)}; give one entry per key, or "
                             f"one int/None for the whole of it")
        for key, value in tree.items():
            _broadcast_into(prefix[key], value, out, what, f"{path}[{key!r}]")
        return
    if not isinstance(tree, (tuple, list)) or isinstance(tree, dict) or len(prefix) != len(tree):
        raise UsageError(f"{what}: at {here} a {type(prefix).__name__} of {len(prefix)} "
                         f"was given for {describe(tree)}; give one entry per item, or one "
                         f"int/None for the whole of it")
    for i, (p, t) in enumerate(zip(prefix, tree)):
        _broadcast_into(p, t, out, what, f"{path}[{i}]")


def describe(tree: Any) -> str:
    """What ``tree`` is, for messages: a Tensor's shape, a dict's keys, a sequence's length."""
    if isinstance(tree, Tensor):
        return f"a Tensor of shape {tree.shape}"
    if isinstance(tree, dict):
        return f"a dict with keys {sorted(map(str, tree))}"
    if isinstance(tree, (tuple, list)):
        return f"a {type(tree).__name__} of {len(tree)}"
    return f"a {type(tree).__name__}"

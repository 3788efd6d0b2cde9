"""The arguments and results of ``autograd.func``'s transforms: PyTorch's ``argnums``,
a function's (output, aux) pair, its outputs as float Tensors, and per-argument trees
rebuilt from flat results."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .errors import UsageError
from .func_pytree import describe, flatten, unflatten
from .tensor import Tensor

__all__ = ["check_argnums", "regroup", "split_aux", "tensor_leaves", "detached_unless",
           "float_outputs", "integer_zeros", "tangent_tree"]


def check_argnums(argnums: Any, n: int, what: str) -> tuple[bool, tuple[int, ...]]:
    """(was it one int, the positions): PyTorch's ``argnums``, an int or a tuple of ints."""
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums = (argnums,) if single else argnums
    if not isinstance(nums, tuple) or not nums or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise UsageError(f"{what}: argnums must be an int or a non-empty tuple of ints "
                         f"(positions of the arguments to differentiate); got {argnums!r}")
    for i in nums:
        if not -n <= i < n:
            raise UsageError(f"{what}: argnums {i} is out of range for {n} positional "
                             f"argument(s)")
    nums = tuple(i % n for i in nums)
    if len(set(nums)) != len(nums):
        raise UsageError(f"{what}: argnums {argnums!r} repeats an argument")
    return single, nums


def regroup(specs: list[tuple[Any, int]], flat: list[Any], single: bool) -> Any:
    """Per-argument trees from flat results (the structure of ``func._prepare``'s leaves)."""
    trees, start = [], 0
    for spec, count in specs:
        trees.append(unflatten(spec, flat[start:start + count]))
        start += count
    return trees[0] if single else tuple(trees)


def split_aux(result: Any, has_aux: bool, what: str) -> tuple[Any, Any]:
    """(output, aux) of what the function returned: the pair with ``has_aux``. The aux
    is a Tensor or a tuple, list or dict of them, as PyTorch's (which refuses numbers,
    strings and None there too)."""
    if not has_aux:
        return result, None
    if not isinstance(result, tuple) or len(result) != 2:
        raise UsageError(f"{what}: with has_aux=True the function must return a pair "
                         f"(output, aux); got {describe(result)}")
    for leaf in flatten(result[1])[0]:
        if not isinstance(leaf, Tensor):
            raise UsageError(f"{what}: with has_aux=True the aux must be Tensors (or tuples, "
                             f"lists, dicts of them), as PyTorch's; it holds "
                             f"{leaf!r:.40} ({type(leaf).__name__}). Wrap a number as "
                             f"autograd.tensor(value), or return other objects from outside "
                             f"the transform")
    return result


def tensor_leaves(out: Any, what: str) -> tuple[list[Tensor], Any]:
    """The output's Tensors, and its structure: floating-point Tensors only (an integer
    output has no derivative; torch.func refuses it too, where zeros came back)."""
    leaves, spec = flatten(out)
    for y in leaves:
        if not isinstance(y, Tensor):
            raise UsageError(f"{what}: the function must return Tensors (or tuples, lists, "
                             f"dicts of them); it returned {describe(y)} among its outputs")
        if y.dtype.kind not in "fc":
            raise UsageError(f"{what}: the function's outputs must be floating point to be "
                             f"differentiated; one is {y.dtype} (shape {y.shape}). Return "
                             f"the float values (not .long(), argmax, or a comparison)")
    return leaves, spec


def detached_unless(tree: Any, create_graph: bool) -> Any:
    """``tree`` with its tensors detached, unless the graph is kept."""
    if create_graph:
        return tree
    leaves, spec = flatten(tree)
    return unflatten(spec, [x.detach() if isinstance(x, Tensor) else x for x in leaves])


def _integer(y: Any) -> bool:
    """An integer or bool Tensor: an output with no derivative, tangent zeros of its dtype."""
    return isinstance(y, Tensor) and y.dtype.kind in "biu"


def float_outputs(func: Callable[..., Any], has_aux: bool, what: str,
                  whole: list) -> Callable[..., Any]:
    """``func`` as ``jvp``'s inner vjp differentiates it: returning the list of its
    floating-point output Tensors (and its aux); ``whole[0]`` is the output as ``func``
    returned it. Integer and bool outputs are left out (``integer_zeros``)."""
    def floats_of(*args: Any) -> Any:
        out, aux = split_aux(func(*args), has_aux, what)
        whole[:] = [out]
        floats, _ = tensor_leaves([y for y in flatten(out)[0] if not _integer(y)], what)
        return (floats, aux) if has_aux else floats
    return floats_of


def integer_zeros(out: Any, floats: list) -> tuple[Any, Any, list]:
    """(``out`` with its float leaves replaced by ``floats``, its structure, for each leaf
    None or, for an integer or bool one, its tangent: zeros of its dtype, torch.func's)."""
    leaves, spec = flatten(out)
    found = iter(floats)
    zeros = [Tensor(np.zeros(y.shape, dtype=y.dtype)) if _integer(y) else None for y in leaves]
    merged = [y.detach() if zero is not None else next(found) for y, zero in zip(leaves, zeros)]
    return unflatten(spec, merged), spec, zeros


def tangent_tree(spec: Any, zeros: list, tangents: Any) -> Any:
    """The tangents in the output's structure: the float outputs' from ``tangents`` (in
    order), the integer ones' ``zeros``."""
    found = iter(tangents)
    return unflatten(spec, [next(found) if zero is None else zero for zero in zeros])

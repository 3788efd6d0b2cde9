"""``vmap``: PyTorch's ``torch.func.vmap`` semantics, computed by a loop.

``vmap(f, in_dims, out_dims)(*args)`` calls ``f`` once per index ``b`` of the batch axis,
on the arguments with that axis taken at ``b`` (unbatched ones, ``in_dim=None``, passed
whole), and stacks each output along its ``out_dim``. This is correct, not fast: one
call of ``f`` per sample, where PyTorch runs one batched call. It composes with itself
and with the other transforms (``vmap(grad(f))``: per-sample gradients), and the slices
are differentiable, so a graph through the inputs reaches back to them.

``randomness`` (PyTorch's): ``"different"`` is what the loop does, each call drawing
fresh numbers; ``"same"`` restores the default generator's state before each call, so
every sample sees the same numbers; ``"error"`` (the default) raises ``UsageError`` when
``f`` draws from the default generator. Draws from a Generator of your own are not seen.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._random import get_rng_state, set_rng_state
from .clock import last_write
from .errors import AxisError, ShapeError, UsageError
from .func_pytree import broadcast_prefix, flatten, unflatten
from .tensor import Tensor
from .tensor_math import stack

__all__ = ["vmap", "check_randomness"]

_RANDOMNESS = ("error", "different", "same")


def check_randomness(randomness: Any, what: str) -> None:
    if randomness not in _RANDOMNESS:
        raise UsageError(f"{what}: randomness must be 'error', 'different' or 'same' (as "
                         f"in PyTorch); got {randomness!r}")


def _dim(d: Any, ndim: int, what: str, where: str) -> int | None:
    """A per-leaf dimension: None, or an int in [-ndim, ndim), made non-negative."""
    if d is None:
        return None
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
        raise UsageError(f"vmap: {what} must be ints or None (nested in tuples, lists or "
                         f"dicts like the {where}); got {d!r}")
    if not -ndim <= d < ndim:
        raise AxisError(f"vmap: {what} {d} is out of range for a {where} with {ndim} "
                        f"dimension(s)")
    return int(d) % ndim


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable[..., Any]:
    """A function mapping ``func`` over a batch axis: ``vmap(f)(x)[b] == f(x[b])``.

    ``in_dims``: the batch axis of each positional argument (None: not batched), an int
    for all of them or a tuple with one entry per argument, each an int, None, or a tuple,
    list or dict like that argument; keyword arguments are passed unbatched. ``out_dims``:
    where the batch axis goes in each output (None: an output the same for every sample,
    returned once). ``chunk_size`` (PyTorch's memory bound) changes nothing: the loop
    takes one sample at a time. An empty batch gives empty outputs, as PyTorch's (``func``
    runs once on a sample of zeros to learn their shapes and dtypes)."""
    if not callable(func):
        raise UsageError(f"vmap: expected a function to map; got {type(func).__name__}")
    if not (in_dims is None or isinstance(in_dims, (int, tuple))) or isinstance(in_dims,
                                                                                bool):
        raise UsageError(f"vmap: in_dims must be an int, None or a tuple with one entry per "
                         f"argument; got {in_dims!r}")
    check_randomness(randomness, "vmap")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise UsageError(f"vmap: chunk_size must be None or a positive int; got "
                         f"{chunk_size!r}")

    def mapped(*args: Any, **kwargs: Any) -> Any:
        if isinstance(in_dims, tuple) and len(in_dims) != len(args):
            raise UsageError(f"vmap: in_dims has {len(in_dims)} entries for "
                             f"{len(args)} positional argument(s); give one per argument")
        leaves, spec = flatten(args)
        dims = broadcast_prefix(in_dims, args, "vmap: in_dims")
        size = _batch_size(leaves, dims, in_dims)
        dims = [_dim(d, x.ndim, "in_dims", "input") if d is not None else None
                for d, x in zip(dims, leaves)]
        start = get_rng_state()
        shared = _memories(x for x, d in zip(leaves, dims) if d is None)

        def call(run: Callable[..., Any], sliced: list[Any]) -> Any:
            """``run`` on one sample's arguments, checked for writes and draws."""
            if randomness == "same":
                set_rng_state(start)
            out = run(*unflatten(spec, sliced), **kwargs)
            _check_unwritten(shared)
            _check_draws(randomness, start)
            return out

        if size == 0:
            return _empty_batch(func, call, leaves, dims, out_dims, start)
        results = [call(func, [x if d is None else x[(slice(None),) * d + (b,)]
                               for x, d in zip(leaves, dims)]) for b in range(size)]
        return _stack_outputs(results, out_dims)

    return mapped


def _check_draws(randomness: str, start: Any) -> None:
    """A UsageError if the function drew random numbers under ``randomness="error"``
    (the generator is put back first)."""
    if randomness == "error" and get_rng_state() != start:
        set_rng_state(start)
        raise UsageError("vmap: the function drew random numbers, and randomness='error' "
                         "(the default, as in PyTorch); pass randomness='different' (fresh "
                         "numbers for each sample) or 'same' (the same for all), or draw "
                         "them outside vmap")


def _empty_batch(func: Callable[..., Any], call: Callable[..., Any], leaves: list[Any],
                 dims: list[int | None], out_dims: Any, start: Any) -> Any:
    """The outputs for a batch of size 0, as PyTorch's: each has 0 along its out_dim and
    otherwise the shape and dtype ``func`` gives one sample. To learn them ``func`` runs
    once on a sample of zeros (its NumPy warnings hushed; the generator put back after,
    since no sample drew); an error there is reported as the empty batch's."""
    def on_zeros(*args: Any, **kwargs: Any) -> Any:
        try:
            with np.errstate(all="ignore"):
                return func(*args, **kwargs)
        except Exception as exc:
            raise ShapeError("vmap: the batch is empty (size 0), and the function failed "
                             "on a sample of zeros, which vmap runs to learn the outputs' "
                             "shapes; give at least one sample") from exc

    zeros = [x if d is None else Tensor(np.zeros(x.shape[:d] + x.shape[d + 1:], x.dtype))
             for x, d in zip(leaves, dims)]
    try:
        out = call(on_zeros, zeros)
    finally:
        set_rng_state(start)
    one = flatten(_stack_outputs([out], out_dims))[0]  # a batch of 1 ...
    empty = [y if d is None else y[(slice(None),) * _dim(d, y.ndim, "out_dims", "output")
                                   + (slice(0, 0),)]  # ... cut to 0 along its out_dim
             for y, d in zip(one, _out_dims(out_dims, out))]
    return unflatten(flatten(out)[1], empty)


def _memories(unbatched: Any) -> list[tuple[Tensor, np.ndarray, int]]:
    """Each unbatched Tensor argument, its array and the time of its last write."""
    return [(x, x.data, last_write(x.data)) for x in unbatched if isinstance(x, Tensor)]


def _check_unwritten(shared: list[tuple[Tensor, np.ndarray, int]]) -> None:
    """A UsageError if the function wrote in place into an argument every sample shares
    (in_dims None): the next samples would read the earlier ones' writes and the outputs
    would alias it (PyTorch's vmap refuses such a write too)."""
    for x, array, written in shared:
        if x.data is not array or last_write(array) != written:
            raise UsageError("vmap: the function wrote in place into an argument that is "
                             "not batched (in_dims None), which every sample shares; write "
                             "out of place (y = y + x), or batch that argument")


def _batch_size(leaves: list[Any], dims: list[Any], in_dims: Any) -> int:
    sizes = {}
    for i, (x, d) in enumerate(zip(leaves, dims)):
        if d is None:
            continue
        if not isinstance(x, Tensor):
            raise UsageError(f"vmap: in_dim {d!r} was given for an input of type "
                             f"{type(x).__name__}; only Tensors can be batched (use None "
                             f"for it in in_dims)" + (
                                 "; wrap an array to batch it: vmap(f)(autograd.tensor(x)), "
                                 "as torch.func.vmap" if isinstance(x, np.ndarray) else ""))
        sizes[i] = x.shape[_dim(d, x.ndim, "in_dims", "input")]
    if not sizes:
        raise UsageError(f"vmap: no input is batched (in_dims={in_dims!r}); give at least "
                         f"one Tensor a batch axis")
    if len(set(sizes.values())) != 1:
        raise ShapeError(f"vmap: the batched inputs have different batch sizes "
                         f"{sorted(set(sizes.values()))} along their in_dims; they must "
                         f"agree")
    return next(iter(sizes.values()))


def _stack_outputs(results: list[Any], out_dims: Any) -> Any:
    first, spec = flatten(results[0])
    columns = [[] for _ in first]
    for b, out in enumerate(results):
        leaves, other = flatten(out)
        if other != spec:
            raise UsageError(f"vmap: the function returned differently structured outputs "
                             f"for samples 0 and {b}; they must agree")
        for column, y in zip(columns, leaves):
            column.append(y)
    dims = _out_dims(out_dims, results[0])
    stacked = []
    for column, d in zip(columns, dims):
        if d is None:
            if any(not _same(column[0], y) for y in column[1:]):
                raise UsageError("vmap: an output with out_dims None differs between "
                                 "samples; give it an int out_dim to stack it")
            stacked.append(column[0])
            continue
        if not all(isinstance(y, Tensor) for y in column):
            raise UsageError(f"vmap: the function must return Tensors to stack; it "
                             f"returned {type(column[0]).__name__} (give it out_dims None "
                             f"if it is the same for every sample)")
        stacked.append(stack(column, axis=_dim(d, column[0].ndim + 1, "out_dims",
                                                  "output (with its batch axis)")))
    return unflatten(spec, stacked)


def _out_dims(out_dims: Any, output: Any) -> list[Any]:
    """One out_dim per leaf of ``output``. A tuple of one entry for a single Tensor output
    is its out_dim, as PyTorch's (``out_dims=(1,)``)."""
    if isinstance(output, Tensor) and isinstance(out_dims, tuple) and len(out_dims) == 1:
        out_dims = out_dims[0]
    return broadcast_prefix(out_dims, output, "vmap: out_dims")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a is b or (a.shape == b.shape and bool(np.array_equal(a.data, b.data)))
    return a is b or a == b

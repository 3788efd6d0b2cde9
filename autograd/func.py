"""Function transforms with PyTorch's names and conventions (``torch.func``): ``grad``,
``grad_and_value``, ``vjp``, ``jvp``, ``linearize``, ``jacrev``, ``jacfwd``, ``hessian``,
``vmap``, ``functional_call`` and ``stack_module_state``.

Each transform takes a function and gives a function (``grad(f)(x)`` is df/dx), and they
nest: ``grad(grad(f))(x)`` is the second derivative, ``vmap(grad(f))`` gives one gradient
per sample. They are built on ``autograd.grad`` (one reverse pass per vector): a
transform called while another one evaluates its function keeps the graph of what it
computes (``create_graph=True``), so the outer one can differentiate it; so does a
transform whose inputs require grad (then ``.backward()`` reaches them, as in PyTorch).
At the top level the results are plain tensors.

Arguments to differentiate may be tensors or nested tuples, lists and dicts of tensors
(a dict of parameters gives a dict of gradients); numbers and arrays are taken as float
tensors. ``jvp`` is two reverse passes (the VJP of ``u -> J^T u`` is ``J v``); ``jacfwd``
computes the same Jacobian as ``jacrev``, the reverse way; ``hessian`` is
``jacfwd(jacrev(f))``. Where an output does not depend on an input, the derivative is
zeros, as in PyTorch.
"""

from __future__ import annotations

import threading
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np

from ._random import get_rng_state
from .differentiable_vjps import check_differentiable_vjps
from .errors import DTypeError, ShapeError, UsageError
from .func_call import functional_call
from .func_capture import closes_over_grad
from .func_ensemble import stack_module_state
from .func_pytree import describe, flatten, unflatten
from .func_results import (check_argnums, detached_unless, float_outputs, integer_zeros,
                           regroup, split_aux, tangent_tree, tensor_leaves)
from .func_vmap import check_randomness, vmap
from .functional import CUT_WARNING, _float_data, _grads
from .grad_mode import enable_grad, is_grad_enabled
from .tensor import Tensor
from .tensor_math import stack
from .tensor_protocols import TRACKED_READS

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd",
           "hessian", "vmap", "functional_call", "stack_module_state"]

_state = threading.local()


def _depth() -> int:
    """How many differentiating transforms are evaluating their function in this thread."""
    return getattr(_state, "depth", 0)


@contextmanager
def _level() -> Iterator[None]:
    """A transform evaluating its function: one level deeper, grad enabled, and a warning
    if the function read a tracked Tensor through NumPy's ``__array__`` (a silent cut of
    the graph, which HIPS autograd programs make with SciPy and ``np.array``)."""
    _state.depth = _depth() + 1
    before = TRACKED_READS.count
    try:
        with enable_grad():  # as torch.func: the transforms work under no_grad too
            yield
    finally:
        _state.depth -= 1
    if TRACKED_READS.count != before:
        warnings.warn(CUT_WARNING, UserWarning, stacklevel=4)




def _prepare(args: tuple, nums: tuple[int, ...], what: str
             ) -> tuple[bool, list[Any], list[tuple[Any, int]], list[Tensor]]:
    """(make a graph?, the arguments with differentiable leaves at ``nums``, each one's
    (spec, leaf count), all those leaves). A leaf that requires grad stays connected to its
    graph (through a reshape) so an outer transform, or ``backward``, can reach it."""
    create_graph = _depth() > 0
    connect = create_graph or is_grad_enabled()  # a top-level call under no_grad() keeps
    new_args = list(args)                        # no graph, as torch.func's
    specs, leaves = [], []
    for i in nums:
        items, spec = flatten(args[i])
        for j, x in enumerate(items):
            if isinstance(x, Tensor) and x.requires_grad and connect:
                create_graph = True
                with enable_grad():  # (recorded also where the function turned it off)
                    items[j] = x.reshape(x.shape)
            else:
                items[j] = Tensor(_float_data(x, what, i), requires_grad=True)
        new_args[i] = unflatten(spec, items)
        specs.append((spec, len(items)))
        leaves.extend(items)
    return create_graph, new_args, specs, leaves


def _captures(tracking: bool, outputs: Any, leaves: list[Tensor]) -> bool:
    """Keep the graph of a top-level call whose function read a tensor that requires grad
    (a parameter it closes over), with grad enabled at the call, as torch.func does."""
    return tracking and closes_over_grad(flatten(outputs)[0], leaves)










def _ones(y: Tensor) -> Tensor:
    return Tensor(np.ones(y.shape, dtype=y.dtype))


def grad_and_value(func: Callable[..., Any], argnums: Any = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """A function giving ``(df/dx, f(x))`` for the argument(s) ``argnums`` of ``func``,
    which must return a one-element Tensor; with ``has_aux`` ``func`` returns
    ``(output, aux)`` and the result is ``(df/dx, (output, aux))``. ``argnums`` an int
    gives that argument's gradient (a tree like it); a tuple gives a tuple of them."""
    return _grad_transform(func, argnums, has_aux, "grad_and_value", with_value=True)


def grad(func: Callable[..., Any], argnums: Any = 0,
         has_aux: bool = False) -> Callable[..., Any]:
    """A function giving ``df/dx`` for the argument(s) ``argnums`` of ``func`` (which
    must return a one-element Tensor); with ``has_aux`` it gives ``(df/dx, aux)``."""
    return _grad_transform(func, argnums, has_aux, "grad", with_value=False)


def _grad_transform(func: Callable[..., Any], argnums: Any, has_aux: bool, what: str,
                    with_value: bool) -> Callable[..., Any]:
    _check_callable(func, what)

    def transformed(*args: Any, **kwargs: Any) -> Any:
        single, nums = check_argnums(argnums, len(args), what)
        nested = _depth() > 0
        create_graph, new_args, specs, leaves = _prepare(args, nums, what)
        tracking = is_grad_enabled()
        with _level():
            out, aux = split_aux(func(*new_args, **kwargs), has_aux, what)
            if not isinstance(out, Tensor) or out.size != 1:
                raise ShapeError(f"{what}(f)(*args): f must return a Tensor with one "
                                 f"element (e.g. a loss); it returned {describe(out)}. For "
                                 f"other outputs use vjp or jacrev.")
            if nested:  # the outer transform differentiates this gradient again
                check_differentiable_vjps((out,), leaves, what, nested=True)
            create_graph = create_graph or _captures(tracking, (out, aux), leaves)
            flat = _grads((out,), tuple(leaves), [_ones(out)], create_graph, False, what)
        gradient = regroup(specs, list(flat), single)
        value = out if create_graph else out.detach()
        aux = detached_unless(aux, create_graph)
        if with_value:
            return gradient, ((value, aux) if has_aux else value)
        return (gradient, aux) if has_aux else gradient

    return transformed


def _check_callable(func: Any, what: str) -> None:
    if not callable(func):
        raise UsageError(f"{what}: expected a function to transform; got "
                         f"{type(func).__name__}")


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """``(func(*primals), vjp_fn)``, with ``vjp_fn(v)`` the vector-Jacobian product
    ``v^T J`` for each primal (a tuple, one entry per primal, each like it); ``v`` has the
    structure of the output. ``vjp_fn`` may be called many times. With ``has_aux``
    ``func`` returns ``(output, aux)`` and the result is ``(output, vjp_fn, aux)``. With
    no primals ``vjp_fn`` gives ``()``, as PyTorch's."""
    _check_callable(func, "vjp")
    create_graph, new_args, specs, leaves = _prepare(primals, tuple(range(len(primals))),
                                                     "vjp")
    tracking = is_grad_enabled()
    with _level():
        out, aux = split_aux(func(*new_args), has_aux, "vjp")
    out_leaves, out_spec = tensor_leaves(out, "vjp")
    create_graph = create_graph or _captures(tracking, (out, aux), leaves)

    def vjp_fn(cotangents: Any, retain_graph: bool = True,
               create_graph: bool | None = None) -> tuple:
        """``v^T J`` for each primal (``retain_graph`` is PyTorch's: always kept here)."""
        seeds, spec = flatten(cotangents)
        if spec != out_spec:
            raise UsageError(f"vjp_fn: the cotangents must have the structure of the "
                             f"output ({describe(out)}); got {describe(cotangents)}")
        for k, (s, y) in enumerate(zip(seeds, out_leaves)):
            if not isinstance(s, Tensor):
                seeds[k] = s = Tensor(np.asarray(s, dtype=y.dtype))
            if s.shape != y.shape:
                raise ShapeError(f"vjp_fn: cotangent {k} has shape {s.shape}; the output "
                                 f"has {y.shape}")
        keep = create_graph if create_graph is not None else (
            made_graph or _depth() > 0 or any(s.requires_grad for s in seeds))
        if create_graph is None and _depth() > 0:  # differentiated again by an outer one
            check_differentiable_vjps(out_leaves, leaves, "vjp", nested=True)
        with enable_grad():
            flat = _grads(tuple(out_leaves), tuple(leaves), seeds, keep, False, "vjp")
        result = regroup(specs, list(flat), False)
        return result

    made_graph = create_graph
    out = detached_unless(out, create_graph)
    if has_aux:
        return out, vjp_fn, detached_unless(aux, create_graph)
    return out, vjp_fn


def jvp(func: Callable[..., Any], primals: Any, tangents: Any,
        has_aux: bool = False) -> tuple:
    """``(func(*primals), J v)``: the Jacobian-vector product with ``v = tangents`` (a
    tuple like ``primals``), with the output's structure. Two reverse passes: the VJP of
    the linear map ``u -> J^T u`` with ``v`` is ``J v``. With ``has_aux`` the result is
    ``(output, J v, aux)``."""
    _check_callable(func, "jvp")
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise UsageError(f"jvp: primals and tangents must be tuples (jvp(f, (x,), (v,))); "
                         f"got {describe(primals)} and {describe(tangents)}")
    tangent_leaves, spec = flatten(tangents)
    primal_leaves, primal_spec = flatten(primals)
    if not primal_leaves:
        raise UsageError("jvp: primals must hold at least one Tensor, as PyTorch's: "
                         "jvp(f, (x,), (v,))")
    if spec != primal_spec:
        raise UsageError(f"jvp: tangents must have the structure of primals; got "
                         f"{describe(tangents)} for {describe(primals)}")
    directions = _directions(tangent_leaves, primal_leaves, "jvp")
    out, out_spec, zeros, dummies, transposed, aux, captures = _transposed(func, primals,
                                                                         has_aux)
    create_graph = captures or _depth() > 0 or any(
        isinstance(t, Tensor) and t.requires_grad for t in primal_leaves + directions)
    with enable_grad():
        flat = _grads(tuple(transposed), tuple(dummies), directions, create_graph, False,
                      "jvp")
    result = (detached_unless(out, create_graph), tangent_tree(out_spec, zeros, flat))
    return result + tuple(detached_unless(a, create_graph) for a in aux)


def _directions(tangents: list, primals: list, what: str) -> list[Tensor]:
    """The tangent leaves as Tensors (data as float64), each shaped like its primal. A
    Tensor tangent must be floating point (or complex), as PyTorch's: a direction of
    integers or bools is most likely a mistake (an index, a mask)."""
    directions = []
    for k, (v, x) in enumerate(zip(tangents, primals)):
        if isinstance(v, Tensor) and v.dtype.kind not in "fc":
            raise DTypeError(f"{what}: tangent {k} has dtype {v.dtype}; a tangent must be "
                             f"floating point or complex, as PyTorch's. Give a float "
                             f"Tensor (tangent.double())")
        v = v if isinstance(v, Tensor) else Tensor(np.asarray(v, dtype=np.float64))
        shape = tuple(np.shape(x.data if isinstance(x, Tensor) else x))
        if v.shape != shape:
            raise ShapeError(f"{what}: tangent {k} has shape {v.shape}; its primal has "
                             f"{shape}")
        directions.append(v)
    return directions


def _transposed(func: Callable[..., Any], primals: tuple, has_aux: bool,
                what: str = "jvp") -> tuple:
    """``(out, out_spec, zeros, u, J^T u, aux, captures)`` at ``primals``: ``func``'s
    output, the graph of the VJP ``u -> J^T u`` (``u`` zeros that require grad, one per
    float output leaf), kept so that its VJP with the tangents, ``J v``, can be taken
    (the double-VJP trick), and whether ``func`` closes over a tensor that requires grad.
    An integer or bool output's tangent is zeros of its dtype (``zeros``: those, None for
    the others), as torch.func's."""
    _, primals, _, leaves = _prepare(primals, tuple(range(len(primals))), what)
    tracking = is_grad_enabled()
    whole: list = []
    with _level():  # the inner vjp keeps its graph: J^T u is differentiated again
        floats, vjp_fn, *aux = vjp(float_outputs(func, has_aux, what, whole), *primals,
                                   has_aux=has_aux)
        dummies = [Tensor(np.zeros(y.shape, dtype=y.dtype), requires_grad=True)
                   for y in floats]
        # (on the float outputs as func returned them: ``floats`` may be detached copies)
        recorded = [y for y in flatten(whole[0])[0] if y.dtype.kind in "fc"]
        check_differentiable_vjps(recorded, leaves, what)
        transposed, _ = flatten(vjp_fn(dummies, create_graph=True))
    out, out_spec, zeros = integer_zeros(whole[0], floats)
    captures = _captures(tracking, (out, aux), leaves)
    return out, out_spec, zeros, dummies, transposed, aux, captures


def linearize(func: Callable[..., Any], *primals: Any) -> tuple:
    """``(func(*primals), jvp_fn)``, with ``jvp_fn(*tangents)`` the Jacobian-vector
    product ``J v`` at ``primals`` (the output's structure), callable many times. One
    forward: the graph of ``u -> J^T u`` is kept, and each call is one reverse pass
    through it (``jvp``'s second pass)."""
    _check_callable(func, "linearize")
    primal_leaves, primal_spec = flatten(primals)
    out, out_spec, zeros, dummies, transposed, _, captures = _transposed(
        func, primals, False, "linearize")
    keep = captures or _depth() > 0 or any(isinstance(x, Tensor) and x.requires_grad
                                           for x in primal_leaves)

    def jvp_fn(*tangents: Any) -> Any:
        """``J v`` for tangents shaped like the primals."""
        leaves, spec = flatten(tangents)
        if spec != primal_spec:
            raise UsageError(f"linearize's jvp_fn: give one tangent per primal, each like "
                             f"it ({describe(primals)}); got {describe(tangents)}")
        directions = _directions(leaves, primal_leaves, "linearize's jvp_fn")
        create_graph = keep or any(v.requires_grad for v in directions)
        with enable_grad():
            flat = _grads(tuple(transposed), tuple(dummies), directions, create_graph,
                          False, "linearize")
        return tangent_tree(out_spec, zeros, flat if create_graph else
                            [t.detach() for t in flat])

    return detached_unless(out, keep), jvp_fn


def jacrev(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False, *,
           chunk_size: int | None = None) -> Callable[..., Any]:
    """A function giving the Jacobian of ``func`` with respect to the argument(s)
    ``argnums``: for an output y and an input x a Tensor of shape ``y.shape + x.shape``;
    outputs' structure outside, arguments' inside (a tuple for a tuple ``argnums``).
    One reverse pass per output element. With ``has_aux`` it gives ``(jacobian, aux)``.
    ``chunk_size`` (PyTorch's memory bound) changes nothing: the passes run one by one."""
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise UsageError(f"jacrev: chunk_size must be None or a positive int; got "
                         f"{chunk_size!r}")
    return _jacobian_transform(func, argnums, has_aux, "jacrev")


def jacfwd(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable[..., Any]:
    """``jacrev``'s Jacobian under PyTorch's forward-mode name: the same numbers,
    computed here the reverse way. ``randomness`` is ``vmap``'s: with ``"error"`` a
    ``func`` that draws from the default generator raises ``UsageError``."""
    check_randomness(randomness, "jacfwd")
    return _jacobian_transform(func, argnums, has_aux, "jacfwd", randomness)


def _jacobian_transform(func: Callable[..., Any], argnums: Any, has_aux: bool, what: str,
                        randomness: str = "different") -> Callable[..., Any]:
    _check_callable(func, what)

    def transformed(*args: Any, **kwargs: Any) -> Any:
        single, nums = check_argnums(argnums, len(args), what)
        nested = _depth() > 0
        create_graph, new_args, specs, leaves = _prepare(args, nums, what)
        tracking = is_grad_enabled()
        with _level():
            before = get_rng_state() if randomness == "error" else None
            out, aux = split_aux(func(*new_args, **kwargs), has_aux, what)
            if before is not None and get_rng_state() != before:
                raise UsageError(f"{what}: the function drew random numbers, and "
                                 f"randomness='error'; pass randomness='different' or "
                                 f"'same', or draw them outside")
            out_leaves, out_spec = tensor_leaves(out, what)
            if nested:  # the outer transform differentiates this Jacobian again
                check_differentiable_vjps(out_leaves, leaves, what, nested=True)
            create_graph = create_graph or _captures(tracking, (out, aux), leaves)
            blocks = [regroup(specs, _blocks(y, leaves, create_graph, what), single)
                      for y in out_leaves]
        jacobian = unflatten(out_spec, blocks)
        return (jacobian, detached_unless(aux, create_graph)) if has_aux else jacobian

    return transformed


def _blocks(y: Tensor, leaves: list[Tensor], create_graph: bool, what: str) -> list[Tensor]:
    """dy/dx for each leaf x, of shape ``y.shape + x.shape``: one pass per element of y."""
    rows = []
    for k in range(y.size):
        seed = np.zeros(y.size, dtype=y.dtype)
        seed[k] = 1
        rows.append(_grads((y,), tuple(leaves), [Tensor(seed.reshape(y.shape))],
                           create_graph, False, what))
    if not rows:
        return [Tensor(np.zeros(y.shape + x.shape, dtype=x.dtype)) for x in leaves]
    return [stack([row[i] for row in rows]).reshape(y.shape + x.shape)
            for i, x in enumerate(leaves)]


def hessian(func: Callable[..., Any], argnums: Any = 0) -> Callable[..., Any]:
    """A function giving the second derivatives of ``func`` (one-element output is not
    required: it is the Jacobian of the Jacobian), ``jacfwd(jacrev(func, argnums),
    argnums)``: for one input x of a scalar ``func`` a Tensor of shape
    ``x.shape + x.shape``. Its errors name ``hessian``."""
    return _jacobian_transform(jacrev(func, argnums), argnums, False, "hessian", "error")

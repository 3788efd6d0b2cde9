"""Derivatives of whole functions, with PyTorch's names and conventions
(``torch.autograd.functional``): ``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``hvp``,
``vhp``.

``inputs`` is a Tensor or a tuple of Tensors: a tuple is several inputs, as in PyTorch.
Anything else is one input: a NumPy array, a number or a list of numbers becomes one
Tensor (``jacobian(f, [2.0, 1.0])`` differentiates f at one 2-vector), and a list that
holds Tensors raises ``UsageError`` (pass a tuple). Integer data is differentiated as
float64 (PyTorch refuses it); float arrays keep their dtype. ``v`` follows the same rule;
it may be left out only for a single one-element output (``vjp``) or input (``jvp``,
``hvp``, ``vhp``), as PyTorch's.
``func`` takes the inputs as positional arguments and returns a Tensor or a tuple of Tensors.
Results mirror that structure: a bare Tensor in, a bare Tensor out. Gradients are
detached unless ``create_graph=True`` (then they can be differentiated again).
``strict=True`` raises ``IndependentError`` when an output does not depend on an input
(otherwise that derivative is zeros) and, with ``create_graph=True``, when a derivative
does not depend on the inputs (a constant has no graph to differentiate), as PyTorch.
PyTorch's ``vectorize`` and ``strategy`` (Jacobian) and ``outer_jacobian_strategy``
(Hessian) are accepted and change nothing: the results are
the same, computed one reverse pass per output element.

``jvp`` uses the double-VJP trick: ``u -> J^T u`` is linear in ``u``, so the VJP of
that map with ``v`` is ``J v``, forward-mode from two reverse passes.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np

from ._arrays import to_array
from .differentiable_vjps import check_differentiable_vjps
from .differentiate import grad
from .errors import DataError, DTypeError, IndependentError, ShapeError, UsageError
from .grad_mode import enable_grad
from .tensor_math import stack
from .tensor import Tensor
from .tensor_protocols import TRACKED_READS

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp", "IndependentError",
           "CUT_WARNING"]

CUT_WARNING = (
    "the function read a Tensor that requires grad as a plain NumPy array (np.asarray(t), "
    "np.array([t1, t2]), a SciPy function such as scipy.special.logsumexp, A.dot(t) of an "
    "ndarray A): no gradient flows through those values, so the derivative misses them. "
    "Call NumPy's functions on the Tensor itself (np.dot(A, t), autograd.logsumexp(t), "
    "autograd.stack([t1, t2])), or use t.detach() where a constant is meant.")


@contextmanager
def _recording() -> Iterator[None]:
    """Grad enabled while ``func`` runs, and a warning if it read a tracked Tensor through
    NumPy's ``__array__`` (a silent cut of the graph; see ``autograd.func``'s levels)."""
    before = TRACKED_READS.count
    with enable_grad():
        yield
    if TRACKED_READS.count != before:
        warnings.warn(CUT_WARNING, UserWarning, stacklevel=4)

_STRATEGIES = ("reverse-mode", "forward-mode")


def _check_strategy(strategy: str, what: str) -> None:
    """PyTorch's strategy names; either gives the same result here."""
    if strategy not in _STRATEGIES:
        raise UsageError(f"{what} must be 'reverse-mode' or 'forward-mode' (as in PyTorch); "
                         f"got {strategy!r}")


def _as_tuple(x: Any) -> tuple[bool, tuple[Any, ...]]:
    """(was it a tuple/list, its items as a tuple): for func's outputs."""
    if isinstance(x, (tuple, list)):
        return True, tuple(x)
    return False, (x,)


def _as_inputs(x: Any, what: str, name: str = "inputs") -> tuple[bool, tuple[Any, ...]]:
    """(was it a tuple, its items): a tuple is several inputs (or vectors v); anything
    else is one, so a list of numbers is one vector. A list of Tensors is ambiguous."""
    if isinstance(x, tuple):
        return True, x
    if isinstance(x, list) and any(isinstance(item, Tensor) for item in x):
        raise UsageError(f"{what}: {name} is a list holding Tensors; pass a tuple for "
                         f"several ({name} = (x, y)), or one Tensor (as PyTorch, which "
                         f"refuses lists)")
    return False, (x,)


def _float_data(x: Any, what: str, i: int) -> np.ndarray:
    """Input ``i`` as a float array: float dtypes kept, integers as float64."""
    try:
        data = to_array(x)  # named errors for a torch tensor that requires grad, ragged rows
    except (DataError, DTypeError) as exc:
        raise type(exc)(f"{what}: input {i}: {exc}") from None
    if data.dtype.kind in "iu":
        return data.astype(np.float64)
    if data.dtype.kind != "f":
        raise DTypeError(f"{what}: input {i} has dtype {data.dtype}; give real numbers "
                         f"(a float Tensor or array)")
    return data


def _check_func(func: Any, what: str) -> None:
    if not callable(func):
        raise UsageError(f"{what}(func, inputs): func must be the function to differentiate, "
                         f"called as func(*inputs); got {type(func).__name__} {func!r:.40}")


def _prepare(func: Any, inputs: Any, create_graph: bool,
             what: str) -> tuple[bool, tuple[Tensor, ...]]:
    """Leaves to differentiate with respect to (``func`` is checked to be a function).
    Under create_graph a tensor that requires grad stays connected to its graph (through a
    reshape), as PyTorch's view."""
    _check_func(func, what)
    is_tuple, items = _as_inputs(inputs, what)
    prepared = []
    for i, x in enumerate(items):
        if create_graph and isinstance(x, Tensor) and x.requires_grad:
            with enable_grad():  # recorded under no_grad() too, as PyTorch's
                prepared.append(x.reshape(x.shape))
        else:
            prepared.append(Tensor(_float_data(x, what, i), requires_grad=True))
    return is_tuple, tuple(prepared)


def _outputs(result: Any) -> tuple[bool, tuple[Tensor, ...]]:
    is_tuple, items = _as_tuple(result)
    for i, y in enumerate(items):
        if not isinstance(y, Tensor):
            raise UsageError(f"func must return a Tensor or a tuple of Tensors; output {i} "
                             f"is {type(y).__name__}. Build it from the inputs with autograd "
                             f"operations.")
    return is_tuple, items


def _grads(outputs: tuple[Tensor, ...], inputs: tuple[Tensor, ...], seeds: list[Any],
           create_graph: bool, strict: bool, what: str) -> tuple[Tensor, ...]:
    """d(sum_k seeds_k . outputs_k)/d(inputs), zeros (or an error) where unused."""
    live = [(y, s) for y, s in zip(outputs, seeds) if y.requires_grad]
    found = grad([y for y, _ in live], list(inputs), grad_outputs=[s for _, s in live],
                 retain_graph=True, create_graph=create_graph,
                 allow_unused=True) if live and inputs else (None,) * len(inputs)
    result = []
    for i, (g, x) in enumerate(zip(found, inputs)):
        if g is None:
            if strict:
                raise IndependentError(f"{what}: the output does not depend on input {i} "
                                       f"(strict=True); pass strict=False to get zeros")
            g = Tensor(np.zeros(x.shape, dtype=x.dtype))
        elif strict and create_graph and not g.requires_grad:  # as PyTorch's strict
            raise IndependentError(f"{what}: the derivative with respect to input {i} is "
                                   f"constant, so it has no graph to differentiate again "
                                   f"(strict=True); pass strict=False to get it anyway")
        result.append(g if create_graph else g.detach())
    return tuple(result)


def _seeds(v: Any, outputs: tuple[Tensor, ...], what: str,
           of: str = "output") -> list[Tensor]:
    """``v`` checked against ``outputs`` (func's outputs, or its inputs: ``of="input"``).
    Without ``v`` there must be one Tensor of one element y, and v = 1: ``v^T J`` is then
    the gradient dy/dx (``J v`` the derivative along x), as PyTorch's."""
    if v is None:
        if len(outputs) != 1 or outputs[0].size != 1:
            shapes = ", ".join(str(y.shape) for y in outputs)
            raise ShapeError(f"{what}: v can be omitted only when there is a single {of} "
                             f"with one element (as PyTorch); got {len(outputs)} {of}(s) "
                             f"of shape(s) {shapes}. Give v with the {of}s' shapes")
        return [Tensor(np.ones(y.shape, dtype=y.dtype)) for y in outputs]
    _, vs = _as_inputs(v, what, "v")
    if len(vs) != len(outputs):
        raise ShapeError(f"{what}: {len(vs)} vectors v for {len(outputs)} {of}s")
    seeds = []
    for k, (s, y) in enumerate(zip(vs, outputs)):
        s = s if isinstance(s, Tensor) else Tensor(s, dtype=y.dtype)
        if s.shape != y.shape:
            raise ShapeError(f"{what}: v[{k}] has shape {s.shape}; the {of} has {y.shape}")
        seeds.append(s)
    return seeds


def _check_strict_outputs(outputs: tuple[Tensor, ...], strict: bool, what: str) -> None:
    """With ``strict``, an ``IndependentError`` for an output that does not require grad:
    it does not depend on the inputs, so its rows of J are zeros (PyTorch's strict check)."""
    if not strict:
        return
    for k, y in enumerate(outputs):
        if not y.requires_grad:
            raise IndependentError(f"{what}: output {k} does not depend on the inputs (it "
                                   f"does not require grad; strict=True); compute it from "
                                   f"the inputs, or pass strict=False to get zeros for it")


def _refuse_integer_outputs(outputs: tuple[Tensor, ...], what: str) -> None:
    """A DTypeError for an integer or bool output (PyTorch refuses them too): its change
    along a direction is not defined."""
    for i, y in enumerate(outputs):
        if y.dtype.kind not in "fc":
            raise DTypeError(f"{what}: output {i} of func has dtype {y.dtype}; J v is defined "
                             f"for floating outputs only. Return floats (y.double()), or "
                             f"leave that output out")


def _detach(items: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    return items if create_graph else tuple(y.detach() for y in items)


def _shape_like(is_tuple: bool, items: tuple[Any, ...]) -> Any:
    return items if is_tuple else items[0]


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), v^T J): the vector-Jacobian product, one entry per input."""
    in_tuple, xs = _prepare(func, inputs, create_graph, "vjp")
    with _recording():
        out_tuple, ys = _outputs(func(*xs))
        _check_strict_outputs(ys, strict, "vjp")
        g = _grads(ys, xs, _seeds(v, ys, "vjp"), create_graph, strict, "vjp")
    return _shape_like(out_tuple, _detach(ys, create_graph)), _shape_like(in_tuple, g)


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product, one entry per output."""
    in_tuple, xs = _prepare(func, inputs, create_graph, "jvp")
    with _recording():
        out_tuple, ys = _outputs(func(*xs))
        _check_strict_outputs(ys, strict, "jvp")
        directions = _seeds(v, xs, "jvp", "input")
        check_differentiable_vjps(ys, xs, "jvp")
        _refuse_integer_outputs(ys, "jvp")
        dummies = tuple(Tensor(np.zeros(y.shape, dtype=y.dtype), requires_grad=True)
                        for y in ys)
        transposed = _grads(ys, xs, list(dummies), True, strict, "jvp")  # J^T u
        result = _grads(transposed, dummies, directions, create_graph, strict, "jvp")
    return _shape_like(out_tuple, _detach(ys, create_graph)), _shape_like(out_tuple, result)


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """d func / d inputs: for one output and one input a Tensor of shape
    ``output.shape + input.shape``; tuples of them for several (outputs first).
    ``vectorize`` and ``strategy`` are PyTorch's and change nothing."""
    _check_strategy(strategy, "jacobian: strategy")
    return _jacobian(func, inputs, create_graph, strict, "jacobian", "output")


def _jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool, strict: bool,
              what: str, part: str) -> Any:
    """``jacobian``, its errors naming ``what`` (``hessian``: the Jacobian of the
    gradient), and output j of func, when there are several, as "``part`` j"."""
    in_tuple, xs = _prepare(func, inputs, create_graph, what)
    with _recording():
        out_tuple, ys = _outputs(func(*xs))
        blocks = []
        for j, y in enumerate(ys):
            rows: list[tuple[Tensor, ...]] = []
            label = f"{what} ({part} {j})" if out_tuple else what
            for k in range(y.size):  # one reverse pass per output element, of y alone
                seed = np.zeros(y.size, dtype=y.dtype)  # (so strict sees y's inputs)
                seed[k] = 1
                rows.append(_grads((y,), xs, [Tensor(seed.reshape(y.shape))],
                                   create_graph, strict, label))
            per_input = []
            for i, x in enumerate(xs):
                if rows:
                    block = stack([row[i] for row in rows]).reshape(y.shape + x.shape)
                else:
                    block = Tensor(np.zeros(y.shape + x.shape, dtype=x.dtype))
                per_input.append(block if create_graph else block.detach())
            blocks.append(_shape_like(in_tuple, tuple(per_input)))
    return _shape_like(out_tuple, tuple(blocks))


def _scalar(func: Callable[..., Any], what: str) -> Callable[..., Tensor]:
    def scalar_func(*xs: Tensor) -> Tensor:
        out_tuple, ys = _outputs(func(*xs))
        if out_tuple or ys[0].size != 1:
            raise ShapeError(f"{what}: func must return a single one-element Tensor; got "
                             f"{'a tuple' if out_tuple else f'shape {ys[0].shape}'}")
        return ys[0]
    return scalar_func


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """Second derivatives of a scalar ``func``: for one input a Tensor of shape
    ``input.shape + input.shape``; for several, a tuple of tuples (block i, j).
    ``vectorize`` and ``outer_jacobian_strategy`` are PyTorch's and change nothing."""
    _check_strategy(outer_jacobian_strategy, "hessian: outer_jacobian_strategy")
    _check_func(func, "hessian")
    scalar_func = _scalar(func, "hessian")
    in_tuple, _ = _as_inputs(inputs, "hessian")

    def gradient(*xs: Tensor) -> Any:
        y = scalar_func(*xs)
        g = _grads((y,), xs, [Tensor(np.ones(y.shape, dtype=y.dtype))], True, strict,
                   "hessian")
        return _shape_like(in_tuple, g)

    return _jacobian(gradient, inputs, create_graph, strict, "hessian",
                     "the gradient of input")


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H v) for a scalar ``func``: the Hessian-vector product, one entry
    per input, without forming H (a gradient of the gradient's dot product with v)."""
    return _second_order(func, inputs, v, create_graph, strict, "hvp")


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), v^T H) for a scalar ``func`` (PyTorch's ``vhp``): the Hessian is
    symmetric, so this is ``hvp``'s H v, computed the same way."""
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def _second_order(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool,
                  strict: bool, what: str) -> tuple[Any, Any]:
    """d(grad func . v)/d inputs: v^T H, which is H v."""
    scalar_func = _scalar(func, what)
    in_tuple, xs = _prepare(func, inputs, create_graph, what)
    with _recording():
        y = scalar_func(*xs)
        g = _grads((y,), xs, [Tensor(np.ones(y.shape, dtype=y.dtype))], True, strict, what)
        result = _grads(g, xs, _seeds(v, xs, what, "input"), create_graph, strict, what)
    return (y if create_graph else y.detach()), _shape_like(in_tuple, result)

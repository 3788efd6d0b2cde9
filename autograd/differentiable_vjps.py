"""The check behind forward-mode AD's custom ops: is each one's VJP differentiable?

Forward mode here is the VJP of the VJP (``forward_ad``, ``func.jvp``,
``functional.jvp``): ``u -> J^T u`` is linear in ``u``, and its VJP with ``v`` is ``J v``.
An engine op's ``vjp`` is written with Tensor operations, so that holds. A user's op
(an ``autograd.extend.Function``, or a PyTorch-style class with ``backward``) may compute
its gradient with NumPy (``np.asarray(g)``, ``g.data``): the gradient is right, but it
does not depend on ``g`` in the graph, and the tangent through the op would silently
come out zero. PyTorch raises for a custom Function without a ``jvp`` in forward mode;
here the op's ``vjp`` is tried once on a ``g`` (ones) that requires grad, and one whose
gradients do not depend on it (and are not zeros: an op whose derivative is zero may
return constant zeros) raises ``UsageError``.

A ``func`` transform nested in another (``grad(grad(f))``, ``hessian``) differentiates
the gradient again, with respect to x: such a backward cuts that too, and the second
derivative would be silently zero (``torch.func`` raises on it as well), so those
transforms run the same check (``nested=True``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._vjp_checks import as_used
from .ctx_function import CtxOp
from .errors import AutogradError, UsageError
from .extend import Function as UserFunction
from .grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["check_differentiable_vjps", "parents_as_used"]


def check_differentiable_vjps(outputs: Sequence[Tensor], inputs: Sequence[Tensor],
                              what: str, nested: bool = False) -> None:
    """``UsageError`` if a user's op on the graph between ``inputs`` and ``outputs``
    (the ops through which the outputs depend on an input) has a VJP whose gradient for
    an input that wants one does not depend differentiably on ``g``; ``nested``: the
    check is for a second derivative taken in reverse mode (the message says so)."""
    for op, node in _user_ops_between(outputs, {t._seq for t in inputs}):
        g = Tensor(np.ones(node.shape, dtype=node.dtype), requires_grad=True)
        with enable_grad():
            result = op.vjp(g, node, *parents_as_used(node))
        result = result if isinstance(result, tuple) else (result,)
        for i, (wanted, gradient) in enumerate(zip(op.wanted, result)):
            if (wanted and gradient is not None and not _depends_on(gradient, g)
                    and np.any(getattr(gradient, "_data", gradient))):
                raise UsageError(f"{what}: the custom op {op.name()} computes the gradient "
                                 f"of its input {i} in a way that does not depend on g as "
                                 f"a Tensor (NumPy on g's values: np.asarray(g), g.data, "
                                 f"g.numpy()). {_NESTED if nested else _FORWARD}")


_FORWARD = ("Forward-mode AD here is the derivative of the VJP with respect to g, so that "
            "op's tangent would be silently zero (PyTorch raises for a custom Function "
            "without a jvp). Write its vjp/backward with Tensor operations on g "
            "(operators, autograd.extend's exp, where...), or use reverse mode.")
_NESTED = ("A transform nested in another one (grad(grad(f)), hessian, jacrev(grad(f))) "
           "differentiates that gradient again, so the second derivative would be silently "
           "zero (torch.func raises too). Write its vjp/backward with Tensor operations on "
           "g and the saved tensors (operators, autograd.extend's exp, where...); or mark "
           "the backward @once_differentiable, which says it cannot be differentiated.")


def _user_ops_between(outputs: Sequence[Tensor], input_seqs: set[int]) -> list[tuple]:
    """(op, its output node) for each user op whose output depends on an input: a walk
    from the outputs that stops at the inputs, then the nodes oldest first (an op's
    inputs are older than its output), each reaching an input if a parent does."""
    nodes: dict[int, Tensor] = {}
    stack = [y for y in outputs if isinstance(y, Tensor)]
    while stack:
        t = stack.pop()
        if t._seq in nodes:
            continue
        nodes[t._seq] = t
        op = t._op
        if t._seq not in input_seqs and op is not None and op.parents is not None:
            stack.extend(parents_as_used(t))
    reaches: set[int] = set(input_seqs)
    found = []
    for seq in sorted(nodes):
        t = nodes[seq]
        op = t._op
        if seq in reaches or op is None or op.parents is None:
            continue
        if any(p._seq in reaches for p in parents_as_used(t)):
            reaches.add(seq)
            if isinstance(op, (UserFunction, CtxOp)) and t.dtype.kind in "fc":
                found.append((op, t))
    return found


def parents_as_used(t: Tensor) -> tuple:
    """The tensors t's op read, as it read them (``as_used``: a parent written in place
    since stands for its earlier self); as they are now where the backward would refuse
    the write, which is the backward's error to give, not a walk's."""
    parents = tuple(p for p in t._op.parents if isinstance(p, Tensor))
    try:
        return as_used(parents, t._seq)
    except AutogradError:
        return parents


def _depends_on(gradient: Any, g: Tensor) -> bool:
    """Whether ``gradient`` is a Tensor computed from ``g`` (only ops newer than ``g``
    can have read it: the walk stops at older nodes)."""
    stack = [gradient] if isinstance(gradient, Tensor) else []
    seen: set[int] = set()
    while stack:
        t = stack.pop()
        if t._seq == g._seq:
            return True
        if t._seq < g._seq or t._seq in seen or t._op is None or t._op.parents is None:
            continue
        seen.add(t._seq)
        stack.extend(p for p in t._op.parents if isinstance(p, Tensor))
    return False

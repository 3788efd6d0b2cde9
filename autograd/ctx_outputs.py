"""The outputs of a PyTorch-style Function that returns several (``return y, z``).

The engine's ops have one output, so such a Function records one :class:`CtxOp` whose
output is a packed node: its differentiable outputs, raveled one after another (its
value is never read, only its shape: the gradients of all outputs add up in it). Each
output the user gets is a :class:`CtxOutput` of that node, holding the array ``forward``
returned, so it shares memory as PyTorch's does (an output that is a view of an input,
or the input itself, is a view of its memory). Its ``grad_fn`` carries the Function's
name and ``metadata``, and its ``next_functions`` are the Function's inputs, as in
PyTorch (where both outputs share one node, here each has its own ``CtxOutput``). Like
the Function's own node it shows the ctx, as PyTorch's node is its ctx (``CtxNode``).

An output that is no floating Tensor, or that ``ctx.mark_non_differentiable`` marked, is
a constant. One that is not a Tensor at all (a number, a shape, a dict, None) is returned
as it is and ``backward`` gets None for it, as in PyTorch.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from . import function
from .graph import graph_freed
from .ops.generic import is_tensor
from .ops.shape import IndexAdd
from .tensor import Tensor

__all__ = ["Slot", "pack", "CtxNode", "CtxOutput", "output_of", "outputs_of",
           "upstream_gradients"]


class Slot(NamedTuple):
    """Where output k lies. Differentiable: ``where`` its slice of the packed node, with
    its ``shape`` and ``dtype``. Constant (``where`` None): ``constant`` is what apply
    returns; a Tensor one gets a zeros gradient (``shape``, ``dtype``), the others None."""
    where: slice | None
    shape: tuple | None
    dtype: np.dtype | None
    constant: Any


def pack(results: tuple | list, marked: list, args: tuple) -> tuple[list, tuple, np.ndarray]:
    """``(layout, outputs, packed)`` for the outputs ``forward`` returned: a ``Slot`` for
    each, each one as the saved tensors stand for (a Tensor, or None for an input returned
    as it is or a constant), and the packed node's array (zeros of the right size,
    broadcast: it takes no memory)."""
    layout: list[Slot] = []
    size, dtypes = 0, []
    for r in results:
        if not isinstance(r, (Tensor, np.ndarray, np.generic)):  # a number, a shape, None
            layout.append(Slot(None, None, None, r))
            continue
        t = r if isinstance(r, Tensor) else Tensor(np.asarray(r))
        if t.dtype.kind != "f" or any(r is m for m in marked):
            layout.append(Slot(None, t.shape, t.dtype, t.detach()))
            continue
        layout.append(Slot(slice(size, size + t.size), t.shape, t.dtype, None))
        size += t.size
        dtypes.append(t.dtype)
    outputs = tuple(None if slot.where is None or any(r is a for a in args) else r
                    for r, slot in zip(results, layout))
    dtype = np.result_type(*dtypes) if dtypes else np.float64
    return layout, outputs, np.broadcast_to(np.zeros((), dtype), (size,))


class CtxNode:
    """What a node of a PyTorch-style Function shows of its ctx, as PyTorch's node is its
    ctx: ``grad_fn.saved_tensors`` (a ``GraphFreedError`` once a backward released the
    graph, as PyTorch frees them) and the attributes ``forward`` set on ctx (``ctx.k = 7``:
    ``grad_fn.k``), copied into the node's ``__dict__`` once forward has run
    (``show_ctx``). No ``__getattr__``: the engine reads op attributes on every step, and
    CPython does not specialise attribute reads on a class that defines one
    (tests/autograd/test_hot_classes.py)."""
    __slots__ = ()

    def _function_node(self) -> Any:
        """The Function's node (a ``CtxOp``), whose ``ctx`` this node shows."""
        raise NotImplementedError

    @property
    def saved_tensors(self) -> tuple:
        """``ctx.saved_tensors``, while the graph holds them."""
        node = self._function_node()
        if getattr(node, "parents", ()) is None:
            raise graph_freed(self, "saved_tensors")
        return node.ctx.saved_tensors

    @property
    def parents(self) -> tuple | None:
        """The node's inputs (``Function.parents``); None once a backward released them,
        and then the Function's node lets go of what forward kept (``_release``)."""
        return self._parents

    @parents.setter
    def parents(self, value: tuple | None) -> None:
        self._parents = value
        if value is None and self._function_node() is self:
            self._release()

    def _release(self) -> None:
        """Drop the Tensors forward was given and saved (``args``, ``ctx``'s saved tensors
        and outputs), keeping the other arguments (drawings show them) and the attributes
        set on ctx, as PyTorch frees a node's saved tensors: a kept custom loss then holds
        no activation."""
        self.args = tuple(None if is_tensor(a) else a for a in self.args)
        ctx = self._function_node().ctx
        ctx._saved = ctx._versions = ctx._outputs = ctx._graph_outputs = ()

    def show_ctx(self) -> None:
        """Copy the attributes ``forward`` set on the ctx (public names, not the ctx's
        own ``needs_input_grad``) into this node, except names the node's class has (its
        methods and fields come first)."""
        ctx = self._function_node().ctx
        vars(self).update({name: value for name, value in vars(ctx).items()
                           if not name.startswith("_") and name != "needs_input_grad"
                           and not hasattr(type(self), name)})


class CtxOutput(CtxNode, function.Function):
    """Output ``position`` of a several-output Function: ``forward`` gives the array the
    Function returned for it; ``vjp`` places g in its slice of the packed node's gradient
    (zeros elsewhere)."""
    __slots__ = ("op", "position", "array", "packed_size", "packed_dtype", "_parents",
                 "__dict__")  # (CtxNode)
    save_inputs = False

    def __init__(self, op: Any, position: int, array: Any, packed: Tensor) -> None:
        self.op, self.position, self.array = op, position, array
        self.packed_size, self.packed_dtype = packed.shape[0], packed.dtype

    def _function_node(self) -> Any:
        return self.op

    def name(self) -> str:
        return self.op.name()

    def state(self) -> dict[str, Any]:
        return {"output": self.position, **self.op.state()}

    @property
    def metadata(self) -> dict:
        """The Function's node's ``metadata``: one dict for all its outputs, as PyTorch's."""
        return self.op.metadata

    @property
    def next_functions(self) -> tuple:
        """The Function's inputs' nodes, as PyTorch's node of the Function has."""
        return self.op.next_functions

    def forward(self, packed: np.ndarray) -> Any:
        array, self.array = self.array, None  # the output tensor holds it from now on
        return array

    def vjp(self, g: Any, out: Any, packed: Any) -> tuple:
        where = self.op.layout[self.position].where
        flat = g.reshape(-1)
        if is_tensor(flat):  # create_graph: a recorded op, differentiable again
            return (function.apply(IndexAdd((where,), (self.packed_size,)), flat),)
        full = np.zeros(self.packed_size, dtype=self.packed_dtype)
        full[where] = flat
        return (full,)


def output_of(op: Any, node: Tensor, k: int, value: Any) -> Tensor:
    """Output ``k`` (its array ``value``) as a Tensor whose history is the packed node."""
    return function.apply(CtxOutput(op, k, value, node), node)


def outputs_of(op: Any, node: Tensor, returned: tuple) -> tuple:
    """What apply returns: each differentiable output on its own array, ``forward``'s
    (``returned``), with the packed node as its history; each constant as it is."""
    return tuple(slot.constant if slot.where is None else
                 output_of(op, node, k, r._data if isinstance(r, Tensor) else np.asarray(r))
                 for k, (slot, r) in enumerate(zip(op.layout, returned)))


def upstream_gradients(layout: list, g: Any, materialize: bool) -> tuple:
    """The gradient of each output from the packed node's ``g`` (an array, or a Tensor
    under create_graph), for ``backward``: a constant Tensor's is zeros (None without
    ``materialize``), a non-Tensor's None."""
    found: list = []
    for slot in layout:
        if slot.where is None:
            found.append(Tensor(np.zeros(slot.shape, slot.dtype))
                         if materialize and slot.dtype is not None else None)
            continue
        part = g[slot.where].reshape(slot.shape)
        part = part.astype(slot.dtype) if part.dtype != slot.dtype else part
        found.append(part if is_tensor(part) else Tensor(part))
    return tuple(found)

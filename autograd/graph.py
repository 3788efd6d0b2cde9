"""Walking the graph PyTorch's way: ``y.grad_fn.next_functions``.

The engine's nodes are the ops themselves (``Function`` instances): an op keeps its input
tensors (``parents``) and nothing else about the graph. ``next_functions`` is computed
from them when read, one ``(node, output_nr)`` pair per input, as in PyTorch:

- the input's own op, for a tensor computed by a recorded op;
- an ``AccumulateGrad`` node (``.variable`` is the leaf), for a leaf that requires grad:
  its "backward" adds the gradient into the leaf's ``.grad``;
- ``None``, for an input that needs no gradient (a constant).

``output_nr`` is always 0: every op here has one output. A Python number is op state,
not an input (``x * 2`` has one input, where PyTorch lists the 2 as ``(None, 0)``).
Nothing is stored for this: reading it costs the engine nothing.

What an op saved for backward is its inputs themselves: ``y.grad_fn._saved_self`` is x,
as PyTorch's. Nothing is packed, so ``saved_tensors_hooks`` is an error that says so, and
``save_on_cpu`` (everything is on the CPU here) a block that changes nothing.
"""

from __future__ import annotations

from abc import ABC
from typing import Any

from .errors import GraphFreedError, MissingNameError, UsageError

__all__ = ["Node", "AccumulateGrad", "SavedAttribute", "next_functions_of", "no_node_hooks",
           "graph_freed", "saved_attribute", "saved_tensors_hooks", "save_on_cpu",
           "disable_saved_tensors_hooks"]


class Node(ABC):
    """PyTorch's ``torch.autograd.graph.Node``, the kind of every node of a graph:
    ``isinstance(t.grad_fn, Node)`` holds for an op (``Function``, registered in
    ``function.py``) and for an ``AccumulateGrad``; each has ``name()`` and
    ``next_functions``."""


class AccumulateGrad(Node):
    """The node PyTorch shows for a leaf that requires grad: its backward adds the
    gradient into ``variable.grad``. The engine keeps no such node (it adds a leaf's
    gradient itself), so one is made each time ``next_functions`` is read; two are equal
    (and hash alike) when they stand for the same leaf, so a walk's ``seen`` set works."""

    __slots__ = ("variable",)
    next_functions: tuple = ()  # the end of the graph

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        """``"AccumulateGrad"``."""
        return "AccumulateGrad"

    @property
    def metadata(self) -> dict:
        raise UsageError(
            "AccumulateGrad.metadata: this engine keeps no node for a leaf (one is made "
            "each time next_functions is read), so nothing stored on it would last. Keep "
            "what you want on the leaf itself (its .name, or a dict keyed by the tensor).")

    def register_hook(self, hook: Any) -> Any:
        raise no_node_hooks("AccumulateGrad", "register_hook")

    def register_prehook(self, hook: Any) -> Any:
        raise no_node_hooks("AccumulateGrad", "register_prehook")

    def __eq__(self, other: object) -> bool:
        return type(other) is AccumulateGrad and other.variable is self.variable

    def __hash__(self) -> int:
        return hash((AccumulateGrad, id(self.variable)))

    def __repr__(self) -> str:
        t = self.variable
        return f"AccumulateGrad(variable=<Tensor of shape {tuple(t.shape)}, {t.dtype}>)"


def next_functions_of(op: Any) -> tuple:
    """``((node, 0), ...)``, one pair per input of ``op``: the input's op, an
    ``AccumulateGrad`` for a leaf that required grad when ``op`` ran (``op.wanted``), or
    ``None`` (see the module)."""
    parents = getattr(op, "parents", ())
    if parents is None:
        raise graph_freed(op, "next_functions")
    wanted = getattr(op, "wanted", None) or (True,) * len(parents)
    return tuple((_node_of(p, w), 0) for p, w in zip(parents, wanted))


def graph_freed(op: Any, attribute: str) -> GraphFreedError:
    """The error for reading ``op.<attribute>`` (its links, what it saved) after a
    backward released the op's inputs, as PyTorch frees a node's saved tensors."""
    return GraphFreedError(
        f"{op.name()}.{attribute}: a backward() without retain_graph=True released this "
        f"op's inputs and saved tensors (and with them the activations), so "
        f"{attribute} is gone (PyTorch frees them too). Read it before the backward, or "
        f"pass retain_graph=True to it.")


def _node_of(t: Any, wanted: bool) -> Any:
    if t._op is not None:
        return t._op
    return AccumulateGrad(t) if wanted else None


def no_node_hooks(node: str, method: str) -> UsageError:
    """The error for hooks on a graph node: this engine keeps its hooks on tensors."""
    if node == "AccumulateGrad":
        instead = ("Use leaf.register_hook(fn) on its .variable: fn(grad) gets the leaf's "
                   "complete gradient before it is added into .grad, and may return a "
                   "replacement.")
    elif method == "register_prehook":
        instead = ("Use y.register_hook(fn) on the tensor this op made (the y whose "
                   "grad_fn it is): fn(grad) gets the complete dL/dy, what a prehook sees, "
                   "and may return a replacement.")
    else:
        instead = ("To see the gradients it passes on, register on its inputs: "
                   "x.register_hook(fn) gets x's complete gradient (summed over every op "
                   "that used x) and may return a replacement.")
    return UsageError(f"{node}.{method}: this engine keeps hooks on tensors, not on graph "
                      f"nodes. {instead}")


_SAVED_INPUTS = {"_saved_self": 0, "_saved_other": 1}


class SavedAttribute:
    """A descriptor for one of PyTorch's ``grad_fn._saved_*`` / ``_raw_saved_*`` names
    on every op (``saved_attribute`` says what each gives). Named attributes rather than
    a ``__getattr__`` on ``Function``: CPython 3.11 does not specialise attribute reads on
    a class that defines ``__getattr__``, so every read of ``op.parents`` in the engine
    took about 3x as long (a scalar chain: build 9%, backward 12% slower; shape (8,):
    backward 8% slower)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, op: Any, owner: type | None = None) -> Any:
        return self if op is None else saved_attribute(op, self.name)


def saved_attribute(op: Any, name: str) -> Any:
    """PyTorch's ``grad_fn._saved_self`` / ``_saved_other``: the op's first / second
    input, the tensor itself (the graph keeps the inputs, as PyTorch saves an input);
    other ``_saved_*`` and ``_raw_saved_*`` names are errors saying what to read."""
    if name in _SAVED_INPUTS:
        parents = getattr(op, "parents", ())
        if parents is None:
            raise graph_freed(op, name)
        if _SAVED_INPUTS[name] < len(parents):
            return parents[_SAVED_INPUTS[name]]
    if name.startswith("_raw_saved_"):
        raise UsageError(f"{op.name()}.{name}: nothing is packed here, so there are no "
                         f"saved-tensor hooks to register (see "
                         f"autograd.graph.saved_tensors_hooks).")
    if name == "_saved_result":
        raise UsageError(f"{op.name()}._saved_result: an op here keeps no copy of its "
                         f"output; what it saved is the output itself, the y whose grad_fn "
                         f"this is.")
    raise UsageError(f"{op.name()}.{name}: this op saved its inputs ("
                     f"{op.name()}._saved_self, ._saved_other) and keeps its other "
                     f"arguments as op state: {op.name()}.state() lists them.")


class saved_tensors_hooks:
    """PyTorch's pack/unpack hooks for saved tensors: not here, and the error says why."""

    def __init__(self, pack_hook: Any, unpack_hook: Any) -> None:
        raise UsageError(
            "autograd.graph.saved_tensors_hooks: the graph here keeps the input tensors "
            "themselves, not packed copies, so there is nothing for pack/unpack hooks to "
            "act on. To keep less memory for backward, recompute a block in backward "
            "(nn.checkpoint.checkpoint(block, x), PyTorch's torch.utils.checkpoint) or "
            "release the graph sooner (a smaller batch).")


class save_on_cpu:
    """PyTorch's ``save_on_cpu(pin_memory=False, device_type="cuda")``: saved tensors
    are kept in CPU memory. Everything is in CPU memory here, so the block changes
    nothing and code written for a GPU runs as it is."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        self.pin_memory, self.device_type = pin_memory, device_type

    def __enter__(self) -> "save_on_cpu":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None


class disable_saved_tensors_hooks:
    """PyTorch's ``disable_saved_tensors_hooks(error_message)``: a block in which
    ``saved_tensors_hooks`` may not be used. They are never available here (see
    ``saved_tensors_hooks``), so the block changes nothing."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self) -> "disable_saved_tensors_hooks":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None


_INSTEAD = {
    "register_multi_grad_hook": "register a hook on each tensor (t.register_hook(fn)) and "
                                "combine them yourself, e.g. count the calls in one pass",
    "GradientEdge": "walk the graph with t.grad_fn.next_functions ((node, 0) pairs)",
    "get_gradient_edge": "walk the graph with t.grad_fn.next_functions ((node, 0) pairs)",
    "increment_version": "call t.bump_version() after writing into t.data",
    "allow_mutation_on_saved_tensors": "clone a tensor before writing into it in place "
                                       "(t = t.clone()) when the graph has used it",
}


def __getattr__(name: str) -> Any:
    """A PyTorch name of ``torch.autograd.graph`` this module does not have: an
    AttributeError (``MissingNameError``) saying what to use instead."""
    hint = _INSTEAD.get(name, "the names here are " + ", ".join(__all__))
    raise MissingNameError(f"autograd.graph has no {name!r}: {hint}")

"""Whether a write while recording can go where PyTorch's goes (``can_take_write``), the
alias of a constant that takes it (``detached_constant``) and the error when it cannot
(``cannot_take_write``; for a custom Function's output that shares an input's memory,
and that input, PyTorch's refusal of a view created inside a custom Function); the write
itself is ``rebase``'s."""

from __future__ import annotations

from typing import Any

from .clock import memory_owner
from .errors import InplaceError
from .rebase import (_is_view_of_another, _sliced_base, _view_op_and_base,
                     _whole_view_bases)
from .views import detached_source, function_sharing, held_elsewhere, reshaped_since_viewed

__all__ = ["detached_constant", "can_take_write", "cannot_take_write"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def detached_constant(t: AnyTensor) -> AnyTensor | None:
    """For a write while recording into t = source.detach() that still holds source's
    array: source, a constant, which then takes t's new array (PyTorch writes the memory
    they share; source stays outside the graph, t joins it). A source in a graph, or a
    leaf that requires grad, is refused: here it would silently keep its old values.
    None when t is no such alias."""
    source = detached_source(t)
    if source is not None and held_elsewhere(source):
        raise cannot_take_write("a write", t, "into a copy (t.detach().clone())")
    if source is not None and (source._op is not None or source._requires_grad):
        raise InplaceError(
            f"a write while recording into d = t.detach() (shape {t.shape}), where t "
            f"{'is a leaf that requires grad' if source._op is None else 'is in a graph'}: "
            f"PyTorch writes the memory they share, but here t would silently keep its old "
            f"values. Write into a copy (d = t.detach().clone()), or update t itself under "
            f"no_grad().")
    return source


def can_take_write(t: AnyTensor) -> bool:
    """Whether a write while recording into t can go where PyTorch's goes: t is no view,
    or a whole view or a part of a tensor that can take it, or a constant's detach()."""
    return (_whole_view_bases(t) is not None or _sliced_base(t) is not None
            or detached_constant(t) is not None)


def cannot_take_write(what: str, t: AnyTensor, instead: str) -> InplaceError:
    """The error for a write while recording into t, a view that cannot take it; or into
    a constant whose views were taken before it changed shape in place (outside the graph,
    which records nothing), or into a view of one: those views could not show the write
    (PyTorch's share the memory, and do)."""
    shared = _shared_in_function(t)
    if shared is not None:
        return InplaceError(
            f"{what} while recording into x (shape {t.shape}), whose memory {shared} "
            f"also holds (its forward returned an input as it is, or a view of it): x and "
            f"that output would silently stop sharing it here, and PyTorch refuses this too "
            f"for an output in the graph (a view created inside a custom Function, modified "
            f"inplace). Return a copy from forward "
            f"(return x.clone()), clone the output before changing it (y = y.clone()), or "
            f"make the change under no_grad(), where it goes into the shared memory.")
    root = t
    while _is_view_of_another(root) and (viewed := _view_op_and_base(root)) is not None:
        root = viewed[1]
    if root._op is None and reshaped_since_viewed(root):
        return InplaceError(
            f"{what} while recording into x (shape {t.shape}), where x or the tensor it "
            f"views changed shape in place (unsqueeze_, squeeze_, t_, transpose_) outside "
            f"the graph after views were taken of it: here those views could not show the "
            f"write, where PyTorch's share its memory. Take the views after the shape "
            f"change, or write x = x + y (a new tensor).")
    if memory_owner(t._data) is t._data and detached_source(t) is None:  # x owns it
        return InplaceError(
            f"{what} while recording into x (shape {t.shape}), whose memory is also held by "
            f"a view(dtype) tensor or a NumPy array (t.numpy(), Tensor(array)): they would "
            f"keep the old values. Write {instead}, or clone x first (x = x.clone()).")
    if any(step == 0 and n > 1 for step, n in zip(t._data.strides, t.shape)):  # repeats
        return InplaceError(
            f"{what} while recording into x (shape {t.shape}), an expand/broadcast_to that "
            f"repeats elements: more than one element of x is one element of its base, so a "
            f"write cannot go there (PyTorch refuses it too). Write {instead}, or clone "
            f"first (x = x.clone()).")
    return InplaceError(
        f"{what} while recording, where x (shape {t.shape}) is a view of another tensor's "
        f"(or NumPy) array that cannot take the write (of a leaf that requires grad, of a "
        f"NumPy array, of a part of a transpose of a part): PyTorch writes through to the "
        f"base and records it there, but here only x would change and the base would "
        f"silently keep its old values. Write {instead}, or make x a tensor of its own "
        f"first (x = x.clone()).")


def _shared_in_function(t: AnyTensor) -> str | None:
    """``views.function_sharing`` for t or a tensor t views (its base, their base...)."""
    node = t
    while (label := function_sharing(node)) is None and _is_view_of_another(node):
        viewed = _view_op_and_base(node)
        if viewed is None:
            return None
        node = viewed[1]
    return label

"""A group's parameters as one flat vector, so that an elementwise update (Adam's) runs in
a dozen NumPy calls per group instead of a dozen per parameter: PyTorch's multi-tensor
("foreach") idea, with NumPy's ``concatenate`` and views.

Each array is laid end to end in its own memory order (``Linear``'s weights are
F-ordered), so that the flat pieces of a parameter, of its gradient and of its state line
up element for element, and a piece reshaped in that order is a view with the
parameter's layout. The numbers are those of the parameter-by-parameter update: the same
operations on the same elements. For the small models of the notes the calls are the
cost: Adam's step on the VAE 64-32-(2+2)-32-64 (ten parameters, 4,420 numbers) took 84
us parameter by parameter and 33 us flat, in a loop. For large parameters the data are
the cost and joining the gradients is one more pass over them, so a group goes flat only
while its parameters average at most ``FLAT_MAX_AVERAGE`` elements.
"""
from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor

__all__ = ["FlatLayout", "FlatBuffers", "FLAT_MAX_AVERAGE", "flat_enough", "memory_order"]

FLAT_MAX_AVERAGE = 32768  # elements per parameter, on average (128 KB of float32)


def memory_order(array: np.ndarray) -> str:
    """"F" for an array laid out column-major (strides growing with the axis), else "C"."""
    return "F" if array.ndim > 1 and array.strides[0] < array.strides[-1] else "C"


def flat_enough(arrays: Sequence[np.ndarray]) -> bool:
    """Whether parameters' arrays gain by a flat update: floating, of one dtype, and
    averaging at most ``FLAT_MAX_AVERAGE`` elements."""
    return (len({a.dtype for a in arrays}) == 1 and arrays[0].dtype.kind == "f"
            and sum(a.size for a in arrays) <= FLAT_MAX_AVERAGE * len(arrays))


class FlatLayout:
    """Where each of a list of arrays sits in one flat vector: shapes, memory orders and
    the [start, end) of each, all of one dtype."""

    def __init__(self, arrays: Sequence[np.ndarray]) -> None:
        self.shapes = tuple(a.shape for a in arrays)
        self.orders = tuple(memory_order(a) for a in arrays)
        self.dtype = arrays[0].dtype
        ends = np.cumsum([a.size for a in arrays]).tolist()
        self.bounds = tuple(zip([0] + ends[:-1], ends))
        self.size = ends[-1]
        self.checked = tuple(arrays)  # the arrays last found to fit

    def fits(self, arrays: Sequence[np.ndarray]) -> bool:
        """Whether ``arrays`` have this layout (shapes, orders, dtype): at once when they are
        the arrays last checked (a parameter's array keeps its layout; ``p.data = ...``
        gives it another array, which is checked)."""
        if len(arrays) == len(self.checked) and all(map(operator.is_, arrays, self.checked)):
            return True
        found = len(arrays) == len(self.shapes) and all(
            a.shape == shape and a.dtype == self.dtype and memory_order(a) == order
            for a, shape, order in zip(arrays, self.shapes, self.orders))
        if found:
            self.checked = tuple(arrays)
        return found

    def join(self, arrays: Sequence[np.ndarray], out: np.ndarray) -> np.ndarray:
        """The arrays end to end in ``out`` (each in its place's order: a gradient laid out
        otherwise than its parameter is copied in the parameter's element order)."""
        return np.concatenate([a.ravel(order=order) for a, order in zip(arrays, self.orders)],
                              out=out)

    def pieces(self, flat: np.ndarray) -> list[np.ndarray]:
        """Views of ``flat``, one per array, shaped and laid out as that array."""
        return [flat[start:end].reshape(shape, order=order) for (start, end), shape, order
                in zip(self.bounds, self.shapes, self.orders)]


class FlatBuffers:
    """A group's flat work space (``grad``, ``work`` and its pieces) and flat state vectors
    (by state name), whose pieces back the per-parameter state Tensors
    (``state[p][name].data`` is a view of the flat vector), so that PyTorch habits on the
    state keep working. The step counts too: ``steps`` holds one per parameter, and each
    ``state[p]["step"]`` is a 0-d view of its element, so one ``steps += 1`` counts a
    step for the whole group."""

    def __init__(self, layout: FlatLayout, names: Sequence[str], step_dtype: np.dtype) -> None:
        self.layout = layout
        self.grad = np.empty(layout.size, layout.dtype)
        self.work = np.empty(layout.size, layout.dtype)
        self.work_pieces = layout.pieces(self.work)
        self.flat = {name: np.zeros(layout.size, layout.dtype) for name in names}
        self.steps = np.zeros(len(layout.shapes), step_dtype)
        self.names = tuple(names)
        # entry by entry ("step" first), parameter by parameter: the pieces, and the
        # Tensors adopt() put on them (a placeholder until then, which no state entry is)
        self.entry_names = ("step",) + self.names
        self.places = [self.steps[i, ...] for i in range(self.steps.size)] + [
            piece for name in names for piece in layout.pieces(self.flat[name])]
        self.installed: list[Any] = [object()] * len(self.places)

    def backs(self, states: Sequence[dict[str, Any]]) -> bool:
        """Whether every state entry is the Tensor ``adopt`` put on its flat piece and still
        holds it (not after a first step, a ``load_state_dict``, a user's
        ``state[p]["exp_avg"] = ...`` or ``....data = ...``)."""
        entries = [state.get(name) for name in self.entry_names for state in states]
        return len(entries) == len(self.installed) and all(
            map(operator.is_, entries, self.installed)) and all(
            map(operator.is_, map(_data, self.installed), self.places))

    def adopt(self, states: Sequence[dict[str, Any]]) -> bool:
        """Put each state entry on its flat piece: its values copied in (zeros for an entry
        not there yet), the same Tensor kept (its ``.data`` is the piece from now on).
        False, changing nothing, when an entry is no Tensor of its piece's shape and dtype
        (an array a user stored): the caller then updates parameter by parameter."""
        entries = [(state, name) for name in self.entry_names for state in states]
        for (state, name), piece in zip(entries, self.places):
            entry = state.get(name)
            if entry is not None and not (isinstance(entry, Tensor) and entry.shape ==
                                          piece.shape and entry.dtype == piece.dtype):
                return False
        for k, ((state, name), piece) in enumerate(zip(entries, self.places)):
            entry = state.get(name)
            if entry is None:
                piece[...] = 0
                entry = state[name] = Tensor(piece)
            else:
                piece[...] = entry.data
                entry.data = piece
            self.installed[k] = entry
        return True

    def count_step(self) -> float | None:
        """Count one step for every parameter (``steps += 1``) and return the new count t;
        None, counting nothing, when the counts differ (a parameter that had no gradient
        for a while, or a count a user changed): the caller then updates parameter by
        parameter."""
        steps = self.steps
        if len(set(steps.tolist())) != 1:
            return None
        steps += 1
        return float(steps[0])


_data = operator.attrgetter("data")

"""``tensordot``: the sum over paired axes of two tensors, as ``np.tensordot`` and
``torch.tensordot`` (an einsum, so it differentiates as one), with PyTorch's checks of
``dims`` (a count >= 0, or a pair of equally long lists of distinct axes)."""

from __future__ import annotations

import string
from typing import Any

from .._arrays import is_int
from ..errors import ShapeError, UsageError
from .einsum import einsum
from .reductions import single_axis

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["tensordot"]


def tensordot(a: T, b: T, axes: Any = 2) -> T:
    """sum over the paired axes of a[...] b[...]: a's axes ``axes[0]`` against b's
    ``axes[1]``, the others kept (a's, then b's), as ``np.tensordot`` and
    ``torch.tensordot`` (an einsum). ``axes`` is a count n >= 0 (a's last n axes against
    b's first n; a 0-d integer tensor too) or a pair of axes or lists of axes (a tensor
    of two rows too)."""
    a_axes, b_axes = _tensordot_axes(axes, a.ndim, b.ndim)
    for i, j in zip(a_axes, b_axes):  # (einsum would broadcast a size 1 against the other)
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"tensordot: axis {i} of a (length {a.shape[i]}) and axis {j} "
                             f"of b (length {b.shape[j]}) are summed together, so their "
                             f"lengths must be equal; shapes {a.shape} and {b.shape}")
    letters = iter(string.ascii_letters)
    a_term = [next(letters) for _ in range(a.ndim)]
    b_term = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(a_axes, b_axes):
        b_term[j] = a_term[i]
    out = [c for k, c in enumerate(a_term) if k not in a_axes] + \
        [c for k, c in enumerate(b_term) if k not in b_axes]
    return einsum(f"{''.join(a_term)},{''.join(b_term)}->{''.join(out)}", a, b)


def _tensordot_axes(axes: Any, a_ndim: int, b_ndim: int) -> tuple[list[int], list[int]]:
    """(a's axes, b's axes) of tensordot's ``axes``, non-negative: a count n (a's last n
    against b's first n) or a pair; an array or tensor is read as its values (one value
    is a count, as PyTorch's ``dims=torch.tensor([1])``). A negative or too large count,
    a float, a pair of unequal lengths or a repeated axis is an error, as PyTorch's."""
    if hasattr(axes, "dtype") and hasattr(axes, "tolist"):  # an ndarray or a Tensor
        if axes.dtype.kind not in "iu":
            raise UsageError(f"tensordot: dims must hold ints; got dtype {axes.dtype}")
        axes = axes.reshape(()).item() if axes.size == 1 else axes.tolist()  # PyTorch's
    if is_int(axes):
        return _counted_axes(int(axes), a_ndim, b_ndim)
    if not isinstance(axes, (tuple, list)) or len(axes) != 2:
        raise UsageError(f"tensordot: dims must be an int (how many axes to sum) or a pair "
                         f"(a's axes, b's axes) of ints or lists of ints; got "
                         f"{_described(axes)}")
    a_axes, b_axes = (_axis_list(k, ndim, name) for k, ndim, name in
                      zip(axes, (a_ndim, b_ndim), "ab"))
    if len(a_axes) != len(b_axes):
        raise ShapeError(f"tensordot: {len(a_axes)} axes of a against {len(b_axes)} of b; "
                         f"dims must pair them one to one")
    return a_axes, b_axes


def _counted_axes(count: int, a_ndim: int, b_ndim: int) -> tuple[list[int], list[int]]:
    """a's last ``count`` axes and b's first ``count``."""
    if count < 0:
        raise ShapeError(f"tensordot: dims (how many axes to sum) must be >= 0, as in "
                         f"PyTorch; got {count}")
    if count > min(a_ndim, b_ndim):
        raise ShapeError(f"tensordot: dims={count} sums a's last {count} axes with b's "
                         f"first {count}, but the tensors have {a_ndim} and {b_ndim} axes; "
                         f"give at most {min(a_ndim, b_ndim)}")
    return list(range(a_ndim - count, a_ndim)), list(range(count))


def _axis_list(axes: Any, ndim: int, name: str) -> list[int]:
    """One entry of tensordot's pair (an axis or a list of axes) as distinct
    non-negative axes of a tensor of ``ndim`` axes."""
    listed = list(axes) if isinstance(axes, (tuple, list)) else [axes]
    found = [single_axis(k, ndim, "tensordot") for k in listed]
    repeated = sorted({k for k in found if found.count(k) > 1})
    if repeated:
        raise ShapeError(f"tensordot: axis {repeated[0]} of {name} appears more than once "
                         f"in dims ({listed}); each axis can be summed once")
    return found


def _described(value: Any) -> str:
    """A short description of a value for an error message."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} entries: {value!r}"
    return f"{type(value).__name__} {value!r}"

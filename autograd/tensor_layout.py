"""``LayoutMethods``: how a tensor's values lie in memory, in PyTorch's terms (a mixin
of ``Tensor``): ``stride()``, ``storage_offset()``, ``data_ptr()`` (``const_data_ptr()``),
``nbytes``, ``itemsize``, ``get_device()``, ``is_cpu``, ``is_pinned()``, ``is_set_to()``,
``is_same_size()``, ``resize_as_()``; and the conjugate and negative views of complex
tensors, which on real ones (all tensors here) are the tensor itself: ``conj()``,
``resolve_conj()``, ``resolve_neg()``, ``is_conj()``, ``is_neg()``.

A tensor's memory is its NumPy array's (``.data``): its strides are NumPy's divided by the
element size. They may be 0 (a broadcast) or negative (a flip), which PyTorch's never are.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import MissingNameError
from .ops.reductions import single_axis

__all__ = ["LayoutMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _address(array: np.ndarray) -> int:
    """Where the array's first element is in memory."""
    return array.__array_interface__["data"][0]


class LayoutMethods:
    """``stride storage_offset data_ptr const_data_ptr nbytes itemsize get_device is_cpu
    is_pinned is_set_to is_same_size resize_as_ conj resolve_conj resolve_neg is_conj
    is_neg`` (a Tensor mixin)."""

    __slots__ = ()

    def stride(self, dim: int | None = None) -> Any:
        """The step in elements between neighbours along each axis (a tuple), or along
        ``dim``: (3, 1) for a C-ordered (2, 3) matrix, (1, 3) for its transpose. A size-1
        axis inserted by ``x[None]`` or ``expand`` (NumPy's step 0) reports PyTorch's
        step: the next axis's step times its size (1 for the last axis)."""
        steps = [s // self.dtype.itemsize for s in self.data.strides]
        for k in reversed(range(self.ndim)):  # PyTorch's step for an inserted size-1 axis
            if self.shape[k] == 1 and steps[k] == 0:
                steps[k] = steps[k + 1] * self.shape[k + 1] if k + 1 < self.ndim else 1
        steps = tuple(steps)
        if dim is None:
            return steps
        return steps[single_axis(dim, self.ndim, "stride")]

    def storage_offset(self) -> int:
        """How many elements into the memory it shares with other tensors (the array a
        view was taken from) this tensor's first element is: 3 for ``x[1]`` of a C-ordered
        (2, 3) ``x``, 0 for a tensor that owns its memory."""
        root = self.data
        while isinstance(root.base, np.ndarray):
            root = root.base
        return (_address(self.data) - _address(root)) // self.dtype.itemsize

    def data_ptr(self) -> int:
        """The memory address of the first element (equal for tensors that share it)."""
        return _address(self.data)

    def const_data_ptr(self) -> int:
        """``data_ptr()`` (PyTorch's name for reading through it)."""
        return _address(self.data)

    def is_set_to(self, tensor: AnyTensor) -> bool:
        """True when both tensors view the same memory the same way: the same first
        element, shape, strides and dtype (``x[:]`` is set to ``x``; ``x.t()`` is not)."""
        mine, theirs = self.data, tensor.data
        return (_address(mine) == _address(theirs) and mine.shape == theirs.shape
                and mine.strides == theirs.strides and mine.dtype == theirs.dtype)

    def is_same_size(self, other: AnyTensor) -> bool:
        """True when ``other`` has this tensor's shape."""
        return self.shape == other.shape

    def resize_as_(self, tensor: AnyTensor, memory_format: Any = None) -> AnyTensor:
        """``resize_(tensor.size())``: self takes ``tensor``'s shape in place."""
        return self.resize_(tensor.shape, memory_format=memory_format)

    @property
    def is_cpu(self) -> bool:
        """True: every tensor lives in host memory."""
        return True

    def is_pinned(self) -> bool:
        """False: there is no accelerator to pin host memory for."""
        return False

    @property
    def nbytes(self) -> int:
        """numel() * element_size(): the bytes the values take."""
        return self.data.nbytes

    @property
    def itemsize(self) -> int:
        """The bytes of one element (``element_size()``)."""
        return self.dtype.itemsize

    def get_device(self) -> int:
        """-1, PyTorch's number for the CPU, where every tensor here lives."""
        return -1

    def conj(self) -> AnyTensor:
        """The complex conjugate: the tensor itself, as PyTorch's for real tensors."""
        return self

    @property
    def real(self) -> AnyTensor:
        """The real part: the tensor itself, as PyTorch's ``x.real`` of a real tensor."""
        return self

    @property
    def imag(self) -> AnyTensor:
        """Refused, as PyTorch refuses it for a real tensor (every tensor here is real);
        an AttributeError too, so ``hasattr(x, "imag")`` is False."""
        raise MissingNameError("x.imag: every tensor here is real (PyTorch: 'imag is not "
                               "implemented for tensors with non-complex dtypes'), so its "
                               "imaginary part is zero: use zeros_like(x) if you need it.")

    def isreal(self) -> AnyTensor:
        """Elementwise whether the value is real: True everywhere (a bool tensor)."""
        return self._make(np.ones(self.shape, dtype=bool), None)

    def dim_order(self) -> tuple[int, ...]:
        """The axes from outermost to innermost in memory (PyTorch's rule: ``(0, 1, ...,
        n-1)`` for a C-ordered tensor): an insertion sort from the innermost axis by
        stride, the longer axis outside on equal strides, a broadcast axis (stride 0)
        left where it is. (A size-1 axis's stride after a permute can differ from
        PyTorch's, and its place in the order with it.)"""
        strides, shape = [abs(s) for s in self.stride()], self.shape  # PyTorch's strides

        def outside(a: int, b: int) -> int:  # 1: a lies outside b; -1: inside; 0: unknown
            if strides[a] == 0 or strides[b] == 0:
                return 0
            if strides[a] != strides[b]:
                return 1 if strides[a] > strides[b] else -1
            return 1 if shape[a] > shape[b] else 0

        order = list(range(self.ndim))[::-1]  # innermost first while sorting
        for i in range(1, len(order)):
            moving = i
            for k in reversed(range(i)):
                found = outside(order[k], order[moving])
                if found > 0:
                    order[k], order[moving] = order[moving], order[k]
                    moving = k
                elif found < 0:
                    break
        return tuple(order[::-1])

    def resolve_conj(self) -> AnyTensor:
        """The tensor itself (a real tensor is never a lazy conjugate)."""
        return self

    def resolve_neg(self) -> AnyTensor:
        """The tensor itself (a real tensor is never a lazy negation)."""
        return self

    def is_conj(self) -> bool:
        """False: a real tensor is never a lazy conjugate."""
        return False

    def is_neg(self) -> bool:
        """False: a real tensor is never a lazy negation."""
        return False

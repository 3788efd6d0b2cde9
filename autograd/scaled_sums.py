"""beta * input + alpha * product: the sum that PyTorch's ``addmm addmv addr baddbmm
addbmm`` share. Their in-place forms write this result back, so the same rules hold
for them:

- alpha and beta are numbers (PyTorch's ``Number``): Python or NumPy numbers, or a 0-d
  array or tensor that needs no gradient; anything else is a ``UsageError``;
- input broadcasts *to* the product's shape, as in PyTorch (it never widens the result);
- integer and bool tensors keep their dtype, so a scale of a higher kind that changes
  the values (alpha != 1, beta other than 0 and 1: 1.5 or 2.0 with int64, 2 with bool)
  is a ``DTypeError``, by the in-place forms' rule (``check_cast_back``). PyTorch
  truncates such an alpha in ``addmm`` and refuses it in ``addr``;
- with beta = 0 input's values (NaN and inf too) are ignored, as in PyTorch. alpha = 0
  still multiplies, so a NaN in the product stays NaN (0 * NaN), as in PyTorch's ``addr``
  and ``baddbmm``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError, UsageError
from .inplace_operators import check_cast_back
from .ops.generic import is_tensor

__all__ = ["scaled_sum", "scale_argument"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def scaled_sum(input: AnyTensor, product: AnyTensor, beta: Any, alpha: Any,  # noqa: A002
               op: str) -> AnyTensor:
    """beta * input + alpha * product, with the rules of the module docstring; ``op``
    names the caller in errors."""
    beta, alpha = scale_argument(op, "beta", beta), scale_argument(op, "alpha", alpha)
    _check_broadcasts_to(op, input.shape, product.shape)
    dtype = np.result_type(input.dtype, product.dtype)
    if beta not in (0, 1):
        _check_scale_kind(op, "beta", beta, dtype)
    if alpha != 1:
        _check_scale_kind(op, "alpha", alpha, dtype)
        product = product * alpha
    if beta == 0:  # every element of input replaced by 0: no NaN * 0
        return input.masked_fill(np.ones(input.shape, bool), 0.0) + product
    return (input if beta == 1 else input * beta) + product


def scale_argument(op: str, name: str, value: Any) -> bool | int | float:
    """``value`` as a Python number: a Python or NumPy real number, or a 0-d array or
    0-d tensor that needs no gradient (as PyTorch's ``Number``). Anything else is a
    ``UsageError`` (PyTorch's TypeError)."""
    if is_tensor(value) and value.ndim == 0 and not value.requires_grad:
        value = value.item()
    elif isinstance(value, (np.ndarray, np.generic)) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, int, float)):
        return value
    hint = ""
    if is_tensor(value) and value.ndim == 0:
        hint = (f". To differentiate by {name}, write the sum out: "
                f"beta * input + alpha * product")
    elif np.ndim(value) > 0:
        hint = ". For one scale per element, multiply the input or the product yourself"
    shape = f" of shape {tuple(np.shape(value))}" if np.ndim(value) > 0 else ""
    raise UsageError(f"{op}: {name} must be one number (an int, a float or a bool, or a 0-d "
                     f"tensor that needs no gradient), as in PyTorch; got "
                     f"{type(value).__name__}{shape}{hint}")


def _check_broadcasts_to(op: str, given: tuple, target: tuple) -> None:
    """ShapeError unless ``given`` broadcasts to ``target`` (the product's shape)."""
    try:
        fits = np.broadcast_shapes(given, target) == tuple(target)
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{op}: input of shape {tuple(given)} must broadcast to the "
                         f"product's shape {tuple(target)}, as in PyTorch (the result has "
                         f"the product's shape). Reshape or slice the input to fit")


def _check_scale_kind(op: str, name: str, scale: bool | int | float,
                      dtype: np.dtype) -> None:
    """DTypeError where ``scale`` would turn integer or bool tensors into floats (or bool
    ones into ints): the result keeps the tensors' dtype, by the rule of the in-place
    forms."""
    kind = "an int" if dtype.kind in "iu" else "a bool" if dtype.kind == "b" else "a float"
    check_cast_back(f"{op}: {name}={scale!r} with {dtype} tensors",
                    np.result_type(np.asarray(scale).dtype, dtype), dtype,
                    f"The result keeps the tensors' dtype, as in PyTorch: give {name} as "
                    f"{kind}, or convert the tensors first (x.double()).")

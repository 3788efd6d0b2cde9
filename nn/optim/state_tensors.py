"""Per-parameter optimizer state as PyTorch keeps it: Tensors.

``optimizer.state[p]["exp_avg"]`` is an ``autograd.Tensor`` wrapping the array the
update writes in place (``Tensor(array)`` does not copy), so a PyTorch habit such as
``state["exp_avg"].norm()`` or ``state["momentum_buffer"].mul_(0)`` reads or edits the
live state, while the update itself reads ``.data`` and stays plain NumPy.

``state["step"]`` is a 0-d Tensor, as in PyTorch 2.x, of PyTorch's scalar dtype for the
default dtype: float64 (ours is float64); ``.item()`` gives the count.

Saving copies every array; loading casts floating state to the parameter's dtype
(``step`` keeps its own, as in PyTorch), and turns what an older state dict holds (arrays,
an int ``step``, a float ``mu_product``) into Tensors.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype
from ..errors import StateDictError

__all__ = ["zeros_state", "full_state", "copied_state", "scalar_dtype", "scalar_state",
           "start_step", "next_step", "state_array", "saved_value", "restored_value"]


# the built-in optimizers' state entries shaped like their parameter (checked on load; a
# custom optimizer's other Tensor state may have any shape, as in PyTorch)
PARAM_SHAPED = frozenset({"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "exp_inf", "sum",
                          "momentum_buffer", "square_avg", "grad_avg", "acc_delta", "prev",
                          "step_size", "ax"})
# other built-in Tensor state, of other shapes (Adafactor's factored second moments)
ARRAY_STATE = frozenset({"row_var", "col_var", "variance"})


def zeros_state(param: np.ndarray) -> Tensor:
    """A Tensor of zeros shaped, typed and ordered like the array ``param``."""
    return Tensor(np.zeros_like(param))


def full_state(param: np.ndarray, value: float) -> Tensor:
    """A Tensor shaped like ``param`` filled with ``value``."""
    return Tensor(np.full_like(param, value))


def copied_state(array: np.ndarray, dtype: np.dtype) -> Tensor:
    """A Tensor holding a copy of ``array`` in ``dtype``."""
    return Tensor(np.array(array, dtype=dtype, copy=True))


def scalar_dtype() -> np.dtype:
    """PyTorch's ``_get_scalar_dtype()``: float64 if that is the default dtype, else
    float32."""
    return np.dtype(np.float64 if np.dtype(get_default_dtype()) == np.float64 else np.float32)


def scalar_state(value: float) -> Tensor:
    """A 0-d Tensor of the scalar dtype (``step``, NAdam's ``mu_product``)."""
    return Tensor(np.array(value, dtype=scalar_dtype()))


def start_step(state: dict[str, Any]) -> None:
    """``state["step"] = 0`` as PyTorch 2.x keeps it: a 0-d float Tensor."""
    state["step"] = scalar_state(0.0)


def next_step(state: dict[str, Any]) -> float:
    """Count one step in ``state["step"]`` (in place when it is a Tensor; a plain number
    a user put there stays one) and return the new count t."""
    step = state["step"]
    if isinstance(step, Tensor):
        count = step.data
        t = float(count) + 1.0
        count[()] = t  # in place (an alias sees it); `count += 1` on a 0-d array took 5 us
        return t
    state["step"] = step = step + 1
    return step


def state_array(value: Any) -> np.ndarray:
    """The array an update writes: a state Tensor's ``.data`` (an array a user stored
    instead is used as it is)."""
    return value.data if isinstance(value, Tensor) else value


def saved_value(value: Any) -> Any:
    """A snapshot of one state entry for ``state_dict()``: Tensors and arrays copied,
    lists copied item by item, anything else as it is."""
    if isinstance(value, Tensor):
        return Tensor(value.data.copy())
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [saved_value(item) for item in value]
    return value


def restored_value(value: Any, param: np.ndarray, key: Any, name: str,
                   scalars: Iterable[str]) -> Any:
    """One saved state entry made live for the parameter array ``param``: a Tensor or
    array becomes a Tensor holding a copy, cast to ``param``'s dtype when floating (not
    ``step``: it keeps its dtype, as in PyTorch). An entry named in ``scalars`` (the
    optimizer's 0-d Tensor state) may be a plain number from an older state dict (and
    must be a number; ``step`` a finite count >= 0); any other array (and a built-in's
    ``PARAM_SHAPED`` entry, which must be an array) must have the parameter's shape.
    ``StateDictError`` otherwise."""
    is_array = isinstance(value, (Tensor, np.ndarray))
    is_number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if (name in scalars or name == "step") and not is_array:
        if not is_number:
            raise StateDictError(f"state '{name}' of parameter {key} must be a number or a "
                                 f"0-d Tensor; got {type(value).__name__} {value!r:.40}")
        _checked_scalar(np.asarray(value), key, name)
        if name not in scalars:  # SparseAdam's step: a plain int, as PyTorch's
            return value
        tensor = scalar_state(float(value))
        return tensor if name == "step" else Tensor(tensor.data.astype(param.dtype))
    if not is_array:
        if name in PARAM_SHAPED | ARRAY_STATE and not (
                value is None and name == "momentum_buffer"):  # SGD's may be None
            raise StateDictError(f"state '{name}' of parameter {key} must be a Tensor"
                                 f"{' shaped like the parameter' if name in PARAM_SHAPED else ''}"
                                 f"; got {type(value).__name__} {value!r:.40}")
        return value
    array = value.data if isinstance(value, Tensor) else value
    if array.dtype.kind not in "biuf":
        raise StateDictError(f"state '{name}' of parameter {key} holds {array.dtype} "
                             "data, not numbers")
    if name in scalars:
        if array.ndim != 0:
            raise StateDictError(f"state '{name}' of parameter {key} must be a single "
                                 f"number (0-d), got shape {array.shape}")
        _checked_scalar(array, key, name)
    elif array.shape != param.shape and (isinstance(value, np.ndarray)
                                         or name in PARAM_SHAPED):
        raise StateDictError(f"state '{name}' of parameter {key} has shape {array.shape}, "
                             f"but the parameter has shape {param.shape}")
    dtype = array.dtype if name == "step" or array.dtype.kind != "f" else param.dtype
    return copied_state(array, dtype)


def _checked_scalar(value: np.ndarray, key: Any, name: str) -> None:
    """``StateDictError`` for a 0-d state entry that is not finite, or a ``step`` count
    below 0 (the next update would fail, or give NaN)."""
    number = float(value)
    if not np.isfinite(number) or (name == "step" and number < 0):
        raise StateDictError(f"state '{name}' of parameter {key} must be a finite "
                             f"{'count >= 0' if name == 'step' else 'number'}; got {number}")

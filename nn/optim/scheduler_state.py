"""The checks a scheduler's ``load_state_dict`` makes before it changes anything: the state
dict must be a dict, and each saved value of the kind this scheduler holds there (a
number, a list with one lr per param group...), so that a malformed one raises
``StateDictError`` naming the entry at load, not a bare error at the next ``step()``."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from numbers import Integral, Real
from typing import Any

from ..errors import StateDictError

__all__ = ["state_mapping", "check_saved_values"]

_PER_GROUP = ("base_lrs", "_last_lr")  # one lr per param group
_NULLABLE = ("default_min_lr",)  # ReduceLROnPlateau's: None when min_lr is a list


def state_mapping(scheduler: Any, state_dict: Any,
                  keys: Collection[str] | None = None) -> Mapping[str, Any]:
    """``state_dict``, which must be a dict (with the ``keys``, when given), as the
    scheduler's ``state_dict()`` returns."""
    name = type(scheduler).__name__
    if not isinstance(state_dict, Mapping):
        raise StateDictError(f"{name}.load_state_dict: expected the dict that "
                             f"{name}.state_dict() returns; got {type(state_dict).__name__}")
    if keys is not None and set(state_dict) != set(keys):
        raise StateDictError(f"{name}.load_state_dict: keys {sorted(state_dict)} do not match "
                             f"the expected {sorted(keys)}; was it saved by another scheduler?")
    return state_dict


def check_saved_values(scheduler: Any, state_dict: Mapping[str, Any]) -> None:
    """Each saved value of the kind the scheduler's own attribute holds: a number (not NaN)
    for a number, a bool for a bool, a list for a list (for ``base_lrs`` and ``_last_lr``,
    as long: one per param group); ``last_epoch`` a whole number >= -1. Other attributes
    are taken as saved."""
    name = type(scheduler).__name__
    for key, value in state_dict.items():
        current = getattr(scheduler, key, None)
        if value is None and key in _NULLABLE:
            continue
        if _is_number(current) and not (_is_number(value) and value == value):  # not NaN
            expected = "a number"
        elif isinstance(current, bool) and not isinstance(value, bool):
            expected = "True or False"
        elif isinstance(current, (list, tuple)) and not isinstance(value, (list, tuple)):
            expected = "a list"
        elif key in _PER_GROUP and isinstance(current, (list, tuple)) and (
                len(value) != len(current) or not all(map(_is_number, value))):
            expected = f"a list of {len(current)} numbers (one per param group)"
        elif key == "last_epoch" and not (isinstance(value, Integral) and value >= -1):
            expected = "a whole number >= -1"
        else:
            continue
        raise StateDictError(f"{name}.load_state_dict: '{key}' must be {expected}; got "
                             f"{type(value).__name__} {value!r:.60}")


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)

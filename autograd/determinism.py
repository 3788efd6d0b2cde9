"""PyTorch's switch for deterministic algorithms (``torch.use_deterministic_algorithms``),
which reproducibility helpers set next to the seeds. Every op here is NumPy's on the CPU
and gives the same result on every run, so the switch changes nothing; it is kept, and
read back, as PyTorch's."""

from __future__ import annotations

from .errors import UsageError

__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled"]

_SWITCH = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Set the switch (``mode``, and ``warn_only`` as PyTorch's: whether a
    nondeterministic op would warn rather than raise); every op here is deterministic."""
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            raise UsageError(f"use_deterministic_algorithms: {name} must be a bool (True or "
                             f"False), as PyTorch's; got {value!r}")
    _SWITCH["mode"], _SWITCH["warn_only"] = mode, mode and warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """The ``mode`` last given to ``use_deterministic_algorithms`` (False at first)."""
    return _SWITCH["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether the switch is on with ``warn_only=True``."""
    return _SWITCH["warn_only"]

"""``autograd.amp``: PyTorch's mixed-precision tools, as far as they mean something here.

``GradScaler`` is dynamic loss scaling, the same algorithm as ``torch.amp.GradScaler``:
the loss is multiplied by a scale s before ``backward()``, so small float16 gradients do
not flush to zero; ``unscale_`` multiplies each gradient by 1/s and notes whether any is
inf or NaN; ``step`` runs the optimizer only if none is; ``update`` multiplies s by
``backoff_factor`` after a step with inf/NaN and by ``growth_factor`` after
``growth_interval`` steps without. On the CPU (``GradScaler("cpu")``) it scales for real.

There is no GPU and no mixed precision here (every op computes in its inputs' dtype). As
PyTorch does on a machine without CUDA, a ``"cuda"`` scaler or autocast that is asked to
be enabled warns and disables itself (so ``scaler.scale(loss).backward()``,
``scaler.step(optimizer)`` and ``scaler.update()`` are ``loss.backward()`` and
``optimizer.step()``); ``autocast("cpu")`` enabled is a ``UsageError``, since running it
in full precision would not be what was asked for.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

import numpy as np

from .errors import DTypeError, UsageError
from .grad_mode import no_grad
from .tensor import Tensor

__all__ = ["GradScaler", "autocast"]

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


class autocast:  # noqa: N801 (PyTorch's name)
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a
    context manager (and decorator) that does nothing when disabled, and warns and
    disables itself for a device other than the CPU (there is none here). Enabled on the
    CPU it is a ``UsageError``: there is no mixed precision here."""

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise UsageError(f"autocast: device_type must be a string such as 'cpu' or "
                             f"'cuda'; got {type(device_type).__name__}")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        if self._enabled and device_type != "cpu":
            warnings.warn(f"autocast: device_type {device_type!r} is not available (this "
                          f"engine computes with NumPy on the CPU). Disabling autocast.",
                          UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled:
            raise UsageError(
                "autocast('cpu') would run matmuls and convolutions in a lower precision; "
                "there is no mixed precision here (every op computes in its inputs' "
                "dtype). Compute in float32 (model.float()) and drop the autocast, or "
                "write autocast('cpu', enabled=False) or contextlib.nullcontext()")

    def __enter__(self) -> "autocast":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def run_in_autocast(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)
        return run_in_autocast


class GradScaler:
    """Dynamic loss scaling (``torch.amp.GradScaler``): ``scale(loss).backward()``,
    ``unscale_(optimizer)`` (optional, e.g. before clipping), ``step(optimizer)``,
    ``update()``. The scale is float32, as PyTorch's; ``state_dict()`` has its keys."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled and device != "cpu":
            warnings.warn(f"GradScaler is enabled, but device {device!r} is not available "
                          f"(this engine computes with NumPy on the CPU). Disabling.",
                          UserWarning, stacklevel=2)
            enabled = False
        if not growth_factor > 1.0:
            raise UsageError(f"GradScaler: growth_factor must be > 1; got {growth_factor}")
        if not 0.0 < backoff_factor < 1.0:
            raise UsageError(f"GradScaler: backoff_factor must be in (0, 1); got "
                             f"{backoff_factor}")
        if isinstance(growth_interval, bool) or not isinstance(growth_interval, int) \
                or growth_interval <= 0:
            raise UsageError(f"GradScaler: growth_interval must be a positive int; got "
                             f"{growth_interval!r}")
        self._device, self._enabled = device, bool(enabled)
        self._scale = np.float32(init_scale)
        self._growth_factor, self._backoff_factor = float(growth_factor), float(backoff_factor)
        self._growth_interval, self._growth_tracker = growth_interval, 0
        self._optimizers: dict[int, dict[str, Any]] = {}  # id -> {"stage", "found_inf"}

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        """The current scale s (1.0 when disabled)."""
        return float(self._scale) if self._enabled else 1.0

    def scale(self, outputs: Any) -> Any:
        """``outputs * s``: a Tensor, or lists/tuples of them (the same structure)."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * Tensor(self._scale, dtype=np.float32)
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise UsageError(f"GradScaler.scale takes a Tensor (the loss) or a list or tuple of "
                         f"them; got {type(outputs).__name__}")

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._optimizers.setdefault(id(optimizer), {"stage": _READY, "found_inf": None})

    def unscale_(self, optimizer: Any) -> None:
        """Multiply every gradient of ``optimizer``'s parameters by 1/s in place, and note
        whether any is inf or NaN (then ``step`` skips this optimizer's update)."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise UsageError("unscale_() has already been called on this optimizer since "
                             "the last update()")
        if state["stage"] == _STEPPED:
            raise UsageError("unscale_() is being called after step(): call it before "
                             "scaler.step(optimizer), once per update()")
        inverse = np.float32(1.0 / np.float64(self._scale))  # PyTorch's rounding
        found_inf = False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.dtype == np.float16:
                        raise DTypeError("GradScaler: cannot unscale float16 gradients "
                                         "(as PyTorch): keep the parameters in float32 "
                                         "(model.float()); the scale protects the float16 "
                                         "activations' gradients")
                    p.grad.mul_(inverse)
                    found_inf = found_inf or not bool(np.isfinite(p.grad.numpy()).all())
        state.update(stage=_UNSCALED, found_inf=found_inf)

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale (unless ``unscale_`` did) and run ``optimizer.step(*args, **kwargs)``
        unless a gradient is inf or NaN; returns what the step returns (or None)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise UsageError("GradScaler.step: a closure is not supported while the scaler "
                             "is enabled (as in PyTorch); compute the loss and backward "
                             "before step()")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise UsageError("step() has already been called since the last update()")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Set the scale for the next iteration: ``new_scale`` if given, else s times
        ``backoff_factor`` if a step found inf/NaN, s times ``growth_factor`` after
        ``growth_interval`` clean steps in a row, s otherwise."""
        if not self._enabled:
            return
        if new_scale is not None:
            value = new_scale.item() if isinstance(new_scale, Tensor) else new_scale
            self._scale = np.float32(value)
        else:
            found = [s["found_inf"] for s in self._optimizers.values()
                     if s["found_inf"] is not None]
            if not found:
                raise UsageError("GradScaler.update: no inf checks were recorded; call "
                                 "scaler.step(optimizer) before scaler.update()")
            if any(found):
                self._scale = np.float32(self._scale * np.float32(self._backoff_factor))
                self._growth_tracker = 0
            elif self._growth_tracker + 1 == self._growth_interval:
                grown = np.float32(self._scale * np.float32(self._growth_factor))
                if np.isfinite(grown):
                    self._scale = grown
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
        self._optimizers = {}

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's keys: ``scale``, ``growth_factor``, ``backoff_factor``,
        ``growth_interval``, ``_growth_tracker``; empty when disabled."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if not state_dict:
            raise UsageError("GradScaler.load_state_dict: the state dict is empty, probably "
                             "saved from a disabled GradScaler")
        self._scale = np.float32(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])

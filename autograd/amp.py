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
in full precision would not be what was asked for. So autocast is never enabled:
``is_autocast_enabled()`` is False, and ``custom_fwd`` / ``custom_bwd`` (which act only
inside an enabled autocast region) return the function they decorate.
"""

from __future__ import annotations

import functools
import numbers
import warnings
from typing import Any, Callable

import numpy as np

from . import devices
from .errors import DTypeError, UnsupportedError, UsageError
from .grad_mode import no_grad
from .tensor import Tensor

__all__ = ["GradScaler", "autocast", "is_autocast_available", "is_autocast_enabled",
           "get_autocast_dtype", "custom_fwd", "custom_bwd"]

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"

# the device types torch.autocast takes, and the dtype it casts to on each by default
_AUTOCAST_DTYPES = {"cpu": "bfloat16", "cuda": "float16", "xpu": "float16", "mps": "float16",
                    "hpu": "bfloat16", "mtia": "float16", "maia": "bfloat16",
                    "xla": "bfloat16", "ipu": "float16", "privateuseone": "float16"}


def _named_type(device_type: Any, caller: str) -> str:
    """The type of the device that the string ``device_type`` names ("cuda:0" is "cuda")."""
    if not isinstance(device_type, str):
        raise UsageError(f"{caller}: device_type must be a string such as 'cpu' or 'cuda'; "
                         f"got {type(device_type).__name__}")
    try:
        return devices.device(device_type).type
    except UsageError as error:  # a string that names no device, as PyTorch's RuntimeError
        raise UsageError(f"{caller}: {error}") from None


def _device_type(device_type: Any, caller: str) -> str:
    """The type of the device ``device_type``, checked to be one ``torch.autocast`` takes."""
    kind = _named_type(device_type, caller)
    if kind not in _AUTOCAST_DTYPES:
        raise UsageError(f"{caller}: autocast takes no device type {kind!r} (as PyTorch); "
                         f"expected one of {', '.join(_AUTOCAST_DTYPES)}")
    return kind


def is_autocast_available(device_type: str) -> bool:
    """``torch.amp.is_autocast_available``: whether ``autocast(device_type)`` is accepted
    (True for the device types PyTorch's autocast takes, as on a machine without them; an
    accepted autocast is still never enabled here). A string that names no device type is
    a ``UsageError``, as PyTorch's ``RuntimeError``."""
    return _named_type(device_type, "is_autocast_available") in _AUTOCAST_DTYPES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """``torch.is_autocast_enabled(device_type)``: False, for every device type, since
    autocast is never enabled here."""
    if device_type is not None:
        _device_type(device_type, "is_autocast_enabled")
    return False


def get_autocast_dtype(device_type: str) -> type:
    """``torch.get_autocast_dtype(device_type)``: the dtype an enabled autocast would
    compute matmuls in on that device type, float16 for "cuda". PyTorch's answer for
    "cpu" (and hpu, maia, xla) is bfloat16, which NumPy has not: an ``UnsupportedError``."""
    kind = _device_type(device_type, "get_autocast_dtype")
    if _AUTOCAST_DTYPES[kind] == "bfloat16":
        raise UnsupportedError(
            f"get_autocast_dtype({device_type!r}): PyTorch's autocast dtype for {kind!r} is "
            f"bfloat16, which NumPy has not; autocast is never enabled here "
            f"(is_autocast_enabled() is False), so no op computes in it")
    return np.float16


def custom_fwd(fwd: Callable | None = None, *, device_type: str,
               cast_inputs: Any = None) -> Callable:
    """``torch.amp.custom_fwd(device_type=...)``, the decorator of a custom Function's
    ``forward``: it acts only inside an enabled autocast region, which never exists here,
    so it returns ``forward`` itself (``cast_inputs`` has no effect, as in PyTorch outside
    autocast)."""
    _device_type(device_type, "custom_fwd")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type,
                                 cast_inputs=cast_inputs)
    return _decorated(fwd, "custom_fwd")


def custom_bwd(bwd: Callable | None = None, *, device_type: str) -> Callable:
    """``torch.amp.custom_bwd(device_type=...)``, the decorator of a custom Function's
    ``backward``: it runs ``backward`` with the autocast state of ``forward``, which is
    disabled here, so it returns ``backward`` itself."""
    _device_type(device_type, "custom_bwd")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return _decorated(bwd, "custom_bwd")


def _decorated(function: Any, decorator: str) -> Callable:
    """``function`` itself, checked to be callable (what ``decorator`` decorates)."""
    if not callable(function):
        raise UsageError(f"{decorator} decorates a function (a Function's staticmethod); "
                         f"got {type(function).__name__}")
    return function


class autocast:  # noqa: N801 (PyTorch's name)
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a
    context manager (and decorator) that does nothing when disabled, and warns and
    disables itself for a device other than the CPU (there is none here). Enabled on the
    CPU it is a ``UsageError``: there is no mixed precision here. A device type that
    PyTorch's autocast refuses ("CPU", "meta", "foo") is a ``UsageError``, enabled or not."""

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        kind = _device_type(device_type, "autocast")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        if self._enabled and kind != "cpu":
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
        if not callable(function):
            raise UsageError(f"autocast(...)(function) decorates a function; got "
                             f"{type(function).__name__}. As a context manager write "
                             f"'with autocast(...):'")

        @functools.wraps(function)
        def run_in_autocast(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)
        return run_in_autocast


_FLOAT32_MAX = float(np.finfo(np.float32).max)
# what each number a GradScaler holds must be (PyTorch accepts a scale <= 0, NaN or inf,
# and a backoff_factor <= 0, which leave it never stepping again)
_RULES = {"scale": (lambda v: 0.0 < v <= _FLOAT32_MAX,
                    "a positive number that float32 holds (at most 3.4e38)"),
          "growth_factor": (lambda v: v > 1.0, "> 1"),
          "backoff_factor": (lambda v: 0.0 < v < 1.0, "in (0, 1)")}
_STATE_KEYS = ("scale", "growth_factor", "backoff_factor", "growth_interval",
               "_growth_tracker")


def _checked_number(rule: str, name: str, value: Any) -> float:
    """``value`` as a float, if it is a real number that passes ``_RULES[rule]``."""
    test, expected = _RULES[rule]
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not test(float(value)):
        raise UsageError(f"GradScaler: {name} must be {expected}; got {value!r} "
                         f"({type(value).__name__})")
    return float(value)


def _checked_count(name: str, value: Any, least: int) -> int:
    """``value`` as an int, if it is an int (not a bool or a float) >= ``least``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        kind = "a positive" if least > 0 else "a non-negative"
        raise UsageError(f"GradScaler: {name} must be {kind} int; got {value!r} "
                         f"({type(value).__name__})")
    return int(value)


def _times(scale: np.float32, factor: float) -> np.float32:
    """``scale * factor`` as PyTorch's ``_amp_update_scale_``: the float32 scale times the
    float64 factor, worked out in float64 and rounded once to float32 (inf past its range)."""
    with np.errstate(over="ignore"):
        return np.float32(np.float64(scale) * factor)


class GradScaler:
    """Dynamic loss scaling (``torch.amp.GradScaler``): ``scale(loss).backward()``,
    ``unscale_(optimizer)`` (optional, e.g. before clipping), ``step(optimizer)``,
    ``update()``. The scale is float32, as PyTorch's, made from ``init_scale`` by the
    first ``scale()`` (until then ``get_scale()`` is ``init_scale`` as given); the
    settings are checked when the scaler is enabled; ``state_dict()`` has PyTorch's keys."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device, self._enabled = device, bool(enabled)
        if self._enabled and _named_type(str(device), "GradScaler") != "cpu":  # "cpu:0" too
            warnings.warn(f"GradScaler is enabled, but device {device!r} is not available "
                          f"(this engine computes with NumPy on the CPU). Disabling.",
                          UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled:
            init_scale = _checked_number("scale", "init_scale", init_scale)
            growth_factor = _checked_number("growth_factor", "growth_factor", growth_factor)
            backoff_factor = _checked_number("backoff_factor", "backoff_factor",
                                             backoff_factor)
            growth_interval = _checked_count("growth_interval", growth_interval, 1)
        self._init_scale, self._scale = init_scale, None  # the float32 scale, once made
        self._growth_factor, self._backoff_factor = growth_factor, backoff_factor
        self._growth_interval, self._growth_tracker = growth_interval, 0
        self._optimizers: dict[int, dict[str, Any]] = {}  # id -> {"stage", "found_inf"}

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        """The current scale s (1.0 when disabled; ``init_scale`` before the first
        ``scale()``)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale)

    def _float32_scale(self) -> np.float32:
        """s, rounded to float32 from ``init_scale`` at first use, as PyTorch's scale()."""
        if self._scale is None:
            self._scale = np.float32(self._init_scale)
        return self._scale

    def scale(self, outputs: Any) -> Any:
        """``outputs * s``: a Tensor, or lists/tuples of them (the same structure)."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * Tensor(self._float32_scale(), dtype=np.float32)
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise UsageError(f"GradScaler.scale takes a Tensor (the loss) or a list or tuple of "
                         f"them; got {type(outputs).__name__}")

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._optimizers.setdefault(id(optimizer), {"stage": _READY, "found_inf": None})

    def unscale_(self, optimizer: Any) -> None:
        """Multiply every gradient of ``optimizer``'s parameters by 1/s in place, and note
        whether any is inf or NaN (then ``step`` skips this optimizer's update). With no
        gradient at all nothing is noted, and ``step`` refuses, as PyTorch's."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise UsageError("unscale_() has already been called on this optimizer since "
                             "the last update()")
        if state["stage"] == _STEPPED:
            raise UsageError("unscale_() is being called after step(): call it before "
                             "scaler.step(optimizer), once per update()")
        inverse = np.float32(1.0 / np.float64(self._float32_scale()))  # PyTorch's rounding
        grads = [p.grad for group in optimizer.param_groups for p in group["params"]
                 if p.grad is not None]
        if any(grad.dtype == np.float16 for grad in grads):
            raise DTypeError("GradScaler: cannot unscale float16 gradients (as PyTorch): "
                             "keep the parameters in float32 (model.float()); the scale "
                             "protects the float16 activations' gradients")
        with no_grad():
            for grad in grads:
                grad.mul_(inverse)
        found_inf = not all(np.isfinite(grad.numpy()).all() for grad in grads)
        state.update(stage=_UNSCALED, found_inf=found_inf if grads else None)

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
        if state["found_inf"] is None:
            raise UsageError("GradScaler.step: no inf checks were recorded for this "
                             "optimizer (PyTorch's AssertionError): none of its parameters "
                             "has a gradient. Call scaler.scale(loss).backward() first, on "
                             "a loss that depends on them")
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Set the scale for the next iteration: ``new_scale`` if given, else s times
        ``backoff_factor`` if a step found inf/NaN, s times ``growth_factor`` after
        ``growth_interval`` clean steps in a row (unless that overflows float32), s
        otherwise; each product is rounded once to float32, as PyTorch's."""
        if not self._enabled:
            return
        if new_scale is not None:
            value = new_scale.item() if isinstance(new_scale, Tensor) else new_scale
            self._scale = np.float32(_checked_number("scale", "new_scale", value))
        else:
            found = [s["found_inf"] for s in self._optimizers.values()
                     if s["found_inf"] is not None]
            if not found:
                raise UsageError("GradScaler.update: no inf checks were recorded; call "
                                 "scaler.step(optimizer) before scaler.update()")
            scale = self._float32_scale()
            if any(found):
                self._scale, self._growth_tracker = _times(scale, self._backoff_factor), 0
            elif self._growth_tracker + 1 == self._growth_interval:
                grown = _times(scale, self._growth_factor)
                self._scale = grown if np.isfinite(grown) else scale
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
        self._optimizers = {}

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = _checked_number("growth_factor", "growth_factor", new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = _checked_number("backoff_factor", "backoff_factor",
                                               new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = _checked_count("growth_interval", new_interval, 1)

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
        """Take the settings and scale of ``state_dict()``, each checked as the
        constructor's (a no-op when disabled)."""
        if not self._enabled:
            return
        if not state_dict:
            raise UsageError("GradScaler.load_state_dict: the state dict is empty, probably "
                             "saved from a disabled GradScaler")
        missing = [key for key in _STATE_KEYS if key not in state_dict]
        if missing:
            raise UsageError(f"GradScaler.load_state_dict: the state dict has no "
                             f"{', '.join(missing)}; expected GradScaler.state_dict()'s keys "
                             f"{', '.join(_STATE_KEYS)}")
        scale = _checked_number("scale", "state_dict['scale']", state_dict["scale"])
        growth = _checked_number("growth_factor", "state_dict['growth_factor']",
                                 state_dict["growth_factor"])
        backoff = _checked_number("backoff_factor", "state_dict['backoff_factor']",
                                  state_dict["backoff_factor"])
        interval = _checked_count("state_dict['growth_interval']",
                                  state_dict["growth_interval"], 1)
        tracker = _checked_count("state_dict['_growth_tracker']",
                                 state_dict["_growth_tracker"], 0)
        self._init_scale = scale
        if self._scale is not None:  # PyTorch fills the float32 scale once it exists
            self._scale = np.float32(scale)
        self._growth_factor, self._backoff_factor = growth, backoff
        self._growth_interval, self._growth_tracker = interval, tracker

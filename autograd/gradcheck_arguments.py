"""The arguments of ``gradcheck`` / ``gradgradcheck``: inputs, outputs, upstream gradients,
tolerances and PyTorch's flags, each checked up front with a named error that says what
to pass (a tolerance of None or a string failed only after the numerical pass, as a bare
TypeError)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError, UsageError
from .tensor import Tensor

__all__ = ["outputs_of", "wants_grad", "prepare_inputs", "upstream_gradients",
           "check_arguments", "PYTORCH_FLAGS", "PYTORCH_GRADGRAD_FLAGS"]


def outputs_of(result: Any) -> list[Tensor]:
    """``fn``'s result as a list of Tensors (one Tensor, or a tuple or list of them)."""
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    for i, y in enumerate(items):
        if not isinstance(y, Tensor):
            raise UsageError(f"gradcheck: fn must return a Tensor (or a tuple of them); "
                             f"output {i} is {type(y).__name__}")
    return items


def wants_grad(x: Any) -> bool:
    """Is ``x`` an input to check (a Tensor that requires grad)?"""
    return isinstance(x, Tensor) and x.requires_grad


def _is_torch(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def prepare_inputs(fn: Any, inputs: Any, what: str) -> list[Any]:
    """The inputs as a list; one bare Tensor (or array, or number) is one input, not a
    sequence of rows. Arrays become constant Tensors; anything else that is no Tensor (an
    axis, an exponent, a shape) reaches ``fn`` unchanged, as in PyTorch's gradcheck."""
    if not callable(fn):
        raise UsageError(f"{what}(fn, inputs): fn must be the function to check, called as "
                         f"fn(*inputs); got {type(fn).__name__} {fn!r:.40}")
    if isinstance(inputs, (Tensor, np.ndarray, numbers.Number)) or _is_torch(inputs):
        inputs = [inputs]
    tensors = [Tensor(x) if isinstance(x, np.ndarray) else x for x in inputs]
    for i, t in enumerate(tensors):
        if _is_torch(t) and getattr(t, "requires_grad", False):
            raise UsageError(f"gradcheck: input {i} is a {type(t).__module__}."
                             f"{type(t).__name__}; this gradcheck checks autograd Tensors: "
                             f"pass Tensor(x.detach().numpy(), requires_grad=True), or use "
                             f"torch.autograd.gradcheck")
    if not any(wants_grad(t) for t in tensors):
        raise UsageError("gradcheck: no input requires grad; create the inputs to check "
                         "with requires_grad=True")
    for i, t in enumerate(tensors):
        if wants_grad(t) and t.dtype != np.float64:
            raise DTypeError(
                f"gradcheck: input {i} is {t.dtype}; finite differences need float64 (in "
                f"float32 eps=1e-6 is below the rounding error). Check a float64 copy: "
                f"Tensor(x.numpy().astype(np.float64), requires_grad=True).")
    return tensors


def upstream_gradients(outputs: list[Tensor], seed: int, grad_outputs: Any,
                       what: str = "gradcheck") -> list[np.ndarray]:
    """One upstream gradient per output: the given one, or (for ``grad_outputs=None``,
    or a None entry, PyTorch's ``Sequence[Tensor | None]``) a seeded standard normal one."""
    rng = np.random.default_rng(seed)
    drawn = [rng.standard_normal(y.shape) for y in outputs]
    if grad_outputs is None:
        return drawn
    given = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
    if len(given) != len(outputs):
        raise UsageError(f"{what}: {len(given)} grad_outputs for {len(outputs)} outputs "
                         f"of fn; give one per output (None: a random one)")
    return [d if v is None else _given_upstream(k, v, y, what)
            for k, (d, v, y) in enumerate(zip(drawn, given, outputs))]


def _given_upstream(k: int, value: Any, output: Tensor, what: str) -> np.ndarray:
    try:
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
    except (TypeError, ValueError):  # ragged lists, objects NumPy cannot read
        array = None
    if array is None or array.dtype.kind not in "iuf":
        raise UsageError(f"{what}: grad_outputs[{k}] must be a Tensor or array of output "
                         f"{k}'s shape {output.shape} (or None for a random one); got "
                         f"{type(value).__name__} {value!r:.40}")
    if array.shape != output.shape:
        raise ShapeError(f"{what}: grad_outputs[{k}] has shape {array.shape}; output {k} "
                         f"of fn has shape {output.shape}")
    return array.astype(np.float64)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_numbers(what: str, eps: Any, atol: Any, rtol: Any, seed: Any,
                   nondet_tol: Any) -> None:
    # eps: a named error for a misplaced argument too (PyTorch's gradgradcheck takes
    # grad_outputs third, where ours takes eps)
    if not _is_real(eps) or not 0 < eps < math.inf:
        raise UsageError(f"{what}: eps must be a positive number; got {eps!r:.60}. "
                         f"Pass grad_outputs by name (grad_outputs=...).")
    for name, value in (("atol", atol), ("rtol", rtol), ("nondet_tol", nondet_tol)):
        if not _is_real(value) or not 0 <= value < math.inf:
            raise UsageError(f"{what}: {name} must be a number >= 0 (finite); got "
                             f"{type(value).__name__} {value!r:.60}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise UsageError(f"{what}: seed must be an int >= 0 (it seeds the random upstream "
                         f"gradients); got {type(seed).__name__} {seed!r:.60}")


#: PyTorch's other gradcheck / gradgradcheck flags and the values accepted here. What
#: they ask for holds by construction (no undefined gradients: a missing one is zeros;
#: the engine checks every gradient's dtype; ``is_grads_batched`` is one pass per vector;
#: the check is always the full one, which ``fast_mode`` only shortens; no sparse
#: tensors for ``masked``). ``check_forward_ad`` checks ``forward_ad``'s tangents and
#: ``check_fwd_over_rev`` those of the first derivative; there is no batched forward mode.
PYTORCH_FLAGS: dict[str, tuple[Any, ...]] = {
    "check_undefined_grad": (True, False), "check_grad_dtypes": (True, False),
    "check_batched_grad": (True, False), "fast_mode": (True, False),
    "masked": (None, True, False), "check_backward_ad": (True, False),
    "check_forward_ad": (True, False), "check_batched_forward_grad": (False,)}
PYTORCH_GRADGRAD_FLAGS: dict[str, tuple[Any, ...]] = {
    "check_undefined_grad": (True, False), "check_grad_dtypes": (True, False),
    "check_batched_grad": (True, False), "fast_mode": (True, False),
    "masked": (None, True, False), "check_rev_over_rev": (True, False),
    "check_fwd_over_rev": (True, False)}
_REFUSED = {"check_batched_forward_grad": "forward mode here (autograd.forward_ad) is "
                                          "unbatched: check_forward_ad=True checks it"}
#: Per check: (its reverse-mode flag, its forward-mode flag), and PyTorch's rules between
#: flags: (flag, the check it needs when True).
_MODES = {"gradcheck": ("check_backward_ad", "check_forward_ad"),
          "gradgradcheck": ("check_rev_over_rev", "check_fwd_over_rev")}
_NEEDS = {"gradcheck": [("check_batched_grad", "check_backward_ad")],
          "gradgradcheck": [("check_undefined_grad", "check_rev_over_rev"),
                            ("check_batched_grad", "check_rev_over_rev")]}
_DEFAULTS = {"check_backward_ad": True, "check_forward_ad": False,
             "check_rev_over_rev": True, "check_fwd_over_rev": False,
             "check_undefined_grad": True, "check_batched_grad": False}


def check_arguments(what: str, eps: Any, atol: Any, rtol: Any, seed: Any, nondet_tol: Any,
                    flags: dict[str, Any]) -> dict[str, Any]:
    """UsageError for a bad number, a keyword PyTorch's ``what`` does not take, a value
    whose check cannot run here, or flags that leave nothing to check (PyTorch's rules);
    else the flags with PyTorch's defaults filled in."""
    _check_numbers(what, eps, atol, rtol, seed, nondet_tol)
    known = PYTORCH_FLAGS if what == "gradcheck" else PYTORCH_GRADGRAD_FLAGS
    for name, value in flags.items():
        if name not in known:
            raise UsageError(f"{what}() got an unexpected keyword argument {name!r}; it "
                             f"takes eps, atol, rtol, seed, grad_outputs, raise_exception, "
                             f"nondet_tol and PyTorch's {', '.join(known)}")
        if value not in known[name]:
            allowed = " or ".join(repr(v) for v in known[name])
            raise UsageError(f"{what}: {name}={value!r:.40} is not supported "
                             f"({_REFUSED.get(name, 'see its docstring')}); pass {allowed} "
                             f"or leave it out")
    chosen = {**{k: v for k, v in _DEFAULTS.items() if k in known}, **flags}
    backward, forward = _MODES[what]
    if not (chosen[backward] or chosen[forward]):
        raise UsageError(f"{what}: {backward}=False and {forward}=False check nothing; "
                         f"expected at least one of them to be True (as in PyTorch)")
    for flag, needed in _NEEDS[what]:
        if chosen[flag] and not chosen[needed]:
            raise UsageError(f"{what}: {flag}=True needs {needed}=True, as in PyTorch "
                             f"({flag} defaults to {_DEFAULTS[flag]}); pass {flag}=False "
                             f"to run only the {forward} check")
    return chosen

"""PyTorch's module-level in-place functions: ``torch.log_(t)`` is ``t.log_()``, and so
for ``abs_ ceil_ clamp_ clamp_min_ clamp_max_ cos_ exp_ floor_ log_ neg_ negative_
reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sqrt_ square_ tanh_`` (HGCN's artanh writes
``torch.log_(1 + z).sub_(torch.log_(1 - z))``). Each writes into its Tensor argument and
returns it, under the rules of the in-place methods (``inplace``); anything else than a
Tensor is refused, as PyTorch refuses it."""

from __future__ import annotations

from typing import Any, Callable

from .errors import UsageError
from .tensor import Tensor

__all__ = ["abs_", "ceil_", "clamp_", "clamp_min_", "clamp_max_", "cos_", "exp_", "floor_",
           "log_", "neg_", "negative_", "reciprocal_", "relu_", "round_", "rsqrt_",
           "sigmoid_", "sin_", "sqrt_", "square_", "tanh_"]


def _in_place(name: str, math: str) -> Callable[..., Tensor]:
    """``name(input, *args, **kwargs)``: ``input.name(*args, **kwargs)`` of a Tensor."""
    def function(input: Any, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise UsageError(f"autograd.{name} writes into a Tensor, as torch.{name} does; "
                             f"got {type(input).__name__}: write autograd.{name[:-1]}(x) "
                             f"for a new value")
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"input = {math}, in place (``input.{name}(...)``); input returned."
    return function


abs_ = _in_place("abs_", "|input|")
ceil_ = _in_place("ceil_", "ceil(input)")
clamp_ = _in_place("clamp_", "input limited to [min, max]")
clamp_min_ = _in_place("clamp_min_", "max(input, min)")
clamp_max_ = _in_place("clamp_max_", "min(input, max)")
cos_ = _in_place("cos_", "cos(input)")
exp_ = _in_place("exp_", "exp(input)")
floor_ = _in_place("floor_", "floor(input)")
log_ = _in_place("log_", "log(input)")
neg_ = _in_place("neg_", "-input")
negative_ = _in_place("negative_", "-input")
reciprocal_ = _in_place("reciprocal_", "1 / input")
relu_ = _in_place("relu_", "max(input, 0)")
round_ = _in_place("round_", "input rounded half to even")
rsqrt_ = _in_place("rsqrt_", "1 / sqrt(input)")
sigmoid_ = _in_place("sigmoid_", "1 / (1 + exp(-input))")
sin_ = _in_place("sin_", "sin(input)")
sqrt_ = _in_place("sqrt_", "sqrt(input)")
square_ = _in_place("square_", "input ** 2")
tanh_ = _in_place("tanh_", "tanh(input)")

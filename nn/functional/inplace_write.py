"""Writing an activation's result into its input, as PyTorch's in-place activations do
(``F.relu_`` and the others, and ``inplace=True`` of ``F.relu``, ``nn.ReLU`` ...).

The write follows the engine's rules for in-place writes: it bumps the tensor's version,
so a graph that saved the old values refuses to backward (``InplaceError``); on a tensor
computed by recorded ops, while grad is recorded, it is recorded as PyTorch records it
(``x[...] = f(x)``, through ``Tensor.copy_``); a leaf that requires grad is refused with
PyTorch's message. Under ``autograd.no_grad()`` any tensor may be written.
"""

from __future__ import annotations

from typing import Any, Callable

from autograd import Tensor, is_grad_enabled
from autograd.errors import DTypeError, InplaceError

from ..errors import ArgumentTypeError

__all__ = ["write_in_place"]


def write_in_place(name: str, x: Any, function: Callable[[Tensor], Tensor],
                   floats_only: bool = True) -> Tensor:
    """``x`` overwritten with ``function(x)`` and returned: x <- f(x). ``name`` is the
    in-place function's name (``relu_``), used in the errors."""
    if not isinstance(x, Tensor):
        raise ArgumentTypeError(f"{name} writes its result into a Tensor; got "
                                f"{type(x).__name__}. Use {name[:-1]}(x), which returns a "
                                f"new tensor, or wrap the array: autograd.Tensor(array).")
    if x.requires_grad and is_grad_enabled() and x.is_leaf:
        raise InplaceError(f"{name}: a leaf Variable that requires grad is being used "
                           f"in an in-place operation. Write x = F.{name[:-1]}(x), or "
                           f"do the update under autograd.no_grad().")
    if floats_only and x.dtype.kind != "f":
        raise DTypeError(f"{name} needs a floating tensor (its values are not integers), as "
                         f"PyTorch; got {x.dtype}. Convert it first: "
                         f"x = x.astype(np.float64).")
    return x.copy_(function(x))  # while recording, on a computed x: x[...] = F.relu(x)

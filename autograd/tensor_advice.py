"""What the Tensor core says to habits from other libraries: an unknown constructor
keyword (micrograd's ``label=``), and PyTorch's warning when the ``.grad`` of a non-leaf
tensor is read (``backward()`` fills only leaves' ``.grad``, and tensors that asked with
``retain_grad()``), and PyTorch's refusal of ``y.requires_grad = flag`` on such a tensor."""

from __future__ import annotations

import warnings
from typing import Any

from .errors import NonLeafGradWarning, UsageError

__all__ = ["LABEL_HINT", "flag_of_computed_tensor", "unexpected_keyword", "warn_non_leaf_grad"]

LABEL_HINT = ("'Tensor' object has no attribute 'label' (micrograd's Value.label): a "
              "tensor's label in graph drawings is its name here; {0}")


def unexpected_keyword(where: str, keywords: dict[str, Any]) -> UsageError:
    """Python's TypeError for an unknown keyword (a UsageError); micrograd's ``label=``
    is told to write ``name=``."""
    key, value = next(iter(keywords.items()))
    hint = ""
    if key == "label":
        hint = (f" (micrograd's Value(..., label=...)): a tensor's label in graph drawings "
                f"is its name here; write {where}(..., name={value!r})")
    return UsageError(f"{where}() got an unexpected keyword argument {key!r}{hint}")


def warn_non_leaf_grad() -> None:
    """PyTorch's warning for ``h.grad`` of a tensor an op made: it stays None."""
    warnings.warn(
        "the .grad of a tensor that is not a leaf (an op made it) is being read: backward() "
        "fills only leaves' .grad, so it is None. Call h.retain_grad() before backward() "
        "to keep this tensor's gradient, or read the .grad of the leaf you meant "
        "(the tensor you created with requires_grad=True).", NonLeafGradWarning,
        stacklevel=3)


def flag_of_computed_tensor(op_name: str) -> UsageError:
    """PyTorch's refusal of ``y.requires_grad = flag`` on a tensor an op made: True would
    not make its ``.grad`` fill, False would not cut it from the graph."""
    return UsageError(
        f"requires_grad can only be set on a leaf; this tensor was computed ({op_name}), "
        f"so backward() would not fill its .grad and turning it off would not cut it from "
        f"the graph. To differentiate with respect to its values, make a leaf: "
        f"y = y.detach().requires_grad_(); to stop tracking it, y = y.detach().")

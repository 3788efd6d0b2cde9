"""``stack_module_state``: PyTorch's ``torch.func.stack_module_state``, the state of M
modules of one class stacked for ensembling with ``vmap`` and ``functional_call``.

Duck-typed (``autograd`` does not import ``nn``): the names come from each module's
``named_parameters`` and ``named_buffers`` (dotted, as in ``state_dict``).
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError
from .tensor import Tensor
from .tensor_math import stack

__all__ = ["stack_module_state"]


def stack_module_state(models: Any) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """``(params, buffers)``: for each name, the M modules' tensors of that name stacked
    along a new first axis, ``params[name][m] == models[m].<name>``. The stacked
    parameters are new leaves (``requires_grad`` as the modules'), unrelated to the
    modules' own: give them to an optimizer; the buffers are stacked copies. Use them as
    ``vmap(lambda p, b, x: functional_call(base, (p, b), (x,)), in_dims=(0, 0, None))``.

    ``UsageError`` for no modules, modules of different classes or training modes, or
    parameters of one name that differ in ``requires_grad``."""
    models = list(models)
    if not models:
        raise UsageError("stack_module_state: expected at least one model; got none")
    kinds = {type(m) for m in models}
    if len(kinds) > 1:
        raise UsageError(f"stack_module_state: expected all models to be of the same "
                         f"class; got {sorted(k.__name__ for k in kinds)}")
    if len({bool(getattr(m, "training", True)) for m in models}) > 1:
        raise UsageError("stack_module_state: expected all models to have the same "
                         "training/eval mode; call .train() or .eval() on all of them")
    params = {name: _stacked(name, [dict(m.named_parameters())[name] for m in models])
              for name, _ in models[0].named_parameters()}
    buffers = {name: _stacked(name, [dict(m.named_buffers())[name] for m in models])
               for name, _ in models[0].named_buffers()}
    return params, buffers


def _stacked(name: str, tensors: list[Tensor]) -> Tensor:
    """The tensors stacked into a new leaf that requires grad if they all do."""
    flags = {bool(t.requires_grad) for t in tensors}
    if len(flags) > 1:
        raise UsageError(f"stack_module_state: expected {name} from each model to have "
                         f"the same .requires_grad; set it alike on all of them")
    result = stack([t.detach() for t in tensors])
    return result.requires_grad_() if flags == {True} else result

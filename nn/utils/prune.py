"""``nn.utils.prune``: PyTorch's pruning of a module's tensors by masks.

``prune.l1_unstructured(module, "weight", amount=0.3)`` re-parametrises ``module.weight``
as ``weight_mask * weight_orig``: ``weight_orig`` is the Parameter trained, the buffer
``weight_mask`` holds 0 where pruned, and a forward pre-hook (in
``module._forward_pre_hooks``) recomputes ``module.weight`` before every forward.
Pruning again combines the masks; ``prune.remove(module, "weight")`` makes it permanent.
The classes live in ``pruning_base.py`` (the machinery) and ``pruning_methods.py``;
subclass ``BasePruningMethod`` (``compute_mask``, ``PRUNING_TYPE``) for your own.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor, tensor
from autograd.errors import ShapeError

from ..errors import ArgumentTypeError, ConfigError
from ..module import Module
from .pruning_base import BasePruningMethod, PruningContainer, as_array
from .pruning_methods import (CustomFromMask, Identity, L1Unstructured, LnStructured,
                              RandomStructured, RandomUnstructured)

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured",
           "L1Unstructured", "RandomStructured", "LnStructured", "CustomFromMask",
           "identity", "random_unstructured", "l1_unstructured", "random_structured",
           "ln_structured", "global_unstructured", "custom_from_mask", "remove",
           "is_pruned"]


def identity(module: Module, name: str) -> Module:
    """Re-parametrise ``module.<name>`` as pruned, with an all-ones mask."""
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: float) -> Module:
    """Prune ``amount`` (count or fraction) entries of ``module.<name>`` at random."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module: Module, name: str, amount: float,
                    importance_scores: Tensor | None = None) -> Module:
    """Prune the ``amount`` entries of ``module.<name>`` of smallest |score| (scores:
    the tensor itself unless ``importance_scores`` are given)."""
    L1Unstructured.apply(module, name, amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: float, dim: int) -> Module:
    """Prune ``amount`` slices along ``dim`` of ``module.<name>`` at random."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module: Module, name: str, amount: float, n: float, dim: int,
                  importance_scores: Tensor | None = None) -> Module:
    """Prune the ``amount`` slices along ``dim`` of ``module.<name>`` whose scores have
    the smallest ``n``-norm (over the other axes)."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask: Tensor | np.ndarray) -> Module:
    """Prune ``module.<name>`` where ``mask`` is 0."""
    CustomFromMask.apply(module, name, mask)
    return module


def _checked_pairs(parameters: Any) -> list[tuple[Module, str]]:
    """``parameters`` as a non-empty list of (module, name) pairs, each naming a tensor of
    its module; else a named error (PyTorch's are bare ValueError / AttributeError)."""
    if isinstance(parameters, (str, Module)) or not isinstance(parameters, Iterable):
        raise ArgumentTypeError(f"global_unstructured: parameters must be an iterable of "
                                f"(module, name) pairs; got {type(parameters).__name__}")
    pairs = list(parameters)
    if not pairs:
        raise ConfigError("global_unstructured: parameters is empty; give at least one "
                          "(module, name) pair to prune, e.g. [(model.fc, 'weight')]")
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2
                and isinstance(pair[0], Module) and isinstance(pair[1], str)):
            raise ArgumentTypeError(f"global_unstructured: each entry of parameters must be a "
                                    f"(module, name) pair, e.g. (model.fc, 'weight'); got "
                                    f"{pair!r:.80}")
        module, name = pairs[i] = tuple(pair)
        if not isinstance(getattr(module, name, None), Tensor):
            raise ArgumentTypeError(
                f"global_unstructured: {type(module).__name__} has no tensor {name!r} to "
                f"prune (parameters: "
                f"{[n for n, _ in module.named_parameters(recurse=False)]})")
    _refuse_repeated(pairs)
    return pairs


def _refuse_repeated(pairs: list[tuple[Module, str]]) -> None:
    """A named ConfigError if one (module, name) is listed twice: its scores would count
    twice in the ranking and its second mask overwrite the first, so fewer entries than
    ``amount`` would be pruned (PyTorch does so in silence)."""
    seen: set[tuple[int, str]] = set()
    for module, name in pairs:
        if (id(module), name) in seen:
            raise ConfigError(f"global_unstructured: ({type(module).__name__}, {name!r}) is "
                              f"listed more than once in parameters; list each tensor once")
        seen.add((id(module), name))


def _checked_scores(scores_by_key: Mapping[tuple[Module, str], Any],
                    pairs: list[tuple[Module, str]], tensors: list[Tensor]) -> np.ndarray:
    """The importance scores of all the tensors (a tensor's own values unless
    ``scores_by_key`` has its pair) flattened into one vector; a named ShapeError for a
    score of another shape than its tensor's."""
    flat = []
    for (module, name), t in zip(pairs, tensors):
        scores = as_array(scores_by_key.get((module, name), t))
        if scores.shape != tuple(t.shape):
            raise ShapeError(f"global_unstructured: importance_scores[({type(module).__name__}"
                             f", {name!r})] must have the shape of {name}, {tuple(t.shape)}; "
                             f"got {scores.shape}")
        flat.append(scores.reshape(-1))
    return np.concatenate(flat)


def global_unstructured(parameters: Iterable[tuple[Module, str]], pruning_method: type,
                        importance_scores: Mapping[tuple[Module, str], Tensor] | None = None,
                        **kwargs: Any) -> None:
    """Prune the ``(module, name)`` tensors together: ``pruning_method(**kwargs)`` (an
    unstructured method, e.g. ``L1Unstructured`` with ``amount``) ranks all their entries
    as one vector (their current, already pruned values, or ``importance_scores[(module,
    name)]``); each tensor then gets its part of the mask (``custom_from_mask``)."""
    parameters = _checked_pairs(parameters)
    scores_by_key = {} if importance_scores is None else importance_scores
    if not isinstance(scores_by_key, Mapping):
        raise ArgumentTypeError(f"global_unstructured: importance_scores must be a dict "
                                f"{{(module, name): scores}}; got "
                                f"{type(importance_scores).__name__}")
    if isinstance(pruning_method, BasePruningMethod):
        raise ArgumentTypeError(f"global_unstructured: pruning_method must be the class "
                                f"(e.g. L1Unstructured), called with the keyword arguments "
                                f"given; got an instance of "
                                f"{type(pruning_method).__name__}. Pass the class and "
                                f"amount=... instead")
    tensors = [getattr(module, name) for module, name in parameters]
    scores = _checked_scores(scores_by_key, parameters, tensors)
    default = np.concatenate([
        as_array(getattr(m, n + "_mask")).reshape(-1) if hasattr(m, n + "_mask")
        else np.ones(t.numel(), dtype=as_array(t).dtype)
        for (m, n), t in zip(parameters, tensors)])
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise ConfigError(f"global_unstructured needs an 'unstructured' pruning method; "
                          f"{pruning_method.__name__} is {method.PRUNING_TYPE!r}")
    container = PruningContainer()
    container._tensor_name = method._tensor_name = "temp"
    container.add_pruning_method(method)
    final = as_array(container.compute_mask(tensor(scores), tensor(default)))
    start = 0
    for (module, name), t in zip(parameters, tensors):
        size = t.numel()
        custom_from_mask(module, name, mask=final[start:start + size].reshape(t.shape))
        start += size


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent: it becomes a Parameter again,
    holding the pruned values; ``name_orig``, ``name_mask`` and the hook go."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ConfigError(f"{name!r} of {type(module).__name__} is not pruned, so its pruning "
                      f"cannot be removed")


def is_pruned(module: Module) -> bool:
    """Whether ``module`` or one of its sub-modules has a pruning hook."""
    return any(isinstance(hook, BasePruningMethod)
               for _, m in module.named_modules() for hook in m._forward_pre_hooks.values())

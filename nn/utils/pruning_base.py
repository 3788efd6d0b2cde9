"""The machinery of ``nn.utils.prune`` (PyTorch's): ``BasePruningMethod``, whose
``apply`` re-parametrises a module's tensor as ``name = name_mask * name_orig``, and
``PruningContainer``, which combines the masks of iterative pruning.

Pruning ``module.weight`` makes the Parameter ``weight_orig`` (the one trained), the
buffer ``weight_mask`` (0 where pruned, else 1) and a forward pre-hook, the method object
itself, that recomputes the plain Tensor ``module.weight = weight_mask * weight_orig``
before every forward; gradients reach ``weight_orig`` through that product, so pruned
entries get a zero gradient. Pruning the same tensor again keeps one hook, a
``PruningContainer``, whose mask is the old one with the new method applied to the
entries (or, for structured methods, the channels) still kept.
"""
from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd import Tensor, ones_like, tensor
from autograd.errors import ShapeError, UsageError

from ..errors import ArgumentTypeError, ConfigError
from ..module import Module
from ..parameter import Parameter

__all__ = ["BasePruningMethod", "PruningContainer", "check_amount", "count_to_prune", "as_array"]


def check_amount(amount: Any) -> None:
    """``amount`` is a fraction in [0, 1] (a float) or a count >= 0 (an int)."""
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise ArgumentTypeError(f"amount must be an int (how many to prune) or a float "
                                f"(the fraction to prune); got {type(amount).__name__}")
    if isinstance(amount, numbers.Integral) and amount < 0 or \
            not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0:
        raise ConfigError(f"amount={amount} must be a float in [0, 1] or an int >= 0")


def count_to_prune(amount: float, size: int) -> int:
    """How many of ``size`` units to prune: ``amount`` itself (an int, at most ``size``)
    or round(amount * size) (a fraction; Python's round, as PyTorch)."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ConfigError(f"amount={amount} is more than the {size} units that can be "
                              f"pruned")
        return int(amount)
    return round(amount * size)


class BasePruningMethod(ABC):
    """A way to prune: subclasses define ``compute_mask(t, default_mask)`` (the mask for
    the importance scores ``t``, starting from ``default_mask``, both Tensors of one shape;
    a class without it cannot be instantiated, as PyTorch's abstract base) and
    ``PRUNING_TYPE``: "unstructured" (entries), "structured" (slices along ``self.dim``)
    or "global". ``Cls.apply(module, name, ...)`` prunes a module's tensor."""

    PRUNING_TYPE: str = "unstructured"
    _tensor_name: str | None = None

    @abstractmethod
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The new mask (1 = keep, 0 = prune) for scores ``t``, given ``default_mask``."""

    def __call__(self, module: Module, inputs: Any) -> None:
        """The forward pre-hook: ``module.name = name_mask * name_orig``."""
        setattr(module, self._name(module), self.apply_mask(module))

    def _name(self, module: Module) -> str:
        if self._tensor_name is None:
            raise UsageError(f"{type(self).__name__} has not pruned a tensor of "
                             f"{type(module).__name__} yet: use {type(self).__name__}"
                             f".apply(module, name, ...)")
        return self._tensor_name

    def apply_mask(self, module: Module) -> Tensor:
        """``name_mask * name_orig`` of ``module`` (a differentiable product)."""
        name = self._name(module)
        orig = getattr(module, name + "_orig")
        return getattr(module, name + "_mask").to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module: Module, name: str, *args: Any,
              importance_scores: Tensor | None = None, **kwargs: Any) -> "BasePruningMethod":
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``: scores are
        ``importance_scores`` (default: the tensor itself), the mask goes into the buffer
        ``name_mask`` and a pre-hook keeps ``module.<name> = name_mask * name_orig``.
        Pruning an already pruned tensor combines the masks (a ``PruningContainer``); if
        that fails (an amount larger than what is left), the module stays as it was
        (PyTorch's loses its pruning hook then). Returns the hook (the method, or the
        container)."""
        if not isinstance(module, Module):
            raise ArgumentTypeError(f"{cls.__name__}.apply: module must be an nn.Module; got "
                                    f"{type(module).__name__}")
        old = _find_hook(module, name)
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if old is not None:  # a new container: the old hook stays if this one fails
            history = tuple(old[1]) if isinstance(old[1], PruningContainer) else (old[1],)
            method = PruningContainer(*history, method)
        current = getattr(module, name, None)
        if not isinstance(current, Tensor):
            raise ArgumentTypeError(f"{cls.__name__}.apply: {type(module).__name__} has no "
                                    f"tensor {name!r} to prune (parameters: "
                                    f"{[n for n, _ in module.named_parameters(recurse=False)]})")
        scores = current if importance_scores is None else importance_scores
        if tuple(scores.shape) != tuple(current.shape):
            raise ShapeError(f"importance_scores must have the shape of {name}, "
                             f"{tuple(current.shape)}; got {tuple(scores.shape)}")
        if old is None:
            if not isinstance(current, Parameter):
                raise ArgumentTypeError(f"{cls.__name__}.apply: {name!r} of "
                                        f"{type(module).__name__} is not a Parameter")
            module.register_parameter(name + "_orig", current)
            delattr(module, name)
            default_mask = ones_like(current).detach()
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            mask = method.compute_mask(scores, default_mask=default_mask)
        except Exception:
            if old is None:  # undo the re-parametrisation
                orig = getattr(module, name + "_orig")
                delattr(module, name + "_orig")
                module.register_parameter(name, orig)
            raise
        if old is not None:
            del module._forward_pre_hooks[old[0]]
        module.register_buffer(name + "_mask", mask)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t: Tensor, default_mask: Tensor | None = None,
              importance_scores: Tensor | None = None) -> Tensor:
        """``t * compute_mask(scores, default_mask)``: ``t`` pruned, no module involved."""
        scores = t if importance_scores is None else importance_scores
        if tuple(scores.shape) != tuple(t.shape):
            raise ShapeError(f"importance_scores must have the shape of t, "
                             f"{tuple(t.shape)}; got {tuple(scores.shape)}")
        mask = ones_like(t).detach() if default_mask is None else default_mask
        return t * self.compute_mask(scores, default_mask=mask)

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``name`` becomes the Parameter ``name_orig`` (the
        same object) holding ``name_mask * name_orig``; ``name_orig`` and ``name_mask``
        go. The hook itself is removed by ``prune.remove``."""
        name = self._name(module)
        pruned = self.apply_mask(module).detach().numpy().copy()
        if name in module.__dict__:
            delattr(module, name)
        orig = getattr(module, name + "_orig")
        orig.data = pruned
        delattr(module, name + "_orig")
        delattr(module, name + "_mask")
        module.register_parameter(name, orig)


def _find_hook(module: Module, name: str) -> tuple[int, BasePruningMethod] | None:
    """(handle id, hook) of the pruning hook of ``module.<name>``, or None."""
    found = [(k, h) for k, h in module._forward_pre_hooks.items()
             if isinstance(h, BasePruningMethod) and h._tensor_name == name]
    if len(found) > 1:
        raise UsageError(f"{type(module).__name__} has {len(found)} pruning hooks on "
                         f"{name!r}; one PruningContainer should hold them")
    return found[0] if found else None


class PruningContainer(BasePruningMethod):
    """The pruning methods applied in turn to one tensor (iterable, indexable); its mask
    is the previous mask with the last method applied to what that mask still keeps."""

    def __init__(self, *methods: BasePruningMethod) -> None:
        self._pruning_methods: tuple[BasePruningMethod, ...] = ()
        if methods:
            self._tensor_name = getattr(methods[0], "_tensor_name", None)
        for method in methods:
            self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        """Append ``method``; it must prune the same tensor name as the container."""
        if not isinstance(method, BasePruningMethod):
            raise ArgumentTypeError(f"{type(method).__name__} is not a BasePruningMethod "
                                    f"subclass")
        if method._tensor_name != self._tensor_name:
            raise ConfigError(f"a PruningContainer of {self._tensor_name!r} cannot hold a "
                              f"method pruning {method._tensor_name!r}")
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Iterator[BasePruningMethod]:
        return iter(self._pruning_methods)

    def __getitem__(self, idx: Any) -> Any:
        return self._pruning_methods[idx]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """``default_mask`` where the last method's mask, computed on the part it still
        keeps (entries == 1; structured: the slices along ``dim`` not all 0; global:
        everything), is written in."""
        method = self._pruning_methods[-1]
        scores, mask = t.detach().numpy(), default_mask.detach().numpy()
        kind = method.PRUNING_TYPE
        if kind == "unstructured":
            where: Any = mask == 1
        elif kind == "structured":
            if not hasattr(method, "dim"):
                raise UsageError(f"{type(method).__name__} is 'structured' pruning: it needs "
                                 f"the attribute dim (the axis of the slices it prunes)")
            dim = method.dim + scores.ndim if method.dim < 0 else method.dim
            if not 0 <= dim < scores.ndim:
                raise ConfigError(f"dim={method.dim} is out of range for a tensor of "
                                  f"{scores.ndim} dimensions")
            others = tuple(d for d in range(scores.ndim) if d != dim)
            where = [slice(None)] * scores.ndim
            where[dim] = mask.sum(axis=others) != 0
            where = tuple(where)
        elif kind == "global":
            where = (slice(None),) * scores.ndim
        else:
            raise ConfigError(f"unknown PRUNING_TYPE {kind!r} of {type(method).__name__}: "
                              f"use 'unstructured', 'structured' or 'global'")
        part = method.compute_mask(tensor(scores[where]), default_mask=tensor(mask[where]))
        new_mask = mask.astype(scores.dtype)
        new_mask[where] = part.detach().numpy()
        return tensor(new_mask)

    def __repr__(self) -> str:
        return f"PruningContainer({', '.join(type(m).__name__ for m in self)})"


def as_array(t: Any) -> np.ndarray:
    """The values of a Tensor (or array) as a NumPy array, outside any graph."""
    return t.detach().numpy() if isinstance(t, Tensor) else np.asarray(t)

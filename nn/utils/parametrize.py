"""``nn.utils.parametrize``: PyTorch's parametrizations. ``register_parametrization(m,
"weight", P())`` makes ``m.weight`` a computed tensor, ``P()(original)``, where
``original`` is the parameter that is trained (``m.parametrizations.weight.original``;
``original0``, ``original1``... when ``P.right_inverse`` splits it, as weight norm's
(g, v)). Several parametrizations of one tensor apply in the order registered.

How: the module's class is swapped for a subclass (made once per module) with a
property per parametrized name, as PyTorch does. Assigning ``m.weight = value`` runs the
parametrizations' ``right_inverse`` backwards and writes the originals in place (a
``right_inverse`` may change an original's shape, as PyTorch's ``set_``, not its dtype).
``cached()`` computes each parametrized tensor once inside its block.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

from autograd import Tensor, no_grad
from autograd.errors import ShapeError, UsageError
from ..containers import ModuleDict, ModuleList
from ..errors import ArgumentTypeError, MemberNotFoundError
from ..module import Module, Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized",
           "cached", "ParametrizationList"]

_CACHE: dict[tuple[int, str], Tensor] = {}
_CACHING = [0]  # how many cached() blocks are open


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order to ``original`` (or to
    ``original0, original1, ...``), a ``ModuleList`` as PyTorch's."""

    def __init__(self, modules: list[Module], original: Tensor, unsafe: bool = False
                 ) -> None:
        super().__init__(modules)
        object.__setattr__(self, "unsafe", unsafe)
        shape, dtype, array = original.shape, original.dtype, original.data
        with no_grad():
            new = original
            for module in reversed(self._items):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:  # as PyTorch: the original stays as it is
                        pass
        if isinstance(new, Tensor):
            object.__setattr__(self, "is_tensor", True)
            if new is not original:  # keep the Parameter object (optimizers hold it)
                _check_dtype(new, original, "right_inverse")
                original.data = new.detach().numpy().copy()  # its shape may change
            _register(self, "original", original, original)
        else:
            new = tuple(new)
            object.__setattr__(self, "is_tensor", False)
            object.__setattr__(self, "ntensors", len(new))
            for i, value in enumerate(new):
                if not isinstance(value, Tensor):
                    raise ArgumentTypeError(f"right_inverse must return a Tensor or a "
                                            f"sequence of Tensors; item {i} is a "
                                            f"{type(value).__name__}")
                _register(self, f"original{i}", value, original)
        if not unsafe:  # as PyTorch: forward(right_inverse(X)) keeps X's shape and dtype
            try:
                _check_like(self(), shape, dtype, type(self._items[0]).__name__)
            except ShapeError:
                if self.is_tensor:  # leave the module's tensor as it was
                    original.data = array
                raise

    def forward(self) -> Tensor:
        if self.is_tensor:
            x = self._items[0](self.original)
        else:
            x = self._items[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in self._items[1:]:
            x = module(x)
        return x

    def right_inverse(self, value: Tensor) -> None:
        """Write the originals so that the parametrized tensor becomes ``value``."""
        with no_grad():
            for module in reversed(self._items):
                if not hasattr(module, "right_inverse"):
                    raise UsageError(f"cannot assign the parametrized tensor: "
                                     f"{type(module).__name__} has no right_inverse()")
                value = module.right_inverse(value)
            targets = ([self.original] if self.is_tensor else
                       [getattr(self, f"original{i}") for i in range(self.ntensors)])
            values = [value] if self.is_tensor else list(value)
            if len(values) != len(targets):
                raise ShapeError(f"right_inverse gave {len(values)} tensors for "
                                 f"{len(targets)} originals")
            for target, new in zip(targets, values):
                _check_dtype(new, target, "right_inverse")
                if new.shape == target.shape:
                    target.data[...] = new.detach().numpy()
                else:  # as PyTorch's set_: the original takes the new shape
                    target.data = new.detach().numpy().copy()


def _register(owner: Module, name: str, value: Tensor, like: Tensor) -> None:
    """``owner.<name>``: a Parameter (of ``like``'s requires_grad) if ``like`` is one,
    else a buffer."""
    if isinstance(like, Parameter):
        if not isinstance(value, Parameter):
            value = Parameter(value.detach().numpy().copy(), requires_grad=like.requires_grad)
        setattr(owner, name, value)
    else:
        owner.register_buffer(name, value.detach())


def _check_dtype(new: Any, old: Tensor, where: str) -> None:
    """``new`` is a Tensor of ``old``'s dtype (what an original must keep, as PyTorch)."""
    if not isinstance(new, Tensor):
        raise ArgumentTypeError(f"{where} must give a Tensor; got {type(new).__name__}")
    if new.dtype != old.dtype:
        raise ShapeError(f"{where} gave a {new.dtype} tensor; the original is {old.dtype}: "
                         f"it may change the shape but not the dtype")


def _check_like(new: Any, shape: tuple[int, ...], dtype: Any, where: str) -> None:
    """``new`` is a Tensor of this shape and dtype (the safe-mode check)."""
    if not isinstance(new, Tensor):
        raise ArgumentTypeError(f"{where} must give a Tensor; got {type(new).__name__}")
    if new.shape != shape or new.dtype != dtype:
        raise ShapeError(f"{where} gave a {new.dtype} tensor of shape {new.shape}; the "
                         f"tensor is {dtype} of shape {shape} (pass unsafe=True to allow "
                         f"a change)")


def _parametrized_property(name: str) -> property:
    def get(self: Module) -> Tensor:
        if not _CACHING[0]:
            return self.parametrizations[name]()
        key = (id(self), name)
        if key not in _CACHE:
            _CACHE[key] = self.parametrizations[name]()
        return _CACHE[key]

    def set_(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    return property(get, set_, doc=f"``{name}``, computed by its parametrizations")


def register_parametrization(module: Module, tensor_name: str, parametrization: Module,
                             *, unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` (a parameter or buffer) ``parametrization(original)``;
    returns ``module``. ``right_inverse`` may give the original a new shape, not a new
    dtype; unless ``unsafe``, ``parametrization(right_inverse(X))`` must keep X's shape
    and dtype (``ShapeError``), as PyTorch checks."""
    if not isinstance(parametrization, Module):
        raise ArgumentTypeError(f"register_parametrization needs an nn.Module as the "
                                f"parametrization; got {type(parametrization).__name__}")
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:  # as PyTorch: X = P(Y) and P.right_inverse(X) keep Y's shape, dtype
            current = getattr(module, tensor_name)
            name = type(parametrization).__name__
            value = parametrization(current)
            _check_like(value, current.shape, current.dtype, name)
            if hasattr(parametrization, "right_inverse"):
                try:
                    start = parametrization.right_inverse(value)
                except NotImplementedError:  # as at the first registration
                    pass
                else:
                    _check_like(start, current.shape, current.dtype, f"{name}.right_inverse")
        chain = module.parametrizations[tensor_name]
        chain.append(parametrization)
        object.__setattr__(chain, "unsafe", chain.unsafe or unsafe)
        return module
    original = module.__dict__.get(tensor_name)
    if not isinstance(original, Tensor):
        raise MemberNotFoundError(f"register_parametrization: {type(module).__name__} has "
                                  f"no parameter or buffer {tensor_name!r}")
    chain = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if "parametrizations" not in module.__dict__:
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = chain
    _set_class(module)
    return module


def _set_class(module: Module) -> None:
    """Give ``module`` a class of its own with a property per parametrized name (its
    plain class when there is none). A new class each time: a deep copy shares the
    class, so changing one in place would change the copy's attributes too."""
    base = getattr(type(module), "_unparametrized_class", type(module))
    names = list(module.__dict__["parametrizations"]) if is_parametrized(module) else []
    if not names:
        object.__setattr__(module, "__class__", base)
        return
    attributes: dict[str, Any] = {"_unparametrized_class": base}
    attributes.update((name, _parametrized_property(name)) for name in names)
    object.__setattr__(module, "__class__", type(f"Parametrized{base.__name__}", (base,),
                                                 attributes))


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (of ``tensor_name``, if given)."""
    chains = module.__dict__.get("parametrizations")
    if not isinstance(chains, ModuleDict):
        return False
    return len(chains) > 0 if tensor_name is None else tensor_name in chains


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Undo ``register_parametrization``: ``module.<tensor_name>`` becomes a plain
    parameter (or buffer) again, holding the parametrized value (``leave_parametrized``)
    or the original one (only when there is a single original). From several originals
    (a ``right_inverse`` that splits the tensor) it is a parameter if any of them
    requires grad, else a buffer, as PyTorch's."""
    if not is_parametrized(module, tensor_name):
        raise UsageError(f"{type(module).__name__} has no parametrization of "
                         f"{tensor_name!r}")
    chain = module.parametrizations[tensor_name]
    if chain.is_tensor:
        kept = chain.original
        if leave_parametrized:
            with no_grad():
                value = chain()
            kept.data = value.detach().numpy().copy()
    else:
        if not leave_parametrized:
            raise UsageError(f"cannot remove the parametrization of {tensor_name!r} with "
                             f"leave_parametrized=False: it has {chain.ntensors} originals, "
                             f"not one tensor")
        with no_grad():
            value = chain()
        originals = [getattr(chain, f"original{i}") for i in range(chain.ntensors)]
        trains = any(original.requires_grad for original in originals)  # as PyTorch's:
        kept = (Parameter(value.detach().numpy().copy()) if trains  # a parameter if any
                else value.detach())                                # trains, else a buffer
    del module.parametrizations[tensor_name]
    if not len(module.parametrizations):
        delattr(module, "parametrizations")
    _set_class(module)
    if isinstance(kept, Parameter):
        setattr(module, tensor_name, kept)
    else:
        module.register_buffer(tensor_name, kept)
    return module


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Inside the block each parametrized tensor is computed once (for a recurrent
    model that reads its weight at every step), as PyTorch's ``parametrize.cached()``."""
    _CACHING[0] += 1
    try:
        yield
    finally:
        _CACHING[0] -= 1
        if not _CACHING[0]:
            _CACHE.clear()

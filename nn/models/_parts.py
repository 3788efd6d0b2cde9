"""Shared pieces of the models: activation names, size checks, stacks of layers."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, no_grad

from .._checks import is_integer
from ..activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh
from ..layers import Dropout, Identity, Linear
from ..module import Module
from ..normalization import BatchNorm1d
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["ACTIVATIONS", "make_activation", "check_sizes", "check_size", "dense_stack",
           "as_input", "Inference"]

ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU, "elu": ELU,
    "gelu": GELU, "silu": SiLU, "identity": Identity,
}


def make_activation(activation: str | Callable[[], Module] | None, owner: str) -> Module:
    """A new activation module from its name ("relu", "tanh", ...), a zero-argument
    factory such as ``nn.ReLU``, or None (identity)."""
    if activation is None:
        return Identity()
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ConfigError(f"{owner}: unknown activation {activation!r}; use one of "
                              f"{sorted(ACTIVATIONS)} or a Module class such as nn.ReLU")
        return ACTIVATIONS[activation]()
    if isinstance(activation, Module):
        raise ArgumentTypeError(
            f"{owner}: activation is the module {activation!r}; each layer needs its own, so "
            f"pass its class (nn.{type(activation).__name__}) or a factory such as "
            f"lambda: nn.{type(activation).__name__}(...) with its arguments")
    if callable(activation):
        module = activation()
        if isinstance(module, Module):
            return module
    raise ArgumentTypeError(f"{owner}: activation must be a name like 'relu', a Module class such "
                            f"as nn.ReLU, or None; got {activation!r}")


def check_sizes(sizes: Any, owner: str, label: str, minimum: int) -> list[int]:
    """``sizes`` (an int or a list of them) as a list of positive ints with at least
    ``minimum`` entries: ``ArgumentTypeError`` if it is not ints, ``ConfigError`` if they
    are too few or not positive (``nn._checks``' rule)."""
    values = [sizes] if is_integer(sizes) else None
    if values is None and not isinstance(sizes, str):
        try:
            values = list(sizes)
        except TypeError:
            pass
    if minimum <= 1 and (values is None or is_integer(sizes)):  # one value: the one size
        message = f"{owner}: {label} must be a positive int; got {sizes!r}"
    else:
        message = (f"{owner}: {label} must be a list of at least {minimum} positive "
                   f"int{'' if minimum == 1 else 's'}; got {sizes!r}")
    if values is None or not all(is_integer(s) for s in values):
        raise ArgumentTypeError(message + f" ({type(sizes).__name__}).")
    if len(values) < minimum or not all(s > 0 for s in values):
        raise ConfigError(message + ".")
    return [int(s) for s in values]


def check_size(size: Any, owner: str, label: str) -> int:
    """``size``, one positive int (or a list holding one, as ``check_sizes`` takes it):
    ``ArgumentTypeError`` if it is not an int, ``ConfigError`` if it is not positive or
    a list of another length."""
    values = check_sizes(size, owner, label, 1)
    if len(values) != 1:
        raise ConfigError(f"{owner}: {label} is one size, a positive int; got {size!r}")
    return values[0]


def dense_stack(sizes: Sequence[int], activation: Any, owner: str, *, rng: np.random.Generator,
                dtype: Any, dropout: float = 0.0, batchnorm: bool = False,
                last_activation: bool = True) -> list[Module]:
    """Linear layers sizes[0] -> sizes[1] -> ..., each followed by [BatchNorm1d],
    the activation and [Dropout] (all but the last layer when ``last_activation`` is
    False). Dropout draws from ``rng``, so a checkpoint of ``rng`` captures it."""
    if isinstance(activation, str) and activation not in ACTIVATIONS:  # also with no
        make_activation(activation, owner)  # hidden layer to use it: a typo is named
    layers: list[Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, rng=rng, dtype=dtype))
        if i == len(sizes) - 2 and not last_activation:
            break
        if batchnorm:
            layers.append(BatchNorm1d(n_out, dtype=dtype))
        layers.append(make_activation(activation, owner))
        if dropout > 0.0:
            layers.append(Dropout(dropout, rng=rng))
    return layers


def as_input(x: Any, dtype: np.dtype) -> Tensor:
    """``x`` as a Tensor; a float64 array (what scikit-learn returns) fed to a float32
    model is cast to the model's dtype, any other input is used as given."""
    if isinstance(x, Tensor):
        return x
    array = np.asarray(x)
    if array.dtype.kind in "iub" or (array.dtype.kind == "f" and array.dtype != dtype):
        array = array.astype(dtype)
    return as_tensor(array)


class Inference:
    """Evaluation mode without a graph, restoring the previous mode afterwards."""

    def __init__(self, model: Module) -> None:
        self.model, self.grad = model, no_grad()

    def __enter__(self) -> None:
        self.was_training = self.model.training
        self.model.eval()
        self.grad.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self.grad.__exit__(*exc)
        self.model.train(self.was_training)

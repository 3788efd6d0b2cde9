"""``Distribution``, the base of every distribution, as ``torch.distributions``'s:
``batch_shape`` (the shape of the parameters: one distribution per element),
``event_shape`` (the shape of one draw: () for the ones here), ``sample`` / ``rsample``
of ``sample_shape + batch_shape + event_shape``, ``log_prob``, ``entropy``, the moments,
and ``validate_args`` (on by default, as ``python`` without ``-O``): parameters outside
their constraint and values outside the support raise ``UsageError`` (a ValueError).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np

from ..errors import ShapeError, UnsupportedError, UsageError
from ..functions import broadcast_to, exp
from ..grad_mode import enable_grad, no_grad
from ..tensor import Tensor, as_tensor
from .constraints import Constraint

__all__ = ["Distribution", "broadcast_all", "draw_from", "lazy_property"]


class lazy_property:  # noqa: N801  (PyTorch's name for a decorator)
    """A property computed on first use (with gradients recorded) and then kept, as
    ``torch.distributions.utils.lazy_property``: ``Bernoulli(probs=p).logits``."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__
        self.name = compute.__name__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        with enable_grad():
            value = self.compute(instance)
        instance.__dict__[self.name] = value  # found before this descriptor from now on
        return value


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def broadcast_all(*values: Any, where: str = "broadcast_all") -> tuple[Tensor, ...]:
    """The parameters as Tensors of one broadcast shape, as PyTorch's ``broadcast_all``:
    numbers (and arrays) take the dtype of the first floating Tensor given, float64 when
    there is none; integer and bool tensors become float64. Broadcasting is
    ``broadcast_to``, so gradients flow back to the parameters as given."""
    tensors = [v for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"]
    dtype = tensors[0].dtype if tensors else np.dtype(np.float64)
    converted = []
    for v in values:
        if not isinstance(v, Tensor):
            v = as_tensor(np.asarray(v, dtype=dtype if _is_number(v) else None))
        if v.dtype.kind != "f":
            v = v.astype(np.float64)
        converted.append(v)
    try:
        shape = np.broadcast_shapes(*(v.shape for v in converted))
    except ValueError:
        raise ShapeError(f"{where}: the parameters must broadcast together; got shapes "
                         f"{[v.shape for v in converted]}") from None
    return tuple(v if v.shape == shape else broadcast_to(v, shape) for v in converted)


def sample_shape_of(sample_shape: Any, where: str, what: str = "sample_shape",
                    example: str = "sample((5,)) or sample((2, 3))") -> tuple[int, ...]:
    """``sample_shape`` (a tuple or list of ints) as a tuple, else ``UsageError``."""
    if not isinstance(sample_shape, (tuple, list)) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0
            for n in sample_shape):
        raise UsageError(f"{where}: {what} is a tuple of sizes >= 0, as {example}; got "
                         f"{sample_shape!r}")
    return tuple(int(n) for n in sample_shape)



def draw_from(method: Callable[..., Tensor], sample_shape: Any, generator: Any) -> Tensor:
    """``method(sample_shape)`` (a distribution's ``sample`` or ``rsample``), with
    ``generator=`` only when one is given: a subclass overriding it with PyTorch's
    signature, ``rsample(self, sample_shape=torch.Size())``, is called as PyTorch calls it."""
    if generator is None:
        return method(sample_shape)
    return method(sample_shape, generator=generator)


class Distribution:
    """A batch of probability distributions of ``batch_shape``, each drawing values of
    ``event_shape``. Subclasses set ``arg_constraints`` (parameter name -> constraint)
    and ``support``, and define the methods they have."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict[str, Constraint] = {}
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn the checks of parameters and values on (the default) or off for every
        distribution created afterwards without ``validate_args=``."""
        if value not in (True, False):
            raise UsageError(f"set_default_validate_args: value must be True or False; "
                             f"got {value!r}")
        Distribution._validate_args = bool(value)

    def __init__(self, batch_shape: tuple[int, ...] = (), event_shape: tuple[int, ...] = (),
                 validate_args: bool | None = None) -> None:
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for name, constraint in self.arg_constraints.items():
                if name not in self.__dict__ and isinstance(getattr(type(self), name, None),
                                                            lazy_property):
                    continue  # only the parameter given is checked (as PyTorch)
                self._check_parameter(name, constraint)

    def _check_parameter(self, name: str, constraint: Constraint) -> None:
        value = getattr(self, name)
        inside = constraint.check(value).data
        if not inside.all():
            raise UsageError(f"{type(self).__name__}: expected parameter {name} (Tensor of "
                             f"shape {value.shape}) to satisfy the constraint {constraint!r}, "
                             f"but found invalid values: {value.data[~inside].ravel()[:5]}")

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Distribution":
        """The same distribution with its parameters broadcast to ``batch_shape`` (as
        ``broadcast_to``: gradients flow to the parameters given), not checked again but
        with ``self``'s ``validate_args`` (values are checked as they were), as PyTorch's
        ``expand``: ``Normal(0.0, 1.0).expand((64, 2))``. ``_instance``: the object to fill
        (a subclass's ``expand`` passes ``self._get_checked_instance(cls, _instance)``)."""
        where = f"{type(self).__name__}.expand"
        shape = sample_shape_of(batch_shape, where, "batch_shape", "expand((64, 2))")
        new = object.__new__(type(self)) if _instance is None else _instance
        new.__dict__.update(self.__dict__)
        for name, value in self.__dict__.items():
            if isinstance(value, Tensor):  # the parameters (and probs or logits computed)
                event = value.shape[len(self._batch_shape):]
                try:
                    np.broadcast_shapes(value.shape, shape + event)
                    new.__dict__[name] = broadcast_to(value, shape + event)
                except ValueError:
                    raise ShapeError(f"{where}: batch_shape {self._batch_shape} cannot "
                                     f"expand to {shape}") from None
        if isinstance(self.__dict__.get("_param"), Tensor):
            new._param = new.__dict__["probs" if self._param is self.__dict__.get("probs")
                                      else "logits"]
        new._batch_shape = shape
        new._validate_args = self._validate_args
        return new

    def _expanded(self, cls: type, _instance: Any, *params: Any, **named: Any) -> Any:
        """PyTorch's way to ``expand``: ``cls.__init__`` run on ``params`` (``self``'s
        parameters, already broadcast to the new batch) into ``_instance`` or a new object
        of this type (``_get_checked_instance``), unchecked (they were checked when ``self``
        was built), then ``self``'s ``validate_args`` set back on it: values given to the
        expanded distribution are checked exactly when they were for ``self``."""
        new = self._get_checked_instance(cls, _instance)
        cls.__init__(new, *params, validate_args=False, **named)
        new._validate_args = self._validate_args
        return new

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The shape over which the parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> tuple[int, ...]:
        """The shape of one draw, without batching."""
        return self._event_shape

    @property
    def support(self) -> Constraint:
        raise UnsupportedError(f"{type(self).__name__} defines no support")

    def _missing(self, name: str) -> UnsupportedError:
        return UnsupportedError(f"{type(self).__name__} has no {name} here"
                                + ("; sample() draws without a gradient" if name == "rsample"
                                   else ""))

    @property
    def mean(self) -> Tensor:
        """E[X]."""
        raise self._missing("mean")

    @property
    def mode(self) -> Tensor:
        """The most likely value."""
        raise self._missing("mode")

    @property
    def variance(self) -> Tensor:
        """Var[X] = E[(X - E[X])^2]."""
        raise self._missing("variance")

    @property
    def stddev(self) -> Tensor:
        """sqrt(Var[X])."""
        return self.variance.sqrt()

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, from ``generator``
        (``autograd.default_generator`` if None); no gradient flows through it."""
        with no_grad():
            return draw_from(self.rsample, sample_shape, generator)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """A reparameterised draw: a differentiable function of the parameters."""
        raise self._missing("rsample")

    def log_prob(self, value: Any) -> Tensor:
        """log p(value), one per distribution of the batch."""
        raise self._missing("log_prob")

    def cdf(self, value: Any) -> Tensor:
        """P(X <= value)."""
        raise self._missing("cdf")

    def icdf(self, value: Any) -> Tensor:
        """The inverse of ``cdf``: the x with P(X <= x) = value."""
        raise self._missing("icdf")

    def entropy(self) -> Tensor:
        """H = -E[log p(X)], one per distribution of the batch."""
        raise self._missing("entropy")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every value of a discrete distribution along axis 0."""
        raise self._missing("enumerate_support")

    def perplexity(self) -> Tensor:
        """exp(H)."""
        return exp(self.entropy())

    def _extended_shape(self, sample_shape: Any = ()) -> tuple[int, ...]:
        """``sample_shape + batch_shape + event_shape``."""
        where = f"{type(self).__name__}.sample"
        return sample_shape_of(sample_shape, where) + self._batch_shape + self._event_shape

    def _get_checked_instance(self, cls: type, _instance: Any = None) -> Any:
        """PyTorch's helper of ``expand``: ``_instance``, or a new uninitialised object of
        this type; NotImplementedError if this type has its own ``__init__`` but ``cls``'s
        ``expand`` is the one running (it could not fill that ``__init__``'s fields)."""
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                f"__init__() method must also define a custom .expand() method.")
        return object.__new__(type(self)) if _instance is None else _instance

    def _validate_sample(self, value: Any) -> None:
        """PyTorch's check of a ``log_prob`` value, which a subclass calls under ``if
        self._validate_args``: a Tensor whose shape broadcasts with batch_shape +
        event_shape, inside the support (else ``UsageError``/``ShapeError``, ValueErrors)."""
        if not isinstance(value, Tensor):
            raise UsageError(f"{type(self).__name__}: the value argument to log_prob must be "
                             f"a Tensor; got {type(value).__name__}")
        self._check_value(value)

    def _value(self, value: Any, dtype: Any, support: Constraint | None = None) -> Tensor:
        """``value`` as a Tensor (a number or an array of ``dtype``), checked as PyTorch's
        ``validate_args`` checks it: its shape broadcasts with ``batch_shape`` and it lies
        in ``support`` (the distribution's own when None; a ``cdf`` may accept more)."""
        if not isinstance(value, Tensor):
            value = as_tensor(np.asarray(value, dtype=dtype))
        if self._validate_args:
            self._check_value(value, support)
        return value

    def _check_shape(self, value: Tensor) -> None:
        """``ShapeError`` unless ``value`` has the event's axes and its shape broadcasts
        with ``batch_shape + event_shape`` (checked with or without ``validate_args`` by
        a ``log_prob`` that would otherwise fail in NumPy)."""
        expected = self._batch_shape + self._event_shape
        if value.ndim < len(self._event_shape):
            raise ShapeError(f"{type(self).__name__}: the value's shape {value.shape} has "
                             f"fewer axes than event_shape {self._event_shape}; give values "
                             f"of shape (..., {', '.join(map(str, self._event_shape))})")
        for got, want in zip(reversed(value.shape), reversed(expected)):
            if got != 1 and want != 1 and got != want:
                raise ShapeError(f"{type(self).__name__}: the value's shape {value.shape} "
                                 f"does not broadcast with batch_shape + event_shape "
                                 f"{expected}; give a value whose shape broadcasts with it")

    def _check_value(self, value: Tensor, support: Constraint | None = None) -> None:
        """The checks of ``_value``: its shape (``_check_shape``), then its support."""
        self._check_shape(value)
        support = self.support if support is None else support
        inside = support.check(value).data
        if not inside.all():
            shown = value.data
            if support.event_dim == 0 and shown.shape != inside.shape:  # a bound's shape
                shown = np.broadcast_to(shown, inside.shape)
            raise UsageError(f"{type(self).__name__}: expected a value (Tensor of shape "
                             f"{value.shape}) within the support ({support!r}), but found "
                             f"invalid values: {shown[~inside].ravel()[:5]}")

    def __repr__(self) -> str:
        shown = []
        for name in self.arg_constraints:
            if name in self.__dict__:
                data = self.__dict__[name].data
                shown.append(f"{name}: {data.item() if data.size == 1 else data.shape}")
        return f"{type(self).__name__}({', '.join(shown)})"


LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))

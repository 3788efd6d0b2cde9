"""``RandomMethods``: PyTorch's sampling methods of ``Tensor`` (a mixin): ``multinomial``,
``bernoulli``, and the in-place fills ``uniform_ normal_ bernoulli_ random_ exponential_
cauchy_ log_normal_ geometric_``.

Each draws from ``generator=``, a ``numpy.random.Generator`` (``autograd.default_generator``
if None, as ``autograd.rand``). The samples are constants: no gradient flows through a draw.
The in-place fills follow the rules of ``inplace``: refused while recording on a tensor
that requires grad (do them under ``no_grad()``), and stamped as a write, so a graph that
saved the old values refuses to run backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import FLOATS
from ._random import as_generator, below
from ._sampling import (check_probabilities, draw_integers, exact_integers, float_dtype,
                        integer_range, multinomial_indices, whole_number)
from .errors import DTypeError, ShapeError, UsageError
from .keyword_aliases import keyword_aliases

__all__ = ["RandomMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class
_NOT_GIVEN = object()  # random_(0, None) (up to the dtype's largest) differs from random_(0)


def _number(value: Any, name: str, where: str) -> float:
    """``value`` (a number, bool included as PyTorch's, or a 0-d array or Tensor) as a
    float; UsageError (a TypeError, as PyTorch's) otherwise."""
    array = np.asarray(getattr(value, "data", value))
    if array.ndim or array.dtype.kind not in "biuf":
        raise UsageError(f"{where}: {name} must be a number, as PyTorch's; got {value!r}")
    return float(array)


class RandomMethods:
    """The sampling methods of ``Tensor`` (a mixin: Tensor is the only subclass)."""

    __slots__ = ()

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> AnyTensor:
        """int64 indices of ``num_samples`` categories drawn with probabilities
        proportional to self's (unnormalised) weights, as ``torch.multinomial``: a 1-d self
        gives shape ``(num_samples,)``, a 2-d one ``(rows, num_samples)``, one draw per
        row. Without replacement each category comes at most once."""
        rng = as_generator(generator, "multinomial")
        plain_tensor = type(self.detach())  # Tensor, also for a subclass (a Parameter)
        return plain_tensor(multinomial_indices(self.data, num_samples, replacement, rng))

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> AnyTensor:
        """0s and 1s of self's shape and dtype, each 1 with probability self (a floating
        tensor of probabilities), or ``p`` for every element when ``p`` (a number) is
        given, as ``torch.bernoulli``: ``mask = autograd.full_like(x, 0.8).bernoulli()``."""
        rng = as_generator(generator, "bernoulli")
        if p is None:
            float_dtype(self.dtype, "the probabilities", "bernoulli")
            probabilities = check_probabilities(self.data, "bernoulli")
        elif np.ndim(getattr(p, "data", p)) == 0:
            probabilities = check_probabilities(getattr(p, "data", p), "bernoulli")
        else:
            raise UsageError(f"bernoulli: p is one probability for every element (a "
                             f"number); got shape {np.shape(getattr(p, 'data', p))}. For one "
                             f"per element, write autograd.bernoulli(probabilities)")
        plain_tensor = type(self.detach())  # Tensor, also for a subclass (a Parameter)
        return plain_tensor((rng.random(self.shape) < probabilities).astype(self.dtype))

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> AnyTensor:
        """Fill self in place with 0s and 1s, each 1 with probability ``p`` (a number, or a
        tensor of probabilities broadcasting to self's shape), as PyTorch's; any dtype."""
        rng = as_generator(generator, "bernoulli_")
        probabilities = check_probabilities(getattr(p, "data", p), "bernoulli_")
        try:
            np.broadcast_to(probabilities, self.shape)
        except ValueError:
            raise ShapeError(f"bernoulli_: p of shape {probabilities.shape} does not "
                             f"broadcast to the tensor's shape {self.shape}") from None
        return self._write("bernoulli_", "x = autograd.bernoulli(autograd.full_like(x, p))",
                           lambda out: np.copyto(out, rng.random(out.shape) < probabilities,
                                                 casting="unsafe"), p)

    @keyword_aliases(**{"from": "from_"})  # PyTorch's name, a Python keyword
    def random_(self, from_: Any = None, to: Any = _NOT_GIVEN, *,
                generator: Any = None) -> AnyTensor:
        """Fill self in place with integers uniform in [from_, to), as PyTorch's
        ``random_(from, to)``; ``random_(to)`` starts at 0, and ``random_()`` (or
        ``to=None``) goes up to the largest integer self's dtype holds exactly (2**24 for
        float32, 1 for bool)."""
        if to is _NOT_GIVEN:  # random_() or random_(to)
            from_, to = 0, from_
        first = whole_number(0 if from_ is None else from_, "from_", "random_")
        if to is None:
            smallest, last = exact_integers(self.dtype)
            if not smallest <= first <= last:
                raise DTypeError(f"random_: from_={first} is outside [{smallest}, {last}], "
                                 f"the integers a {self.dtype} tensor holds exactly")
        else:
            first, last = integer_range(first, to, self.dtype, "random_")
        rng = as_generator(generator, "random_")
        return self._write("random_", "x = autograd.randint_like(x, low, high)",
                           lambda out: np.copyto(out, draw_integers(rng, first, last,
                                                                    out.shape, out.dtype)))

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> AnyTensor:
        """Fill self (floating) in place with exponential samples of rate ``lambd`` > 0
        (mean 1 / lambd), as PyTorch's."""
        float_dtype(self.dtype, "the tensor", "exponential_")
        lambd = _number(lambd, "lambd", "exponential_")
        if not lambd > 0:
            raise UsageError(f"exponential_: lambd (the rate) must be > 0; got {lambd}")
        rng = as_generator(generator, "exponential_")
        instead = "x = autograd.tensor(generator.exponential(1 / lambd, x.shape))"
        return self._write("exponential_", instead,
                           lambda out: np.copyto(out, rng.exponential(1 / lambd, out.shape),
                                                 casting="same_kind"))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *,
                generator: Any = None) -> AnyTensor:
        """Fill self (floating) in place with Cauchy samples, median + sigma * tan(pi (u -
        1/2)) for u uniform in (0, 1), with scale ``sigma`` > 0, as PyTorch's."""
        float_dtype(self.dtype, "the tensor", "cauchy_")
        median = _number(median, "median", "cauchy_")
        sigma = _number(sigma, "sigma", "cauchy_")
        if not sigma > 0:  # NaN too
            raise UsageError(f"cauchy_: sigma (the scale) must be > 0, as PyTorch's; got "
                             f"{sigma}")
        rng = as_generator(generator, "cauchy_")
        instead = "x = autograd.tensor(median + sigma * generator.standard_cauchy(x.shape))"
        return self._write("cauchy_", instead, lambda out: np.copyto(
            out, median + sigma * rng.standard_cauchy(out.shape), casting="same_kind"))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *,
                    generator: Any = None) -> AnyTensor:
        """Fill self (floating) in place with log-normal samples exp(N(mean, std^2)):
        ``mean`` and ``std`` > 0 are those of the underlying normal's, as PyTorch's."""
        float_dtype(self.dtype, "the tensor", "log_normal_")
        mean = _number(mean, "mean", "log_normal_")
        std = _number(std, "std", "log_normal_")
        if not std > 0:  # NaN too
            raise UsageError(f"log_normal_: std (of the underlying normal) must be > 0, as "
                             f"PyTorch's; got {std}")
        rng = as_generator(generator, "log_normal_")
        instead = "x = autograd.tensor(generator.lognormal(mean, std, x.shape))"
        return self._write("log_normal_", instead, lambda out: np.copyto(
            out, rng.lognormal(mean, std, out.shape), casting="same_kind"))

    def geometric_(self, p: float, *, generator: Any = None) -> AnyTensor:
        """Fill self in place with geometric samples: the number of trials, each a success
        with probability ``p`` in (0, 1), up to and including the first success (1, 2,
        ...), as PyTorch's; floating or integer tensors."""
        if self.dtype.kind == "b":
            raise DTypeError("geometric_ fills a floating or integer tensor, as PyTorch's; "
                             "this one is bool")
        p = _number(p, "p", "geometric_")
        if not 0 < p < 1:
            raise UsageError(f"geometric_: p must be in (0, 1); got {p}")
        rng = as_generator(generator, "geometric_")
        instead = "x = autograd.tensor(generator.geometric(p, x.shape))"
        return self._write("geometric_", instead,
                           lambda out: np.copyto(out, rng.geometric(p, out.shape),
                                                 casting="unsafe"))

    @keyword_aliases(**{"from": "from_", "a": "from_", "b": "to"})  # PyTorch's, the old
    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with samples uniform in [from_, to) (PyTorch's ``from=``, ``to=``) drawn from
        ``generator``, a ``numpy.random.Generator`` (``autograd.default_generator`` if
        None, as ``rand``)."""
        rng = _random_fill_checks(self, "uniform_", generator)
        a, b = _number(from_, "from", "uniform_"), _number(to, "to", "uniform_")
        _check_uniform_bounds(a, b, self.dtype)
        return self._write("uniform_", "x = autograd.rand(*x.shape) * (b - a) + a",
                           lambda out: _store(out, below(rng.uniform(a, b, out.shape), a, b,
                                                         out.dtype)))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with normal samples of ``mean`` and ``std`` drawn from ``generator`` (as
        ``uniform_``)."""
        rng = _random_fill_checks(self, "normal_", generator)
        mean, std = _number(mean, "mean", "normal_"), _number(std, "std", "normal_")
        if not std >= 0:  # NaN too
            raise UsageError(f"normal_: std must be >= 0; got {std}")
        return self._write("normal_", "x = autograd.randn(*x.shape) * std + mean",
                           lambda out: _store(out, rng.normal(mean, std, out.shape)))


def _random_fill_checks(t: Any, name: str, generator: Any) -> np.random.Generator:
    """The generator to draw from, once ``t`` is known to be a floating tensor."""
    if t.dtype not in FLOATS:
        raise DTypeError(f"{name} fills a floating tensor (float16/32/64); this one is "
                         f"{t.dtype}. Draw integers with generator.integers(...) and "
                         f"copy_ them in.")
    return as_generator(generator, name)


def _check_uniform_bounds(a: float, b: float, dtype: np.dtype) -> None:
    """UsageError unless a <= b, both finite, and a, b and b - a within the dtype's range
    (|x| <= finfo.max), as PyTorch's: beyond it the draws would round to +-inf and be
    clamped, a pile-up at the largest value instead of a uniform sample."""
    if not (np.isfinite(a) and np.isfinite(b) and a <= b):
        raise UsageError(f"uniform_ draws from [a, b) (from, to): a and b must be finite "
                         f"with a <= b; got a={a:g}, b={b:g}")
    largest = float(np.finfo(dtype).max)
    for name, value in (("from", a), ("to", b), ("to - from", b - a)):
        if not abs(value) <= largest:
            raise UsageError(f"uniform_: {name} = {value} is beyond the largest {dtype} "
                             f"({largest}), as PyTorch refuses; narrow the range, or fill "
                             f"a wider dtype (float64) and scale")


def _store(out: np.ndarray, sample: np.ndarray) -> None:
    """Write float64 samples into ``out``, rounded to its dtype."""
    np.copyto(out, sample, casting="same_kind")

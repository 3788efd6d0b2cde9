"""The process-wide default random generator, as PyTorch's ``torch.manual_seed`` gives,
and the one rule for ``generator=`` arguments (``rand``, ``randn``, ``uniform_``,
``normal_``, ``multinomial``...): a ``numpy.random.Generator``, or None for the default.

``Generator`` is PyTorch's ``torch.Generator``: a ``numpy.random.Generator`` (PCG64) with
``manual_seed``, ``initial_seed``, ``seed``, ``get_state``/``set_state``.
``default_generator`` is one ``Generator`` for the whole process:
``generator=None`` in autograd and ``rng=None`` in nn (layers' init, dropout, shuffling)
draw from it. ``manual_seed(n)`` reseeds it *in place* (the object stays the same, so
whatever holds it follows), after which it draws as ``np.random.default_rng(n)`` does.

Threads: NumPy's bit generator carries a lock that every draw holds, so threads may
share the default generator without corrupting it; ``manual_seed``, ``seed`` and
``set_rng_state`` take the same lock. Which numbers each thread gets depends on the
order in which the threads draw: give each thread its own Generator for repeatable
multi-threaded runs.
"""

from __future__ import annotations

import numbers
import secrets
from collections.abc import Mapping
from typing import Any

import numpy as np

from .devices import device as Device
from .errors import GeneratorError, UsageError
from .torch_shapes import check_device

__all__ = ["Generator", "as_generator", "below", "default_generator", "manual_seed", "seed",
           "initial_seed", "get_rng_state", "set_rng_state"]

_CPU = Device("cpu")  # Generator.device, as x.device

TORCH_DEFAULT_SEED = 67280421310721  # what torch.Generator().initial_seed() gives


def _checked_seed(seed: Any, where: str) -> int:
    """``seed`` as an int in [0, 2^64): a negative one from -2^63 on wraps around modulo
    2^64, as PyTorch's (-1 is 2^64 - 1); ``UsageError`` for a bool, a non-int, or one
    below -2^63 or from 2^64 on (PyTorch's seeds are 64-bit)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise UsageError(f"{where}: the seed must be an int, e.g. manual_seed(0); "
                         f"got {type(seed).__name__} {seed!r}")
    if seed < -2 ** 63:
        raise UsageError(f"{where}: the seed must be an int from -2**63 on (a negative "
                         f"one wraps around modulo 2**64, as PyTorch's); got {seed}")
    if seed >= 2 ** 64:
        raise UsageError(f"{where}: the seed must be below 2**64 (a 64-bit seed, as "
                         f"PyTorch's); got {seed}. Reduce it, e.g. seed % 2**64")
    return int(seed) % 2 ** 64 if seed < 0 else int(seed)


def _checked_state(state: Any, expected: str, where: str, source: str) -> dict[str, Any]:
    """``state`` as a dict NumPy's ``expected`` bit generator takes (tried on a scratch
    one, so a refused state changes nothing), else ``UsageError`` naming ``source``."""
    found = state.get("bit_generator") if isinstance(state, Mapping) else None
    if found is None or isinstance(found, str) and found != expected:
        got = f"a {found} state" if found else f"{type(state).__name__} {state!r:.80}"
    else:
        try:
            np.random.PCG64().state = dict(state)  # a scratch copy first: all or nothing
            return dict(state)
        except (TypeError, ValueError, KeyError) as error:
            got = f"a state NumPy refuses ({type(error).__name__}: {error})"
    raise UsageError(f"{where}: state must be a dict returned by {source} (the {expected} "
                     f"bit generator's state); got {got}")


class Generator(np.random.Generator):
    """``torch.Generator``: a ``numpy.random.Generator`` (PCG64), so every ``generator=``
    (and ``rng=`` in nn) takes it and NumPy's methods (``g.random(3)``) work, with
    PyTorch's methods. A new one is seeded with PyTorch's default seed (67280421310721);
    ``manual_seed(n)`` reseeds it in place and returns it, after which it draws as
    ``np.random.default_rng(n)``: ``g = autograd.Generator().manual_seed(2147483647)``."""

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device, "Generator(device=...)")
        super().__init__(np.random.PCG64(TORCH_DEFAULT_SEED))
        self._initial_seed = TORCH_DEFAULT_SEED

    def _reseed(self, value: int) -> None:
        with self.bit_generator.lock:
            self.bit_generator.state = np.random.PCG64(value).state
            self._initial_seed = value

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed with ``seed`` (an int; a negative one wraps around modulo 2^64, as
        PyTorch's) in place; returns self."""
        self._reseed(_checked_seed(seed, "manual_seed"))
        return self

    def seed(self) -> int:
        """Reseed from fresh OS entropy; returns the new seed (a 64-bit int)."""
        value = secrets.randbits(64)
        self._reseed(value)
        return value

    def initial_seed(self) -> int:
        """The seed last given (``manual_seed``, ``seed``, or the default); ``set_state``
        leaves it as it was."""
        return self._initial_seed

    def get_state(self) -> dict[str, Any]:
        """A copy of the state: the bit generator's state dict (Python ints and strings,
        which ``nn.save`` keeps); ``set_state`` restores it and the draws repeat."""
        with self.bit_generator.lock:
            return self.bit_generator.state

    def set_state(self, new_state: Mapping[str, Any]) -> "Generator":
        """Restore a state from ``get_state`` (any Generator's); returns self. Anything
        else raises ``UsageError`` and leaves the generator as it was."""
        state = _checked_state(new_state, "PCG64", "set_state",
                               "Generator.get_state() or autograd.get_rng_state()")
        with self.bit_generator.lock:
            self.bit_generator.state = state
        return self

    @property
    def device(self) -> Device:
        """``device("cpu")`` (equal to "cpu", as ``x.device``): draws are NumPy's, on the
        CPU."""
        return _CPU

    def __reduce__(self) -> tuple:
        return _restore, (self._initial_seed, self.get_state())

    def __repr__(self) -> str:
        return f"autograd.Generator(initial_seed={self._initial_seed})"


def _restore(initial: int, state: dict[str, Any]) -> Generator:
    """A Generator with ``state`` and ``initial`` as its seed (for pickle and deepcopy)."""
    g = Generator().set_state(state)
    g._initial_seed = initial
    return g


default_generator = Generator()
default_generator.seed()  # fresh OS entropy, as PyTorch's start-up seed


def manual_seed(seed: Any) -> Generator:
    """Reseed the default generator with ``seed`` (an int, or a one-element integer tensor,
    as ``torch.manual_seed`` takes) in place and return it, as ``torch.manual_seed``:
    ``manual_seed(0); autograd.randn(3)`` repeats."""
    if hasattr(seed, "numel") and getattr(seed.dtype, "kind", None) in ("i", "u") \
            and seed.numel() == 1:
        seed = seed.item()
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator from fresh OS entropy and return the new seed (a
    64-bit int), as ``torch.seed``."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with (by ``manual_seed``, ``seed``,
    or at start-up from OS entropy), as ``torch.initial_seed``; ``set_rng_state`` leaves
    it as it was."""
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    """A copy of the default generator's state: its bit generator's state dict, which
    ``set_rng_state`` restores (draws after it then repeat), as ``torch.get_rng_state``."""
    return default_generator.get_state()


def set_rng_state(state: Mapping[str, Any]) -> None:
    """Restore a state returned by ``get_rng_state``, as ``torch.set_rng_state``; anything
    else raises ``UsageError`` and leaves the default generator as it was."""
    state = _checked_state(state, default_generator.bit_generator.state["bit_generator"],
                           "set_rng_state", "autograd.get_rng_state()")
    with default_generator.bit_generator.lock:
        default_generator.bit_generator.state = state


def as_generator(generator: Any, where: str) -> np.random.Generator:
    """``generator`` itself, or ``default_generator`` for None; anything else raises
    ``GeneratorError`` naming ``where`` (the function it was given to)."""
    if generator is None:
        return default_generator
    if not isinstance(generator, np.random.Generator):
        raise GeneratorError(f"{where}: generator must be a numpy.random.Generator (e.g. "
                             f"np.random.default_rng(0)), or None for "
                             f"autograd.default_generator; got {type(generator).__name__}")
    return generator


def below(sample: np.ndarray, low: float, high: float, dtype: Any) -> np.ndarray:
    """``sample`` (float64 draws in [low, high)) in ``dtype``, still below ``high``:
    rounding to a narrower dtype can land on ``high`` itself (float16: about 0.03% of the
    draws in [0, 1)); those become the largest ``dtype`` value below it."""
    out = sample.astype(dtype, copy=False)
    if low < high:
        top = np.nextafter(np.asarray(high, dtype), np.asarray(low, dtype))
        np.minimum(out, top, out=out)
    return out

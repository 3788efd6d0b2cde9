"""The process-wide default random generator, as PyTorch's ``torch.manual_seed`` gives,
and the one rule for ``generator=`` arguments (``rand``, ``randn``, ``uniform_``,
``normal_``, ``multinomial``...): a ``numpy.random.Generator``, or None for the default.

``default_generator`` is one ``numpy.random.Generator`` (PCG64) for the whole process:
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

from .errors import GeneratorError, UsageError

__all__ = ["as_generator", "below", "default_generator", "manual_seed", "seed",
           "initial_seed", "get_rng_state", "set_rng_state"]

_initial_seed = secrets.randbits(64)  # fresh OS entropy, as PyTorch's start-up seed
default_generator = np.random.Generator(np.random.PCG64(_initial_seed))


def _reseed(value: int) -> None:
    """Point the default generator at ``value`` in place (under its lock)."""
    global _initial_seed
    with default_generator.bit_generator.lock:
        default_generator.bit_generator.state = np.random.PCG64(value).state
        _initial_seed = value


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator with ``seed`` (a non-negative int) in place and return
    it, as ``torch.manual_seed``: ``manual_seed(0); autograd.randn(3)`` repeats."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise UsageError(f"manual_seed: the seed must be an int, e.g. manual_seed(0); "
                         f"got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise UsageError(f"manual_seed: the seed must be a non-negative int; got {seed}")
    _reseed(int(seed))
    return default_generator


def seed() -> int:
    """Reseed the default generator from fresh OS entropy and return the new seed (a
    64-bit int), as ``torch.seed``."""
    value = secrets.randbits(64)
    _reseed(value)
    return value


def initial_seed() -> int:
    """The seed the default generator was last seeded with (by ``manual_seed``, ``seed``,
    or at start-up from OS entropy), as ``torch.initial_seed``; ``set_rng_state`` leaves
    it as it was."""
    return _initial_seed


def get_rng_state() -> dict[str, Any]:
    """A copy of the default generator's state: its bit generator's state dict, which
    ``set_rng_state`` restores (draws after it then repeat), as ``torch.get_rng_state``."""
    with default_generator.bit_generator.lock:
        return default_generator.bit_generator.state


def set_rng_state(state: Mapping[str, Any]) -> None:
    """Restore a state returned by ``get_rng_state``, as ``torch.set_rng_state``; anything
    else raises ``UsageError`` and leaves the default generator as it was."""
    expected = default_generator.bit_generator.state["bit_generator"]
    found = state.get("bit_generator") if isinstance(state, Mapping) else None
    if found is None or isinstance(found, str) and found != expected:
        got = f"a {found} state" if found else f"{type(state).__name__} {state!r:.80}"
    else:
        try:
            np.random.PCG64().state = dict(state)  # a scratch copy first: all or nothing
            got = None
        except (TypeError, ValueError, KeyError) as error:
            got = f"a state NumPy refuses ({type(error).__name__}: {error})"
    if got is not None:
        raise UsageError(f"set_rng_state: state must be a dict returned by "
                         f"autograd.get_rng_state() (the {expected} bit generator's state); "
                         f"got {got}")
    with default_generator.bit_generator.lock:
        default_generator.bit_generator.state = dict(state)


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

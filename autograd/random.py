"""``torch.random``'s names: the default generator's seeding functions (the top-level
ones) and ``fork_rng``, which saves the default generator's state on entering its block
and restores it on leaving (also on an exception): draws inside the block leave the
draws after it as they would be without it."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from ._random import (default_generator, get_rng_state, initial_seed, manual_seed, seed,
                      set_rng_state)

__all__ = ["fork_rng", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "default_generator"]


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda") -> Iterator[None]:
    """state = get_rng_state(); run the block; set_rng_state(state), as
    ``torch.random.fork_rng``. ``enabled=False`` runs the block without saving anything.
    ``devices`` and ``device_type`` name accelerator generators in PyTorch; there are
    none here (one CPU generator, always forked), so they are accepted and unused.
    Generators made by ``Generator()`` are not touched, as in PyTorch."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)

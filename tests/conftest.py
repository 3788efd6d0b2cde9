"""Shared pytest setup: hypothesis profiles, and torch on one thread.

``default`` is fast, for local runs; ``ci`` (``HYPOTHESIS_PROFILE=ci``, set by ``.ci/run``)
draws 60 examples per property (2.4 times the default), derandomized so that a CI run
is reproducible (the random local runs keep exploring new examples). It drew 150 until
the suite passed 9,300 tests: on 2026-12-01 the whole CI script then took 12 min 46 s on
this 2-core machine (pytest 10 min 29 s; 8 min 54 s with 100 examples; the same code
took 7 min 14 s the day before on a less loaded machine), over its 10 minutes. At 75 and
9,824 tests it took 9 min 21 s on an idle machine (pytest 7 min 7 s): too close.
Neither has a deadline: gradcheck timing varies with the drawn shapes, and timings belong
in benchmarks, not in tests.
"""

import os
import sys

import pytest

import autograd

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a test extra; tests that need it import it themselves
    settings = None

if settings is not None:
    settings.register_profile("default", max_examples=25, deadline=None)
    settings.register_profile("ci", max_examples=60, deadline=None, print_blob=True,
                              derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


_TORCH_PINNED: list[bool] = []


@pytest.fixture(autouse=True)
def _one_torch_thread() -> None:
    """Once a test module has imported torch (the comparisons do), run it on one thread:
    pytest-xdist already keeps both cores busy, and torch's own threads on top made its
    float64 convolutions 5-40x slower (``tests/nn`` with -n 2: 56-58 s -> 51 s)."""
    torch = sys.modules.get("torch")
    if torch is not None and not _TORCH_PINNED:
        torch.set_num_threads(1)
        _TORCH_PINNED.append(True)


@pytest.fixture(autouse=True)
def _same_draws_in_every_run() -> None:
    """Every test starts from seeded default generators, ours and PyTorch's (once a test
    module has imported it): what a test draws from them (``autograd.randn``, a layer's
    initial weights, ``torch.randn``) is the same in every run and in any order of the
    tests, so a check such as "the loss went down" is not a draw that fails now and then
    (the regression port drew its data from ours unseeded: 467 to 563 steps per run)."""
    autograd.manual_seed(0)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)


@pytest.fixture(name="torch")
def torch_float64():
    """PyTorch with float64 as its default dtype (ours) while the test runs, on one thread:
    the ports that run step for step next to PyTorch take it as their ``torch`` argument."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # the pin above, for a worker where torch is imported here
    torch.manual_seed(0)  # as _same_draws_in_every_run, for a module that imports it here
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(before)

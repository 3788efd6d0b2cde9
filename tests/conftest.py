"""Shared pytest setup: hypothesis profiles.

``default`` is fast, for local runs; ``ci`` (``HYPOTHESIS_PROFILE=ci``, set by ``.ci/run``)
draws 150 examples per property (six times the default; 200 took the whole CI script to
about 9 of its 10 minutes on 2 cores once the suite passed 3,900 tests), derandomized so
that a CI run is reproducible (the random local runs keep exploring new examples). Neither has a deadline: gradcheck
timing varies with the drawn shapes, and timings belong in benchmarks, not in tests.
"""

import os

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a test extra; tests that need it import it themselves
    settings = None

if settings is not None:
    settings.register_profile("default", max_examples=25, deadline=None)
    settings.register_profile("ci", max_examples=150, deadline=None, print_blob=True,
                              derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

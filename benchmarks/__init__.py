"""Benchmarks: the engine against hand-written NumPy (and PyTorch CPU when installed).

Run ``python -m benchmarks`` (``--help`` for the options). One module per workload:
``mlp``, ``per_op``, ``deep``, ``vae``, ``moons``, ``fit``, ``collector`` (gc), ``lstm``,
``cnn``. The harness (``harness``) times
the candidates of a case interleaved in one process, after a warm-up and a check that
every candidate computes the baseline's loss and gradients. Nothing here is imported by
the library, and this module imports no NumPy: the thread count must be set first.
"""

__all__: list[str] = []

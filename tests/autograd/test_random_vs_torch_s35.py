"""Random-number APIs next to PyTorch (session 35): ``uniform_`` bounds beyond the dtype's
range, ``normal(mean, std, size)`` with a bad size, the number arguments of ``uniform_`` and
``normal_``, and seeds of 2**64 or more: the same arguments accepted and refused as
``torch``'s, refusals named, and the uniform law kept where the bounds are accepted."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd.errors import AutogradError, UsageError

FLOAT_DTYPES = ["float16", "float32", "float64"]


def outcome(call: Callable[[], Any]) -> Any:
    """The result of ``call()``, or the exception it raised."""
    try:
        return call()
    except Exception as error:  # noqa: BLE001 - the point is to compare what is raised
        return error


def assert_same_acceptance(ours: Callable[[], Any], theirs: Callable[[], Any],
                           same_class: bool = True) -> Any:
    """Both accept or both refuse; our refusal is a named AutogradError, with
    ``same_class`` of a built-in class PyTorch's refusal also is (TypeError with TypeError,
    RuntimeError/ValueError else)."""
    mine, torchs = outcome(ours), outcome(theirs)
    assert isinstance(mine, Exception) == isinstance(torchs, Exception), (mine, torchs)
    if isinstance(torchs, Exception) and not same_class:
        assert isinstance(mine, AutogradError), mine
    elif isinstance(torchs, Exception):
        assert isinstance(mine, AutogradError), mine
        expected = TypeError if isinstance(torchs, TypeError) else (RuntimeError, ValueError)
        assert isinstance(mine, expected), (mine, torchs)
    return mine


UNIFORM_BOUNDS = [
    (0.0, 1e5), (-1e5, 0.0), (0.0, 65504.0), (-65504.0, 0.0), (-1.0, 65504.0),
    (-40000.0, 40000.0), (-30000.0, 30000.0), (0.0, 1e300), (-3e38, 3e38), (-1.7e38, 1.7e38),
    (0.0, 3.5e38), (-1e308, 1e308), (0.0, 1.7e308), (0.0, math.inf), (1.0, 0.0), (2.0, 2.0),
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("low, high", UNIFORM_BOUNDS)
def test_uniform_bounds_accepted_and_refused_as_torch(torch: Any, dtype: str, low: float,
                                                      high: float) -> None:
    filled = assert_same_acceptance(
        lambda: ag.zeros(1000, dtype=dtype).uniform_(low, high),
        lambda: torch.zeros(1000, dtype=getattr(torch, dtype)).uniform_(low, high))
    if not isinstance(filled, Exception):
        values = filled.numpy().astype(np.float64)
        assert np.isfinite(values).all() and values.min() >= low
        assert values.max() < high or low == high


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_uniform_near_the_dtype_limit_is_uniform(dtype: str) -> None:
    """The widest accepted range: no pile-up at the largest value (the old clamp put a
    third of float16's draws there). Counts in the top and bottom 1% of the range and the
    mean stay within 5 standard deviations of the law's."""
    largest = float(np.finfo(dtype).max)
    low, high = -largest / 2, largest / 2
    n = 200_000
    values = ag.zeros(n, dtype=dtype).uniform_(low, high,
                                               generator=np.random.default_rng(5))
    values = values.numpy().astype(np.float64)
    width = high - low
    sigma_mean = width / math.sqrt(12 * n)
    assert abs(values.mean() - (low + high) / 2) < 5 * sigma_mean
    share, sigma_count = 0.01, math.sqrt(n * 0.01 * 0.99)
    for in_tail in (values >= high - share * width, values < low + share * width):
        assert abs(in_tail.sum() - n * share) < 5 * sigma_count
    assert (values == values.max()).sum() < n * share  # no pile-up on one value


def test_uniform_refusal_is_named_and_leaves_the_tensor_unchanged() -> None:
    t = ag.full((3,), 7.0, dtype=np.float16)
    with pytest.raises(UsageError, match="float16"):
        t.uniform_(0, 1e5)
    np.testing.assert_array_equal(t.numpy(), np.full(3, 7.0, dtype=np.float16))


BAD_NUMBERS = ["a", None, [1.0], "ones(3)", "ones(1)"]


def number_argument(value: Any, library: Any) -> Any:
    """``value``, with the strings ``ones(k)`` made a tensor of ``library``."""
    if isinstance(value, str) and value.startswith("ones("):
        return library.ones(int(value[5]))
    return value


@pytest.mark.parametrize("bad", BAD_NUMBERS + [True, "zero-d"])
@pytest.mark.parametrize("method, position", [("uniform_", 0), ("uniform_", 1),
                                              ("normal_", 0), ("normal_", 1)])
def test_fill_number_arguments_as_torch(torch: Any, method: str, position: int,
                                        bad: Any) -> None:
    """Strings, lists and tensors with elements are a TypeError in PyTorch (bools and 0-d
    tensors pass); ours too, and a named one."""
    def call(library: Any) -> Any:
        value = library.tensor(0.5) if bad == "zero-d" else number_argument(bad, library)
        arguments = [0.0, 2.0]
        arguments[position] = value
        if method == "uniform_" and position == 0 and bad in (True, "zero-d"):
            arguments[1] = 2.0  # keep from <= to
        return getattr(library.zeros(3), method)(*arguments)
    assert_same_acceptance(lambda: call(ag), lambda: call(torch))


@pytest.mark.parametrize("size", [(-1,), [3, -2], (2.0,), (2, 3.5), ("2",), [], (0, 4),
                                  (2, 3), [np.int64(2), 3]])
def test_normal_size_accepted_and_refused_as_torch(torch: Any, size: Any) -> None:
    """A ShapeError as rand's and randn's for a float size (PyTorch: a TypeError)."""
    ours = assert_same_acceptance(lambda: ag.normal(0.0, 1.0, size),
                                  lambda: torch.normal(0.0, 1.0, size), same_class=False)
    if not isinstance(ours, Exception):
        assert ours.shape == tuple(torch.normal(0.0, 1.0, size).shape)
        assert ours.dtype == np.float64


def test_normal_bad_size_names_normals_own_form() -> None:
    with pytest.raises(AutogradError, match=r"normal\(0\.0, 1\.0, \(2, 3\)\)"):
        ag.normal(0.0, 1.0, (-1,))


SEEDS = [0, 2**63, 2**64 - 1, 2**64, 2**64 + 5, 10**30, -1, -2**63, -2**63 - 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_generator_seed_range_as_torch(torch: Any, seed: int) -> None:
    generator = ag.Generator().manual_seed(3)
    ours = assert_same_acceptance(lambda: generator.manual_seed(seed),
                                  lambda: torch.Generator().manual_seed(seed))
    if isinstance(ours, Exception):
        assert generator.initial_seed() == 3  # a refused seed changes nothing
    else:
        assert ours.initial_seed() == torch.Generator().manual_seed(seed).initial_seed()


def test_module_manual_seed_refuses_a_seed_beyond_64_bits() -> None:
    before = ag.default_generator.initial_seed()
    with pytest.raises(UsageError, match="2\\*\\*64"):
        ag.manual_seed(10**30)
    assert ag.default_generator.initial_seed() == before

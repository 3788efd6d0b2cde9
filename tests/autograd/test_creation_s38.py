"""Session 38 fixes to tensor creation: integer ``logspace`` truncates its bounds first (as
PyTorch's), ``logspace`` takes 0-d tensors, ``arange(end=...)``, ``full``'s Tensor fill
values, ``asarray(list, copy=False)``, bool ``linspace``/``logspace``, nested sizes, and
``linspace`` with non-finite, overflowing or huge arguments. Expected values are computed
here, exactly with ``fractions.Fraction`` where rounding matters."""

from __future__ import annotations

import array
import math
import random
import warnings
from fractions import Fraction

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, ShapeError, UsageError


def _integer_logspace(start: float, end: float, steps: int, base: int) -> list[int]:
    """PyTorch's rule: a, b = trunc(start), trunc(end); trunc(base ** t) for t = a + (b - a)
    i / (steps - 1), a whole t computed exactly."""
    a, b = math.trunc(start), math.trunc(end)
    values = []
    for i in range(steps):
        t = Fraction(a) + Fraction(b - a) * i / max(steps - 1, 1)
        exact = t.denominator == 1
        values.append(math.trunc(Fraction(base) ** int(t) if exact else base ** float(t)))
    return values


def _near_whole(start: float, end: float, steps: int) -> bool:
    """Whether a fractional exponent lies so near a whole number that float64 rounding
    could move its truncated power across it (left out of the random comparison)."""
    a, b = math.trunc(start), math.trunc(end)
    for i in range(steps):
        t = Fraction(a) + Fraction(b - a) * i / max(steps - 1, 1)
        if t.denominator != 1 and abs(t - round(t)) < Fraction(1, 10**6):
            return True
    return False


# ---------------------------------------------------------------- 1: integer logspace
@pytest.mark.parametrize("start, end, steps, base", [
    (0.5, 2.5, 3, 2), (2.7, 0.37, 8, 10), (-1.5, 2.0, 3, 10), (0.9, 3.9, 4, 3)])
def test_integer_logspace_truncates_the_bounds_first(start, end, steps, base) -> None:
    ours = ag.logspace(start, end, steps, base=base, dtype=ag.int64)
    assert ours.dtype == np.int64
    assert ours.tolist() == _integer_logspace(start, end, steps, base)


def test_integer_logspace_agrees_with_the_rule_on_random_bounds() -> None:
    rng = random.Random(38)
    checked = 0
    while checked < 300:
        start, end = rng.uniform(-3, 5), rng.uniform(-3, 5)
        steps, base = rng.randint(2, 40), rng.choice([2, 3, 10])
        if _near_whole(start, end, steps):
            continue
        ours = ag.logspace(start, end, steps, base=base, dtype=ag.int64).tolist()
        assert ours == _integer_logspace(start, end, steps, base), (start, end, steps, base)
        checked += 1


def test_a_whole_exponent_of_integer_logspace_stays_whole() -> None:
    # t = 0 + 2 * 49 / 98 = 1 exactly; 49 * (2 / 98) in float64 is just below 1
    assert ag.logspace(0, 2, 99, dtype=ag.int64)[49].item() == 10
    assert ag.logspace(0, 3, 10, dtype=ag.int64).tolist() == _integer_logspace(0, 3, 10, 10)


def test_integer_logspace_refuses_a_bound_the_dtype_cannot_hold() -> None:
    with pytest.raises(DTypeError):
        ag.logspace(-1, 2, 3, dtype=ag.uint8)


# ---------------------------------------------------------------- 2: 0-d tensor arguments
def test_logspace_takes_0d_tensor_bounds_and_base() -> None:
    expected = 10.0 ** np.linspace(0.0, 1.0, 3)
    np.testing.assert_allclose(ag.logspace(ag.tensor(0.), ag.tensor(1.), 3).data, expected,
                               rtol=1e-15)
    np.testing.assert_allclose(ag.logspace(0, 1, 3, base=ag.tensor(2.)).data,
                               2.0 ** np.linspace(0.0, 1.0, 3), rtol=1e-15)
    assert ag.logspace(ag.tensor(1), ag.tensor(3), 3, base=ag.tensor(2),
                       dtype=ag.int64).tolist() == [2, 4, 8]


def test_logspace_refuses_a_bound_of_several_elements() -> None:
    with pytest.raises(UsageError, match="start is one number"):
        ag.logspace(ag.tensor([0.]), 1, 3)
    with pytest.raises(UsageError, match="base is one number"):
        ag.logspace(0, 1, 3, base=ag.tensor([2., 3.]))


# ---------------------------------------------------------------- 3: arange(end=...)
def test_arange_takes_the_end_by_keyword() -> None:
    ours = ag.arange(end=5)
    assert ours.dtype == np.int64 and ours.tolist() == list(range(5))
    as_float32 = ag.arange(end=5.5, dtype=ag.float32)
    assert as_float32.dtype == np.float32
    np.testing.assert_array_equal(as_float32.data, np.arange(5.5, dtype=np.float32))
    assert ag.arange(start=1, end=4).tolist() == [1, 2, 3]
    assert ag.arange(end=6, step=2).tolist() == [0, 2, 4]
    assert ag.arange(5).tolist() == ag.arange(0, 5).tolist() == list(range(5))


def test_arange_without_an_end_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="give the end"):
        ag.arange()
    with pytest.raises(UsageError, match="give the end"):
        ag.arange(step=2)


# ---------------------------------------------------------------- 4: full's fill_value
@pytest.mark.parametrize("fill", [ag.tensor([3, 4]), ag.tensor([3]), ag.tensor([[1.5]])])
def test_full_refuses_a_tensor_of_several_or_one_elements(fill) -> None:
    with pytest.raises(UsageError, match="fill_value is one number"):
        ag.full((2,), fill)
    with pytest.raises(UsageError, match="fill_value is one number"):
        ag.full_like(ag.zeros(2), fill)


def test_full_refuses_a_fill_value_that_requires_grad() -> None:
    fill = ag.tensor(1.5, requires_grad=True)
    with pytest.raises(UsageError, match="requires grad"):
        ag.full((2,), fill)
    with pytest.raises(UsageError, match="requires grad"):
        ag.full_like(ag.zeros(2), fill)
    assert ag.full((2,), fill.detach()).tolist() == [1.5, 1.5]


def test_full_takes_a_number_or_a_0d_tensor() -> None:
    assert ag.full((2,), ag.tensor(1.5)).tolist() == [1.5, 1.5]
    assert ag.full((2,), ag.tensor(3)).dtype == np.int64
    assert ag.full_like(ag.zeros(2), ag.tensor(2.5)).tolist() == [2.5, 2.5]
    assert ag.full((2,), 7).tolist() == [7, 7]


# ---------------------------------------------------------------- 5: asarray(copy=False)
@pytest.mark.parametrize("data", [[1, 2.5], 3.0, (1, 2), np.float64(2.5)])
def test_asarray_copy_false_refuses_data_without_memory(data) -> None:
    with pytest.raises(UsageError, match="no memory to share"):
        ag.asarray(data, copy=False)
    np.testing.assert_array_equal(ag.asarray(data).data, np.asarray(data))


def test_asarray_copy_false_shares_an_array_or_a_buffer() -> None:
    source = np.array([1.0, 2.0])
    ag.asarray(source, copy=False).data[0] = 5.0
    assert source[0] == 5.0
    buffer = array.array("d", [1.0, 2.0])
    shared = ag.asarray(buffer, copy=False)
    buffer[1] = 9.0
    assert shared.tolist() == [1.0, 9.0]


# ---------------------------------------------------------------- 6: bool ranges
@pytest.mark.parametrize("make", [lambda: ag.linspace(0, 1, 3, dtype=ag.bool),
                                  lambda: ag.logspace(0, 1, 3, dtype=ag.bool),
                                  lambda: ag.arange(3, dtype=ag.bool)])
def test_ranges_refuse_the_bool_dtype(make) -> None:
    with pytest.raises(DTypeError, match="makes numbers, not bools"):
        make()


# ---------------------------------------------------------------- 7: nested sizes
@pytest.mark.parametrize("make", [lambda: ag.zeros([[2, 3]]), lambda: ag.ones(((2, 3),)),
                                  lambda: ag.empty([(2, 3)]), lambda: ag.zeros(size=[[2, 3]]),
                                  lambda: ag.full([[2, 3]], 1.0), lambda: ag.rand([[2, 3]])])
def test_a_nested_size_is_a_shape_error(make) -> None:
    with pytest.raises(ShapeError, match="sizes must be ints"):
        make()


def test_flat_sizes_still_work() -> None:
    for made in (ag.zeros(2, 3), ag.zeros((2, 3)), ag.zeros([2, 3]), ag.ones(size=(2, 3)),
                 ag.empty(ag.Size((2, 3))), ag.zeros(ag.tensor([2]), 3)):
        assert made.shape == (2, 3)


# ---------------------------------------------------------------- 8: linspace's edges
@pytest.mark.parametrize("start, end", [(0.0, math.inf), (-math.inf, 1.0), (math.nan, 1.0)])
@pytest.mark.parametrize("function", [ag.linspace, ag.logspace])
def test_non_finite_bounds_are_a_usage_error(function, start, end) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UsageError, match="bounds must be finite"):
            function(start, end, 3)


@pytest.mark.parametrize("start, end, steps", [(1e308, -1e308, 3), (-1.5e308, 1.7e308, 5),
                                               (-1.7e308, 1.7e308, 4)])
def test_linspace_whose_width_overflows_gives_its_values_without_warnings(start, end,
                                                                         steps) -> None:
    exact = [Fraction(start) + (Fraction(end) - Fraction(start)) * i / (steps - 1)
             for i in range(steps)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = ag.linspace(start, end, steps).data
    assert ours[0] == start and ours[-1] == end
    np.testing.assert_allclose(ours, [float(x) for x in exact], rtol=1e-15, atol=0)


def test_logspace_beyond_the_float_range_is_inf_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.logspace(0, 400, 3).tolist() == [1.0, 1e200, math.inf]
        assert ag.logspace(0, 39, 2, dtype=ag.float32).tolist() == [1.0, math.inf]
        with pytest.raises(DTypeError):
            ag.logspace(0, 400, 3, dtype=ag.int64)


def test_linspace_bound_beyond_a_float_dtype_is_a_dtype_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DTypeError, match="float32"):
            ag.linspace(0.0, 1e39, 3, dtype=ag.float32)


@pytest.mark.parametrize("function", [ag.linspace, ag.logspace])
def test_a_steps_count_beyond_memory_is_a_shape_error(function) -> None:
    with pytest.raises(ShapeError, match="ask for fewer elements"):
        function(0, 1, 2**62)


def test_an_integer_linspace_beyond_memory_is_a_shape_error() -> None:
    with pytest.raises(ShapeError, match="ask for fewer elements"):
        ag.linspace(0, 10, 2**62, dtype=ag.int64)

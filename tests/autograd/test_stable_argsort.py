"""``stable_argsort`` takes NumPy's faster default sort when that order is the stable one
(rows longer than 32, no tie, no NaN in any row) and the stable sort otherwise: either
way the same indices as ``np.argsort(kind="stable")``, on every axis, with ties, NaN,
signed zeros and infinities drawn by hypothesis."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.ops.order_positions import stable_argsort

VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32),
                   st.sampled_from([0.0, -0.0, 1.0, np.nan, np.inf]))


@given(hnp.arrays(st.sampled_from([np.float32, np.float64]),
                  st.tuples(st.integers(1, 3), st.integers(0, 45)), elements=VALUES),
       st.booleans())
def test_same_indices_as_the_stable_sort(data, along_rows):
    """Rows of up to 32 take the stable sort; longer ones the default sort when it is
    the stable order (drawn floats rarely tie), else the stable sort (the sampled values
    tie often)."""
    data = data.T.copy() if along_rows else data
    for axis in range(-data.ndim, data.ndim):
        np.testing.assert_array_equal(stable_argsort(data, axis),
                                      np.argsort(data, axis=axis, kind="stable"))


@given(hnp.arrays(st.sampled_from([np.float32, np.float64]),
                  st.tuples(st.integers(1, 3), st.integers(33, 45)),
                  elements=st.floats(-1e6, 1e6, width=32), unique=True),
       st.sampled_from(["distinct", "tie", "nan", "signed zeros"]), st.data())
def test_long_rows_of_distinct_values_and_one_exception(data, change, draw):
    """Long rows of distinct values take the default sort; one tie, one NaN or a 0 and a
    -0 in one row send the whole array to the stable sort."""
    row = draw.draw(st.integers(0, data.shape[0] - 1))
    first, second = draw.draw(st.lists(st.integers(0, data.shape[1] - 1), min_size=2,
                                       max_size=2, unique=True))
    if change == "tie":
        data[row, first] = data[row, second]
    elif change == "nan":
        data[row, first] = np.nan
    elif change == "signed zeros":
        data[row, first], data[row, second] = 0.0, -0.0
    np.testing.assert_array_equal(stable_argsort(data, -1),
                                  np.argsort(data, axis=-1, kind="stable"))


def test_distinct_values_and_integers():
    rng = np.random.default_rng(0)
    for data in (rng.standard_normal((40, 300)), rng.integers(0, 4, (20, 30)),
                 rng.random((5, 70)) < 0.5, np.round(rng.standard_normal((30, 50)), 1)):
        for axis in (0, 1, -1):
            np.testing.assert_array_equal(stable_argsort(data, axis),
                                          np.argsort(data, axis=axis, kind="stable"))


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 40)),
                  elements=st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, np.inf])),
       st.booleans(), st.sampled_from([0, 1, -1]))
def test_sorted_values_send_the_gradient_back_where_they_came_from(data, descending, axis):
    """``InOrder``'s VJP (a gather by the inverse order) gives what scattering g back to
    the sorted positions gives, with ties, both spellings of sort, and to second order."""
    import autograd as ag
    x = ag.tensor(data, requires_grad=True)
    values, order = x.sort(dim=axis, descending=descending)
    weights = np.arange(1.0, values.size + 1).reshape(values.shape)  # (inf * 0 would warn)
    (values * ag.tensor(weights)).sum().backward()
    expected = np.zeros_like(data)
    np.put_along_axis(expected, order.numpy(), weights, axis)
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    np.testing.assert_array_equal(x.sort(axis=axis).data, np.sort(data, axis=axis))


def test_sort_gradients_to_second_order():
    import autograd as ag
    x = ag.tensor(np.random.default_rng(3).standard_normal((3, 40)), requires_grad=True)
    assert ag.gradcheck(lambda a: a.sort(dim=1)[0] * a, (x,))
    assert ag.gradgradcheck(lambda a: a.sort(axis=0) ** 3, (x,))

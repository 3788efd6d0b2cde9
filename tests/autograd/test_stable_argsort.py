"""``stable_argsort`` takes NumPy's faster default sort when that order is the stable one
(no tie, no NaN in any row) and the stable sort otherwise: either way the same indices
as ``np.argsort(kind="stable")``, on every axis, with ties, NaN, signed zeros and
infinities drawn by hypothesis."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.ops.order_positions import stable_argsort

VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32),
                   st.sampled_from([0.0, -0.0, 1.0, np.nan, np.inf]))


@given(hnp.arrays(st.sampled_from([np.float32, np.float64]),
                  hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6),
                  elements=VALUES), st.data())
def test_same_indices_as_the_stable_sort(data, draw):
    axis = draw.draw(st.integers(-data.ndim, data.ndim - 1))
    np.testing.assert_array_equal(stable_argsort(data, axis),
                                  np.argsort(data, axis=axis, kind="stable"))


def test_distinct_values_and_integers():
    rng = np.random.default_rng(0)
    for data in (rng.standard_normal((40, 300)), rng.integers(0, 4, (20, 30)),
                 rng.random((5, 7)) < 0.5):
        for axis in (0, 1, -1):
            np.testing.assert_array_equal(stable_argsort(data, axis),
                                          np.argsort(data, axis=axis, kind="stable"))

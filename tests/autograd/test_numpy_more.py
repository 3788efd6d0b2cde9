"""More NumPy functions on Tensors, with NumPy's arguments and results (``np.split``,
``np.array_split``, ``np.append``, ``np.take``, ``np.meshgrid``, ``np.inner``,
``np.average``, ``np.ptp``, ``np.fliplr``/``flipud``/``rot90``, ``np.fabs``, ``np.exp2``,
``np.linalg.multi_dot``/``matrix_power``): each raised "no differentiable version".
Values against NumPy's on the arrays, gradients against finite differences (gradcheck,
random upstream gradient)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError, UsageError

RNG = np.random.default_rng(5)
A, B = RNG.standard_normal((4, 6)), RNG.standard_normal((3, 6))
V, M = RNG.standard_normal(4), RNG.standard_normal((3, 3))

CASES = [  # (name, function of Tensors/arrays, inputs)
    ("split 3", lambda a: np.split(a, 3, axis=1), [A]),
    ("split indices", lambda a: np.split(a, [1, 3]), [A]),
    ("array_split uneven", lambda a: np.array_split(a, 4, axis=1), [A]),
    ("array_split past the end", lambda a: np.array_split(a, [2, 9], axis=1), [A]),
    ("append flat", lambda a, b: np.append(a, b), [A, B]),
    ("append axis", lambda a, b: np.append(a, b, axis=0), [A, B]),
    ("append number", lambda a: np.append(a, 2.5), [V]),
    ("take flat", lambda a: np.take(a, [0, 5, 5, 23]), [A]),
    ("take axis", lambda a: np.take(a, np.array([[2, 0], [2, 1]]), axis=1), [A]),
    ("meshgrid xy", lambda a, b: np.meshgrid(a, b), [V, V[:3]]),
    ("meshgrid ij sparse", lambda a, b: np.meshgrid(a, b, indexing="ij", sparse=True),
     [V, V[:3]]),
    ("meshgrid three", lambda a, b, c: np.meshgrid(a, b, c), [V, V[:2], V[:3]]),
    ("inner", lambda a, b: np.inner(a, b), [A, B]),
    ("inner vectors", lambda a, b: np.inner(a, b), [V, V[::-1].copy()]),
    ("average", lambda a: np.average(a, axis=0), [A]),
    ("average weights", lambda a, w: np.average(a, axis=1, weights=w), [A, np.abs(A[0])]),
    ("average returned", lambda a, w: np.average(a, weights=w, returned=True),
     [A, np.abs(A)]),
    ("ptp", lambda a: np.ptp(a, axis=1), [A]),
    ("fliplr", np.fliplr, [A]),
    ("flipud", np.flipud, [A]),
    ("rot90", lambda a: np.rot90(a), [A]),
    ("rot90 k=2", lambda a: np.rot90(a, 2), [A]),
    ("rot90 k=-1 axes", lambda a: np.rot90(a[None], -1, axes=(2, 1)), [A]),
    ("fabs", np.fabs, [A]),
    ("exp2", np.exp2, [A]),
    ("multi_dot", lambda a, b, m: np.linalg.multi_dot([m, b, a.T]), [A, B, M]),
    ("multi_dot vectors", lambda v, a: np.linalg.multi_dot([v, a, a.T, v]), [V, A]),
    ("matrix_power", lambda m: np.linalg.matrix_power(m, 3), [M]),
    ("matrix_power -2", lambda m: np.linalg.matrix_power(m + 3 * np.eye(3), -2), [M]),
]


def _flat(result) -> list:
    return list(result) if isinstance(result, (list, tuple)) else [result]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_values_match_numpy_and_gradients_finite_differences(name, fn, arrays) -> None:
    leaves = [ag.tensor(a, requires_grad=True) for a in arrays]
    got, want = _flat(fn(*leaves)), _flat(fn(*arrays))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert isinstance(g, ag.Tensor) and g.requires_grad, name
        np.testing.assert_allclose(g.data, w, rtol=1e-12, atol=1e-14)

    def joined(*ts):
        return ag.concatenate([np.ravel(t) for t in _flat(fn(*ts))])

    assert ag.gradcheck(joined, leaves)


def test_mixed_arrays_and_tensors() -> None:
    t = ag.tensor(V, requires_grad=True)
    assert np.inner(V, t).requires_grad and np.append(V, t).shape == (8,)
    xs, ys = np.meshgrid(np.arange(3.0), t)
    assert xs.shape == ys.shape == (4, 3) and ys.requires_grad


def test_errors_say_what_to_do() -> None:
    t = ag.tensor(A, requires_grad=True)
    with pytest.raises(ShapeError, match="np.array_split"):
        np.split(t, 5)
    with pytest.raises(UsageError, match="np.mod, np.clip"):
        np.take(t, [30], mode="wrap")
    with pytest.raises(ShapeError, match="1-d weights"):
        np.average(t, weights=np.ones(6))
    with pytest.raises(UsageError, match="'xy' or 'ij'"):
        np.meshgrid(t[0], indexing="yx")

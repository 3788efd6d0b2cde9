"""diff, cross, kron, cdist, trapezoid (``ops/geometry.py``) against torch and NumPy:
values, gradients where the op table's finite differences do not reach (zero distances,
PyTorch's spellings), and the named errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import AxisError, DTypeError, ShapeError, UsageError

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(0)


def _grads(ours_fn, torch_fn, *arrays, upstream_seed: int = 1) -> None:
    """Values and gradients of ours_fn and torch_fn on float64 copies of ``arrays``."""
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours_fn(*xs), torch_fn(*ts)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(upstream_seed).standard_normal(out.shape)
    out.backward(g)
    expected.backward(torch.from_numpy(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_diff_matches_torch_and_numpy() -> None:
    x = RNG.standard_normal((3, 4))
    _grads(lambda a: a.diff(), lambda a: a.diff(), x)
    _grads(lambda a: a.diff(n=2, dim=0), lambda a: a.diff(n=2, dim=0), x)
    _grads(lambda a, p: ag.diff(a, 1, -1, prepend=p), lambda a, p: a.diff(prepend=p), x,
           RNG.standard_normal((3, 2)))
    np.testing.assert_array_equal(np.diff(ag.tensor(x), axis=0, append=0.5).data,
                                  np.diff(x, axis=0, append=0.5))
    for data in (np.array([True, False, False]), np.array([1, 4, 2]), np.uint8([1, 2])):
        ours, theirs = ag.Tensor(data).diff(), torch.from_numpy(data).diff().numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours.data, theirs)
    assert ag.diff(ag.tensor([1.0, 2.0]), n=5).shape == (0,)
    assert ag.diff(ag.tensor([1.0, 2.0]), n=0, prepend=5.0).data.tolist() == [1.0, 2.0]
    assert ag.diff(ag.Tensor(np.float32([1, 2])), prepend=0.5).dtype == np.float32
    with pytest.raises(ShapeError, match="0-d"):
        ag.tensor(5.0).diff()
    with pytest.raises(UsageError, match="n must be an int >= 0"):
        ag.diff(ag.tensor([1.0]), n=-1)
    with pytest.raises(ShapeError, match="prepend/append"):
        ag.diff(ag.tensor([[1.0]]), prepend=ag.tensor([1.0]))
    with pytest.raises(AxisError):
        ag.tensor([1.0]).diff(dim=0, axis=0)


def test_cross_spellings_match_torch_or_raise() -> None:
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    _grads(lambda x, y: x.cross(y), lambda x, y: torch.linalg.cross(x, y), a, b)
    _grads(lambda x, y: ag.linalg.cross(x, y), lambda x, y: torch.linalg.cross(x, y), a, b)
    _grads(lambda x, y: ag.cross(x, y, dim=0), lambda x, y: torch.linalg.cross(x, y, dim=0),
           a.T.copy(), b.T.copy())
    square = RNG.standard_normal((3, 3))
    for call in (lambda: ag.tensor(square).cross(square), lambda: ag.cross(square, square)):
        with pytest.raises(UsageError, match=r"dim=0 or dim=-1"):  # torch.cross: axis 0
            call()
    with pytest.raises(UsageError, match="keyword"):
        ag.cross(a, b, 0)  # torch's dim, NumPy's axisa
    with pytest.raises(ShapeError, match="3 entries"):
        ag.cross(RNG.standard_normal(2), RNG.standard_normal(2), dim=-1)
    with pytest.raises(ShapeError, match="no axis of size 3"):
        ag.cross(RNG.standard_normal(2), RNG.standard_normal(2))
    a3, b3 = RNG.standard_normal((3, 2, 4)), RNG.standard_normal((4, 3))
    ours = np.cross(ag.tensor(a3), ag.tensor(b3), axisa=0, axisb=1, axisc=1)
    np.testing.assert_allclose(ours.data, np.cross(a3, b3, axisa=0, axisb=1, axisc=1))
    np.testing.assert_allclose(np.cross(ag.tensor(a), b[0]).data, np.cross(a, b[0]))
    float32 = ag.Tensor(np.float32(a)).cross(np.float32(b))
    assert float32.dtype == np.float32


def test_kron_matches_torch() -> None:
    _grads(ag.kron, torch.kron, RNG.standard_normal((2, 3)), RNG.standard_normal((2, 1, 2)))
    _grads(lambda x, y: x.kron(y), torch.kron, RNG.standard_normal(()), RNG.standard_normal(2))
    ints = ag.kron(ag.Tensor(np.array([[1, 2], [3, 4]])), ag.Tensor(np.array([1, 10])))
    np.testing.assert_array_equal(ints.data, np.kron([[1, 2], [3, 4]], [1, 10]))
    np.testing.assert_array_equal(np.kron(ag.tensor([1.0, 2.0]), np.eye(2)).data,
                                  np.kron([1.0, 2.0], np.eye(2)))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, np.inf, 0.0])
def test_cdist_matches_torch_at_and_off_zero_distances(p: float) -> None:
    x1 = np.array([[0.0, 0.0], [1.0, -2.0], [0.5, 0.25]])
    x2 = np.array([[0.0, 0.0], [2.0, 1.5]])  # row 0 of each coincides
    _grads(lambda a, b: ag.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), x1, x2)
    batch1, batch2 = RNG.standard_normal((2, 1, 4, 3)), RNG.standard_normal((5, 2, 3))
    _grads(lambda a, b: ag.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), batch1, batch2)


def test_cdist_shapes_dtypes_and_errors() -> None:
    assert ag.cdist(np.zeros((0, 3)), np.ones((2, 3))).shape == (0, 2)
    out = ag.cdist(ag.Tensor(np.float32(RNG.standard_normal((2, 3)))),
                   ag.Tensor(np.float32(RNG.standard_normal((4, 3)))))
    assert out.dtype == np.float32 and out.shape == (2, 4)
    with pytest.raises(ShapeError, match="at least 2-d"):
        ag.cdist(np.ones(3), np.ones(3))
    with pytest.raises(ShapeError, match="same number of features"):
        ag.cdist(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ShapeError, match="batch axes"):
        ag.cdist(np.ones((2, 2, 3)), np.ones((3, 2, 3)))
    with pytest.raises(UsageError, match=">= 0"):
        ag.cdist(np.ones((2, 3)), np.ones((2, 3)), p=-1)
    with pytest.raises(DTypeError, match="float"):
        ag.cdist(ag.Tensor(np.ones((2, 3), int)), ag.Tensor(np.ones((2, 3), int)))


def test_trapezoid_family_matches_torch_and_numpy() -> None:
    y, x = RNG.standard_normal((3, 5)), np.sort(RNG.standard_normal(5))
    _grads(lambda a: ag.trapezoid(a), torch.trapezoid, y)
    _grads(lambda a, b: ag.trapezoid(a, b), torch.trapezoid, y, x)
    _grads(lambda a: ag.trapezoid(a, dx=0.5, dim=0), lambda a: torch.trapezoid(a, dx=0.5,
                                                                                dim=0), y)
    _grads(lambda a, b: ag.trapz(a, b), torch.trapz, y, x)
    _grads(lambda a: ag.cumulative_trapezoid(a, dx=2.0), lambda a: torch.cumulative_trapezoid(
        a, dx=2.0), y)
    _grads(lambda a, b: ag.cumulative_trapezoid(a, b), torch.cumulative_trapezoid, y, x)
    np.testing.assert_allclose(np.trapezoid(ag.tensor(y), x, axis=-1).data,
                               np.trapezoid(y, x, axis=-1))
    np.testing.assert_allclose(np.trapezoid(ag.tensor(y), dx=0.3, axis=0).data,
                               np.trapezoid(y, dx=0.3, axis=0))
    ints = ag.trapezoid(ag.Tensor(np.array([1, 2, 4])))
    assert ints.dtype == np.float64 and ints.item() == 4.5  # NumPy's dtype
    assert ag.trapezoid(ag.Tensor(np.float32([1, 2]))).dtype == np.float32
    np.testing.assert_array_equal(ag.trapezoid(np.zeros((2, 0))).data, [0.0, 0.0])
    with pytest.raises(ShapeError, match="0-d"):
        ag.trapezoid(ag.tensor(3.0))
    with pytest.raises(UsageError, match="not both"):
        ag.trapezoid(y, x, dx=1.0)
    with pytest.raises(ShapeError, match="must match"):
        ag.trapezoid(y, x[:3])

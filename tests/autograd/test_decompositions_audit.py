"""``autograd.linalg`` at its edges, against PyTorch: pinv and matrix_rank with tolerances
given per matrix (PyTorch takes tensors for ``atol``, ``rtol``); norms of empty matrices."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError, UsageError

L = ag.linalg


def with_singular_values(*values: float) -> np.ndarray:
    """A batch of 3 x 3 matrices, one per row of ``values`` (descending singular values)."""
    rng = np.random.default_rng(0)
    values = np.asarray(values, dtype=np.float64).reshape(-1, 3)
    u, _ = np.linalg.qr(rng.normal(size=(len(values), 3, 3)))
    v, _ = np.linalg.qr(rng.normal(size=(len(values), 3, 3)))
    return (u * values[:, None, :]) @ np.swapaxes(v, -1, -2)


@pytest.mark.parametrize("kwargs", [{"atol": [0.0, 1.5]}, {"atol": [0.0, 1.5], "rtol": 0.0},
                                    {"rtol": [0.0, 0.5]}, {"atol": 1.5, "rtol": [0.0, 0.9]},
                                    {"atol": [[2.5], [0.5]]}])
def test_tolerances_one_per_matrix_are_torchs(kwargs: dict) -> None:
    torch = pytest.importorskip("torch")
    a = with_singular_values([4.0, 2.0, 1.0], [4.0, 1.0, 1e-15])
    if np.ndim(kwargs.get("atol")) == 2:
        a = a[None]  # batch (1, 2): atol (2, 1) broadcasts to (2, 2)
        a = np.concatenate([a, a])
    ours = {k: ag.Tensor(np.asarray(v)) for k, v in kwargs.items()}
    theirs = {k: torch.tensor(v) for k, v in kwargs.items()}
    expected = torch.linalg.matrix_rank(torch.tensor(a), **theirs).numpy()
    np.testing.assert_array_equal(L.matrix_rank(a, **ours).data, expected)
    if "rtol" not in kwargs or np.all(np.asarray(kwargs["rtol"]) > 0):  # not 1 / 1e-15
        expected = torch.linalg.pinv(torch.tensor(a), **theirs).numpy()
        np.testing.assert_allclose(L.pinv(a, **ours).data, expected, rtol=1e-9, atol=1e-12)


def test_pinv_gradient_with_tolerances_per_matrix() -> None:
    a = with_singular_values([4.0, 2.0, 1.0], [4.0, 1.0, 0.5])
    x = ag.Tensor(a, requires_grad=True)
    assert ag.gradcheck(lambda t: L.pinv(t, atol=np.array([0.0, 0.3])), [x])  # cuts none


def test_tolerances_of_a_wrong_shape_or_type_are_named_errors() -> None:
    a = with_singular_values([4.0, 2.0, 1.0], [4.0, 1.0, 0.5])
    with pytest.raises(ShapeError, match=r"pinv: atol of shape \(3,\) does not broadcast"):
        L.pinv(a, atol=np.zeros(3))
    with pytest.raises(ShapeError, match=r"matrix_rank: rtol of shape \(2, 2\)"):
        L.matrix_rank(a, rtol=np.zeros((2, 2)))
    with pytest.raises(UsageError, match="pinv: rtol must be a number"):
        L.pinv(a, rtol="small")


@pytest.mark.parametrize("shape", [(0, 0), (3, 0), (0, 2), (2, 0, 0)])
def test_empty_matrices_have_torchs_2_norm_and_condition_number(shape: tuple) -> None:
    torch = pytest.importorskip("torch")
    a = np.zeros(shape)
    for ours, theirs in [(L.matrix_norm(a, 2), torch.linalg.matrix_norm(torch.tensor(a), 2)),
                         (L.cond(a), torch.linalg.cond(torch.tensor(a))),
                         (L.cond(a, -2), torch.linalg.cond(torch.tensor(a), -2))]:
        assert ours.shape == tuple(theirs.shape)  # was a ShapeError / TensorIndexError
        np.testing.assert_array_equal(ours.data, theirs.numpy())


EYE_AND_ZEROS = [np.eye(3), np.zeros((3, 2)), np.stack([np.eye(2), np.diag([3.0, 1.0])])]


@pytest.mark.parametrize("a", EYE_AND_ZEROS, ids=["eye", "zeros-3x2", "batch"])
@pytest.mark.parametrize("name", ["svd", "eigh"])
def test_values_alone_have_torchs_finite_gradient_where_values_repeat(a, name) -> None:
    """A loss of the singular values or eigenvalues alone (the vectors unused): gradient
    U diag(g) V^T, finite at repeated (or zero) values, as PyTorch's (it was NaN). With
    create_graph and an upstream gradient depending on the input, the vectors' recorded
    zero block keeps the full formula (NaN there), so that higher orders stay exact."""
    torch = pytest.importorskip("torch")
    if name == "eigh" and a.shape[-1] != a.shape[-2]:
        pytest.skip("eigh takes square matrices")

    def loss(lib, x):
        values = lib.linalg.svd(x).S if name == "svd" else lib.linalg.eigh(x).eigenvalues
        return (values ** 3).sum()

    x, t = ag.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (g,) = ag.grad(loss(ag, x), [x])
    (expected,) = torch.autograd.grad(loss(torch, t), [t])
    np.testing.assert_allclose(g.data, expected.numpy(), atol=1e-12)
    assert np.isfinite(g.data).all()

"""``autograd.linalg`` on awkward matrices, against PyTorch: ``cond`` of singular and empty
matrices (inf, NaN or 0 for every order p, no error); non-finite entries (a NaN stops
the SVD, in PyTorch too: a named ``DataError``; an inf, and either for eigh, eigvalsh, qr
and pinv(hermitian=True), give NaN results, as PyTorch's)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DataError

torch = pytest.importorskip("torch")
L = ag.linalg
ORDERS = [None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf]
SINGULAR = {
    "rank one": np.array([[1.0, 2.0], [2.0, 4.0]]),
    "zeros": np.zeros((2, 2)),
    "batch with one singular": np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), np.eye(2)]),
    "float32 batch": np.stack([np.zeros((2, 2)), np.diag([2.0, 0.5])]).astype(np.float32),
    "empty": np.zeros((0, 0)),
    "batch of empty": np.zeros((2, 0, 0)),
    "empty batch": np.zeros((0, 2, 2)),
}


@pytest.mark.parametrize("p", ORDERS, ids=str)
@pytest.mark.parametrize("name", list(SINGULAR))
def test_cond_of_singular_and_empty_matrices_is_torchs(name: str, p: object) -> None:
    a = SINGULAR[name]
    with np.errstate(all="ignore"):
        ours = L.cond(a, p)
    expected = torch.linalg.cond(torch.tensor(a), p).numpy()
    assert ours.shape == expected.shape and ours.dtype == expected.dtype
    # a singular matrix's smallest singular value is 0 or rounding (1e-16 of the largest,
    # set by the CPU's LAPACK kernels): its cond is inf or above 1/eps (below eps for
    # p = -2), never a number to compare digit by digit; the others are compared to 1e-6
    def rounding(c):
        c = np.abs(np.asarray(c, dtype=np.float64))
        return (c > 0.01 / np.finfo(expected.dtype).eps) | (c < 100 * np.finfo(expected.dtype).eps)
    singular = rounding(expected)
    np.testing.assert_array_equal(rounding(ours.data), singular)
    np.testing.assert_allclose(np.where(singular, 0.0, ours.data),
                               np.where(singular, 0.0, expected), rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("p", ["fro", 1, -1, np.inf, -np.inf], ids=str)
def test_cond_gradient_of_a_batch_with_a_singular_matrix(p: object) -> None:
    """The singular matrix's inf is a constant (no gradient); the invertible one's
    gradient is that of matrix_norm(A, p) * matrix_norm(inv(A), p), as in PyTorch."""
    invertible = np.array([[2.0, 1.0], [0.5, 3.0]])
    x = ag.Tensor(np.stack([np.zeros((2, 2)), invertible]), requires_grad=True)
    L.cond(x, p).sum().backward()
    t = torch.tensor(invertible, requires_grad=True)
    (torch.linalg.matrix_norm(t, p) * torch.linalg.matrix_norm(torch.linalg.inv(t), p)).backward()
    np.testing.assert_array_equal(x.grad[0], np.zeros((2, 2)))
    np.testing.assert_allclose(x.grad[1], t.grad.numpy(), rtol=1e-12)


def nonfinite(value: float) -> np.ndarray:
    return np.array([[1.0, value, 0.5], [value, 2.0, 0.0], [0.5, 0.0, 3.0]])


SVD_BASED = {
    "svd": (L.svd, torch.linalg.svd),
    "svdvals": (L.svdvals, torch.linalg.svdvals),
    "pinv": (L.pinv, torch.linalg.pinv),
    "matrix_rank": (L.matrix_rank, torch.linalg.matrix_rank),
    "cond": (L.cond, torch.linalg.cond),
    "cond nuc": (lambda a: L.cond(a, "nuc"), lambda t: torch.linalg.cond(t, "nuc")),
    "norm 2": (lambda a: L.matrix_norm(a, 2), lambda t: torch.linalg.matrix_norm(t, 2)),
    "norm -2": (lambda a: L.matrix_norm(a, -2), lambda t: torch.linalg.matrix_norm(t, -2)),
    "norm nuc": (lambda a: L.matrix_norm(a, "nuc"),
                 lambda t: torch.linalg.matrix_norm(t, "nuc")),
}


EIGH_BASED = {
    "eigh": (L.eigh, torch.linalg.eigh),
    "eigvalsh": (L.eigvalsh, torch.linalg.eigvalsh),
    "pinv hermitian": (lambda a: L.pinv(a, hermitian=True),
                       lambda t: torch.linalg.pinv(t, hermitian=True)),
    "matrix_rank hermitian": (lambda a: L.matrix_rank(a, hermitian=True),
                              lambda t: torch.linalg.matrix_rank(t, hermitian=True)),
}


@pytest.mark.parametrize("name", list(SVD_BASED) + list(EIGH_BASED))
def test_a_nan_stops_the_decomposition_with_a_named_error_as_in_torch(name: str) -> None:
    ours, theirs = {**SVD_BASED, **EIGH_BASED}[name]
    op = "svd" if name in SVD_BASED else "eigh"
    a = np.stack([np.eye(3), nonfinite(np.nan)])
    with pytest.raises(RuntimeError, match="non-finite|failed to converge"):
        theirs(torch.tensor(a))
    with pytest.raises(DataError, match=rf"{op}: the matrix \(shape \(2, 3, 3\)\) holds "
                                        rf"NaN.*nan_to_num"):
        ours(a)
    with pytest.raises(DataError, match="holds NaN"):  # also as a float32 matrix
        ours(a.astype(np.float32))
    with pytest.raises(np.linalg.LinAlgError):  # what NumPy's own raises, caught as that
        ours(a)


def unpack(result: object) -> list[np.ndarray]:
    """The arrays of a result or of a named tuple of results."""
    parts = result if isinstance(result, tuple) else (result,)
    return [np.asarray(getattr(p, "data", p)) if not hasattr(p, "numpy") else p.numpy()
            for p in parts]


NAN_RESULTS = {  # what PyTorch answers with NaN (or inf) rather than an error
    **{name: SVD_BASED[name] for name in ("svd", "svdvals", "pinv", "cond", "norm 2")},
    **{name: EIGH_BASED[name] for name in ("eigh", "eigvalsh", "pinv hermitian")},
    "qr": (L.qr, torch.linalg.qr),
}


@pytest.mark.parametrize("value", [np.inf, np.nan], ids=str)
@pytest.mark.parametrize("name", list(NAN_RESULTS))
def test_nonfinite_entries_give_torchs_nan_results(name: str, value: float) -> None:
    """An inf (or qr's NaN): NaN results for that matrix, the others' values as PyTorch's
    (LAPACK's NaN patterns differ: compared as non-finite). NumPy's SVD with vectors never
    returned on this matrix with inf."""
    if np.isnan(value) and name != "qr":
        pytest.skip("a NaN stops the decomposition (above)")
    ours, theirs = NAN_RESULTS[name]
    good = np.diag([1.0, 2.0, 4.0])
    a = np.stack([good, nonfinite(value)])
    with np.errstate(all="ignore"):
        got = unpack(ours(a))
    expected = unpack(theirs(torch.tensor(a)))
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        assert not np.isfinite(g[1]).all() and not np.isfinite(e[1]).all()
        np.testing.assert_allclose(np.abs(g[0]), np.abs(e[0]), atol=1e-12)  # signs free


def test_eigh_reads_only_its_triangle_for_nonfinite_entries() -> None:
    """A NaN in the triangle that is not read changes nothing, as in PyTorch."""
    a = np.triu(np.full((3, 3), np.nan), 1) + np.diag([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(L.eigvalsh(a).data, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(torch.linalg.eigvalsh(torch.tensor(a)), [1.0, 2.0, 3.0])
    with pytest.raises(DataError, match="holds NaN"):
        L.eigvalsh(a, "U")

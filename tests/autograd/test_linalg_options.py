"""PyTorch's options of ``autograd.linalg``'s decompositions: ``pinv(hermitian=True)``
(values and gradients against PyTorch, finite differences), ``svd``/``svdvals``'
``driver=`` (CUDA-only in PyTorch: None accepted, anything else a named error)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError, UsageError

torch = pytest.importorskip("torch")
L = ag.linalg
RNG = np.random.default_rng(5)


def symmetric(*shape: int) -> np.ndarray:
    x = RNG.normal(size=shape)
    return x + np.swapaxes(x, -1, -2)


def compare_pinv(a: np.ndarray, **kwargs: object) -> None:
    """pinv(a, hermitian=True, **kwargs): PyTorch's values and gradient."""
    x, t = ag.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    torch_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                    for k, v in kwargs.items()}
    ours = L.pinv(x, hermitian=True, **kwargs)
    theirs = torch.linalg.pinv(t, hermitian=True, **torch_kwargs)
    tol = 1e-5 if a.dtype == np.float32 else 1e-10
    assert ours.dtype == a.dtype
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tol, atol=tol)
    seed = RNG.normal(size=ours.shape).astype(a.dtype)
    (ours * ag.Tensor(seed)).sum().backward()
    (theirs * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=tol * 10, atol=tol * 10)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 4, 4)])
def test_pinv_hermitian_is_torchs(shape: tuple) -> None:
    compare_pinv(symmetric(*shape))
    compare_pinv(symmetric(*shape).astype(np.float32))


def test_pinv_hermitian_reads_the_lower_triangle_and_cuts_absolute_eigenvalues() -> None:
    """The upper triangle is garbage; eigenvalues 3, ~0, -2: |l| under the cut is 0."""
    compare_pinv(symmetric(3, 3) + np.triu(RNG.normal(size=(3, 3)) * 4, 1))
    singular = np.diag([3.0, 1e-17, -2.0])
    compare_pinv(singular)
    compare_pinv(singular, atol=2.5)
    compare_pinv(np.stack([singular, singular]), rtol=np.array([0.1, 0.9]))
    np.testing.assert_allclose(L.pinv(singular, hermitian=True).data,
                               L.pinv(singular).data, atol=1e-15)


def test_pinv_hermitian_finite_differences() -> None:
    def f(x: ag.Tensor) -> ag.Tensor:
        return L.pinv(x + x.mT + ag.Tensor(np.diag([4.0, 0.0, -4.0])), hermitian=True)
    x = ag.Tensor(RNG.normal(size=(3, 3)), requires_grad=True)
    assert ag.gradcheck(f, [x], seed=1)
    assert ag.gradgradcheck(f, [x], seed=2)


def test_pinv_hermitian_of_empty_matrices() -> None:
    for shape in [(0, 0), (2, 0, 0)]:
        expected = torch.linalg.pinv(torch.zeros(shape, dtype=torch.float64), hermitian=True)
        assert L.pinv(np.zeros(shape), hermitian=True).shape == tuple(expected.shape)


def test_pinv_hermitian_needs_square_matrices() -> None:
    with pytest.raises(ShapeError, match=r"pinv \(hermitian=True\).*square"):
        L.pinv(np.ones((2, 3)), hermitian=True)


@pytest.mark.parametrize("name", ["svd", "svdvals"])
def test_svd_driver_is_cuda_only_as_in_torch(name: str) -> None:
    a = RNG.normal(size=(3, 2))
    ours, theirs = getattr(L, name), getattr(torch.linalg, name)
    values = ours(a, driver=None)
    expected = theirs(torch.tensor(a))
    np.testing.assert_allclose(getattr(values, "S", values).data,
                               getattr(expected, "S", expected).numpy(), atol=1e-12)
    with pytest.raises(RuntimeError, match="CUDA"):
        theirs(torch.tensor(a), driver="gesvd")
    with pytest.raises(UsageError, match=f"{name}: driver='gesvd'.*CUDA.*driver=None"):
        ours(a, driver="gesvd")

"""A failed factorisation raises what PyTorch code catches: ``torch.linalg.LinAlgError``
(``autograd.linalg.LinAlgError`` here), a ``RuntimeError`` in PyTorch, so the jitter loop
``try: L = torch.linalg.cholesky(K) except RuntimeError: K = K + jitter * I`` works here
too; it stays a ``ValueError`` and NumPy's ``LinAlgError`` as before."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import SingularMatrixError

FAILURES = [
    ("cholesky", lambda lib, a: lib.linalg.cholesky(a), -np.eye(3)),
    ("inv", lambda lib, a: lib.linalg.inv(a), np.zeros((3, 3))),
    ("solve", lambda lib, a: lib.linalg.solve(a, lib.ones(3, 1)), np.ones((3, 3))),
    ("inverse", lambda lib, a: lib.inverse(a), np.zeros((2, 3, 3))),
]


@pytest.mark.parametrize("name, call, matrix", FAILURES, ids=[f[0] for f in FAILURES])
def test_failures_are_linalg_errors_and_runtime_errors_as_torch(torch, name, call, matrix):
    for lib in (torch, ag):
        with pytest.raises(lib.linalg.LinAlgError) as caught:
            call(lib, lib.tensor(matrix))
        assert isinstance(caught.value, RuntimeError)
    assert isinstance(caught.value, (SingularMatrixError, ValueError, np.linalg.LinAlgError))


def jittered_cholesky(torch, K, jitter=1e-6, tries=8):
    """GPyTorch's ``psd_safe_cholesky`` habit: more jitter until the factorisation holds."""
    for _ in range(tries):
        try:
            return torch.linalg.cholesky(K)
        except RuntimeError:
            K = K + jitter * torch.eye(K.shape[-1])
            jitter *= 10
    raise AssertionError("no jitter was enough")


def test_the_jitter_loop_catches_runtime_error_as_in_pytorch(torch):
    x = np.linspace(0, 1, 6)
    K = np.exp(-0.5 * (x[:, None] - x[None, :]) ** 2 / 0.5 ** 2)
    K -= 1e-4 * np.eye(6)  # indefinite (its smallest eigenvalue about -1e-4): needs jitter
    got = jittered_cholesky(ag, ag.tensor(K)).numpy()
    want = jittered_cholesky(torch, torch.tensor(K)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)

"""The fused VAE sample z = mu + e^{logvar/2} eps: gradients against finite differences,
and the same values as the four-op expression it replaces."""
from __future__ import annotations

import numpy as np

from autograd import Tensor, gradcheck, gradgradcheck
from nn.functional.fused import Reparameterize
from nn.models import VAE


def _inputs(seed: int) -> list[Tensor]:
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal((3, 2)), requires_grad=True) for _ in range(3)]


def test_reparameterize_gradients_match_finite_differences() -> None:
    inputs = _inputs(0)
    assert gradcheck(lambda m, v, e: Reparameterize()(m, v, e), inputs)
    assert gradgradcheck(lambda m, v, e: Reparameterize()(m, v, e), inputs)


def test_vae_fused_sample_equals_the_expression() -> None:
    mu, logvar, eps = _inputs(1)
    fused = VAE(4, 3, 2).reparameterize(mu, logvar, eps)
    assert fused.grad_fn is not None and type(fused.grad_fn) is Reparameterize
    expected = mu.data + np.exp(logvar.data * 0.5) * eps.data
    np.testing.assert_allclose(fused.data, expected, rtol=1e-15)
    # eps broadcast over the batch takes the op-by-op path, with the same values
    shared = Tensor(eps.data[0])
    np.testing.assert_allclose(VAE(4, 3, 2).reparameterize(mu, logvar, shared).data,
                               mu.data + np.exp(logvar.data * 0.5) * eps.data[0],
                               rtol=1e-15)

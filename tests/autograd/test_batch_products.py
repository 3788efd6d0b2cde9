"""``torch.baddbmm(input, batch1, batch2, beta=, alpha=)`` and ``Tensor.baddbmm``:
BLOOM's attention adds its ALiBi bias to the scaled scores in one call,
``alibi.baddbmm(batch1=query, batch2=key, beta=1.0, alpha=inv_norm_factor)`` (missing
here before)."""

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError, Tensor

RNG = np.random.default_rng(0)
BIAS, Q, K = RNG.standard_normal((3, 1, 5)), RNG.standard_normal((3, 4, 2)), \
    RNG.standard_normal((3, 2, 5))


@pytest.mark.parametrize("beta, alpha", [(1, 1), (1.0, 0.5), (0.0, 2.0), (0.3, 1)])
def test_baddbmm_and_its_gradients_as_pytorch(torch, beta, alpha) -> None:
    upstream = RNG.standard_normal((3, 4, 5))
    ours = [Tensor(a.copy(), requires_grad=True) for a in (BIAS, Q, K)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (BIAS, Q, K)]
    out = ours[0].baddbmm(batch1=ours[1], batch2=ours[2], beta=beta, alpha=alpha)
    expected = torch.baddbmm(*theirs, beta=beta, alpha=alpha)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ag.baddbmm(*ours, beta=beta, alpha=alpha).data, out.data)
    (out * Tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_baddbmm_with_beta_0_ignores_nan_in_input_as_pytorch(torch) -> None:
    nan = np.full((3, 4, 5), np.nan)
    out = ag.baddbmm(Tensor(nan), Tensor(Q), Tensor(K), beta=0)
    np.testing.assert_allclose(out.data, torch.baddbmm(torch.tensor(nan), torch.tensor(Q),
                                                       torch.tensor(K), beta=0).numpy())


def test_baddbmm_takes_batches_of_matrices_only() -> None:
    with pytest.raises(ShapeError, match="baddbmm"):
        ag.baddbmm(Tensor(BIAS), Tensor(Q[0]), Tensor(K[0]))

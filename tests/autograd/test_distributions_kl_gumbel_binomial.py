"""``kl_divergence`` of Gumbel, HalfNormal, Geometric and Binomial pairs against PyTorch's
formulas: values and gradients in both distributions' parameters; Binomials of unequal
total counts (inf, or PyTorch's NotImplementedError)."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(4)
A, B = RNG.uniform(0.1, 0.9, (2, 2, 3))

PAIRS = {
    "Gumbel": lambda D, a, b: (D.Gumbel(a * 3 - 1, b + 0.2), D.Gumbel(b - a, a + 0.5)),
    "HalfNormal": lambda D, a, b: (D.HalfNormal(a + 0.1), D.HalfNormal(b * 2)),
    "Geometric": lambda D, a, b: (D.Geometric(a), D.Geometric(logits=b * 4 - 2)),
    "Binomial": lambda D, a, b: (D.Binomial(6, a), D.Binomial(6, logits=b * 4 - 2)),
}


def _kl(T, D, name: str) -> list:
    a, b = (T.tensor(v, requires_grad=True) for v in (A, B))
    p, q = PAIRS[name](D, a, b)
    kl = D.kl_divergence(p, q)
    (kl * T.tensor(np.linspace(0.5, 1.5, 6).reshape(2, 3))).sum().backward()
    return [kl.detach().numpy(), a.grad.numpy(), b.grad.numpy()]


@pytest.mark.parametrize("name", list(PAIRS))
def test_kl_matches_pytorch(torch, name) -> None:
    got = _kl(ag, ag.distributions, name)
    want = _kl(torch, torch.distributions, name)
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-11, atol=1e-13, err_msg=f"output {i}")
    assert (got[0] >= -1e-12).all()


def test_binomials_of_unequal_total_counts(torch) -> None:
    values = [lib.distributions.kl_divergence(
        lib.distributions.Binomial(lib.tensor([5.0, 4.0]), lib.tensor([0.3, 0.6])),
        lib.distributions.Binomial(lib.tensor([4.0, 4.0]), lib.tensor([0.5, 0.5]))).numpy()
        for lib in (ag, torch)]
    np.testing.assert_allclose(*values, rtol=1e-12)
    assert values[0][0] == np.inf
    for lib, error in [(torch, NotImplementedError), (ag, ag.UnsupportedError)]:
        with pytest.raises(error, match="q.total_count > p.total_count"):
            lib.distributions.kl_divergence(lib.distributions.Binomial(3, lib.tensor(0.5)),
                                            lib.distributions.Binomial(4, lib.tensor(0.5)))

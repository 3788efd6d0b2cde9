"""``kl_divergence`` of two Poissons and of two Cauchys (PyTorch's closed forms), values
and gradients against PyTorch's, computed in the test."""

from __future__ import annotations

import numpy as np
import pytest

from test_distributions_torch import check

RNG = np.random.default_rng(11)
PARAMS = dict(a=RNG.uniform(0.2, 3.0, (3, 2)), b=RNG.uniform(0.2, 3.0, 2),
              c=RNG.standard_normal((3, 2)), d=RNG.standard_normal(2))

KL_CASES = {
    "poisson": lambda T, D, a, b, c, d: D.kl_divergence(D.Poisson(a), D.Poisson(b)),
    "poisson_number": lambda T, D, a, b, c, d: D.kl_divergence(D.Poisson(a), D.Poisson(1.5)),
    "cauchy": lambda T, D, a, b, c, d: D.kl_divergence(D.Cauchy(c, a), D.Cauchy(d, b)),
    "cauchy_numbers": lambda T, D, a, b, c, d: D.kl_divergence(D.Cauchy(0.5, a),
                                                               D.Cauchy(d, 2.0)),
}


@pytest.mark.parametrize("case", sorted(KL_CASES))
def test_kl_of_poissons_and_cauchys_matches_pytorch(torch, case: str) -> None:
    check(torch, KL_CASES[case], PARAMS)

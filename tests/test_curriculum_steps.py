"""The intermediate numbers the notes print on the way to a worked result (the results
themselves are in test_curriculum.py): each step recomputed with the engine's ops from
the notes' inputs and compared at the notes' printed precision.

Where the notes truncate instead of rounding (e^0.1 = 1.1052 printed 1.10) or add
already rounded terms (0.325 + 0.176 = 0.501; the exact sum is 0.5016) the exact
rounding is asserted next to the notes' figure."""

import numpy as np
import pytest

from autograd import Tensor

import nn.functional as F


def rounded(tensor, digits):
    return np.round(np.asarray(tensor.data, dtype=float), digits).tolist()


def test_softmax_steps_exponentials_and_their_sum():
    """notes 004 Q12: [e^2, e^1, e^0.1] = [7.39, 2.72, 1.10]; sum 11.21."""
    exponentials = Tensor([2.0, 1.0, 0.1]).exp()
    # notes print e^0.1 = 1.10; e^0.1 = 1.1052, which rounds to 1.11 (the notes truncate)
    assert rounded(exponentials, 2) == [7.39, 2.72, 1.11]
    assert np.floor(exponentials.data[2] * 100) / 100 == 1.10
    assert round(exponentials.sum().item(), 2) == 11.21


def test_mse_steps_of_the_prices():
    """notes 004 Q1: squared errors 0.25 + 1.00 + 0.04 = 1.29, and 1.29 / 3 = 0.43."""
    squared = F.mse_loss(Tensor([4.5, 9.0, 3.2]), np.array([5.0, 8.0, 3.0]), reduction="none")
    assert rounded(squared, 2) == [0.25, 1.0, 0.04]
    assert round(squared.sum().item(), 2) == 1.29


def test_kl_sparsity_steps():
    """notes 004 Q24: KL(0.05 || 0.8) = 0.05 log(0.05/0.8) + 0.95 log(0.95/0.2)
    = 0.05 x (-2.77) + 0.95 x 1.56 = -0.14 + 1.48 = 1.34."""
    rho, rho_hat = Tensor(0.05), Tensor(0.8)
    logs = [(rho / rho_hat).log(), ((1 - rho) / (1 - rho_hat)).log()]
    assert [round(t.item(), 2) for t in logs] == [-2.77, 1.56]
    terms = [rho * logs[0], (1 - rho) * logs[1]]
    assert [round(t.item(), 2) for t in terms] == [-0.14, 1.48]
    assert round((terms[0] + terms[1]).item(), 2) == 1.34
    assert (terms[0] + terms[1]).item() == pytest.approx(
        F.bernoulli_kl(0.05, Tensor([0.8])).item(), rel=1e-14)   # the library's penalty


def test_vae_steps_reconstruction_reparameterisation_and_kl_terms():
    """notes 004 Q25-Q27: (0.8-0.75)^2 + (0.2-0.3)^2 + (0.9-0.85)^2 = 0.0025 + 0.01 +
    0.0025; z = 0.5 + 0.2 x 1.3 = 0.5 + 0.26; log(1.44) = 0.365, log(0.64) = -0.446 and
    the bracketed sum 0.325 + 0.176 = 0.501."""
    squared = F.mse_loss(Tensor([0.75, 0.3, 0.85]), np.array([0.8, 0.2, 0.9]),
                         reduction="none")
    assert rounded(squared, 4) == [0.0025, 0.01, 0.0025]
    assert round((Tensor(0.2) * 1.3).item(), 2) == 0.26
    sigma2 = Tensor([1.2, 0.8]) ** 2
    assert rounded(sigma2, 2) == [1.44, 0.64]
    assert rounded(sigma2.log(), 3) == [0.365, -0.446]
    mu = Tensor([0.5, -0.3])
    bracket = mu ** 2 + sigma2 - sigma2.log() - 1
    assert rounded(bracket, 3) == [0.325, 0.176]
    # notes: 0.325 + 0.176 = 0.501, the sum of the rounded terms; the terms are 0.3254 and
    # 0.1763, whose sum 0.5016 rounds to 0.502 (the KL, half of it, is 0.25 either way)
    assert round(bracket.sum().item(), 3) == 0.502
    assert round(0.5 * bracket.sum().item(), 2) == 0.25

"""The lecture notes' worked numbers for activations, losses, softmax and the KL terms
(docs/curriculum.md), computed by the engine and compared at the notes' printed
precision. Where the notes are wrong (the pig/dog/cat MSE), the right value is checked."""

import math

import numpy as np
import pytest

from autograd import Tensor

import nn.functional as F


def rounded(tensor, digits):
    return np.round(np.asarray(tensor.data, dtype=float), digits)


def within_last_digit(tensor, printed, digits):
    """True if every value is within one unit of the last printed digit: the notes
    truncate sigmoid(2) = 0.8808 to 0.880 and compute the softmax from exponentials
    already rounded to 2 decimals ([0.6590, 0.2424, 0.0986] printed [0.659, 0.243, 0.098])."""
    values = np.asarray(tensor.data, dtype=float)
    return bool(np.all(np.abs(values - np.asarray(printed)) <= 10.0 ** -digits))


# ------------------------------------------------------------------ 1. perceptron, sigmoid
def perceptron(w1, w2, b):
    return lambda x1, x2: F.step(Tensor(b + w1 * x1 + w2 * x2)).item()


AND = perceptron(0.5, 0.5, -0.7)
NAND = perceptron(-0.5, -0.5, 0.7)
OR = perceptron(0.5, 0.5, -0.2)
INPUTS = [(0, 0), (1, 0), (0, 1), (1, 1)]


def test_logic_gates_with_a_step_perceptron():
    assert [AND(*x) for x in INPUTS] == [0, 0, 0, 1]
    assert [NAND(*x) for x in INPUTS] == [1, 1, 1, 0]
    assert [OR(*x) for x in INPUTS] == [0, 1, 1, 1]
    xor = [AND(NAND(*x), OR(*x)) for x in INPUTS]   # two layers: XOR = AND(NAND, OR)
    assert xor == [0, 1, 1, 0]


def test_step_perceptron_gets_no_gradient():
    w = Tensor(np.array([0.5, 0.5]), requires_grad=True)
    F.step(Tensor(np.array([1.0, 1.0])) @ w - 0.7).backward()
    assert np.array_equal(w.grad.data, [0.0, 0.0])   # why the notes move to the sigmoid


def test_sigmoid_values_and_vanishing_gradient():
    assert within_last_digit(F.sigmoid(Tensor([1.0, 2.0])), [0.731, 0.880], 3)
    x = Tensor(np.linspace(-6, 6, 1201), requires_grad=True)
    F.sigmoid(x).sum().backward()
    assert x.grad.data.max() == 0.25 and x.data[np.argmax(x.grad.data)] == 0.0
    assert f"{x.grad.data.max() ** 10:.1e}" == "9.5e-07"   # ten sigmoid layers


def test_swish_minimum():
    values = F.silu(Tensor(np.linspace(-5, 0, 50001))).data
    assert round(values.min(), 3) == -0.278


# ------------------------------------------------------------------ 3. losses
def test_mse_of_the_flat_prices():
    y, y_hat = np.array([5.0, 8.0, 3.0]), Tensor([4.5, 9.0, 3.2])
    assert round(F.mse_loss(y_hat, y).item(), 2) == 0.43


def test_binary_cross_entropy_examples():
    loss = F.binary_cross_entropy(Tensor([0.99, 0.01, 0.01, 0.99]), [1.0, 1.0, 0.0, 0.0],
                                  reduction="none")
    assert rounded(loss, 2)[[0, 2]].tolist() == [0.01, 0.01]
    assert rounded(loss, 1)[[1, 3]].tolist() == [4.6, 4.6]


def test_categorical_cross_entropy_examples():
    y_hat = np.array([0.01, 0.01, 0.05, 0.85, 0.02, 0.01, 0.02, 0.01, 0.01, 0.01])
    log_probs = Tensor(np.log(y_hat))
    assert round(F.nll_loss(log_probs, np.array(3)).item(), 2) == 0.16
    assert round(F.nll_loss(log_probs, np.array(2)).item(), 1) == 3.0
    assert round(F.cross_entropy(log_probs, np.array(3)).item(), 2) == 0.16  # sums to 1


# Pig/dog/cat table: one-hot truths and the two models' predicted probabilities.
TRUTH = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]])
MODEL_1 = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
MODEL_2 = np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])


@pytest.mark.parametrize("probs, cross_entropy, mse", [(MODEL_1, 1.38, 0.807),
                                                       (MODEL_2, 0.64, 0.340)])
def test_pig_dog_cat_table(probs, cross_entropy, mse):
    labels = TRUTH.argmax(axis=1)
    predictions = Tensor(probs)
    assert np.mean(probs.argmax(axis=1) != labels) == pytest.approx(1 / 3)
    assert round(F.nll_loss(predictions.log(), labels).item(), 2) == cross_entropy
    assert round(F.cross_entropy(predictions.log(), TRUTH.astype(float)).item(), 2) \
        == cross_entropy
    # MSE summed over the classes, averaged over the samples (notes: 0.38 / 0.08, wrong)
    per_sample = F.mse_loss(predictions, TRUTH, reduction="none").sum(axis=1)
    assert round(per_sample.mean().item(), 3) == mse


# ------------------------------------------------------------------ softmax
def test_softmax_example_and_jacobian():
    z = Tensor(np.array([2.0, 1.0, 0.1]), requires_grad=True)
    s = F.softmax(z)
    assert within_last_digit(s, [0.659, 0.243, 0.098], 3)
    jacobian = np.stack([np.asarray(_row(z, i)) for i in range(3)])
    expected = np.diag(s.data) - np.outer(s.data, s.data)   # s_i (delta_ij - s_j)
    np.testing.assert_allclose(jacobian, expected, rtol=1e-12, atol=1e-15)


def _row(z, i):
    z.zero_grad()
    F.softmax(z)[i].backward()
    return z.grad.data


def test_softmax_temperature_limits():
    z = Tensor(np.array([2.0, 1.0, 0.1]))
    np.testing.assert_allclose(F.softmax(z, temperature=0.01).data, [1, 0, 0], atol=1e-40)
    np.testing.assert_allclose(F.softmax(z, temperature=1e6).data, [1 / 3] * 3, rtol=1e-5)


def test_softmax_cross_entropy_gradient_is_prediction_minus_truth():
    logits = Tensor(np.log([0.3, 0.5, 0.2]), requires_grad=True)   # softmax = y_hat
    F.cross_entropy(logits, np.array(2)).backward()
    assert rounded(logits.grad, 1).tolist() == [0.3, 0.5, -0.8]


# ------------------------------------------------------------------ 8. autoencoders
def test_sparse_autoencoder_penalties():
    z = Tensor(np.array([0.8, 0.1, 0.9, 0.05, 0.7]))
    assert round(F.l1_penalty(z, 1.0).item(), 2) == 2.55
    assert round(F.bernoulli_kl(0.05, Tensor([0.8])).item(), 2) == 1.34
    assert F.bernoulli_kl(0.05, Tensor([0.05])).item() == pytest.approx(0.0, abs=1e-16)


# ------------------------------------------------------------------ 9. VAE
def test_vae_reconstruction_and_kl():
    x, x_hat = np.array([0.8, 0.2, 0.9]), Tensor([0.75, 0.3, 0.85])
    assert round(F.mse_loss(x_hat, x, reduction="sum").item(), 3) == 0.015
    mu, sigma = np.array([0.5, -0.3]), np.array([1.2, 0.8])
    logvar = Tensor(np.log(sigma ** 2))
    per_dim = [2 * F.gaussian_kl(Tensor(mu[[j]]), logvar[[j]]).item() for j in range(2)]
    assert [round(v, 3) for v in per_dim] == [0.325, 0.176]   # the bracketed terms
    assert round(F.gaussian_kl(Tensor(mu), logvar).item(), 2) == 0.25
    assert round(F.kl_div_gaussians(Tensor(mu), logvar, 0.0, math.log(1.0)).item(), 2) \
        == 0.25

"""Every worked number of the lecture notes (docs/curriculum.md), recomputed with the
engine and compared at the notes' printed precision, in the order of the topic map
(the training ones of sections 5, 6 and 10 continue in test_curriculum_training.py).

Where the notes are wrong the test asserts the correct value and says so in a comment
marked "notes wrong": the pig/dog/cat MSE (0.38 / 0.08 printed; 0.807 / 0.340), and
where they round loosely (sigmoid(2) = 0.8808 printed 0.880; the softmax of
[2, 1, 0.1] from exponentials rounded to two decimals) the exact rounding is asserted
next to the notes' figure."""

import math

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

import nn
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


def test_sigmoid_exact_rounding():
    # notes: sigmoid(2.0) = 0.880; the value is 0.8808, so rounded it is 0.881
    values = F.sigmoid(Tensor([1.0, 2.0])).data
    assert np.round(values, 3).tolist() == [0.731, 0.881]


def test_linear_activations_collapse():
    """h(h(h(x))) = c^3 x for h(x) = c x, and two linear layers equal one: W' = W2 W1."""
    c, x = 1.7, Tensor(np.linspace(-2, 2, 5), requires_grad=True)
    h = lambda t: t * c  # noqa: E731
    y = h(h(h(x)))
    np.testing.assert_allclose(y.data, c ** 3 * x.data, rtol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full(5, c ** 3), rtol=1e-15)
    rng = np.random.default_rng(0)
    first = nn.Linear(4, 3, bias=False, rng=rng)
    second = nn.Linear(3, 2, bias=False, rng=rng)
    inputs = rng.normal(size=(6, 4))
    merged = second.weight.data @ first.weight.data          # W' = W2 W1
    np.testing.assert_allclose(second(first(Tensor(inputs))).data, inputs @ merged.T,
                               rtol=1e-12)


# ------------------------------------------------------------------ 2. forward pass
def test_matrix_products():
    product = Tensor([[1.0, 2.0], [3.0, 4.0]]) @ Tensor([[5.0, 6.0], [7.0, 8.0]])
    assert product.data.tolist() == [[19.0, 22.0], [43.0, 50.0]]
    row = Tensor([1.0, 2.0]) @ Tensor([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    assert row.data.tolist() == [5.0, 11.0, 17.0]


def test_layer_by_layer_forward_pass():
    """A = X W + B, Z = h(A), layer after layer, equals the same sums in NumPy."""
    rng = np.random.default_rng(1)
    X, W1, B1, W2, B2 = (rng.normal(size=s) for s in ((1, 2), (2, 3), (3,), (3, 2), (2,)))
    Z1 = (Tensor(X) @ Tensor(W1) + Tensor(B1)).sigmoid()
    Y = F.softmax(Z1 @ Tensor(W2) + Tensor(B2), axis=-1)
    z1 = 1 / (1 + np.exp(-(X @ W1 + B1)))
    a2 = z1 @ W2 + B2
    np.testing.assert_allclose(Y.data, np.exp(a2) / np.exp(a2).sum(), rtol=1e-12)


def test_parameter_count_784_256_128_10():
    sizes = [784, 256, 128, 10]
    model = nn.Sequential(*[nn.Linear(a, b, rng=0) for a, b in zip(sizes[:-1], sizes[1:])])
    per_layer = [sum(p.data.size for p in layer.parameters()) for layer in model]
    assert per_layer == [200_960, 32_896, 1_290]
    assert sum(p.data.size for p in model.parameters()) == 235_146


# ------------------------------------------------------------------ 3. losses
def test_mse_of_the_flat_prices():
    y, y_hat = np.array([5.0, 8.0, 3.0]), Tensor([4.5, 9.0, 3.2])
    assert round(F.mse_loss(y_hat, y).item(), 2) == 0.43


def test_mae_and_huber_of_the_prices():
    y, y_hat = np.array([5.0, 8.0, 3.0]), Tensor([4.5, 9.0, 3.2])
    residual = np.abs(y_hat.data - y)
    assert F.l1_loss(y_hat, y).item() == pytest.approx(residual.mean(), rel=1e-15)
    for delta in (0.3, 1.0):
        huber = np.where(residual <= delta, residual ** 2 / 2, delta * (residual - delta / 2))
        assert F.huber_loss(y_hat, y, delta=delta).item() == pytest.approx(huber.mean())


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
    # notes wrong: they print MSE 0.38 / 0.08; summed over the classes and averaged
    # over the samples it is 0.807 / 0.340
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


def test_softmax_exact_rounding():
    # notes print [0.659, 0.243, 0.098] (computed from rounded exponentials);
    # the softmax of [2, 1, 0.1] rounded to three decimals is [0.659, 0.242, 0.099]
    s = F.softmax(Tensor(np.array([2.0, 1.0, 0.1])))
    assert rounded(s, 3).tolist() == [0.659, 0.242, 0.099]


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


# ------------------------------------------------------------------ 4. gradients, backprop
def test_gradient_of_x2_plus_y2_at_3_4():
    x, y = Tensor(3.0, requires_grad=True), Tensor(4.0, requires_grad=True)
    (x ** 2 + y ** 2).backward()
    assert (x.grad.item(), y.grad.item()) == (6.0, 8.0)


def test_chain_rule_3x_plus_2_squared():
    x = Tensor(np.linspace(-2, 2, 9), requires_grad=True)
    ((3 * x + 2) ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * (3 * x.data + 2), rtol=1e-14)


def test_addition_distributes_and_matmul_switches():
    rng = np.random.default_rng(2)
    X = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    W = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    B = Tensor(rng.normal(size=(4, 2)), requires_grad=True)
    G = rng.normal(size=(4, 2))
    ((X @ W + B) * G).sum().backward()                 # upstream gradient dL/dY = G
    np.testing.assert_allclose(B.grad.data, G)          # addition passes G unchanged
    np.testing.assert_allclose(X.grad.data, G @ W.data.T, rtol=1e-13)   # G W^T
    np.testing.assert_allclose(W.grad.data, X.data.T @ G, rtol=1e-13)   # X^T G


def test_one_hidden_layer_backward_agrees_with_central_differences():
    """The notes' network: sigmoid hidden layer, linear output, L = 1/2 (y - y_hat)^2."""
    rng = np.random.default_rng(3)
    x, y = Tensor(rng.normal(size=(2, 2))), Tensor(rng.normal(size=(2, 1)))
    params = [Tensor(rng.normal(size=s), requires_grad=True) for s in ((2, 3), (3,), (3, 1), (1,))]

    def loss(W1, b1, W2, b2):
        return 0.5 * ((y - ((x @ W1 + b1).sigmoid() @ W2 + b2)) ** 2).sum()
    assert ag.gradcheck(loss, params)


def test_jacobians_of_linear_and_quadratic_forms():
    rng = np.random.default_rng(4)
    W, a, x0 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=4)
    rows = []
    for i in range(3):                                  # d(Wx)/dx = W, row by row
        x = Tensor(x0, requires_grad=True)
        (Tensor(W) @ x)[i].backward()
        rows.append(x.grad.data)
    np.testing.assert_allclose(np.stack(rows), W, rtol=1e-15)
    x = Tensor(x0, requires_grad=True)
    (x @ x).backward()                                  # d(x^T x)/dx = 2x
    np.testing.assert_allclose(x.grad.data, 2 * x0, rtol=1e-15)
    x = Tensor(x0, requires_grad=True)
    (Tensor(a) @ x).backward()                          # d(a^T x)/dx = a
    np.testing.assert_allclose(x.grad.data, a, rtol=1e-15)


# ------------------------------------------------------------------ 5. optimisation
def test_normal_equation_for_y_equals_x_plus_1():
    x = np.arange(6.0)
    X, y = np.stack([np.ones_like(x), x], axis=1), x + 1
    w = np.linalg.solve(X.T @ X, X.T @ y)               # w = (X^T X)^-1 X^T y
    np.testing.assert_allclose(w, [1.0, 1.0], atol=1e-12)
    w_t = Tensor(w, requires_grad=True)
    F.mse_loss(Tensor(X) @ w_t, y).backward()           # the minimum: zero gradient
    np.testing.assert_allclose(w_t.grad.data, [0.0, 0.0], atol=1e-12)


def test_adam_defaults_and_bias_corrected_first_step():
    p = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    optimizer = nn.optim.Adam([p])
    group = optimizer.param_groups[0]
    assert (group["lr"], tuple(group["betas"]), group["eps"]) == (1e-3, (0.9, 0.999), 1e-8)
    (p * Tensor([0.5, -4.0, 1e-3])).sum().backward()
    optimizer.step()
    # m_hat = g and v_hat = g^2 after bias correction: the step is lr g / (|g| + eps)
    g = np.array([0.5, -4.0, 1e-3])
    np.testing.assert_allclose(p.data, [1.0, -2.0, 3.0] - 1e-3 * g / (np.abs(g) + 1e-8),
                               rtol=1e-12)


def test_an_epoch_of_10000_samples_in_batches_of_100_is_100_iterations():
    x = np.zeros((10_000, 1))
    loader = nn.data.DataLoader(x, batch_size=100)
    assert len(loader) == 100
    assert sum(1 for _ in loader) == 100



# ------------------------------------------------------------------ 6. training deep nets
def test_vanishing_products():
    assert f"{0.25 ** 10:.1e}" == "9.5e-07"
    x = Tensor(0.0, requires_grad=True)                 # sigmoid'(0) = 0.25, then two 0.01 layers
    (x.sigmoid() * 0.01 * 0.01).backward()
    assert x.grad.item() == pytest.approx(2.5e-5, rel=1e-12)


def test_xavier_and_he_initialisation_variances():
    n_in, n_out = 400, 200
    xavier = nn.init.xavier_normal_(np.empty((n_out, n_in)), rng=0)
    he = nn.init.kaiming_normal_(np.empty((n_out, n_in)), nonlinearity="relu", rng=0)
    assert xavier.var() == pytest.approx(2 / (n_in + n_out), rel=0.02)
    assert he.var() == pytest.approx(2 / n_in, rel=0.02)


def test_batchnorm_normalises_then_scales_and_shifts():
    x = np.random.default_rng(5).normal(3.0, 2.0, size=(64, 4))
    bn = nn.BatchNorm1d(4, eps=1e-5)
    bn.weight.data[:], bn.bias.data[:] = 2.0, -1.0      # gamma, beta
    y = bn(Tensor(x)).data
    expected = 2.0 * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) - 1.0
    np.testing.assert_allclose(y, expected, rtol=1e-12)


def test_residual_passes_the_gradient_around_the_block():
    block = nn.Linear(3, 3, rng=0)
    nn.init.zeros_(block.weight)
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    nn.Residual(block)(x).sum().backward()              # y = F(x) + x with dF/dx = 0
    np.testing.assert_allclose(x.grad.data, np.ones((2, 3)))


def test_dropout_is_scaled_in_training_and_off_in_evaluation():
    drop = nn.Dropout(0.5, rng=0)
    x = Tensor(np.ones(100_000))
    kept = drop(x).data
    assert set(np.unique(kept)) == {0.0, 2.0}           # kept units scaled by 1 / (1 - p)
    assert kept.mean() == pytest.approx(1.0, abs=0.02)
    drop.eval()
    assert np.array_equal(drop(x).data, x.data)


def test_l1_gradient_is_plus_minus_lambda():
    w = Tensor(np.array([-0.5, 0.2, 3.0]), requires_grad=True)
    F.l1_penalty(w, 0.1).backward()
    np.testing.assert_allclose(w.grad.data, [-0.1, 0.1, 0.1])


# ------------------------------------------------------------------ 7. activations
def test_activation_definitions():
    x = np.linspace(-3, 3, 13)
    t = Tensor(x)
    np.testing.assert_allclose(F.leaky_relu(t).data, np.where(x > 0, x, 0.01 * x))
    np.testing.assert_allclose(F.elu(t).data, np.where(x > 0, x, np.exp(x) - 1), rtol=1e-14)
    phi = 0.5 * (1 + np.array([math.erf(v / math.sqrt(2)) for v in x]))
    np.testing.assert_allclose(F.gelu(t).data, x * phi, rtol=1e-12, atol=1e-15)
    tanh_form = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(F.gelu(t, approximate="tanh").data, tanh_form, rtol=1e-12)
    assert np.max(np.abs(tanh_form - x * phi)) < 1e-3    # the approximation is close


# ------------------------------------------------------------------ 8. autoencoders
def test_sparse_autoencoder_penalties():
    z = Tensor(np.array([0.8, 0.1, 0.9, 0.05, 0.7]))
    assert round(F.l1_penalty(z, 1.0).item(), 2) == 2.55
    assert round(F.bernoulli_kl(0.05, Tensor([0.8])).item(), 2) == 1.34
    assert F.bernoulli_kl(0.05, Tensor([0.05])).item() == pytest.approx(0.0, abs=1e-16)


# ------------------------------------------------------------------ 9. VAE
def test_vae_reconstruction_and_kl():
    x, x_hat = np.array([0.8, 0.2, 0.9]), Tensor([0.75, 0.3, 0.85])
    # the notes' "MSE ... 0.015" is the squared error summed over the pixels (their MSE
    # label is loose): the mean, F.mse_loss's default reduction, is 0.015 / 3 = 0.005
    assert round(F.mse_loss(x_hat, x, reduction="sum").item(), 3) == 0.015
    mu, sigma = np.array([0.5, -0.3]), np.array([1.2, 0.8])
    logvar = Tensor(np.log(sigma ** 2))
    per_dim = [2 * F.gaussian_kl(Tensor(mu[[j]]), logvar[[j]]).item() for j in range(2)]
    assert [round(v, 3) for v in per_dim] == [0.325, 0.176]   # the bracketed terms
    assert round(F.gaussian_kl(Tensor(mu), logvar).item(), 2) == 0.25
    assert round(F.kl_div_gaussians(Tensor(mu), logvar, 0.0, math.log(1.0)).item(), 2) \
        == 0.25


def test_reparameterisation_trick():
    mu, sigma = Tensor(0.5, requires_grad=True), Tensor(0.2, requires_grad=True)
    z = mu + sigma * 1.3                                # z = mu + sigma * eps, eps = 1.3
    z.backward()
    assert round(z.item(), 2) == 0.76
    assert (mu.grad.item(), sigma.grad.item()) == (1.0, 1.3)


def test_elbo_is_reconstruction_minus_kl_and_annealing_ramps_beta():
    from nn.models import VAE
    from nn.train import KLAnnealing
    x = np.random.default_rng(6).random((5, 4))
    vae = VAE(4, [3], 2, rng=0)
    eps = np.random.default_rng(7).standard_normal((5, 2))
    parts = vae.loss(x, eps=eps)                        # negative ELBO with beta = 1
    assert parts.loss.item() == pytest.approx(parts.reconstruction.item() + parts.kl.item())
    annealing = KLAnnealing(warmup=4)                   # beta = min(1, epoch / warmup)
    assert [annealing.beta(e) for e in range(6)] == [min(1.0, e / 4) for e in range(6)]

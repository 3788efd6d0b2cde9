"""Session 36 loss fixes: cross-entropy's class weights with probability targets (their
gradient and their dtype, as PyTorch), Huber / smooth L1's second derivative at the kink
|d| = delta, and loss modules given one argument both by position and by keyword.
Expected values come from NumPy written here, central differences (gradcheck) or
hand-derivable cases."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import AutogradError, Tensor, UsageError, grad, gradcheck, gradgradcheck
from nn.errors import ArgumentTypeError


# ------------------------------------------------------------------ cross-entropy weights
def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _soft_case(seed=0, n=3, c=4):
    rng = np.random.RandomState(seed)
    logits = rng.randn(n, c)
    q = rng.rand(n, c)
    return logits, q / q.sum(axis=1, keepdims=True), rng.rand(c) + 0.5


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_soft_cross_entropy_weight_gets_its_gradient(reduction, smoothing):
    # loss_n = -sum_c w_c q'_nc logp_nc, q' = (1 - e) q + e / C: dloss_n / dw_c = -q' logp
    logits, q, w = _soft_case()
    weight = Tensor(w, requires_grad=True)
    loss = F.cross_entropy(Tensor(logits), q, reduction, weight=weight,
                           label_smoothing=smoothing)
    loss.sum().backward()
    smoothed = (1 - smoothing) * q + smoothing / q.shape[1]
    per_sample = -(smoothed * _log_softmax(logits))
    expected = per_sample.sum(axis=0) / (len(q) if reduction == "mean" else 1)
    np.testing.assert_allclose(weight.grad.data, expected, rtol=1e-12)


def test_soft_cross_entropy_gradcheck_in_input_weight_and_target():
    logits, q, w = _soft_case(seed=1)
    inputs = [Tensor(logits, requires_grad=True), Tensor(q, requires_grad=True),
              Tensor(w, requires_grad=True)]

    def loss(x, target, weight):
        return F.cross_entropy(x, target, "none", weight=weight, label_smoothing=0.1)

    assert gradcheck(loss, inputs)
    assert gradgradcheck(loss, inputs)


def test_soft_cross_entropy_weight_value_unchanged():
    logits, q, w = _soft_case(seed=2)
    expected = -(w * q * _log_softmax(logits)).sum(axis=1).mean()
    for weight in (w, Tensor(w), Tensor(w, requires_grad=True)):
        loss = F.cross_entropy(Tensor(logits), q, weight=weight)
        np.testing.assert_allclose(loss.data, expected, rtol=1e-12)


def test_label_cross_entropy_still_refuses_a_weight_that_requires_grad():
    # integer labels: PyTorch refuses a class weight that requires grad too
    logits, _, w = _soft_case()
    with pytest.raises(UsageError, match="requires grad"):
        F.cross_entropy(Tensor(logits), np.array([0, 3, 1]),
                        weight=Tensor(w, requires_grad=True))


def test_soft_cross_entropy_float64_weight_promotes_float32():
    logits, q, w = _soft_case()
    x32, q32 = Tensor(logits.astype(np.float32)), Tensor(q.astype(np.float32))
    loss = F.cross_entropy(x32, q32, weight=Tensor(w))  # a float64 Tensor weight
    assert loss.dtype == np.float64
    expected = -(w * q.astype(np.float32) * _log_softmax(logits.astype(np.float32))
                 ).sum(axis=1).mean()
    np.testing.assert_allclose(loss.data, expected, rtol=1e-6)


def test_cross_entropy_weight_dtype_rules_otherwise_unchanged():
    logits, q, w = _soft_case()
    x32 = Tensor(logits.astype(np.float32))
    labels = F.cross_entropy(x32, np.array([0, 3, 1]), weight=Tensor(w))
    assert labels.dtype == np.float32  # integer labels: the input's dtype, as PyTorch
    as_array = F.cross_entropy(x32, q.astype(np.float32), weight=w)
    assert as_array.dtype == np.float32  # an array weight takes the input's dtype
    float32_weight = F.cross_entropy(x32, q.astype(np.float32),
                                     weight=Tensor(w.astype(np.float32)))
    assert float32_weight.dtype == np.float32


def test_soft_cross_entropy_weight_gradient_keeps_its_dtype():
    logits, q, w = _soft_case()
    weight = Tensor(w, requires_grad=True)
    loss = F.cross_entropy(Tensor(logits.astype(np.float32)), q.astype(np.float32),
                           weight=weight)
    loss.backward()
    assert loss.dtype == np.float64 and weight.grad.dtype == np.float64


# ------------------------------------------------------------------ Huber at the kink
def _second_derivative(loss_fn, x_values):
    x = Tensor(np.asarray(x_values, dtype=float), requires_grad=True)
    first, = grad(loss_fn(x), [x], create_graph=True)
    second, = grad(first.sum(), [x])
    return first.data, second.data


@pytest.mark.parametrize("delta", [1.0, 0.5, 3.0])
def test_huber_second_derivative_is_zero_at_the_kink(delta):
    # d^2/dd^2 of Huber: 1 where |d| < delta, 0 where |d| >= delta (the linear side)
    x = [delta, 0.5 * delta, -delta, 2 * delta, 0.0]
    first, second = _second_derivative(
        lambda t: F.huber_loss(t, np.zeros(5), delta=delta, reduction="sum"), x)
    np.testing.assert_array_equal(first, np.clip(x, -delta, delta))
    np.testing.assert_array_equal(second, [0.0, 1.0, 0.0, 0.0, 1.0])


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_huber_second_derivative_with_target_and_reduction(reduction):
    y = np.array([1.0, -2.0, 0.5])
    x = Tensor(y + np.array([1.0, 0.25, -1.0]), requires_grad=True)  # |d| = 1, .25, 1
    target = Tensor(y, requires_grad=True)
    losses = F.huber_loss(x, target, delta=1.0, reduction=reduction)
    gx, = grad(losses.sum(), [x], create_graph=True)
    hx, hy = grad(gx.sum(), [x, target])
    scale = 1 / 3 if reduction == "mean" else 1.0
    np.testing.assert_allclose(hx.data, scale * np.array([0.0, 1.0, 0.0]))
    np.testing.assert_allclose(hy.data, -scale * np.array([0.0, 1.0, 0.0]))


def test_smooth_l1_second_derivative_is_zero_at_beta():
    beta = 0.5
    x = [beta, 0.2, -beta, -1.0]
    first, second = _second_derivative(
        lambda t: F.smooth_l1_loss(t, np.zeros(4), reduction="sum", beta=beta), x)
    np.testing.assert_allclose(first, np.clip(x, -beta, beta) / beta)
    np.testing.assert_allclose(second, [0.0, 1 / beta, 0.0, 0.0])


def test_huber_gradients_away_from_the_kink_match_differences():
    rng = np.random.RandomState(3)
    d = rng.uniform(-3, 3, size=6)
    d = d[np.abs(np.abs(d) - 1.0) > 0.05]  # keep the central differences off the kink
    y = rng.randn(d.size)
    x = Tensor(y + d, requires_grad=True)
    target = Tensor(y, requires_grad=True)

    def loss(a, b):
        return F.huber_loss(a, b, delta=1.0, reduction="none")

    assert gradcheck(loss, [x, target])
    assert gradgradcheck(loss, [x, target])


def test_huber_infinite_and_nan_residuals_keep_their_gradients():
    x = Tensor(np.array([np.inf, -np.inf, np.nan]), requires_grad=True)
    first, = grad(F.huber_loss(x, np.zeros(3), delta=2.0, reduction="sum"), [x],
                  create_graph=True)
    assert first.data[0] == 2.0 and first.data[1] == -2.0 and np.isnan(first.data[2])


# ------------------------------------------------------------------ module arguments
@pytest.mark.parametrize("module", [nn.CrossEntropyLoss, nn.NLLLoss, nn.BCELoss,
                                    nn.BCEWithLogitsLoss])
def test_pytorch_positional_weight_with_reduction_keyword_is_a_clear_error(module):
    weight = Tensor(np.ones(3))
    with pytest.raises(ArgumentTypeError, match="weight=w, reduction='sum'") as caught:
        module(weight, reduction="sum")
    assert isinstance(caught.value, AutogradError)
    assert "given twice" in str(caught.value)


def test_huber_module_in_pytorch_order_is_a_clear_error():
    with pytest.raises(ArgumentTypeError, match="delta was given twice"):
        nn.HuberLoss("sum", delta=2.0)


def test_positional_and_keyword_arguments_that_do_not_clash_still_work():
    weight = Tensor(np.ones(3))
    assert nn.HuberLoss(2.0, reduction="sum").delta == 2.0
    assert nn.MultiMarginLoss(2, 0.5, reduction="sum").p == 2
    assert nn.MultiLabelSoftMarginLoss(weight, reduction="sum").reduction == "sum"
    assert nn.CrossEntropyLoss("sum", weight=weight, label_smoothing=0.1).reduction == "sum"
    assert nn.KLDivLoss("batchmean", log_target=True).reduction == "batchmean"


def _bce_second_derivative(p: np.ndarray, y: np.ndarray, target_grad: bool) -> np.ndarray:
    """d/dp of dL/dp for L = sum BCE(p, y), by double backward."""
    pt = Tensor(p, requires_grad=True)
    yt = Tensor(y, requires_grad=target_grad)
    loss = F.binary_cross_entropy(pt, yt, reduction="sum")
    (dp,) = grad(loss, [pt], create_graph=True)
    (d2p,) = grad(dp.sum(), [pt])
    return d2p.data


@pytest.mark.parametrize("target_grad", [False, True])
def test_bce_second_derivative_at_a_saturated_input_is_finite(target_grad):
    """At p = y = 0 or 1 (float32 sigmoid gives exactly 1.0 above about 17) the second
    derivative in p was 1 / eps = 1e12: the floor of p (1 - p) was differentiated. Now
    it is PyTorch's formula, (p^2 - 2 p y + y) / (p (1 - p))^2 with eps added to each
    factor: 0 where p = y at an end, and (away from the ends) the exact derivative,
    checked against a finite difference of the first derivative."""
    p, y = np.array([0.0, 0.3, 1.0]), np.array([0.0, 1.0, 1.0])
    got = _bce_second_derivative(p, y, target_grad)
    assert np.all(np.isfinite(got)) and abs(got[0]) < 1e-6 and abs(got[2]) < 1e-6
    h = 1e-6
    first = lambda q: (q - y[1]) / (q * (1 - q))  # noqa: E731 (dL/dp at the middle point)
    np.testing.assert_allclose(got[1], (first(0.3 + h) - first(0.3 - h)) / (2 * h),
                               rtol=1e-6)


def test_bce_second_order_gradcheck_inside_the_interval():
    p = Tensor(np.array([0.2, 0.45, 0.8]), requires_grad=True)
    y = Tensor(np.array([0.1, 0.7, 0.9]), requires_grad=True)
    assert gradgradcheck(
        lambda a, b: F.binary_cross_entropy(a, b, reduction="mean"), (p, y))

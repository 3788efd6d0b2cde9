"""Losses, divergences and penalties: forward values against NumPy written here,
gradients (inputs, targets, parameters) against central differences, reductions,
stability at extreme logits, dtypes, error messages and the module forms."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from autograd import DTypeError, ShapeError, Tensor, UsageError, gradcheck, gradgradcheck
from autograd.testing import arrays, shapes, tensors

import nn.functional as F
from nn import losses as L

REDUCTION = st.sampled_from(["mean", "sum", "none"])


def _reduce(values, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](values)


def _offsets(avoid):
    """Differences input - target kept 0.05 away from the points in ``avoid``."""
    edges = [-2.0] + [e for p in sorted(avoid) for e in (p - 0.05, p + 0.05)] + [2.0]
    return st.one_of(*[st.floats(a, b) for a, b in zip(edges[::2], edges[1::2])])


def _pair(data, avoid=(0.0,)):
    x = data.draw(tensors(shapes(), elements=(-3.0, 3.0), requires_grad=True))
    offset = data.draw(arrays(x.shape, elements=_offsets(avoid)))
    return x, Tensor(x.data - offset, requires_grad=data.draw(st.booleans()))


# ------------------------------------------------------------------ regression
@given(data=st.data(), reduction=REDUCTION)
def test_mse_loss(data, reduction):
    x, y = _pair(data, avoid=())
    expected = _reduce((x.data - y.data) ** 2, reduction)
    np.testing.assert_allclose(F.mse_loss(x, y, reduction).data, expected, rtol=1e-12)
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction), [x, y])
    assert gradgradcheck(lambda a, b: F.mse_loss(a, b, reduction), [x, y])


@given(data=st.data(), reduction=REDUCTION)
def test_l1_loss(data, reduction):
    x, y = _pair(data)
    expected = _reduce(np.abs(x.data - y.data), reduction)
    np.testing.assert_allclose(F.l1_loss(x, y, reduction).data, expected, rtol=1e-12)
    assert gradcheck(lambda a, b: F.l1_loss(a, b, reduction), [x, y])


@given(data=st.data(), reduction=REDUCTION, delta=st.sampled_from([0.5, 1.0, 1.5]))
def test_huber_loss(data, reduction, delta):
    x, y = _pair(data, avoid=(-delta, 0.0, delta))
    d = x.data - y.data
    elementwise = np.where(np.abs(d) <= delta, 0.5 * d * d, delta * (np.abs(d) - delta / 2))
    np.testing.assert_allclose(F.huber_loss(x, y, delta, reduction).data,
                               _reduce(elementwise, reduction), rtol=1e-12)
    assert gradcheck(lambda a, b: F.huber_loss(a, b, delta, reduction), [x, y])
    assert gradgradcheck(lambda a, b: F.huber_loss(a, b, delta, reduction), [x, y])


def test_huber_gradient_is_the_clipped_difference():
    x = Tensor(np.array([-3.0, -0.4, 0.0, 0.3, 2.5]), requires_grad=True)
    F.huber_loss(x, np.zeros(5), delta=1.0, reduction="sum").backward()
    np.testing.assert_array_equal(x.grad.data, np.clip(x.data, -1.0, 1.0))


# ------------------------------------------------------------------ binary classification
@given(data=st.data(), reduction=REDUCTION)
def test_binary_cross_entropy(data, reduction):
    p = data.draw(tensors(shapes(), elements=(0.02, 0.98), requires_grad=True))
    # targets off 0 and 1 by more than gradcheck's step: a target outside [0, 1] raises
    y = Tensor(data.draw(arrays(p.shape, elements=(1e-3, 1 - 1e-3))),
               requires_grad=data.draw(st.booleans()))
    expected = -(y.data * np.log(p.data) + (1 - y.data) * np.log(1 - p.data))
    np.testing.assert_allclose(F.binary_cross_entropy(p, y, reduction).data,
                               _reduce(expected, reduction), rtol=1e-12)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction), [p, y])
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction), [p, y])


def test_binary_cross_entropy_clamps_log_at_minus_100():
    p = Tensor(np.array([0.0, 1.0, 0.0, 1.0]), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    assert np.isfinite(p.grad.data).all()
    assert p.grad.data[0] < -1e11 and p.grad.data[1] > 1e11   # a strong push back


@given(data=st.data(), reduction=REDUCTION)
def test_binary_cross_entropy_with_logits(data, reduction):
    z = data.draw(tensors(shapes(), elements=(-6.0, 6.0), requires_grad=True))
    y = Tensor(data.draw(arrays(z.shape, elements=(0.0, 1.0))),
               requires_grad=data.draw(st.booleans()))
    # -log sigmoid(z) = log(1 + e^-z), -log(1 - sigmoid(z)) = log(1 + e^z)
    expected = y.data * np.logaddexp(0, -z.data) + (1 - y.data) * np.logaddexp(0, z.data)
    fn = lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction)  # noqa: E731
    np.testing.assert_allclose(fn(z, y).data, _reduce(expected, reduction), rtol=1e-12)
    assert gradcheck(fn, [z, y])
    assert gradgradcheck(fn, [z, y])


def test_bce_with_logits_is_stable_for_logits_of_1e4():
    z = Tensor(np.array([1e4, -1e4, 1e4, -1e4]), requires_grad=True)
    y = np.array([0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    np.testing.assert_array_equal(loss.data, [1e4, 1e4, 0.0, 0.0])
    loss.sum().backward()
    np.testing.assert_array_equal(z.grad.data, [1.0, -1.0, 0.0, 0.0])  # sigmoid(z) - y


# ------------------------------------------------------------------ multi-class
def _log_softmax_reference(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@st.composite
def logits_and_labels(draw, min_dims=1):
    z = draw(tensors(shapes(min_dims=min_dims, max_dims=3, min_side=1),
                     elements=(-5.0, 5.0), requires_grad=True))
    labels = draw(arrays(z.shape[:-1], dtype=np.int64, elements=(0, z.shape[-1] - 1),
                         noncontiguous=False))
    return z, labels


@given(pair=logits_and_labels(), reduction=REDUCTION)
def test_cross_entropy_with_integer_labels(pair, reduction):
    z, labels = pair
    if z.ndim == 3 and z.shape[1] == z.shape[2]:  # PyTorch's class axis 1 would fit too
        with pytest.raises(ShapeError, match="reads two ways"):
            F.cross_entropy(z, labels, reduction)
        return
    picked = np.take_along_axis(_log_softmax_reference(z.data), labels[..., None], -1)
    expected = _reduce(-picked[..., 0], reduction)
    np.testing.assert_allclose(F.cross_entropy(z, labels, reduction).data, expected,
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(F.nll_loss(F.log_softmax(z, dim=-1), labels, reduction).data,
                               expected, rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda t: F.cross_entropy(t, labels, reduction), [z])
    assert gradgradcheck(lambda t: F.cross_entropy(t, labels, reduction), [z])
    assert gradcheck(lambda t: F.nll_loss(t, labels, reduction), [z])


@given(pair=logits_and_labels(), reduction=REDUCTION)
def test_cross_entropy_with_probability_targets(pair, reduction):
    z, labels = pair
    if z.ndim >= 3:  # PyTorch reads the classes on axis 1: flattening to 2-d says which
        with pytest.raises(ShapeError, match="read two ways"):
            F.cross_entropy(z, np.ones(z.shape), reduction)
        z = Tensor(z.data.reshape(-1, z.shape[-1]), requires_grad=True)
        labels = labels.reshape(-1)
    raw = np.abs(np.sin(np.arange(z.size).reshape(z.shape) + 1.0)) + 0.1
    q = Tensor(raw / raw.sum(axis=-1, keepdims=True), requires_grad=True)
    expected = _reduce(-(q.data * _log_softmax_reference(z.data)).sum(axis=-1), reduction)
    np.testing.assert_allclose(F.cross_entropy(z, q, reduction).data, expected, rtol=1e-12)
    assert gradcheck(lambda t, p: F.cross_entropy(t, p, reduction), [z, q])
    onehot = np.eye(z.shape[-1])[labels]
    np.testing.assert_allclose(F.cross_entropy(z, onehot, reduction).data,
                               F.cross_entropy(z, labels, reduction).data, rtol=1e-12)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    z = Tensor(np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]]), requires_grad=True)
    F.cross_entropy(z, np.array([2, 0])).backward()
    e = np.exp(z.data)
    expected = (e / e.sum(axis=1, keepdims=True) - np.eye(3)[[2, 0]]) / 2
    np.testing.assert_allclose(z.grad.data, expected, rtol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_of_fortran_ordered_logits(reduction):
    """Element-wise results keep their input's memory order: the backward pass must not
    write into a reshaped copy of a Fortran-ordered gradient."""
    rng = np.random.default_rng(3)
    z = Tensor(np.asfortranarray(rng.standard_normal((3, 2, 4))), requires_grad=True)
    labels = rng.integers(0, 4, (3, 2))
    assert gradcheck(lambda t: F.cross_entropy(t, labels, reduction), [z])


def test_cross_entropy_is_stable_for_logits_of_1e4():
    z = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]), requires_grad=True)
    loss = F.cross_entropy(z, np.array([1, 2]), reduction="none")
    np.testing.assert_allclose(loss.data, [2e4, np.log(2.0)], rtol=1e-15)
    loss.sum().backward()
    np.testing.assert_allclose(z.grad.data, [[1, -1, 0], [0, 0.5, -0.5]], atol=1e-300)
    soft = F.cross_entropy(z, np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    assert np.isfinite(soft.data)


# ------------------------------------------------------------------ divergences
@given(data=st.data(), reduction=REDUCTION)
def test_gaussian_kl(data, reduction):
    mu = data.draw(tensors(shapes(min_dims=1, max_dims=2), elements=(-2.0, 2.0),
                           requires_grad=True))
    logvar = Tensor(data.draw(arrays(mu.shape, elements=(-2.0, 2.0))), requires_grad=True)
    per_sample = 0.5 * np.sum(mu.data ** 2 + np.exp(logvar.data) - logvar.data - 1, axis=-1)
    np.testing.assert_allclose(F.gaussian_kl(mu, logvar, reduction).data,
                               _reduce(per_sample, reduction), rtol=1e-12, atol=1e-15)
    assert gradcheck(lambda m, v: F.gaussian_kl(m, v, reduction), [mu, logvar])
    assert gradgradcheck(lambda m, v: F.gaussian_kl(m, v, reduction), [mu, logvar])


@given(data=st.data(), reduction=REDUCTION)
def test_kl_div_gaussians(data, reduction):
    shape = data.draw(shapes(min_dims=1, max_dims=2))
    mu1, lv1, mu2, lv2 = (Tensor(data.draw(arrays(shape, elements=(-2.0, 2.0))),
                                 requires_grad=True) for _ in range(4))
    s1, s2 = np.exp(lv1.data / 2), np.exp(lv2.data / 2)
    # KL(N1 || N2) = log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2
    per_dim = np.log(s2 / s1) + (s1 ** 2 + (mu1.data - mu2.data) ** 2) / (2 * s2 ** 2) - 0.5
    fn = lambda a, b, c, d: F.kl_div_gaussians(a, b, c, d, reduction)  # noqa: E731
    np.testing.assert_allclose(fn(mu1, lv1, mu2, lv2).data,
                               _reduce(per_dim.sum(axis=-1), reduction), rtol=1e-10,
                               atol=1e-14)
    assert gradcheck(fn, [mu1, lv1, mu2, lv2])
    # the two formulas cancel O(1) terms (e^lv - lv - 1) differently: one rounding apart
    np.testing.assert_allclose(fn(mu1, lv1, 0.0, 0.0).data,
                               F.gaussian_kl(mu1, lv1, reduction).data, rtol=1e-12,
                               atol=1e-15 * max(1, mu1.data.size))
    np.testing.assert_allclose(fn(mu1, lv1, mu1, lv1).data, 0.0, atol=1e-15)


def test_kl_reduction_is_per_sample_sum_then_batch_mean():
    mu = Tensor(np.array([[0.5, -0.3], [1.0, 0.0], [0.0, 0.0]]))
    logvar = Tensor(np.zeros((3, 2)))
    np.testing.assert_allclose(F.gaussian_kl(mu, logvar, "none").data, [0.17, 0.5, 0.0])
    np.testing.assert_allclose(F.gaussian_kl(mu, logvar).data, 0.67 / 3)
    np.testing.assert_allclose(F.gaussian_kl(mu, logvar, "sum").data, 0.67)


@given(data=st.data(), reduction=REDUCTION, rho=st.sampled_from([0.0, 0.05, 0.5, 1.0]))
def test_bernoulli_kl(data, reduction, rho):
    q = data.draw(tensors(shapes(), elements=(0.05, 0.95), requires_grad=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = (np.nan_to_num(rho * np.log(rho / q.data))
                    + np.nan_to_num((1 - rho) * np.log((1 - rho) / (1 - q.data))))
    # the two terms cancel when q is near rho: allow rounding of terms of size ~0.1
    np.testing.assert_allclose(F.bernoulli_kl(rho, q, reduction).data,
                               _reduce(expected, reduction), rtol=1e-12, atol=1e-13)
    assert gradcheck(lambda t: F.bernoulli_kl(rho, t, reduction), [q])


# ------------------------------------------------------------------ penalties
@given(data=st.data())
def test_penalties(data):
    params = [Tensor(data.draw(arrays(shapes(), elements=_offsets([0.0]))),
                     requires_grad=True) for _ in range(data.draw(st.integers(1, 3)))]
    abs_sum = sum(np.abs(p.data).sum() for p in params)
    square_sum = sum((p.data ** 2).sum() for p in params)
    np.testing.assert_allclose(F.l1_penalty(params, 0.3).data, 0.3 * abs_sum, rtol=1e-12)
    np.testing.assert_allclose(F.l2_penalty(iter(params), 0.3).data, 0.3 * square_sum,
                               rtol=1e-12)
    np.testing.assert_allclose(F.elastic_net_penalty(params, 0.2, 0.1).data,
                               0.2 * abs_sum + 0.1 * square_sum, rtol=1e-12)
    assert gradcheck(lambda *ps: F.l1_penalty(ps, 0.3), params)
    assert gradcheck(lambda *ps: F.l2_penalty(ps, 0.3), params)
    assert gradcheck(lambda *ps: F.elastic_net_penalty(ps, 0.2, 0.1), params)


def test_penalty_gradients_and_edge_cases():
    w = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    F.l1_penalty(w, 0.5).backward()
    np.testing.assert_array_equal(w.grad.data, [-0.5, 0.0, 0.5])   # +-lambda, sign(0) = 0
    w.zero_grad()
    F.l2_penalty([w], 0.5).backward()
    np.testing.assert_array_equal(w.grad.data, [-2.0, 0.0, 3.0])   # 2 lambda w (no 1/2)
    assert F.l2_penalty([], 0.1).item() == 0.0
    with pytest.raises(TypeError, match="item 1 is ndarray"):
        F.l1_penalty([w, np.ones(2)], 0.1)
    with pytest.raises(ValueError, match="lam must be a finite number >= 0"):
        F.l2_penalty(w, -1.0)


# ------------------------------------------------------------------ dtypes
FLOAT32_LOSSES = [
    lambda x: F.mse_loss(x, np.ones((2, 3))), lambda x: F.l1_loss(x, [[1.0] * 3] * 2),
    lambda x: F.huber_loss(x, np.ones((2, 3))),
    lambda x: F.binary_cross_entropy(F.sigmoid(x), np.ones((2, 3))),
    lambda x: F.binary_cross_entropy_with_logits(x, np.ones((2, 3))),
    lambda x: F.cross_entropy(x, np.array([0, 2])),
    lambda x: F.cross_entropy(x, np.full((2, 3), 1 / 3)),
    lambda x: F.nll_loss(x, [1, 1]), lambda x: F.gaussian_kl(x, np.zeros((2, 3))),
    lambda x: F.kl_div_gaussians(x, x, np.zeros(3), 0.5),
    lambda x: F.bernoulli_kl(0.05, F.sigmoid(x)), lambda x: F.elastic_net_penalty(x, 1, 1),
]


@pytest.mark.parametrize("loss", FLOAT32_LOSSES)
def test_float32_losses_stay_float32(loss):
    x = Tensor(np.array([[0.2, -0.5, 1.0], [0.3, 0.1, -2.0]], dtype=np.float32),
               requires_grad=True)
    out = loss(x)
    assert out.dtype == np.float32
    out.backward()
    assert x.grad.dtype == np.float32


# ------------------------------------------------------------------ errors
PAIRED = [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy,
          F.binary_cross_entropy_with_logits]


@pytest.mark.parametrize("loss", PAIRED, ids=lambda f: f.__name__)
def test_shape_mismatch_names_the_loss_and_both_shapes(loss):
    with pytest.raises(ShapeError, match=rf"{loss.__name__}: input shape \(4, 1\) and "
                                         rf"target shape \(4,\) differ.*Reshape"):
        loss(Tensor(np.full((4, 1), 0.5)), np.full(4, 0.5))
    with pytest.raises(ValueError, match=rf"{loss.__name__}: reduction must be 'mean', "
                                         rf"'sum' or 'none'; got 'avg'"):
        loss(Tensor([0.5]), [0.5], reduction="avg")


def test_label_errors():
    z = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"label 4 at position \(1,\) is out of range for "
                                         r"4 classes \(valid labels: 0\.\.3\)"):
        F.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="label -1 at position"):
        F.nll_loss(z, [0, -1, 1])
    with pytest.raises(DTypeError, match="labels must be integers.*probability targets"):
        F.cross_entropy(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ShapeError, match=r"needs one label per sample, of shape \(3,\); "
                                         r"got labels of shape \(3, 1\).*reshape\(-1\)"):
        F.cross_entropy(z, np.zeros((3, 1), dtype=int))
    with pytest.raises(ShapeError, match="class axis"):
        F.cross_entropy(Tensor(1.0), np.array(0))
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*with_logits"):
        F.binary_cross_entropy(Tensor([1.5]), [1.0])


def test_divergence_errors():
    with pytest.raises(ShapeError, match=r"gaussian_kl: mu of shape \(2, 3\) and logvar of "
                                         r"shape \(2,\) differ"):
        F.gaussian_kl(Tensor(np.zeros((2, 3))), Tensor(np.zeros(2)))
    with pytest.raises(ShapeError, match="mu2 of shape \\(4,\\) does not broadcast"):
        F.kl_div_gaussians(Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 3))),
                           np.zeros(4), 0.0)
    with pytest.raises(ValueError, match="rho must lie in \\[0, 1\\]"):
        F.bernoulli_kl(1.5, Tensor([0.5]))
    with pytest.raises(ValueError, match="cannot require grad"):
        F.bernoulli_kl(Tensor([0.1], requires_grad=True), Tensor([0.5]))


# ------------------------------------------------------------------ modules
MODULES = [
    (L.MSELoss(), F.mse_loss, (0.3, 0.5)),
    (L.L1Loss("sum"), lambda a, b: F.l1_loss(a, b, "sum"), (0.3, 0.5)),
    (L.HuberLoss(delta=0.1), lambda a, b: F.huber_loss(a, b, 0.1), (0.3, 0.5)),
    (L.BCELoss(), F.binary_cross_entropy, (0.3, 1.0)),
    (L.BCEWithLogitsLoss("none"), lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, "none"), (0.3, 1.0)),
]


@pytest.mark.parametrize("module, fn, values", MODULES, ids=lambda m: type(m).__name__)
def test_loss_modules_match_functions(module, fn, values):
    x, y = Tensor(np.full((2, 3), values[0])), np.full((2, 3), values[1])
    np.testing.assert_array_equal(module(x, y).data, fn(x, y).data)
    assert repr(module).startswith(type(module).__name__ + "(")


def test_classification_and_kl_modules():
    z, labels = Tensor(np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]])), np.array([2, 0])
    assert L.CrossEntropyLoss()(z, labels).item() == F.cross_entropy(z, labels).item()
    assert L.NLLLoss("sum")(z, labels).item() == F.nll_loss(z, labels, "sum").item()
    mu, logvar = Tensor(np.array([[0.5, -0.3]])), Tensor(np.log([[1.44, 0.64]]))
    assert L.GaussianKLLoss()(mu, logvar).item() == F.gaussian_kl(mu, logvar).item()
    assert L.GaussianKLDivLoss("sum")(mu, logvar, 0.0, 0.0).item() == \
        F.kl_div_gaussians(mu, logvar, 0.0, 0.0, "sum").item()
    q = Tensor(np.array([0.8, 0.05]))
    assert L.BernoulliKLLoss(rho=0.05)(q).item() == F.bernoulli_kl(0.05, q).item()
    with pytest.raises(ValueError, match="MSELoss: reduction must be"):
        L.MSELoss(reduction="average")
    with pytest.raises(ValueError, match="delta must be a number > 0"):
        L.HuberLoss(delta=0.0)
    assert list(L.CrossEntropyLoss().parameters()) == []


def test_kl_div_with_four_tensors_is_the_gaussian_kl() -> None:
    rng = np.random.default_rng(5)
    mu1, lv1, mu2, lv2 = (Tensor(rng.standard_normal((4, 3))) for _ in range(4))
    np.testing.assert_array_equal(F.kl_div(mu1, lv1, mu2, lv2, "sum").data,
                                  F.kl_div_gaussians(mu1, lv1, mu2, lv2, "sum").data)
    np.testing.assert_allclose(F.kl_div(mu1, lv1, 0.0, 0.0).data,
                               F.gaussian_kl(mu1, lv1).data, rtol=1e-12)
    for call in (lambda: F.kl_div(mu1, lv1, mu2, None),  # half Gaussian, half PyTorch
                 lambda: F.kl_div(mu1, lv1, mu2, lv2, log_target=True)):
        with pytest.raises(UsageError, match="size_average and reduce.*mu2 and logvar2"):
            call()

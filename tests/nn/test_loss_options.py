"""PyTorch's optional loss arguments: cross_entropy / nll_loss with weight=,
ignore_index=, label_smoothing=; BCE with weight= and pos_weight=. Values and gradients
against PyTorch, gradients against central differences, errors, and the plain case
still on its fused op."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import (DTypeError, ShapeError, Tensor, UsageError, gradcheck, gradgradcheck,
                      no_grad)
from nn.errors import ArgumentTypeError, ConfigError

REDUCTIONS = ("mean", "sum", "none")
RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(6, 4))
LABELS = np.array([0, 3, -100, 1, 3, 2])
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])
PROBS = RNG.dirichlet(np.ones(4), size=6)

CE_CASES = {
    "weight": dict(weight=WEIGHT),
    "ignore": dict(),
    "ignore 3": dict(ignore_index=3),
    "smoothing": dict(label_smoothing=0.2),
    "all": dict(weight=WEIGHT, ignore_index=1, label_smoothing=0.1),
}


def _labels(options):
    """LABELS with -100 kept only where it is the ignored label."""
    return LABELS if options.get("ignore_index", -100) == -100 else np.abs(LABELS) % 4


def _torch_value_and_grad(torch_loss, x, *args, **kwargs):
    import torch
    tx = torch.tensor(x, requires_grad=True)
    out = torch_loss(tx, *args, **kwargs)
    out.backward(torch.ones_like(out))
    return out.detach().numpy(), tx.grad.numpy()


def _ours_value_and_grad(loss, x, *args, **kwargs):
    tx = Tensor(x, requires_grad=True)
    out = loss(tx, *args, **kwargs)
    out.backward(np.ones(out.shape))
    return out.data, tx.grad


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CE_CASES)
def test_cross_entropy_options_match_torch(case, reduction):
    options, labels = CE_CASES[case], _labels(CE_CASES[case])
    want = _cross_entropy_matches_torch(labels, reduction, options)
    module = nn.CrossEntropyLoss(reduction, **options)
    np.testing.assert_allclose(module(Tensor(LOGITS), labels).data, want[0], rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [dict(weight=WEIGHT), dict(label_smoothing=0.3),
                                     dict(weight=WEIGHT, label_smoothing=0.1)])
def test_cross_entropy_options_on_probability_targets_match_torch(options, reduction):
    _cross_entropy_matches_torch(PROBS, reduction, options)


def _cross_entropy_matches_torch(targets: np.ndarray, reduction: str, options: dict) -> tuple:
    """F.cross_entropy(LOGITS, targets) against torch's: value and gradient; torch's pair."""
    torch = pytest.importorskip("torch")
    torch_options = {k: torch.tensor(v) if k == "weight" else v for k, v in options.items()}
    want = _torch_value_and_grad(torch.nn.functional.cross_entropy, LOGITS,
                                 torch.tensor(targets), reduction=reduction, **torch_options)
    got = _ours_value_and_grad(F.cross_entropy, LOGITS, targets, reduction, **options)
    for ours, theirs in zip(got, want):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    return want


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [dict(weight=WEIGHT), dict(ignore_index=2),
                                     dict(weight=WEIGHT, ignore_index=-100)])
def test_nll_loss_options_match_torch(options, reduction):
    torch = pytest.importorskip("torch")
    labels = _labels(options)
    torch_options = {k: torch.tensor(v) if k == "weight" else v for k, v in options.items()}
    logp = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
    want = _torch_value_and_grad(torch.nn.functional.nll_loss, logp, torch.tensor(labels),
                                 reduction=reduction, **torch_options)
    got = _ours_value_and_grad(F.nll_loss, logp, labels, reduction, **options)
    for ours, theirs in zip(got, want):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    module = nn.NLLLoss(reduction, **options)
    np.testing.assert_allclose(module(Tensor(logp), labels).data, want[0], rtol=1e-12)


BCE_Z = RNG.normal(size=(5, 3)) * 3
BCE_Y = RNG.uniform(size=(5, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [dict(pos_weight=np.array([1.0, 3.0, 0.5])),
                                     dict(weight=RNG.uniform(size=(5, 1))),
                                     dict(weight=RNG.uniform(size=3), pos_weight=2.0)])
def test_bce_with_logits_options_match_torch(options, reduction):
    torch = pytest.importorskip("torch")
    torch_options = {k: torch.as_tensor(v, dtype=torch.float64) for k, v in options.items()}
    want = _torch_value_and_grad(torch.nn.functional.binary_cross_entropy_with_logits,
                                 BCE_Z, torch.tensor(BCE_Y), reduction=reduction,
                                 **torch_options)
    got = _ours_value_and_grad(F.binary_cross_entropy_with_logits, BCE_Z, BCE_Y, reduction,
                               **options)
    for ours, theirs in zip(got, want):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    module = nn.BCEWithLogitsLoss(reduction, **options)
    np.testing.assert_allclose(module(Tensor(BCE_Z), BCE_Y).data, want[0], rtol=1e-12)


def test_bce_weight_matches_torch():
    torch = pytest.importorskip("torch")
    p, weight = 1 / (1 + np.exp(-BCE_Z)), RNG.uniform(size=3)
    want = _torch_value_and_grad(torch.nn.functional.binary_cross_entropy, p,
                                 torch.tensor(BCE_Y), weight=torch.tensor(weight))
    got = _ours_value_and_grad(F.binary_cross_entropy, p, BCE_Y, weight=weight)
    for ours, theirs in zip(got, want):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert nn.BCELoss(weight=weight)(Tensor(p), BCE_Y).item() == pytest.approx(want[0])


def test_bce_with_logits_options_are_stable_for_huge_logits():
    z = Tensor(np.array([-1e4, 1e4, 0.0]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(z, np.array([1.0, 0.0, 1.0]), "sum",
                                              pos_weight=2.0)
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(z.grad))


@pytest.mark.parametrize("case", CE_CASES)
def test_cross_entropy_options_gradcheck(case):
    options, labels = CE_CASES[case], _labels(CE_CASES[case])
    x = Tensor(LOGITS, requires_grad=True)
    assert gradcheck(lambda z: F.cross_entropy(z, labels, **options), [x])
    assert gradgradcheck(lambda z: F.cross_entropy(z, labels, **options), [x])


def test_option_gradients_in_targets_and_positive_weights_gradcheck():
    z, y = Tensor(BCE_Z, requires_grad=True), Tensor(BCE_Y, requires_grad=True)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, pos_weight=np.array([1.0, 3.0, 0.5]), weight=2.0), [z, y])
    q = Tensor(PROBS, requires_grad=True)
    assert gradcheck(lambda a, b: F.cross_entropy(a, b, weight=WEIGHT, label_smoothing=0.1),
                     [Tensor(LOGITS, requires_grad=True), q])


def test_plain_case_keeps_the_fused_op():
    labels = np.array([0, 1, 2, 3, 0, 1])
    assert type(F.cross_entropy(Tensor(LOGITS, requires_grad=True), labels).grad_fn
                ).__name__ == "SoftmaxCrossEntropy"
    z = Tensor(BCE_Z, requires_grad=True)
    assert type(F.binary_cross_entropy_with_logits(z, BCE_Y).grad_fn
                ).__name__ == "BinaryCrossEntropyWithLogits"


def test_ignored_samples_count_for_nothing():
    full = F.cross_entropy(Tensor(LOGITS), LABELS)
    kept = LABELS != -100
    assert full.item() == pytest.approx(F.cross_entropy(Tensor(LOGITS[kept]),
                                                        LABELS[kept]).item(), rel=1e-14)
    per_sample = F.cross_entropy(Tensor(LOGITS), LABELS, reduction="none").data
    assert per_sample[2] == 0.0


def test_all_ignored_mean_is_nan_quietly():
    x = Tensor(LOGITS, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, np.full(6, -100))
        loss.backward()
        assert np.isnan(F.nll_loss(x, np.full(6, 2), ignore_index=2).item())
    assert np.isnan(loss.item())


def test_option_errors():
    z = Tensor(LOGITS)
    with pytest.raises(ShapeError, match=r"cross_entropy: weight has shape \(3,\); expected "
                                         r"one weight per class, shape \(4,\)"):
        F.cross_entropy(z, LABELS, weight=[1, 2, 3])
    with pytest.raises(ConfigError, match=r"label 7 at position \(1,\) is out of range for 4 "
                                          r"classes .* not ignore_index=-100"):
        F.nll_loss(z, [0, 7, 1, 1, 1, 1])
    with pytest.raises(ConfigError, match=r"label_smoothing must be a number in \[0, 1\]"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ArgumentTypeError, match="ignore_index must be an int"):
        F.cross_entropy(z, LABELS, ignore_index=None)
    with pytest.raises(ConfigError, match="ignore_index=1 needs integer labels"):
        F.cross_entropy(z, PROBS, ignore_index=1)
    with pytest.raises(ShapeError, match=r"pos_weight has shape \(2,\); expected a shape "
                                         r"that broadcasts"):
        F.binary_cross_entropy_with_logits(Tensor(BCE_Z), BCE_Y, pos_weight=[1.0, 2.0])
    with pytest.raises(DTypeError, match="weight must hold real numbers"):
        nn.NLLLoss(weight=["a", "b"])
    with pytest.raises(ArgumentTypeError, match="weight is keyword-only"):
        nn.CrossEntropyLoss(WEIGHT)


BITS = (LOGITS[:4, :3] > 0) * 1.0


@pytest.mark.parametrize("call", [
    lambda x, t, w: F.cross_entropy(x, t, weight=w),
    lambda x, t, w: F.nll_loss(F.log_softmax(x, axis=1), t, weight=w),
    lambda x, t, w: F.binary_cross_entropy(x.sigmoid(), BITS, weight=w),
    lambda x, t, w: F.binary_cross_entropy_with_logits(x, BITS, weight=w),
    lambda x, t, w: F.binary_cross_entropy_with_logits(x, BITS, pos_weight=w),
], ids=["cross_entropy", "nll_loss", "bce", "bce_logits", "bce_logits_pos_weight"])
def test_a_weight_that_requires_grad_is_refused_not_silently_constant(call) -> None:
    # (for the BCE cases the labels are unused: their targets are BITS)
    x = Tensor(LOGITS[:4, :3], requires_grad=True)
    labels = Tensor(np.array([0, 1, 2, 1]))
    w = Tensor([0.5, 1.0, 2.0], requires_grad=True)
    with pytest.raises(UsageError, match=r"weight requires grad.*\.detach\(\)"):
        call(x, labels, w)  # as PyTorch: "not differentiable with respect to weight"
    with no_grad():
        call(x, labels, w)  # nothing is recorded, so no gradient is lost
    call(x, labels, w.detach()).backward()
    assert x.grad is not None and w.grad is None

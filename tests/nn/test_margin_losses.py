"""Margin losses (margin_ranking, hinge_embedding, soft_margin, multi_margin,
multilabel_soft_margin, cosine_embedding, triplet_margin) and their modules: values and
gradients of every differentiable input against PyTorch for each reduction, the
gradients at the kinks, central differences in float64, float32 kept float32, and the
named errors."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import DTypeError, ShapeError, Tensor, UsageError, gradcheck, gradgradcheck
from nn.errors import ArgumentTypeError, ConfigError

REDUCTIONS = ("mean", "sum", "none")
RNG = np.random.default_rng(9)
N, D = 5, 4
A, B, C = (RNG.normal(size=(N, D)) for _ in range(3))
SIGNS = RNG.choice([-1.0, 1.0], size=(N, D))
PAIR_SIGNS = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
LABELS = RNG.integers(0, D, size=N)
WEIGHT = RNG.uniform(0.5, 2.0, size=D)
SOFT = RNG.uniform(size=(N, D))

# name: (our function, torch's name, arrays, which need grad, extra positional args)
CASES = {
    "margin_ranking": (F.margin_ranking_loss, "margin_ranking_loss", (A, B, SIGNS),
                       (True, True, True), (0.3,)),
    "hinge_embedding": (F.hinge_embedding_loss, "hinge_embedding_loss", (A, SIGNS),
                        (True, False), (0.5,)),
    "soft_margin": (F.soft_margin_loss, "soft_margin_loss", (A, SIGNS), (True, False), ()),
    "multi_margin p=1": (F.multi_margin_loss, "multi_margin_loss", (A, LABELS),
                         (True, False), (1, 0.7)),
    "multi_margin p=2 weight": (F.multi_margin_loss, "multi_margin_loss", (A, LABELS),
                                (True, False), (2, 0.7, WEIGHT)),
    "multi_margin (C,)": (F.multi_margin_loss, "multi_margin_loss", (A[0], LABELS[0]),
                          (True, False), ()),
    "multilabel_soft_margin": (F.multilabel_soft_margin_loss, "multilabel_soft_margin_loss",
                               (A, SOFT), (True, True), ()),
    "multilabel_soft_margin weight": (F.multilabel_soft_margin_loss,
                                      "multilabel_soft_margin_loss", (A, SOFT),
                                      (True, True), (WEIGHT,)),
    "cosine_embedding": (F.cosine_embedding_loss, "cosine_embedding_loss",
                         (A, B, PAIR_SIGNS), (True, True, False), (0.1,)),
    "cosine_embedding (D,)": (F.cosine_embedding_loss, "cosine_embedding_loss",
                              (A[0], B[0], np.array(1.0)), (True, True, False), ()),
    "triplet": (F.triplet_margin_loss, "triplet_margin_loss", (A, B, C),
                (True, True, True), ()),
    "triplet p=1 swap": (F.triplet_margin_loss, "triplet_margin_loss", (A, B, C),
                         (True, True, True), (1.5, 1, 1e-6, True)),
    "triplet p=3": (F.triplet_margin_loss, "triplet_margin_loss", (A, B, C),
                    (True, True, True), (2.0, 3)),
    "triplet p=inf": (F.triplet_margin_loss, "triplet_margin_loss", (A, B, C),
                      (True, True, True), (2.0, np.inf)),
}
MODULES = {  # name: (module, its arguments)
    "margin_ranking": (nn.MarginRankingLoss, (0.3,)),
    "hinge_embedding": (nn.HingeEmbeddingLoss, (0.5,)),
    "soft_margin": (nn.SoftMarginLoss, ()),
    "multi_margin p=2 weight": (nn.MultiMarginLoss, (2, 0.7, WEIGHT)),
    "multilabel_soft_margin weight": (nn.MultiLabelSoftMarginLoss, (WEIGHT,)),
    "cosine_embedding": (nn.CosineEmbeddingLoss, (0.1,)),
    "triplet p=1 swap": (nn.TripletMarginLoss, (1.5, 1, 1e-6, True)),
}


def _torch(name, arrays, needs_grad, extra, **kwargs):
    import torch
    tensors = [torch.tensor(a, requires_grad=g and a.dtype.kind == "f")
               for a, g in zip(arrays, needs_grad)]
    extra = [torch.tensor(e) if isinstance(e, np.ndarray) else e for e in extra]
    out = getattr(torch.nn.functional, name)(*tensors, *extra, **kwargs)
    out.backward(torch.ones_like(out))
    return out.detach().numpy(), [t.grad.numpy() if g else None
                                  for t, g in zip(tensors, needs_grad)]


def _ours(fn, arrays, needs_grad, extra, **kwargs):
    tensors = [Tensor(a, requires_grad=g) if g else a for a, g in zip(arrays, needs_grad)]
    out = fn(*tensors, *extra, **kwargs)
    out.backward(np.ones(out.shape))
    return out.data, [t.grad if g else None for t, g in zip(tensors, needs_grad)]


def _assert_match(ours, theirs):
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-15)
    for got, want in zip(ours[1], theirs[1]):
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case, reduction):
    pytest.importorskip("torch")
    fn, torch_name, arrays, needs_grad, extra = CASES[case]
    want = _torch(torch_name, arrays, needs_grad, extra, reduction=reduction)
    _assert_match(_ours(fn, arrays, needs_grad, extra, reduction=reduction), want)
    if case in MODULES:
        module, arguments = MODULES[case]
        got = module(*arguments, reduction=reduction)(*arrays)
        np.testing.assert_allclose(got.data, want[0], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("case", CASES)
def test_gradcheck_float64(case):
    fn, _, arrays, needs_grad, extra = CASES[case]
    if case == "margin_ranking":  # a target must stay at 1 or -1: no finite differences
        needs_grad = (True, True, False)
    tensors = [Tensor(a, requires_grad=g) if g else a for a, g in zip(arrays, needs_grad)]
    free = [t for t in tensors if isinstance(t, Tensor)]

    def loss(*args):
        it = iter(args)
        return fn(*[next(it) if isinstance(t, Tensor) else t for t in tensors], *extra,
                  reduction="none")
    assert gradcheck(loss, free)
    assert gradgradcheck(lambda *args: loss(*args).sum(), free)


@pytest.mark.parametrize("case", CASES)
def test_float32_stays_float32(case):
    fn, _, arrays, needs_grad, extra = CASES[case]
    first = Tensor(arrays[0].astype(np.float32), requires_grad=True)
    loss = fn(first, *arrays[1:], *extra)
    loss.backward()
    assert loss.dtype == first.grad.dtype == np.float32


def _kink_cases():
    """Inputs with some losses exactly at the hinge (gradient 0 there, as PyTorch)."""
    x1, x2 = np.array([1.0, 2.0, -0.5]), np.array([0.0, 0.0, 0.0])
    yield "margin_ranking_loss", (x1, x2, np.array([1.0, 1.0, 1.0])), (True, True, False), (1.0,)
    yield "hinge_embedding_loss", (np.array([1.0, -1.0, 0.5]), -np.ones(3)), (True, False), ()
    scores = np.array([[1.0, 0.0, 0.5], [0.0, 2.0, 1.0]])
    for p in (1, 2):
        yield "multi_margin_loss", (scores, np.array([0, 1])), (True, False), (p,)
    yield ("cosine_embedding_loss", (np.array([[1.0, 0.0], [0.0, 1.0]]),
                                     np.array([[1.0, 0.0], [1.0, 1.0]]), -np.ones(2)),
           (True, True, False), (1.0,))
    yield ("triplet_margin_loss", (np.zeros((2, 2)), np.array([[1.0, 0.0], [0.5, 0.0]]),
                                   np.array([[2.0, 0.0], [2.0, 0.0]])),
           (True, True, True), (1.0, 2, 0.0))
    yield ("triplet_margin_loss", (np.zeros((1, 2)), np.zeros((1, 2)),  # swap tie: split
                                   np.array([[1.0, 0.0]])), (True, True, True),
           (2.0, 2, 0.0, True))


HINGE_BY_CLAMP = {"margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss"}


def _version(torch) -> tuple[int, int]:
    major, minor = torch.__version__.split(".")[:2]
    return int(major), int(minor)


@pytest.mark.parametrize("name, arrays, needs_grad, extra", list(_kink_cases()))
def test_kinks_match_torch(name, arrays, needs_grad, extra):
    torch = pytest.importorskip("torch")
    if name in HINGE_BY_CLAMP and _version(torch) < (2, 14):
        pytest.skip(f"PyTorch {torch.__version__} passes the gradient at the hinge of "
                    f"{name} (its clamp_min's old boundary rule); from 2.14 on it gives 0 "
                    f"there, as relu'(0) = 0 here")
    want = _torch(name, arrays, needs_grad, extra, reduction="sum")
    _assert_match(_ours(getattr(F, name), arrays, needs_grad, extra, reduction="sum"), want)


def test_soft_margin_is_finite_where_torch_overflows():
    x = Tensor(np.array([-1000.0, 1000.0]), requires_grad=True)
    loss = F.soft_margin_loss(x, [1.0, 1.0], reduction="sum")
    loss.backward()
    np.testing.assert_allclose(loss.data, 1000.0)
    np.testing.assert_allclose(x.grad, [-1.0, 0.0])


def test_empty_batch_mean_is_nan():
    assert np.isnan(F.margin_ranking_loss(np.zeros(0), np.zeros(0), np.zeros(0)).data)
    assert np.isnan(F.multi_margin_loss(np.zeros((0, 3)), np.zeros(0, dtype=int)).data)
    assert np.isnan(F.triplet_margin_loss(*[np.zeros((0, 3))] * 3).data)


def test_module_weight_is_a_buffer():
    module = nn.MultiMarginLoss(weight=WEIGHT)
    assert "weight" in module.state_dict()
    assert nn.MultiLabelSoftMarginLoss(WEIGHT).float().weight.dtype == np.float32


# ------------------------------------------------------------------ errors
def test_sign_targets_must_be_plus_or_minus_one():
    with pytest.raises(ConfigError, match=r"1 or -1.*2 \* y - 1"):
        F.margin_ranking_loss(A, B, (SIGNS > 0).astype(float))
    for fn in (F.hinge_embedding_loss, F.soft_margin_loss):
        with pytest.raises(ConfigError, match="1 or -1"):
            fn(A, np.zeros((N, D)))
    with pytest.raises(ConfigError, match="1 or -1"):
        nn.CosineEmbeddingLoss()(A, B, np.zeros(N))


def test_shape_errors():
    with pytest.raises(ShapeError, match="shapes differ"):
        F.margin_ranking_loss(A, B[:, :1], SIGNS)
    with pytest.raises(ShapeError, match="shapes differ"):
        F.hinge_embedding_loss(A, SIGNS[0])
    with pytest.raises(ShapeError, match="shapes differ"):
        F.triplet_margin_loss(A, B[:1], C)
    with pytest.raises(ShapeError, match="one target per vector"):
        F.cosine_embedding_loss(A, B, np.ones(1))
    with pytest.raises(ShapeError, match="one target per vector"):  # as many, wrong shape
        F.cosine_embedding_loss(A, B, PAIR_SIGNS[:, None])
    with pytest.raises(ShapeError, match="one label per sample"):
        F.multi_margin_loss(A, LABELS[:2])
    with pytest.raises(ShapeError, match="class axis"):
        F.multilabel_soft_margin_loss(np.float64(1.0), np.float64(1.0))
    with pytest.raises(ShapeError, match="weight"):
        F.multi_margin_loss(A, LABELS, 1, 1.0, WEIGHT[:2])


def test_label_and_option_errors():
    with pytest.raises(ConfigError, match="out of range for 4 classes"):
        F.multi_margin_loss(A, np.array([0, 1, 2, 3, 4]))
    with pytest.raises(DTypeError, match="integers"):
        F.multi_margin_loss(A, LABELS.astype(float))
    with pytest.raises(ConfigError, match="p must be"):
        F.multi_margin_loss(A, LABELS, p=3)
    with pytest.raises(ConfigError, match="margin must be"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ConfigError, match="margin must be"):  # torch: must be greater than 0
        F.triplet_margin_loss(A, B, C, margin=0.0)
    with pytest.raises(ArgumentTypeError, match="swap"):
        F.triplet_margin_loss(A, B, C, 1.0, 2, 1e-6, "yes")
    with pytest.raises(ConfigError, match="reduction"):
        F.soft_margin_loss(A, SIGNS, reduction="avg")
    with pytest.raises(ArgumentTypeError, match="reduction"):
        F.hinge_embedding_loss(A, SIGNS, "sum")  # a reduction in the margin's place
    with pytest.raises(TypeError):
        F.soft_margin_loss(A, SIGNS, None, None, "sum")  # PyTorch's deprecated slots
    with pytest.raises(UsageError, match="requires grad"):
        F.multi_margin_loss(A, LABELS, weight=Tensor(WEIGHT, requires_grad=True))


@pytest.mark.parametrize("loss, inputs", [
    (lambda a, b: F.margin_ranking_loss(a, b, np.array([1.0]), 1.0, reduction="sum"),
     ([1.0], [0.0])),                                  # max(0, -(1 - 0) + 1) = 0 at the hinge
    (lambda a: F.hinge_embedding_loss(a, -np.ones(1), 1.0, reduction="sum"), ([1.0],)),
    (lambda a, p, n: F.triplet_margin_loss(a, p, n, 1.0, 2, 0.0, reduction="sum"),
     ([[0.0, 0.0]], [[1.0, 0.0]], [[2.0, 0.0]])),       # d(a, p) - d(a, n) + 1 = 0
])
def test_the_gradient_at_the_hinge_is_that_of_the_flat_side(loss, inputs) -> None:
    """The convention of relu'(0) = 0 (PyTorch's since 2.14), checked without torch."""
    tensors = [Tensor(np.array(x), requires_grad=True) for x in inputs]
    value = loss(*tensors)
    value.backward()
    assert value.item() == 0.0
    for t in tensors:
        np.testing.assert_array_equal(t.grad.data, np.zeros_like(t.data))

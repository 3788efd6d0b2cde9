"""Dtypes in ``nn`` against PyTorch 2.13, from session 34's dtype review: losses whose
float Tensor target, ``var`` or ``weight`` of another float dtype promotes (kl_div, the
Poisson and Gaussian NLLs, cross-entropy's probability targets, the triplet losses,
multilabel soft margin's and mse/l1/huber's ``weight``) while NumPy targets keep the
input's dtype; normalisation of float16 data with float32 parameters (float16, PyTorch's
mixed precision), rms_norm's input dtype, the norm layers' ``DTypePromotionWarning``;
the ``dim`` attribute of Softmax, LogSoftmax, Softmin and GLU; embedding's padding row."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.layers import DTypePromotionWarning

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
PAIRS = [(F32, F64), (F16, F32), (F64, F32)]  # (the input's dtype, the other operand's)
RTOL = {F16: 3e-3, F32: 2e-6, F64: 1e-12}  # torch computes some parts in the narrower one


def draw(seed, shape, kind):
    rng = np.random.default_rng(seed)
    if kind == "pos":
        return rng.random(shape) + 0.2
    if kind == "unit":
        return rng.random(shape)
    if kind == "prob":
        p = rng.random(shape) + 0.1
        return p / p.sum(axis=-1, keepdims=True)
    if kind == "logp":
        z = rng.standard_normal(shape)
        return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    if kind == "count":
        return rng.integers(0, 5, shape).astype(np.float64)
    if kind == "count_above_1":  # torch's gradient w.r.t. a count of 0 or 1 is NaN here
        return rng.integers(2, 7, shape).astype(np.float64)
    return rng.standard_normal(shape)


M = (3, 4)
# name: (loss of (module, input, other, *rest), [(shape, kind) of input, other, rest...]);
# "other" is the operand whose dtype differs, the rest take the input's dtype
LOSSES = {
    "kl_div": (lambda m, x, o: m.kl_div(x, o, reduction="batchmean"),
               [(M, "logp"), (M, "prob")]),
    "kl_div_log_target": (lambda m, x, o: m.kl_div(x, o, reduction="sum", log_target=True),
                          [(M, "logp"), (M, "logp")]),
    "poisson_nll": (lambda m, x, o: m.poisson_nll_loss(x, o), [(M, "normal"), (M, "count")]),
    "poisson_nll_rate_full": (
        lambda m, x, o: m.poisson_nll_loss(x, o, log_input=False, full=True),
        [(M, "pos"), (M, "count_above_1")]),
    "cross_entropy_probs": (lambda m, x, o: m.cross_entropy(x, o),
                            [(M, "normal"), (M, "prob")]),
    "cross_entropy_probs_smoothed": (
        lambda m, x, o: m.cross_entropy(x, o, label_smoothing=0.1),
        [(M, "normal"), (M, "prob")]),
    "gaussian_nll_target": (lambda m, x, o, v: m.gaussian_nll_loss(x, o, v),
                            [(M, "normal"), (M, "normal"), (M, "pos")]),
    "gaussian_nll_var": (lambda m, x, o, y: m.gaussian_nll_loss(x, y, o),
                         [(M, "normal"), (M, "pos"), (M, "normal")]),
    "gaussian_nll_var_per_row": (lambda m, x, o, y: m.gaussian_nll_loss(x, y, o),
                                 [(M, "normal"), ((3,), "pos"), (M, "normal")]),
    "triplet_positive": (lambda m, x, o, n: m.triplet_margin_loss(x, o, n),
                         [(M, "normal"), (M, "normal"), (M, "normal")]),
    "triplet_negative_swap": (lambda m, x, o, p: m.triplet_margin_loss(x, p, o, swap=True),
                              [(M, "normal"), (M, "normal"), (M, "normal")]),
    "triplet_with_distance": (
        lambda m, x, o, p: m.triplet_margin_with_distance_loss(x, p, o),
        [(M, "normal"), (M, "normal"), (M, "normal")]),
    "multilabel_soft_margin_weight": (
        lambda m, x, o, y: m.multilabel_soft_margin_loss(x, y, weight=o),
        [(M, "normal"), ((4,), "pos"), (M, "unit")]),
    "l1_weight": (lambda m, x, o, y: m.l1_loss(x, y, weight=o),
                  [(M, "normal"), (M, "pos"), (M, "normal")]),
    "mse_weight": (lambda m, x, o, y: m.mse_loss(x, y, weight=o),
                   [(M, "normal"), (M, "pos"), (M, "normal")]),
    "huber_weight": (lambda m, x, o, y: m.huber_loss(x, y, weight=o, reduction="none"),
                     [(M, "normal"), (M, "pos"), (M, "normal")]),
}


def arrays_for(name, dtypes):
    """The case's arrays, the second in ``dtypes[1]``, the others in ``dtypes[0]``."""
    specs = LOSSES[name][1]
    return [draw(i, shape, kind).astype(dtypes[1] if i == 1 else dtypes[0])
            for i, (shape, kind) in enumerate(specs)]


def run(name, arrays, torch=None, grad=(0,)):
    """The loss and the gradients of the arrays at positions ``grad``: ours or torch's."""
    make = Tensor if torch is None else torch.tensor
    leaves = [make(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
    loss = LOSSES[name][0](F if torch is None else torch.nn.functional, *leaves)
    loss.sum().backward()
    if torch is None:
        return loss, [leaves[i].grad for i in grad]
    return loss.detach(), [leaves[i].grad.detach() for i in grad]


def dtype_of(t):
    return np.dtype(str(t.dtype).replace("torch.", ""))


@pytest.mark.parametrize("dtypes", PAIRS, ids=lambda d: f"{d[0]}-{d[1]}")
@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("other_requires_grad", [False, True])
def test_float_tensor_operands_promote_as_torch(torch, name, dtypes, other_requires_grad):
    """The loss's dtype is torch's, whether the other operand requires grad or not (it
    used to be cast down unless it did); values and gradients as torch's; every gradient
    has its leaf's dtype."""
    arrays = arrays_for(name, dtypes)
    grad = (0, 1) if other_requires_grad else (0,)
    ours, our_grads = run(name, arrays, grad=grad)
    theirs, their_grads = run(name, arrays, torch, grad=grad)
    assert ours.dtype == dtype_of(theirs)
    rtol = RTOL[min(dtypes, key=lambda d: d.itemsize)]
    np.testing.assert_allclose(ours.data.astype(F64), theirs.detach().numpy().astype(np.float64),
                               rtol=rtol, atol=rtol)
    for mine, other, i in zip(our_grads, their_grads, grad):
        assert mine.dtype == dtype_of(other) == arrays[i].dtype
        np.testing.assert_allclose(mine.numpy().astype(F64), other.numpy().astype(F64),
                                   rtol=10 * rtol, atol=10 * rtol)


@pytest.mark.parametrize("name", sorted(n for n in LOSSES if not n.endswith("_weight")))
def test_promoted_losses_are_computed_in_the_wider_dtype(torch, name):
    """float32 input, float64 target (or var): the loss is the float64 loss of the same
    values, without float32 rounding. (A wider weight only promotes the product w l, as
    PyTorch's: l is computed from input and target, in their dtype.)"""
    arrays = arrays_for(name, (F32, F64))
    ours, _ = run(name, arrays)
    wide, _ = run(name, [a.astype(F64) for a in arrays], torch)
    np.testing.assert_allclose(ours.detach().numpy(), wide.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("call", [
    lambda x, t: F.kl_div(x, t, reduction="batchmean"),
    lambda x, t: F.poisson_nll_loss(x, t),
    lambda x, t: F.cross_entropy(x, t),
    lambda x, t: F.gaussian_nll_loss(x, t, np.ones(M)),
    lambda x, t: F.gaussian_nll_loss(x, x.detach(), t),
    lambda x, t: F.triplet_margin_loss(x, t, x.detach()),
    lambda x, t: F.l1_loss(x, x.detach(), weight=t),
    lambda x, t: F.multilabel_soft_margin_loss(x, t, weight=t[0]),
], ids=["kl_div", "poisson", "cross_entropy", "gaussian_target", "gaussian_var", "triplet",
        "l1_weight", "multilabel_weight"])
@pytest.mark.parametrize("as_list", [False, True])
def test_numpy_and_list_operands_take_the_input_dtype(call, as_list):
    target = draw(1, M, "prob")
    ours = call(Tensor(draw(0, M, "logp").astype(F32), requires_grad=True),
                target.tolist() if as_list else target)
    assert ours.dtype == F32


@pytest.mark.parametrize("call", [
    lambda m, x, o: m.huber_loss(x, o),
    lambda m, x, o: m.binary_cross_entropy(x.sigmoid(), x.sigmoid().detach(), weight=o.abs()),
    lambda m, x, o: m.binary_cross_entropy_with_logits(x, x.sigmoid().detach(), weight=o),
    lambda m, x, o: m.binary_cross_entropy_with_logits(x, x.sigmoid().detach(),
                                                       pos_weight=o.abs()),
    lambda m, x, o: m.soft_margin_loss(x, o.sign()),
    lambda m, x, o: m.hinge_embedding_loss(x, o.sign()),
], ids=["huber_target", "bce_weight", "bce_logits_weight", "bce_logits_pos_weight",
        "soft_margin_target", "hinge_embedding_target"])
@pytest.mark.parametrize("dtypes", PAIRS, ids=lambda d: f"{d[0]}-{d[1]}")
def test_losses_that_keep_the_input_dtype_in_torch_keep_it(torch, call, dtypes):
    x, o = draw(0, M, "normal").astype(dtypes[0]), draw(1, M, "normal").astype(dtypes[1])
    ours = call(F, Tensor(x), Tensor(o))
    theirs = call(torch.nn.functional, torch.tensor(x), torch.tensor(o))
    assert ours.dtype == dtype_of(theirs) == dtypes[0]


# ------------------------------------------------------------------ normalisation
X = draw(0, (2, 3, 4), "normal")
NORMS = {
    "layer_norm": lambda m, x, w, b: m.layer_norm(x.transpose(1, 2), (3,), w, b),
    "group_norm": lambda m, x, w, b: m.group_norm(x, 3, w, b),
    "batch_norm_train": lambda m, x, w, b: m.batch_norm(x, None, None, w, b, training=True),
    "batch_norm_eval": lambda m, x, w, b: m.batch_norm(
        x, (w * 0.1).detach(), (w + 1).detach(), w, b, training=False),
    "instance_norm": lambda m, x, w, b: m.instance_norm(x, weight=w, bias=b),
    "rms_norm": lambda m, x, w, b: m.rms_norm(x.transpose(1, 2), (3,), w),
}


def norm_run(name, dtypes, torch=None):
    make = Tensor if torch is None else torch.tensor
    x = make(X.astype(dtypes[0]), requires_grad=True)
    w = make((draw(1, 3, "pos")).astype(dtypes[1]), requires_grad=True)
    b = make(draw(2, 3, "normal").astype(dtypes[1]), requires_grad=True)
    y = NORMS[name](F if torch is None else torch.nn.functional, x, w, b)
    (y * make(draw(3, y.shape, "normal").astype(dtypes[0]))).sum().backward()
    grads = [t.grad for t in (x, w, b) if t.grad is not None]
    return y.detach(), grads


@pytest.mark.parametrize("dtypes", [(F16, F32), (F16, F16)], ids=["f16-f32", "f16-f16"])
@pytest.mark.parametrize("name", sorted(NORMS))
def test_float16_data_with_float32_parameters_gives_float16(torch, name, dtypes):
    """PyTorch's mixed-precision rule: half data and float parameters give half, with the
    gradients in each leaf's dtype; the values as torch's (both compute in float32)."""
    ours, our_grads = norm_run(name, dtypes)
    theirs, their_grads = norm_run(name, dtypes, torch)
    assert ours.dtype == dtype_of(theirs) == F16
    np.testing.assert_allclose(ours.numpy().astype(F64), theirs.numpy().astype(F64),
                               rtol=2e-3, atol=2e-3)
    assert len(our_grads) == len(their_grads)
    for mine, other in zip(our_grads, their_grads):
        assert mine.dtype == dtype_of(other)
        np.testing.assert_allclose(mine.numpy().astype(F64), other.numpy().astype(F64),
                                   rtol=2e-2, atol=2e-2)


def test_float16_data_with_a_float32_bias_alone_gives_float16(torch):
    """(torch's backward fails on this mix, so only the forward pass is compared)"""
    x, b = X.transpose(0, 2, 1).astype(F16), draw(2, 3, "normal").astype(F32)
    ours = F.layer_norm(Tensor(x), (3,), None, Tensor(b))
    theirs = torch.nn.functional.layer_norm(torch.tensor(x), (3,), None, torch.tensor(b))
    assert ours.dtype == dtype_of(theirs) == F16
    np.testing.assert_allclose(ours.numpy().astype(F64), theirs.numpy().astype(F64),
                               rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("dtypes", [(F32, F64), (F16, F64), (F64, F32)],
                         ids=["f32-f64", "f16-f64", "f64-f32"])
def test_rms_norm_keeps_the_input_dtype(torch, dtypes):
    ours, _ = norm_run("rms_norm", dtypes)
    theirs, _ = norm_run("rms_norm", dtypes, torch)
    assert ours.dtype == dtype_of(theirs) == dtypes[0]
    np.testing.assert_allclose(ours.numpy().astype(F64), theirs.numpy().astype(F64),
                               rtol=RTOL[dtypes[0]], atol=RTOL[dtypes[0]])


NORM_LAYERS = {
    "BatchNorm1d": (lambda m: m.BatchNorm1d(3), 3),
    "BatchNorm1d_no_affine": (lambda m: m.BatchNorm1d(3, affine=False), 3),
    "InstanceNorm1d_affine": (lambda m: m.InstanceNorm1d(3, affine=True), 3),
    "LayerNorm": (lambda m: m.LayerNorm(4), 3),
    "GroupNorm": (lambda m: m.GroupNorm(3, 3), 3),
}


@pytest.mark.parametrize("name", sorted(NORM_LAYERS))
def test_norm_layers_warn_once_on_wider_data_where_torch_raises(torch, name):
    build, _ = NORM_LAYERS[name]
    with pytest.raises(RuntimeError):  # a float32 layer and float64 data
        build(torch.nn).float()(torch.tensor(X))
    layer = build(nn).astype(np.float32)
    with pytest.warns(DTypePromotionWarning, match="float32 parameters but got float64"):
        y = layer(X)
    assert y.dtype == F64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(X)  # said once per layer
        assert layer(X.astype(F16)).dtype == F16 == dtype_of(
            build(torch.nn).float()(torch.tensor(X.astype(F16))))


def test_rms_norm_layer_does_not_warn_as_torch_computes_it(torch):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = nn.RMSNorm(4).astype(np.float32)(X)
    theirs = torch.nn.RMSNorm(4).float()(torch.tensor(X))
    assert ours.dtype == dtype_of(theirs) == F64


# ------------------------------------------------------------------ dim of the modules
@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax", "Softmin", "GLU"])
def test_dim_attribute_reads_and_sets_the_axis_as_torch(torch, name):
    ours, theirs = getattr(nn, name)(dim=0), getattr(torch.nn, name)(dim=0)
    assert ours.dim == theirs.dim == 0
    ours.dim = theirs.dim = 1
    assert ours.dim == ours.axis == 1 and repr(ours) == repr(theirs) == f"{name}(dim=1)"
    x = draw(0, (2, 4), "normal")
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(),
                               rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ embedding padding_idx
def test_embedding_padding_row_gets_no_gradient_in_reverse_mode_as_torch(torch):
    """Reverse mode and the double-backward jvp (``autograd.functional.jvp``, as
    ``torch.autograd.functional.jvp``) leave the padding row out, as PyTorch's."""
    import autograd.functional as AF
    weight, tangent, index = draw(0, (4, 2), "normal"), np.ones((4, 2)), [0, 1, 1, 3]
    ours = Tensor(weight, requires_grad=True)
    F.embedding(Tensor(np.array(index)), ours, padding_idx=1).sum().backward()
    theirs = torch.tensor(weight, requires_grad=True)
    torch.nn.functional.embedding(torch.tensor(index), theirs, padding_idx=1).sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    our_jvp = AF.jvp(lambda w: F.embedding(Tensor(np.array(index)), w, padding_idx=1),
                     Tensor(weight), Tensor(tangent))[1]
    their_jvp = torch.autograd.functional.jvp(
        lambda w: torch.nn.functional.embedding(torch.tensor(index), w, padding_idx=1),
        torch.tensor(weight), torch.tensor(tangent))[1]
    np.testing.assert_array_equal(our_jvp.numpy(), their_jvp.numpy())

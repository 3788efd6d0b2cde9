"""Session 34's nn.functional findings, each checked against PyTorch: softshrink of
integers refused, F.pad's value checked against the dtype, max_norm on an integer
embedding weight refused (weight untouched), cdist's compute_mode validated,
pairwise_distance of two 0-d tensors, the dtype of losses with a float32 input and a
float64 target, and cosine_similarity's gradient below eps (ours: the true derivative)."""

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import AutogradError, DTypeError, UsageError

INT_DTYPES = [np.int64, np.int32, np.int8, np.uint8, np.bool_]


# ------------------------------------------------------------------ 1. softshrink
@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_softshrink_refuses_integer_and_bool_input_as_torch(torch, dtype):
    data = np.array([-3, -1, 0, 1, 2, 5]).astype(dtype)
    with pytest.raises(NotImplementedError):
        torch.nn.functional.softshrink(torch.from_numpy(data), 0.5)
    with pytest.raises(DTypeError, match="softshrink.*(floats|bool tensor)"):
        F.softshrink(Tensor(data), 0.5)
    with pytest.raises(DTypeError):
        nn.Softshrink(1.5)(Tensor(data))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_softshrink_of_floats_still_matches_torch(torch, dtype):
    data = np.array([-3, -1, -0.25, 0, 0.5, 1, 2, 5]).astype(dtype)
    ours = F.softshrink(Tensor(data), 1.5)
    theirs = torch.nn.functional.softshrink(torch.from_numpy(data), 1.5)
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.data, theirs.numpy())


# ------------------------------------------------------------------ 2. pad value
PAD_CASES = [
    (np.uint8, -1), (np.uint8, 300), (np.uint8, 255), (np.uint8, 255.9), (np.uint8, -0.5),
    (np.uint8, -1.0), (np.int64, float("inf")), (np.int64, float("-inf")),
    (np.int64, float("nan")), (np.int64, 9.3e18), (np.int64, -2 ** 63), (np.int8, 127.5),
    (np.int8, -128.9), (np.int8, -129), (np.int8, 1.5), (np.int8, -1.5),
    (np.float16, 1e6), (np.float16, -1e6), (np.float16, 65504), (np.float16, 65519),
    (np.float16, float("inf")), (np.float16, float("nan")), (np.float32, 1e39),
    (np.float32, -1e39), (np.float32, 3.4028235e38), (np.float64, float("inf")),
    (np.float64, 1e308), (np.bool_, 2), (np.bool_, 0.5), (np.bool_, -1), (np.bool_, 0),
]


@pytest.mark.parametrize("dtype, value", PAD_CASES)
def test_pad_value_that_does_not_fit_the_dtype_is_refused_as_torch(torch, dtype, value):
    data = np.array([1, 0]).astype(dtype)
    try:
        expected = torch.nn.functional.pad(torch.from_numpy(data), (1, 1), value=value)
    except RuntimeError as error:
        assert "without overflow" in str(error)
        with pytest.raises(DTypeError, match="does not fit"):
            F.pad(Tensor(data), (1, 1), value=value)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy cast warning on the way
        ours = F.pad(Tensor(data), (1, 1), value=value)
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.data, expected.numpy())


def test_pad_keeps_an_integer_value_exact_at_the_end_of_int64():
    top = np.iinfo(np.int64).max  # PyTorch passes it through a double and wraps it
    out = F.pad(Tensor(np.array([1, 2])), (1, 0), value=top)
    assert out.data.tolist() == [top, 1, 2]


def test_pad_refused_value_leaves_other_modes_alone():
    x = Tensor(np.array([[1, 2, 3]], dtype=np.uint8))
    assert F.pad(x, (1, 1), mode="replicate").data.tolist() == [[1, 1, 2, 3, 3]]


# ------------------------------------------------------------------ 3. embedding max_norm
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
@pytest.mark.parametrize("bag", [False, True])
def test_max_norm_on_a_non_float_weight_is_refused_and_the_weight_untouched(torch, dtype,
                                                                             bag):
    weight_data = (np.arange(15).reshape(5, 3) % 4).astype(dtype)
    indices = np.array([[1, 4]])
    with pytest.raises(RuntimeError, match="floating point"):
        if bag:
            torch.nn.functional.embedding_bag(torch.from_numpy(indices),
                                              torch.from_numpy(weight_data.copy()),
                                              max_norm=2.0, mode="sum")
        else:
            torch.nn.functional.embedding(torch.from_numpy(indices),
                                          torch.from_numpy(weight_data.copy()), max_norm=2.0)
    weight = Tensor(weight_data.copy())
    with pytest.raises(DTypeError, match="max_norm"):
        if bag:
            F.embedding_bag(indices, weight, max_norm=2.0, mode="sum")
        else:
            F.embedding(indices, weight, max_norm=2.0)
    np.testing.assert_array_equal(weight.data, weight_data)


def test_max_norm_on_a_float_weight_still_renormalises_as_torch(torch):
    data = np.arange(15.0).reshape(5, 3)
    ours_weight, their_weight = Tensor(data.copy()), torch.tensor(data.copy())
    ours = F.embedding(np.array([1, 4]), ours_weight, max_norm=2.0)
    theirs = torch.nn.functional.embedding(torch.tensor([1, 4]), their_weight, max_norm=2.0)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours_weight.data, their_weight.numpy(), rtol=1e-12)


def test_max_norm_with_no_indices_accepts_an_integer_weight_as_torch(torch):
    data = np.arange(15).reshape(5, 3)
    theirs = torch.nn.functional.embedding(torch.zeros(0, dtype=torch.long),
                                           torch.from_numpy(data), max_norm=2.0)
    ours = F.embedding(np.zeros(0, np.int64), Tensor(data), max_norm=2.0)
    assert ours.shape == tuple(theirs.shape)


# ------------------------------------------------------------------ 7. cdist compute_mode
@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary",
                                  "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
def test_cdist_accepts_torchs_compute_modes(torch, mode):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    ours = ag.cdist(Tensor(a), Tensor(b), compute_mode=mode)
    theirs = torch.cdist(torch.tensor(a), torch.tensor(b), compute_mode=mode)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ag.cdist(Tensor(a), Tensor(b)).data, theirs.numpy(),
                               rtol=1e-10)  # the default is the first one, as torch's


@pytest.mark.parametrize("mode", [None, "use_mm_for_euclid", "USE_MM_FOR_EUCLID_DIST", "", 5])
def test_cdist_refuses_other_compute_modes_as_torch(torch, mode):
    ones = np.ones((2, 3))
    with pytest.raises(ValueError, match="compute_mode"):
        torch.cdist(torch.tensor(ones), torch.tensor(ones), compute_mode=mode)
    with pytest.raises(UsageError, match="compute_mode") as caught:
        ag.cdist(Tensor(ones), Tensor(ones), compute_mode=mode)
    assert isinstance(caught.value, ValueError)


# ------------------------------------------------------------------ 8. pairwise_distance 0-d
@pytest.mark.parametrize("p", [2, 1, 0, 3, 0.5, np.inf, -np.inf, -1])
@pytest.mark.parametrize("a, b", [(1.0, 3.0), (3.0, 1.0), (2.0, 2.0)])
@pytest.mark.parametrize("eps", [1e-6, 0.0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_of_two_0d_tensors_as_torch(torch, p, a, b, eps, keepdim):
    x = Tensor(np.array(a), requires_grad=True)
    ours = F.pairwise_distance(x, Tensor(np.array(b)), p=p, eps=eps, keepdim=keepdim)
    xt = torch.tensor(a, requires_grad=True)
    theirs = torch.nn.functional.pairwise_distance(xt, torch.tensor(b), p=p, eps=eps,
                                                   keepdim=keepdim)
    assert ours.shape == tuple(theirs.shape) == ()
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    ours.backward()
    (expected,) = torch.autograd.grad(theirs, xt, allow_unused=True)
    if expected is None:  # p = 0: a count, not connected to x in PyTorch's graph
        assert x.grad is None or x.grad.item() == 0
    else:
        np.testing.assert_allclose(x.grad.item(), expected.item(), rtol=1e-12)


# ------------------------------------------------------------------ loss dtypes
RNG = np.random.default_rng(34)
X, T = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
SIGNS, PROBS = np.sign(RNG.standard_normal((3, 4))), RNG.random((3, 4))
LOSS_CASES = {  # (input, target): float32 input, float64 target Tensor
    "mse_loss": (X, T), "l1_loss": (X, T), "smooth_l1_loss": (X, T), "huber_loss": (X, T),
    "soft_margin_loss": (X, SIGNS), "hinge_embedding_loss": (X, SIGNS),
    "multilabel_soft_margin_loss": (X, PROBS.round()),
    "binary_cross_entropy_with_logits": (X, PROBS),
}


@pytest.mark.parametrize("name", sorted(LOSS_CASES))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_dtype_with_float32_input_and_float64_target_as_torch(torch, name, reduction):
    x, t = LOSS_CASES[name]
    xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    theirs = getattr(torch.nn.functional, name)(xt, torch.tensor(t), reduction=reduction)
    ours_x = Tensor(x.astype(np.float32), requires_grad=True)
    ours = getattr(F, name)(ours_x, Tensor(t), reduction=reduction)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-7)
    ours.sum().backward()
    if name == "huber_loss":  # PyTorch's own backward fails on these mixed dtypes
        with pytest.raises(RuntimeError, match="expected Float"):
            theirs.sum().backward()
        return
    theirs.sum().backward()
    assert ours_x.grad.dtype == np.float32
    np.testing.assert_allclose(ours_x.grad.data, xt.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtypes", [("f4", "f8", "f8"), ("f4", "f4", "f8"), ("f4", "f4", "f4"),
                                    ("f8", "f4", "f4"), ("f2", "f4", "f4")])
def test_margin_ranking_loss_promotes_its_three_tensors_as_torch(torch, dtypes):
    values = [RNG.standard_normal(4), RNG.standard_normal(4), np.sign(RNG.standard_normal(4))]
    arrays = [v.astype(d) for v, d in zip(values, dtypes)]
    ours = F.margin_ranking_loss(*map(Tensor, arrays), reduction="none")
    theirs = torch.nn.functional.margin_ranking_loss(*map(torch.from_numpy, arrays),
                                                     reduction="none")
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


@pytest.mark.parametrize("dtypes", [("f4", "f8", "f4"), ("f4", "f4", "f8"), ("f8", "f4", "f4")])
def test_cosine_embedding_loss_promotes_its_inputs_as_torch(torch, dtypes):
    values = [X, T, np.sign(RNG.standard_normal(3))]
    arrays = [v.astype(d) for v, d in zip(values, dtypes)]
    ours = F.cosine_embedding_loss(*map(Tensor, arrays))
    theirs = torch.nn.functional.cosine_embedding_loss(*map(torch.from_numpy, arrays))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


def test_a_float64_array_target_still_takes_the_float32_input_dtype():
    # arrays and lists have no dtype of PyTorch's to promote to: float32 stays float32
    assert F.mse_loss(Tensor(X.astype(np.float32)), T).dtype == np.float32
    assert F.margin_ranking_loss(Tensor(X[0].astype(np.float32)), X[1],
                                 SIGNS[0]).dtype == np.float32


# ------------------------------------------------------------------ 6. cosine below eps
def test_cosine_similarity_gradient_below_eps_is_the_true_derivative(torch):
    """Deliberately not PyTorch's: its clamp runs under no_grad, so its gradient is not
    the derivative of its own values; ours is (finite differences of PyTorch's values)."""
    a, b = np.array([[0.3, 0.1]]), np.array([[1.0, 2.0]])
    x = Tensor(a.copy(), requires_grad=True)
    F.cosine_similarity(x, Tensor(b), eps=0.5).sum().backward()

    def torch_value(data):
        return torch.nn.functional.cosine_similarity(torch.tensor(data), torch.tensor(b),
                                                     eps=0.5).sum().item()
    step, numeric = 1e-6, np.zeros_like(a)
    for index in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (torch_value(up) - torch_value(down)) / (2 * step)
    np.testing.assert_allclose(x.grad.data, numeric, rtol=1e-6)
    ours_values = F.cosine_similarity(Tensor(a), Tensor(b), eps=0.5).data
    np.testing.assert_allclose(ours_values.sum(), torch_value(a), rtol=1e-14)


def test_every_refusal_here_is_an_autograd_error():
    for call in (lambda: F.softshrink(Tensor(np.array([1, 2]))),
                 lambda: F.pad(Tensor(np.array([1], np.uint8)), (1, 1), value=-1),
                 lambda: F.embedding(np.array([0]), Tensor(np.ones((2, 2), np.int64)),
                                     max_norm=1.0),
                 lambda: ag.cdist(Tensor(np.ones((1, 2))), Tensor(np.ones((1, 2))),
                                  compute_mode="x")):
        with pytest.raises(AutogradError):
            call()

"""F.embedding_bag and nn.EmbeddingBag: values and gradients (to the weight and to the
per-sample weights) as torch 2.13's, for 2-d input and 1-d input with offsets, every mode,
padding_idx and empty bags; finite differences; reprs; named errors for bad input."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.errors import DTypeError, ShapeError, TensorIndexError, UsageError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal

INPUT_1D = np.array([1, 2, 4, 5, 4, 3, 2, 0, 2])
OFFSETS = np.array([0, 2, 2, 5])  # bag 1 is empty
INPUT_2D = np.array([[1, 2, 4], [5, 1, 1], [0, 3, 2]])


def _both(torch, indices, offsets, weight_shape=(6, 3), seed=0, psw=None, **kwargs):
    """Outputs and gradients (weight, per-sample weights) of ours and torch's."""
    w = normal(seed, weight_shape)
    ours_w, theirs_w = Tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ours_p = theirs_p = None
    if psw is not None:
        ours_p = Tensor(psw, requires_grad=True)
        theirs_p = torch.tensor(psw, requires_grad=True)
    y = F.embedding_bag(indices, ours_w, offsets, per_sample_weights=ours_p, **kwargs)
    yt = torch.nn.functional.embedding_bag(
        torch.tensor(indices), theirs_w, None if offsets is None else torch.tensor(offsets),
        per_sample_weights=theirs_p, **kwargs)
    g = normal(seed + 1, y.shape)
    y.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours_w.grad, theirs_w.grad.numpy(), rtol=1e-12, atol=1e-14)
    if psw is not None:
        np.testing.assert_allclose(ours_p.grad, theirs_p.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("indices, offsets, last", [
    (INPUT_2D, None, False), (INPUT_1D, OFFSETS, False),
    (INPUT_1D, np.append(OFFSETS, INPUT_1D.size), True),
])
def test_modes_match_torch(indices, offsets, last, mode, padding_idx):
    torch = pytest.importorskip("torch")
    _both(torch, indices, offsets, mode=mode, padding_idx=padding_idx,
          include_last_offset=last)


@pytest.mark.parametrize("indices, offsets", [(INPUT_2D, None), (INPUT_1D, OFFSETS)])
def test_per_sample_weights_get_gradients_as_torch(indices, offsets):
    torch = pytest.importorskip("torch")
    _both(torch, indices, offsets, psw=normal(3, indices.shape), mode="sum")
    _both(torch, indices, offsets, psw=normal(4, indices.shape), mode="sum", padding_idx=2)


def test_max_ties_go_to_the_first_largest_entry_as_torch():
    torch = pytest.importorskip("torch")
    weight_rows = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 3.0]])
    w = Tensor(weight_rows, requires_grad=True)
    F.embedding_bag(np.array([[1, 0, 2]]), w, mode="max").sum().backward()
    wt = torch.tensor(weight_rows, requires_grad=True)
    torch.nn.functional.embedding_bag(torch.tensor([[1, 0, 2]]), wt, mode="max").sum().backward()
    np.testing.assert_array_equal(w.grad, wt.grad.numpy())


@pytest.mark.parametrize("bag", [[0, 1, 2], [1, 0, 2], [2, 0, 1]])
def test_max_with_nan_follows_torchs_rule(bag):
    torch = pytest.importorskip("torch")
    w = np.array([[np.nan, 1.0], [2.0, np.nan], [0.0, 3.0]])  # NaN wins only as the first
    expected = torch.nn.functional.embedding_bag(torch.tensor([bag]), torch.tensor(w),
                                                 mode="max").numpy()
    np.testing.assert_array_equal(F.embedding_bag(np.array([bag]), w, mode="max").data,
                                  expected)


def test_empty_input_and_empty_bags_give_zeros():
    w = Tensor(normal(5, (4, 2)), requires_grad=True)
    for mode in ("sum", "mean", "max"):
        out = F.embedding_bag(np.zeros(0, int), w, np.array([0, 0]), mode=mode)
        np.testing.assert_array_equal(out.data, np.zeros((2, 2)))
        out = F.embedding_bag(np.zeros((3, 0), int), w, mode=mode)
        np.testing.assert_array_equal(out.data, np.zeros((3, 2)))
        w.grad = None  # zeros in the weight's graph, as PyTorch's: a loss can backward
        out.sum().backward()
        np.testing.assert_array_equal(w.grad.numpy(), np.zeros((4, 2)))


def test_scale_grad_by_freq_divides_by_the_count_as_embedding():
    w = Tensor(normal(6, (3, 2)), requires_grad=True)
    F.embedding_bag(np.array([[0, 1, 0, 2]]), w, mode="sum", scale_grad_by_freq=True
                    ).sum().backward()
    v = Tensor(w.data.copy(), requires_grad=True)
    F.embedding(np.array([[0, 1, 0, 2]]), v, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad, v.grad)
    np.testing.assert_allclose(w.grad, np.ones((3, 2)))


def test_gradients_match_finite_differences():
    w = Tensor(normal(7, (5, 2)), requires_grad=True)
    p = Tensor(normal(8, INPUT_2D.shape), requires_grad=True)
    indices = np.minimum(INPUT_2D, 4)
    assert gradcheck(lambda w, p: F.embedding_bag(indices, w, mode="sum",
                                                  per_sample_weights=p), [w, p])
    assert gradcheck(lambda w: F.embedding_bag(indices, w, mode="mean", padding_idx=1), [w])
    assert gradcheck(lambda w: F.embedding_bag(indices, w, mode="max"), [w])


def test_layer_repr_padding_row_and_from_pretrained_as_torch():
    torch = pytest.importorskip("torch")
    for args, kwargs in [((5, 3), {}), ((5, 3), dict(mode="max", padding_idx=1, max_norm=1.0,
                                                     include_last_offset=True))]:
        assert repr(nn.EmbeddingBag(*args, **kwargs)) == repr(torch.nn.EmbeddingBag(*args,
                                                                                  **kwargs))
    bag = nn.EmbeddingBag(6, 3, mode="sum", padding_idx=2, rng=0)
    assert (bag.weight.data[2] == 0).all()
    np.testing.assert_array_equal(bag(INPUT_1D, OFFSETS).data, F.embedding_bag(
        INPUT_1D, bag.weight, OFFSETS, mode="sum", padding_idx=2).data)
    values = normal(9, (6, 3))
    frozen = nn.EmbeddingBag.from_pretrained(values, mode="max")
    assert not frozen.weight.requires_grad and frozen.mode == "max"
    np.testing.assert_array_equal(frozen(INPUT_2D).data, F.embedding_bag(
        INPUT_2D, values, mode="max").data)


W = np.zeros((6, 2))


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.embedding_bag(INPUT_1D, W), ShapeError, "1-d input needs offsets"),
    (lambda: F.embedding_bag(INPUT_2D, W, OFFSETS), ShapeError, "offsets must be None"),
    (lambda: F.embedding_bag(INPUT_2D[None], W), ShapeError, "1-d .* or 2-d"),
    (lambda: F.embedding_bag(INPUT_1D, W, OFFSETS[None]), ShapeError, "offsets must be 1-d"),
    (lambda: F.embedding_bag(INPUT_1D, W, np.array([1, 2])), ConfigError, "start at 0"),
    (lambda: F.embedding_bag(INPUT_1D, W, np.array([0, 5, 2])), ConfigError, "never decrease"),
    (lambda: F.embedding_bag(INPUT_1D, W, np.array([0, 10])), ConfigError, "length 9"),
    (lambda: F.embedding_bag(INPUT_1D, W, np.array([0, 2, 6]), include_last_offset=True),
     ConfigError, "last offset must be"),
    (lambda: F.embedding_bag(INPUT_1D, W, OFFSETS * 1.0), DTypeError, "offsets must be int"),
    (lambda: F.embedding_bag(INPUT_1D * 1.0, W, OFFSETS), DTypeError, "must be integers"),
    (lambda: F.embedding_bag(INPUT_1D + 3, W, OFFSETS), TensorIndexError, "out of range"),
    (lambda: F.embedding_bag(INPUT_2D, W, mode="avg"), ConfigError, "mode must be one of"),
    (lambda: F.embedding_bag(INPUT_2D, W, mode="mean", per_sample_weights=np.ones((3, 3))),
     ConfigError, "mode='sum' only"),
    (lambda: F.embedding_bag(INPUT_2D, W, mode="sum", per_sample_weights=np.ones(9)),
     ShapeError, "input's shape"),
    (lambda: F.embedding_bag(INPUT_2D, W, mode="max", scale_grad_by_freq=True),
     ConfigError, "frequency"),
    (lambda: F.embedding_bag(INPUT_2D, W, padding_idx=6), ConfigError, "padding_idx"),
    (lambda: nn.EmbeddingBag(4, 2, mode="avg"), ConfigError, "mode must be one of"),
    (lambda: nn.EmbeddingBag(4, 2, include_last_offset=1), ArgumentTypeError, "include_last"),
])
def test_bad_input_raises_named_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_swapped_arguments_of_the_old_order_are_named(torch) -> None:
    """PyTorch's first ``embedding_bag(weight, input, offsets)`` order: PyTorch still swaps
    them back with a deprecation warning; here a UsageError names the order to write."""
    w = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.warns(UserWarning, match="Argument order"):
        torch.nn.functional.embedding_bag(torch.tensor(w), torch.tensor([1, 2]),
                                          torch.tensor([0]))
    with pytest.raises(UsageError, match=r"swapped.*embedding_bag\(input, weight, offsets"):
        F.embedding_bag(Tensor(w), np.array([1, 2]), np.array([0]))

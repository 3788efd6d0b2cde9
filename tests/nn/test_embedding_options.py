"""F.embedding / nn.Embedding's max_norm, norm_type and scale_grad_by_freq against
PyTorch (values, the renormalised weight, gradients), with their errors."""

import math

import numpy as np
import pytest

import nn
import autograd
import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.errors import InplaceError
from nn.errors import ArgumentTypeError, ConfigError

INDICES = np.array([[0, 2, 2, 5], [4, 0, 2, 2]])  # repeats: 2 four times, 0 twice
OPTIONS = [  # (padding_idx, max_norm, norm_type, scale_grad_by_freq)
    (None, 1.0, 2.0, False), (2, 1.5, 1.0, True), (None, 0.7, math.inf, True),
    (0, None, 2.0, True), (None, 0.0, 3.0, False), (-1, 2.5, 0.5, True), (None, 100.0, 2.0, False),
]


@pytest.mark.parametrize("padding_idx, max_norm, norm_type, scale_grad_by_freq", OPTIONS)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-6)])
def test_embedding_options_match_torch(padding_idx, max_norm, norm_type, scale_grad_by_freq,
                                       dtype, rtol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    weight = (2 * rng.normal(size=(6, 3))).astype(dtype)
    upstream = rng.normal(size=INDICES.shape + (3,)).astype(dtype)
    w = Tensor(weight.copy(), requires_grad=True)
    out = F.embedding(INDICES, w, padding_idx, max_norm, norm_type, scale_grad_by_freq)
    out.backward(upstream)
    tw = torch.tensor(weight.copy(), requires_grad=True)
    tout = torch.nn.functional.embedding(torch.tensor(INDICES), tw, padding_idx, max_norm,
                                         norm_type, scale_grad_by_freq)
    tout.backward(torch.tensor(upstream))
    assert out.dtype == w.grad.dtype == dtype
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=rtol, atol=1e-15)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=rtol, atol=1e-15)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=rtol, atol=1e-15)


def test_max_norm_rescales_only_the_rows_looked_up_and_longer_than_it():
    weight = np.array([[3.0, 4.0], [0.3, 0.4], [1.0, 1.0], [6.0, 8.0]])
    w = Tensor(weight.copy(), requires_grad=True)
    out = F.embedding(np.array([0, 1, 0]), w, max_norm=1.0)
    np.testing.assert_array_equal(w.data[1:], weight[1:])  # short, or not looked up
    np.testing.assert_allclose(np.linalg.norm(w.data[0]), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(out.data, w.data[[0, 1, 0]])
    assert F.embedding(np.zeros(0, int), w, max_norm=0.5).shape == (0, 2)
    assert F.embedding([1], Tensor(np.ones((3, 0))), max_norm=1.0).shape == (1, 0)


def test_max_norm_writes_the_weight_so_an_older_graph_refuses_backward():
    torch = pytest.importorskip("torch")
    w, tw = Tensor(np.full((4, 3), 2.0), requires_grad=True), torch.full((4, 3), 2.0,
                                                                         requires_grad=True)
    before, tbefore = (w * w).sum(), (tw * tw).sum()
    F.embedding([1, 2], w, max_norm=1.0)
    torch.nn.functional.embedding(torch.tensor([1, 2]), tw, max_norm=1.0)
    with pytest.raises(RuntimeError):
        tbefore.backward()
    with pytest.raises(InplaceError, match="modified in place"):
        before.backward()


def _scaled_gradient(v, create_graph=True):
    """The gradient that scale_grad_by_freq gives for sum(embedding^3)."""
    out = F.embedding(INDICES, v, scale_grad_by_freq=True).pow(3).sum()
    return autograd.grad(out, [v], create_graph=create_graph)[0]


def test_scale_grad_by_freq_second_derivative_matches_torch_and_finite_differences():
    # the scaled gradient is not the derivative of the lookup: its own derivative in the
    # weight scales once, as PyTorch's double backward does
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    weight, upstream = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    w = Tensor(weight, requires_grad=True)
    first = _scaled_gradient(w)
    (second,) = autograd.grad((first * Tensor(upstream)).sum(), [w])
    tw = torch.tensor(weight, requires_grad=True)
    tout = torch.nn.functional.embedding(torch.tensor(INDICES), tw, scale_grad_by_freq=True)
    (tfirst,) = torch.autograd.grad(tout.pow(3).sum(), [tw], create_graph=True)
    (tsecond,) = torch.autograd.grad((tfirst * torch.tensor(upstream)).sum(), [tw])
    np.testing.assert_allclose(first.data, tfirst.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(second.data, tsecond.numpy(), rtol=1e-12)
    assert gradcheck(_scaled_gradient, [w])  # the second derivative, by differences


def test_embedding_module_with_options_matches_torch_in_training():
    torch = pytest.importorskip("torch")
    ours = nn.Embedding(6, 3, 1, 1.0, 1.0, True, rng=0)
    theirs = torch.nn.Embedding(6, 3, 1, 1.0, 1.0, True, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert repr(nn.Embedding(6, 3, max_norm=2.0)) == repr(torch.nn.Embedding(6, 3, max_norm=2.0))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
    optimizer = nn.optim.SGD(ours.parameters(), lr=0.3)
    torch_optimizer = torch.optim.SGD(theirs.parameters(), lr=0.3)
    for _ in range(3):
        optimizer.zero_grad()
        torch_optimizer.zero_grad()
        (ours(INDICES) ** 2).sum().backward()
        (theirs(torch.tensor(INDICES)) ** 2).sum().backward()
        optimizer.step()
        torch_optimizer.step()
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)


def test_from_pretrained_takes_the_options_as_torch():
    torch = pytest.importorskip("torch")
    values = 3 * np.random.default_rng(4).normal(size=(4, 2))
    ours = nn.Embedding.from_pretrained(values.copy(), True, None, 1.0, 2.0, True)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(values), True, None, 1.0, 2.0,
                                                True)
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(ours(np.array([1, 3])).data,
                               theirs(torch.tensor([1, 3])).numpy(), rtol=1e-12)


def test_embedding_option_errors_are_named():
    w = Tensor(np.ones((5, 3)), requires_grad=True)
    with pytest.raises(ConfigError, match=r"embedding: max_norm must be a number >= 0; got -1"):
        F.embedding([1], w, max_norm=-1.0)  # PyTorch would flip the row's sign
    with pytest.raises(ConfigError, match="max_norm must be a number >= 0; got nan"):
        F.embedding([1], w, max_norm=math.nan)
    with pytest.raises(ArgumentTypeError, match="max_norm must be"):
        F.embedding([1], w, max_norm="1")
    with pytest.raises(ConfigError, match=r"norm_type must be a number > 0; got 0.*p-norm"):
        F.embedding([1], w, max_norm=1.0, norm_type=0)
    with pytest.raises(ArgumentTypeError, match="embedding: scale_grad_by_freq must be True"):
        F.embedding([1], w, scale_grad_by_freq=1)
    with pytest.raises(ConfigError, match="Embedding: max_norm must be"):
        nn.Embedding(5, 3, max_norm=-0.5)
    with pytest.raises(ConfigError, match="Embedding: norm_type must be"):
        nn.Embedding(5, 3, norm_type=-2.0)
    with pytest.raises(ArgumentTypeError, match="Embedding: scale_grad_by_freq"):
        nn.Embedding(5, 3, scale_grad_by_freq="yes")

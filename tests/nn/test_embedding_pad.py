"""F.embedding / nn.Embedding (lookup, gradient over repeated indices, padding_idx,
from_pretrained) and F.pad (PyTorch's pad order), against PyTorch and finite
differences, with their errors."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import AutogradError, DTypeError, ShapeError, TensorIndexError
from nn.errors import ArgumentTypeError, ConfigError

INDICES = np.array([[0, 2, 2, 5], [4, 0, 2, 2]])  # repeats: 2 four times, 0 twice


# ------------------------------------------------------------------ embedding
@pytest.mark.parametrize("padding_idx", [None, 2, -1, 1])
def test_embedding_values_and_gradient_match_torch(padding_idx):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    weight, upstream = rng.normal(size=(6, 3)), rng.normal(size=INDICES.shape + (3,))
    w = Tensor(weight, requires_grad=True)
    out = F.embedding(INDICES, w, padding_idx)
    out.backward(upstream)
    tw = torch.tensor(weight, requires_grad=True)
    tout = torch.nn.functional.embedding(torch.tensor(INDICES), tw, padding_idx)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_embedding_gradient_agrees_with_finite_differences():
    w = Tensor(np.random.default_rng(1).normal(size=(6, 3)), requires_grad=True)
    assert gradcheck(lambda v: F.embedding(INDICES, v), [w])  # padding: torch above
    assert gradgradcheck(lambda v: F.embedding(INDICES, v) ** 2, [w])


@pytest.mark.parametrize("indices", [3, np.array(3), [1, 2], np.zeros((2, 0, 3), np.int32),
                                     Tensor(np.array([[1], [0]])), np.array([4], np.uint8)])
def test_embedding_takes_integer_indices_of_any_shape(indices):
    weight = np.arange(15.0).reshape(5, 3)
    out = F.embedding(indices, Tensor(weight, requires_grad=True))
    raw = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    assert out.shape == raw.shape + (3,)
    np.testing.assert_array_equal(out.data, weight[raw])


def test_embedding_module_matches_torch_layout_and_repr():
    torch = pytest.importorskip("torch")
    layer = nn.Embedding(10, 4, padding_idx=-3, rng=0)
    assert repr(layer) == repr(torch.nn.Embedding(10, 4, padding_idx=-3))
    assert repr(nn.Embedding(10, 4)) == repr(torch.nn.Embedding(10, 4))
    assert layer.padding_idx == 7 and layer.weight.shape == (10, 4)
    np.testing.assert_array_equal(layer.weight.data[7], 0.0)
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    out = layer(INDICES)
    assert out.shape == (2, 4, 4) and out.dtype == np.float64


def test_embedding_weights_are_standard_normal_from_the_generator():
    weight = nn.Embedding(400, 50, rng=np.random.default_rng(3)).weight.data
    np.testing.assert_array_equal(weight, np.random.default_rng(3).normal(size=(400, 50)))
    assert abs(weight.mean()) < 0.02 and abs(weight.std() - 1) < 0.02
    np.testing.assert_array_equal(nn.Embedding(4, 2, rng=5).weight.data,
                                  nn.Embedding(4, 2, rng=5).weight.data)
    nn.manual_seed(0)
    first = nn.Embedding(4, 2).weight.data.copy()
    nn.manual_seed(0)
    np.testing.assert_array_equal(nn.Embedding(4, 2).weight.data, first)


def test_embedding_float32_and_training_leave_the_padding_row_alone():
    layer = nn.Embedding(5, 3, padding_idx=0, rng=0, dtype=np.float32)
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.5)
    for _ in range(3):
        optimizer.zero_grad()
        out = layer(np.array([[0, 1, 0], [2, 0, 1]]))
        assert out.dtype == np.float32
        (out ** 2).sum().backward()
        assert layer.weight.grad.dtype == np.float32
        optimizer.step()
    np.testing.assert_array_equal(layer.weight.data[0], 0.0)
    assert not np.allclose(layer.weight.data[1], nn.Embedding(5, 3, 0, rng=0).weight.data[1])


def test_from_pretrained_is_frozen_by_default_and_keeps_the_values():
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(4).normal(size=(4, 2))
    layer = nn.Embedding.from_pretrained(values, padding_idx=1)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(values), padding_idx=1)
    assert repr(layer) == repr(theirs)
    assert layer.weight.requires_grad is False and list(layer.parameters())
    assert layer.weight.data is values  # shared, as PyTorch shares the tensor
    np.testing.assert_array_equal(layer(np.array([1, 3])).data, values[[1, 3]])
    trainable = nn.Embedding.from_pretrained(Tensor(values), freeze=False, padding_idx=1)
    trainable(np.array([1, 3, 3])).sum().backward()
    np.testing.assert_array_equal(trainable.weight.grad.data, [[0, 0], [0, 0], [0, 0], [2, 2]])
    assert nn.Embedding.from_pretrained([[1.0, 2.0]]).weight.dtype == np.float64
    # Python ints too: a list is Python data, float64 (the design's rule), not int64
    from_ints = nn.Embedding.from_pretrained([[1, 2], [3, 4]])
    assert from_ints.weight.dtype == np.float64
    np.testing.assert_array_equal(from_ints(np.array([1])).data, [[3.0, 4.0]])


def test_embedding_errors_are_named():
    w = Tensor(np.ones((5, 3)), requires_grad=True)
    with pytest.raises(TensorIndexError, match=r"index 5 is out of range for 5 embeddings"):
        F.embedding([1, 5], w)
    with pytest.raises(TensorIndexError, match=r"index -1 is out of range.*\(negative indices"):
        nn.Embedding(5, 3)(np.array([-1, 0]))  # NumPy would silently take the last row
    with pytest.raises(DTypeError, match="indices must be integers .* got dtype float64"):
        F.embedding(np.array([1.0, 2.0]), w)
    with pytest.raises(DTypeError, match="got dtype bool"):
        F.embedding(np.array([True]), w)
    with pytest.raises(ShapeError, match=r"weight must be 2-d.*got shape \(5,\)"):
        F.embedding([1], Tensor(np.ones(5)))
    with pytest.raises(ConfigError, match=r"Embedding: padding_idx must be an int in \[-5, 4\]"):
        nn.Embedding(5, 3, padding_idx=5)
    with pytest.raises(ConfigError, match="embedding: padding_idx"):
        F.embedding([1], w, padding_idx=-6)
    with pytest.raises(ArgumentTypeError, match="Embedding: num_embeddings must be an int"):
        nn.Embedding(5.0, 3)
    with pytest.raises(ShapeError, match="from_pretrained: embeddings must be 2-d"):
        nn.Embedding.from_pretrained(np.ones(3))
    with pytest.raises(DTypeError, match="from_pretrained: embeddings must be floating"):
        nn.Embedding.from_pretrained(np.ones((3, 2), int))
    with pytest.raises(ArgumentTypeError, match="freeze"):
        nn.Embedding.from_pretrained(np.ones((3, 2)), freeze="no")
    for error in (TensorIndexError, DTypeError, ShapeError, ConfigError):
        assert issubclass(error, AutogradError)


# ------------------------------------------------------------------ pad
PADS = [(), (1, 2), (0, 0, 2, 1), (1, 0, 0, 3, 2, 2), (-1, 2), (2, -1, -1, 0),
        (-2, -2, 0, 0), (-4, 1)]


@pytest.mark.parametrize("widths", PADS)
@pytest.mark.parametrize("value", [None, 0.0, -1.5])
def test_pad_matches_torch_values_and_gradients(widths, value):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 2, 4))
    t, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = F.pad(t, widths, value=value), torch.nn.functional.pad(tx, widths, value=value)
    assert out.shape == tuple(tout.shape)
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(t.grad.data, tx.grad.numpy())


def test_pad_gradient_agrees_with_finite_differences_and_keeps_float32():
    x = Tensor(np.random.default_rng(6).normal(size=(2, 5)), requires_grad=True)
    assert gradcheck(lambda v: F.pad(v, (2, -1, 1, 1), value=3.0) ** 2, [x])
    small = F.pad(Tensor(np.ones((2, 2), np.float32)), [1, 1], "constant", 2.5)
    assert small.dtype == np.float32
    np.testing.assert_array_equal(small.data[:, 0], 2.5)


def test_pad_errors_are_named():
    x = Tensor(np.ones((3, 4)))
    with pytest.raises(ConfigError, match="mode must be one of 'constant', 'reflect'.*'edge'"):
        F.pad(x, (1, 1), mode="edge")  # the other modes: tests/nn/test_pad_modes.py
    with pytest.raises(ConfigError, match="even number of ints.*got 3"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(ShapeError, match="3 .* pairs but the input has only 2 axes"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(ShapeError, match="axis 1 has size 4; the negative padding"):
        F.pad(x, (-3, -2))
    with pytest.raises(ArgumentTypeError, match="pad must be a tuple of ints"):
        F.pad(x, (1.5, 1))
    with pytest.raises(ArgumentTypeError, match="pad must be a tuple of ints"):
        F.pad(x, 2)
    with pytest.raises(ArgumentTypeError, match="pad: value must be"):
        F.pad(x, (1, 1), value="0")

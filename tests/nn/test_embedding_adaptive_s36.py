"""Session 36 fixes for embeddings and adaptive softmax: mixed input/parameter dtypes in
AdaptiveLogSoftmaxWithLoss, integer weights in F.embedding_bag, argument checks before
max_norm writes to the weight, nn.Embedding/EmbeddingBag ``_weight`` shapes, F.one_hot on
empty labels, and the ``sparse=True`` combinations PyTorch refuses. Expected values are
computed here (NumPy, the float64 path of the same module, hand-derived counts)."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, no_grad
from autograd.errors import DTypeError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError


# ------------------------------------------------- AdaptiveLogSoftmaxWithLoss dtypes
def _asm(dtype=np.float64):
    return nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3, 6], div_value=2.0, dtype=dtype,
                                         rng=np.random.default_rng(0))


def test_asm_narrow_input_with_cluster_targets_computes_in_parameter_dtype():
    module = _asm()
    x = np.random.default_rng(1).normal(size=(4, 4)).astype(np.float32)
    target = np.array([0, 5, 8, 2])  # shortlist, cluster 1, cluster 2, shortlist
    narrow = Tensor(x, requires_grad=True)
    result = module(narrow, target)
    assert result.output.dtype == np.float64 and result.loss.dtype == np.float64
    wide = Tensor(x.astype(np.float64), requires_grad=True)
    expected = module(wide, target)
    np.testing.assert_array_equal(result.output.data, expected.output.data)
    log_prob = module.log_prob(x.astype(np.float64)).data
    np.testing.assert_allclose(result.output.data, log_prob[np.arange(4), target],
                               rtol=1e-12)
    result.loss.backward()
    expected.loss.backward()
    assert narrow.grad.dtype == np.float32
    np.testing.assert_allclose(narrow.grad.data, wide.grad.data, rtol=1e-6, atol=1e-7)


def test_asm_unbatched_narrow_input_in_a_cluster():
    module = _asm()
    x = np.linspace(-1, 1, 4).astype(np.float32)
    out = module(Tensor(x), np.array(7)).output
    assert out.shape == () and out.dtype == np.float64
    expected = module(x.astype(np.float64), np.array(7)).output
    np.testing.assert_array_equal(out.data, expected.data)


def test_asm_float32_numpy_input_keeps_float32_in_a_float32_module():
    module = _asm(np.float32)
    x = np.random.default_rng(2).normal(size=(3, 4)).astype(np.float32)
    target = np.array([1, 4, 9])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DTypePromotionWarning: nothing is widened
        from_array = module(x, target)
        log_prob = module.log_prob(x)
    assert from_array.output.dtype == np.float32 and log_prob.dtype == np.float32
    np.testing.assert_array_equal(from_array.output.data, module(Tensor(x), target).output.data)


# ------------------------------------------------- F.embedding_bag integer weights
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_embedding_bag_refuses_non_floating_weight(mode, dtype):
    weight = Tensor(np.arange(12).reshape(4, 3).astype(dtype))
    with pytest.raises(DTypeError, match="weight must hold floats"):
        F.embedding_bag(np.array([0, 1, 2, 3]), weight, np.array([0, 1]), mode=mode)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_embedding_bag_mean_of_floating_weight_is_the_mean(dtype):
    table = np.arange(12).reshape(4, 3)
    out = F.embedding_bag(np.array([0, 1, 2, 3]), Tensor(table.astype(dtype)),
                          np.array([0, 1]), mode="mean")
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, [table[0], table[1:].mean(axis=0)], rtol=1e-3)


# ------------------------------------------------- checks before max_norm's write
@pytest.mark.parametrize("bad", [dict(padding_idx=7), dict(padding_idx=-4),
                                 dict(scale_grad_by_freq=1), dict(sparse=None)])
def test_embedding_refused_arguments_leave_the_weight_untouched(bad):
    weight = Tensor(np.full((3, 2), 5.0))
    with pytest.raises((ConfigError, ArgumentTypeError)):
        F.embedding(np.array([0, 1]), weight, max_norm=1.0, **bad)
    np.testing.assert_array_equal(weight.data, np.full((3, 2), 5.0))


def test_embedding_bag_refused_padding_idx_leaves_the_weight_untouched():
    weight = Tensor(np.full((3, 2), 5.0))
    with pytest.raises(ConfigError):
        F.embedding_bag(np.array([0, 1]), weight, np.array([0]), max_norm=1.0,
                        padding_idx=3)
    np.testing.assert_array_equal(weight.data, np.full((3, 2), 5.0))


def test_embedding_valid_padding_idx_with_max_norm_still_renormalises():
    weight = Tensor(np.full((3, 2), 5.0))
    F.embedding(np.array([0, 1]), weight, padding_idx=1, max_norm=1.0)
    scaled = 5.0 / (np.hypot(5.0, 5.0) + 1e-7)  # max_norm / (norm + 1e-7), PyTorch's rule
    np.testing.assert_allclose(weight.data[:2], np.full((2, 2), scaled), rtol=1e-12)
    np.testing.assert_array_equal(weight.data[2], [5.0, 5.0])


# ------------------------------------------------- _weight shape
@pytest.mark.parametrize("cls", [nn.Embedding, nn.EmbeddingBag])
@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (3,), (5, 7), (6,)])
def test_module_refuses_weight_of_another_shape(cls, shape):
    with pytest.raises(ShapeError, match=r"_weight must have the shape"):
        cls(3, 2, _weight=np.ones(shape))


@pytest.mark.parametrize("cls", [nn.Embedding, nn.EmbeddingBag])
def test_module_takes_weight_of_its_shape(cls):
    values = np.arange(6.0).reshape(3, 2)
    module = cls(3, 2, _weight=values)
    np.testing.assert_array_equal(module.weight.data, values)
    assert cls.from_pretrained(values).weight.shape == (3, 2)


# ------------------------------------------------- one_hot on empty labels
def test_one_hot_empty_labels_without_num_classes_says_why():
    with pytest.raises(ConfigError, match="labels are empty") as caught:
        F.one_hot(np.zeros(0, np.int64))
    assert " - " not in str(caught.value)


@pytest.mark.parametrize("shape", [(0,), (2, 0)])
def test_one_hot_empty_labels_with_num_classes(shape):
    out = F.one_hot(np.zeros(shape, np.int64), num_classes=3)
    assert out.shape == shape + (3,) and out.dtype == np.int64


def test_one_hot_negative_labels_with_inferred_classes_names_them():
    with pytest.raises(ConfigError, match="from -2 to -1"):
        F.one_hot(np.array([-2, -1]))


# ------------------------------------------------- sparse=True combinations
INDICES = np.array([0, 2, 2, 1])


def _weight():
    return Tensor(np.random.default_rng(3).normal(size=(4, 3)), requires_grad=True)


def test_embedding_sparse_with_scale_grad_by_freq_refuses_backward():
    weight = _weight()
    out = F.embedding(INDICES, weight, scale_grad_by_freq=True, sparse=True)
    np.testing.assert_array_equal(out.data, weight.data[INDICES])  # forward runs
    with pytest.raises(ConfigError, match="scale_grad_by_freq=True does not work with "
                                          "sparse=True"):
        out.sum().backward()


def test_embedding_module_sparse_with_scale_grad_by_freq():
    module = nn.Embedding(4, 3, scale_grad_by_freq=True, sparse=True)
    with no_grad():
        np.testing.assert_array_equal(module(INDICES).data, module.weight.data[INDICES])
    with pytest.raises(ConfigError, match="sparse=True"):
        module(INDICES).sum().backward()


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_sparse_with_scale_grad_by_freq_refuses_backward(mode):
    out = F.embedding_bag(INDICES, _weight(), np.array([0, 2]), mode=mode,
                          scale_grad_by_freq=True, sparse=True)
    with pytest.raises(ConfigError, match="sparse=True"):
        out.sum().backward()


def test_embedding_bag_max_mode_refuses_sparse():
    with pytest.raises(ConfigError, match="mode='max' does not support sparse=True"):
        F.embedding_bag(INDICES, _weight(), np.array([0, 2]), mode="max", sparse=True)
    module = nn.EmbeddingBag(4, 3, mode="max", sparse=True)
    with pytest.raises(ConfigError, match="sparse=True"):
        module(INDICES, np.array([0, 2]))


def test_sparse_alone_and_scale_grad_by_freq_alone_keep_their_gradients():
    counts = np.bincount(INDICES, minlength=4)[:, None] * np.ones(3)  # rows 0, 1, 2, 3
    weight = _weight()
    F.embedding(INDICES, weight, sparse=True).sum().backward()
    np.testing.assert_array_equal(weight.grad.data, counts)  # each use adds 1
    weight = _weight()
    F.embedding(INDICES, weight, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(weight.grad.data, (counts > 0).astype(float))  # n / n
    weight = _weight()
    F.embedding_bag(INDICES, weight, np.array([0, 2]), mode="sum",
                    scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(weight.grad.data, (counts > 0).astype(float))

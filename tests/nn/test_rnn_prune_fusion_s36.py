"""Session 36 fixes in nn.utils.rnn, nn.utils.prune and nn.utils.fusion: a Tensor of
sequences in pad_sequence / pack_sequence (PyTorch iterates its first axis), mixed dtypes
padded in their promoted dtype, a 0-d Tensor padding_value, errors naming the public
function; named errors of global_unstructured; affine=False BatchNorm in
fuse_linear_bn_eval; named errors for wrong modules and channel counts in fusion.
Expected values are computed here with NumPy."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import AutogradError, DTypeError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.utils import fusion
from nn.utils import prune
from nn.utils.rnn import pack_sequence, pad_packed_sequence, pad_sequence


# ---------------------------------------------------------------- pad_sequence / rnn

@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence_of_a_tensor_reads_its_rows(batch_first):
    values = np.arange(24.0).reshape(2, 3, 4)  # 2 sequences of length 3, 4 features
    x = ag.tensor(values, requires_grad=True)
    out = pad_sequence(x, batch_first=batch_first)
    want = values if batch_first else values.transpose(1, 0, 2)
    np.testing.assert_array_equal(out.detach().numpy(), want)
    weights = np.cos(np.arange(want.size)).reshape(want.shape)
    (out * ag.tensor(weights)).sum().backward()
    expected_grad = weights if batch_first else weights.transpose(1, 0, 2)
    np.testing.assert_allclose(x.grad.numpy(), expected_grad)


def test_pack_sequence_of_a_tensor_equals_the_list_of_its_rows():
    values = np.arange(6.0).reshape(2, 3)
    from_tensor = pack_sequence(ag.tensor(values))
    from_list = pack_sequence([ag.tensor(row) for row in values])
    np.testing.assert_array_equal(from_tensor.data.numpy(), from_list.data.numpy())
    np.testing.assert_array_equal(from_tensor.batch_sizes.numpy(), [2, 2, 2])
    # time-major: step 0 of both sequences, then step 1, ...
    np.testing.assert_array_equal(from_tensor.data.numpy(), values.T.reshape(-1))


@pytest.mark.parametrize("bad, error, text", [
    (lambda: pad_sequence(ag.tensor(np.ones(3))), ShapeError, "at least 2 axes"),
    (lambda: pad_sequence(ag.tensor(np.ones((0, 3)))), ArgumentTypeError, "empty Tensor"),
    (lambda: pad_sequence(ag.tensor(2.0)), ShapeError, "at least 2 axes"),
    (lambda: pack_sequence(ag.tensor(np.ones(3))), ShapeError, "pack_sequence"),
])
def test_tensors_that_hold_no_sequences_are_refused_by_name(bad, error, text):
    with pytest.raises(error, match=text) as info:
        bad()
    assert isinstance(info.value, AutogradError)


def test_mixed_dtypes_pad_in_the_promoted_dtype():
    ints, floats = ag.tensor(np.array([1, 2])), ag.tensor(np.array([3.7]))
    out = pad_sequence([ints, floats])
    assert out.dtype == np.result_type(np.int64, np.float64)
    np.testing.assert_array_equal(out.numpy(), [[1.0, 3.7], [2.0, 0.0]])
    # the padding is checked against the promoted dtype, which holds NaN
    out = pad_sequence([ints, floats], padding_value=float("nan"))
    np.testing.assert_array_equal(out.numpy(), [[1.0, 3.7], [2.0, np.nan]])


def test_a_zero_d_tensor_padding_value_pads_as_its_number():
    seqs = [ag.tensor(np.array([1.0, 2.0])), ag.tensor(np.array([5.0]))]
    out = pad_sequence(seqs, padding_value=ag.tensor(3.0))
    np.testing.assert_array_equal(out.numpy(), [[1.0, 5.0], [2.0, 3.0]])
    padded, lengths = pad_packed_sequence(pack_sequence(seqs), padding_value=ag.tensor(-2))
    np.testing.assert_array_equal(padded.numpy(), [[1.0, 5.0], [2.0, -2.0]])
    np.testing.assert_array_equal(lengths.numpy(), [2, 1])
    with pytest.raises(ArgumentTypeError, match="0-d Tensor"):
        pad_sequence(seqs, padding_value=ag.tensor([3.0]))


def test_a_padding_value_the_dtype_cannot_hold_names_the_public_function():
    seqs = [ag.tensor(np.array([1, 2])), ag.tensor(np.array([3]))]
    with pytest.raises(DTypeError, match="^pad_sequence: padding_value nan"):
        pad_sequence(seqs, padding_value=float("nan"))
    with pytest.raises(DTypeError, match="^pad_packed_sequence: padding_value nan"):
        pad_packed_sequence(pack_sequence(seqs), padding_value=float("nan"))


# ---------------------------------------------------------------- global_unstructured

def _linear():
    layer = nn.Linear(3, 2)
    with ag.no_grad():
        layer.weight.copy_(ag.tensor(np.array([[0.5, -0.1, 2.0], [0.05, -3.0, 0.2]])))
    return layer


@pytest.mark.parametrize("parameters, scores, error, text", [
    ("empty", None, ConfigError, "empty"),
    ("pairs", None, ArgumentTypeError, "no tensor 'nope'"),
    ("module", None, ArgumentTypeError, r"\(module, name\) pair"),
    ("shape", "bad", ShapeError, r"shape of weight, \(2, 3\); got \(3,\)"),
])
def test_global_unstructured_names_bad_input(parameters, scores, error, text):
    layer = _linear()
    parameters = {"empty": [], "pairs": [(layer, "nope")], "module": [layer],
                  "shape": [(layer, "weight")]}[parameters]
    importance = {(layer, "weight"): ag.tensor(np.ones(3))} if scores else None
    with pytest.raises(error, match=text) as info:
        prune.global_unstructured(parameters, prune.L1Unstructured,
                                  importance_scores=importance, amount=1)
    assert isinstance(info.value, AutogradError)
    assert not prune.is_pruned(layer)  # nothing half-done


def test_global_unstructured_takes_list_pairs_as_tuples():
    by_list, by_tuple = _linear(), _linear()
    prune.global_unstructured([[by_list, "weight"]], prune.L1Unstructured, amount=2)
    prune.global_unstructured([(by_tuple, "weight")], prune.L1Unstructured, amount=2)
    weights = np.abs(_linear().weight.detach().numpy()).reshape(-1)
    expected = np.ones(6)
    expected[np.argsort(weights, kind="stable")[:2]] = 0  # the two smallest |w|
    np.testing.assert_array_equal(by_list.weight_mask.numpy().reshape(-1), expected)
    np.testing.assert_array_equal(by_tuple.weight_mask.numpy(), by_list.weight_mask.numpy())


# ---------------------------------------------------------------- fusion

def _evaluated(layer, bn, x):
    """``layer`` and ``bn`` after two training batches (non-trivial running statistics),
    both in evaluation mode."""
    for batch in (x, x * 2 + 1):
        bn(layer(batch))
    return layer.eval(), bn.eval()


def test_fuse_linear_bn_eval_with_affine_false_batchnorm():
    x = ag.tensor(np.random.default_rng(0).normal(size=(5, 2)))
    linear, bn = _evaluated(nn.Linear(2, 3), nn.BatchNorm1d(3, affine=False), x)
    fused = fusion.fuse_linear_bn_eval(linear, bn)
    w, b = linear.weight.detach().numpy(), linear.bias.detach().numpy()
    mean, var = bn.running_mean.numpy(), bn.running_var.numpy()
    scale = 1 / np.sqrt(var + bn.eps)  # gamma 1, beta 0
    np.testing.assert_allclose(fused.weight.detach().numpy(), w * scale[:, None], rtol=1e-12)
    np.testing.assert_allclose(fused.bias.detach().numpy(), (b - mean) * scale, rtol=1e-12)
    want = (x.numpy() @ w.T + b - mean) * scale
    with ag.no_grad():
        np.testing.assert_allclose(fused(x).numpy(), want, rtol=1e-12, atol=1e-12)


def test_fuse_linear_bn_weights_with_missing_gamma_and_beta():
    w, rm, rv = np.arange(6.0).reshape(3, 2), np.array([0.5, -1.0, 2.0]), np.ones(3) * 3
    fused_w, fused_b = fusion.fuse_linear_bn_weights(
        ag.tensor(w), None, ag.tensor(rm), ag.tensor(rv), 1.0, None, None)
    np.testing.assert_allclose(fused_w.detach().numpy(), w / 2)  # 1 / sqrt(3 + 1)
    np.testing.assert_allclose(fused_b.detach().numpy(), -rm / 2)


@pytest.mark.parametrize("call, error, text", [
    (lambda: fusion.fuse_conv_bn_eval(nn.Conv2d(2, 3, 1).eval(), nn.Conv2d(3, 3, 1).eval()),
     ArgumentTypeError, "expected a BatchNorm"),
    (lambda: fusion.fuse_linear_bn_eval(nn.Conv2d(2, 3, 1).eval(), nn.BatchNorm2d(3).eval()),
     ArgumentTypeError, "expected an nn.Linear"),
    (lambda: fusion.fuse_conv_bn_eval(nn.Conv2d(2, 3, 1).eval(), nn.BatchNorm2d(4).eval()),
     ConfigError, "bn.num_features must equal the conv's out_channels, 3; got 4"),
    (lambda: fusion.fuse_conv_bn_eval(nn.ConvTranspose2d(2, 3, 1).eval(),
                                      nn.BatchNorm2d(3).eval()),
     ConfigError, "pass transpose=True"),
    (lambda: fusion.fuse_conv_bn_eval(nn.Conv2d(3, 3, 1).eval(), nn.BatchNorm2d(3).eval(),
                                      transpose=True),
     ConfigError, "leave transpose=False"),
    (lambda: fusion.fuse_conv_bn_eval(nn.ConvTranspose2d(4, 4, 1, groups=2).eval(),
                                      nn.BatchNorm2d(4).eval(), transpose=True),
     ConfigError, "grouped transposed"),
    (lambda: fusion.fuse_conv_bn_weights(ag.tensor(np.ones((3, 2, 1, 1))), None,
                                         ag.tensor(np.zeros(4)), ag.tensor(np.ones(4)),
                                         1e-5, None, None),
     ShapeError, "statistics hold 4 values"),
])
def test_fusion_names_wrong_modules_and_channels(call, error, text):
    with pytest.raises(error, match=text) as info:
        call()
    assert isinstance(info.value, AutogradError)


def test_a_square_transposed_conv_without_transpose_is_refused_not_misfused():
    """in == out channels: scaling the weight's axis 0 instead of 1 would run silently."""
    conv = nn.ConvTranspose2d(3, 3, 2).eval()
    bn = nn.BatchNorm2d(3).eval()
    with pytest.raises(ConfigError, match="transpose=True"):
        fusion.fuse_conv_bn_eval(conv, bn)
    x = ag.tensor(np.random.default_rng(1).normal(size=(2, 3, 4, 4)))
    conv, bn = _evaluated(conv.train(), bn.train(), x)
    fused = fusion.fuse_conv_bn_eval(conv, bn, transpose=True)
    with ag.no_grad():
        np.testing.assert_allclose(fused(x).numpy(), bn(conv(x)).numpy(), rtol=1e-10,
                                   atol=1e-12)

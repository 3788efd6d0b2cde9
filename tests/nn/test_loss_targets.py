"""Loss targets are checked as inputs are: labels in range for every integer dtype,
named errors for targets that are not real numbers, and NaN for "mean" of nothing."""
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import AutogradError, DataError, DTypeError

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
              np.uint64]
LABEL_LOSSES = [F.cross_entropy, F.nll_loss]


def class_counts(dtype):
    """Both sides of 2^(bits-1), where a negative label read as unsigned stops being
    >= the class count (only small dtypes: a scores row has that many entries)."""
    bits = np.iinfo(dtype).bits
    return [3] if bits > 16 else [3, 2 ** (bits - 1), 2 ** (bits - 1) + 44, 2 ** bits,
                                  2 ** bits + 7]


CASES = [(d, c) for d in INT_DTYPES for c in class_counts(d)]


@pytest.mark.parametrize("loss", LABEL_LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype, classes", CASES, ids=str)
def test_every_out_of_range_label_raises(loss, dtype, classes):
    scores = Tensor(np.zeros((2, classes)))
    info = np.iinfo(dtype)
    bad = [v for v in (-1, info.min, classes) if info.min <= v <= info.max and
           not 0 <= v < classes]
    for value in bad:
        labels = np.array([0, value], dtype=dtype)
        with pytest.raises(ValueError, match=f"label {value} at position"):
            loss(scores, labels)
    good = np.array([0, min(classes - 1, info.max)], dtype=dtype)
    rows = np.random.default_rng(0).normal(size=(2, classes))
    log_probs = rows - np.log(np.exp(rows).sum(axis=1, keepdims=True))
    logits = rows if loss is F.cross_entropy else log_probs
    want = -log_probs[np.arange(2), good.astype(np.int64)].mean()
    assert loss(Tensor(logits), good).item() == pytest.approx(want, rel=1e-12)


def test_int8_minus_one_with_300_classes_is_not_class_299():
    with pytest.raises(ValueError, match="out of range for 300 classes"):
        F.cross_entropy(Tensor(np.zeros((1, 300))), np.array([-1], dtype=np.int8))
    with pytest.raises(ValueError, match="out of range for 65536 classes"):
        F.nll_loss(Tensor(np.zeros((1, 65536))), np.array([-1], dtype=np.int16))


# ------------------------------------------------------------------ not real numbers
BAD_TARGETS = {
    "None": ([None, 1.0, 2.0], DataError),
    "object": (np.array([1.0, 2.0, 3.0], dtype=object), DataError),
    "ragged": ([[1.0, 2.0], [3.0], [4.0]], DataError),
    "string": (["a", "b", "c"], DTypeError),
    "numeric strings": (np.array(["1", "0", "1"]), DTypeError),
    "bytes": (np.array([b"1", b"0", b"1"]), DTypeError),
    "complex": (np.array([1 + 1j, 0.0, 1.0]), DTypeError),
}
ELEMENTWISE = [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy,
               F.binary_cross_entropy_with_logits]


@pytest.mark.parametrize("kind", BAD_TARGETS)
@pytest.mark.parametrize("loss", ELEMENTWISE + LABEL_LOSSES, ids=lambda f: f.__name__)
def test_targets_that_are_not_real_numbers_raise_a_named_error(loss, kind):
    target, error = BAD_TARGETS[kind]
    x = Tensor(np.full(3, 0.5), requires_grad=True)
    if loss in LABEL_LOSSES:
        x = Tensor(np.zeros((3, 2)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning: an error, not a lost part
        with pytest.raises(error, match=loss.__name__) as info:
            loss(x, target)
    assert isinstance(info.value, AutogradError)
    assert "target" in str(info.value) or "labels" in str(info.value)


def test_loss_modules_check_targets_too():
    with pytest.raises(DataError, match="ragged"):
        nn.CrossEntropyLoss()(Tensor(np.zeros((2, 3))), [[0, 1], [2]])
    with pytest.raises(DataError, match="None"):
        nn.MSELoss()(Tensor(np.zeros(2)), [None, 1.0])


@pytest.mark.parametrize("where", ["input", "target"])
def test_binary_cross_entropy_rejects_nan_and_out_of_range(where):
    for bad in (np.nan, 1.5, -0.25):
        values = {"input": np.array([0.3, 0.6]), "target": np.array([1.0, 0.0])}
        values[where][1] = bad
        pattern = "NaN" if np.isnan(bad) else "values from"
        with pytest.raises(ValueError, match=f"{where} must hold probabilities.*{pattern}"):
            F.binary_cross_entropy(Tensor(values["input"]), values["target"])


# ------------------------------------------------------------------ empty batches
def _empty(*shape):
    return Tensor(np.zeros(shape), requires_grad=True)


EMPTY = {
    "mse_loss": lambda r: F.mse_loss(_empty(0), np.zeros(0), r),
    "binary_cross_entropy": lambda r: F.binary_cross_entropy(
        _empty(0), np.zeros(0), r),
    "cross_entropy labels": lambda r: F.cross_entropy(
        _empty(0, 3), np.zeros(0, dtype=np.int64), r),
    "cross_entropy Tensor labels": lambda r: F.cross_entropy(
        _empty(0, 3), Tensor(np.zeros(0, dtype=np.int32)), r),
    "cross_entropy probabilities": lambda r: F.cross_entropy(
        _empty(0, 3), np.zeros((0, 3)), r),
    "nll_loss": lambda r: F.nll_loss(_empty(0, 3), np.zeros(0, dtype=np.int64), r),
    "binary_cross_entropy_with_logits": lambda r: F.binary_cross_entropy_with_logits(
        _empty(0), np.zeros(0), r),
    "l1_loss": lambda r: F.l1_loss(_empty(0), np.zeros(0), r),
    "huber_loss": lambda r: F.huber_loss(_empty(0), np.zeros(0), reduction=r),
    "gaussian_kl": lambda r: F.gaussian_kl(_empty(0, 2), np.zeros((0, 2)), r),
    "kl_div": lambda r: F.kl_div(_empty(0, 2), np.zeros((0, 2)),
                                 np.zeros((0, 2)), np.zeros((0, 2)), r),
}


@pytest.mark.parametrize("name", EMPTY)
def test_mean_over_an_empty_batch_is_nan_and_sum_is_zero(name):
    """NaN quietly, as PyTorch: no NumPy "invalid value" warning, forward or backward."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean = EMPTY[name]("mean")
        assert np.isnan(mean.item())
        mean.backward()
    assert EMPTY[name]("sum").item() == 0.0
    assert EMPTY[name]("none").shape == (0,)


def test_mean_over_an_empty_batch_keeps_float32():
    loss = F.mse_loss(Tensor(np.zeros(0, np.float32)), np.zeros(0))
    assert loss.dtype == np.float32 and np.isnan(loss.item())


def test_empty_batch_matches_torch():
    torch = pytest.importorskip("torch")
    want = torch.nn.functional.cross_entropy(torch.zeros(0, 3),
                                             torch.zeros(0, dtype=torch.long))
    ours = EMPTY["cross_entropy labels"]("mean").item()
    assert np.isnan(want.item()) and np.isnan(ours)

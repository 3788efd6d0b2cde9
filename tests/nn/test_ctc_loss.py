"""ctc_loss / CTCLoss: values and gradients against PyTorch's in float64 (through
log_softmax, where PyTorch's CPU gradient is the true one) for each reduction, blank
position, repeated labels, padded and concatenated targets, unbatched input and impossible
alignments (inf, zero_infinity); central differences on log_probs directly; the named
errors for bad lengths, shapes, labels and blank."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.errors import DataError, DTypeError, ShapeError, UsageError
from nn.errors import ConfigError

RNG = np.random.default_rng(20)
T, N, C = 8, 4, 5
LOGITS = RNG.normal(size=(T, N, C))
# sample 2 repeats a label (needs a blank between: 5 steps for 3 labels); sample 3 is
# empty; sample 1 has input length 2 for 2 labels
TARGETS = np.array([[1, 2, 3], [4, 1, 0], [2, 2, 2], [0, 0, 0]])
INPUT_LENGTHS = [8, 2, 6, 3]
TARGET_LENGTHS = [3, 2, 3, 0]


def _with_blank(targets: np.ndarray, blank: int) -> np.ndarray:
    """The targets relabelled so that no label is ``blank`` (blank takes class 0's role)."""
    return np.where(targets == blank, 0, targets) if blank else targets


def _both(torch, logits, targets, input_lengths, target_lengths, weights=None, **options):
    """(ours, PyTorch's) loss values and gradients with respect to the logits."""
    ours_x = Tensor(logits, requires_grad=True)
    ours = F.ctc_loss(F.log_softmax(ours_x, -1), targets, input_lengths, target_lengths,
                      **options)
    theirs_x = torch.tensor(logits, requires_grad=True)
    theirs = torch.nn.functional.ctc_loss(
        theirs_x.log_softmax(-1), torch.as_tensor(targets), torch.as_tensor(input_lengths),
        torch.as_tensor(target_lengths), **options)
    weights = RNG.normal(size=ours.shape) if weights is None else weights
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    return (ours.data, ours_x.grad), (theirs.detach().numpy(), theirs_x.grad.numpy())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("blank", [0, 2, C - 1])
def test_values_and_gradients_match_pytorch(torch, reduction, blank):
    targets = _with_blank(TARGETS, blank)
    (ours, ours_grad), (theirs, theirs_grad) = _both(
        torch, LOGITS, targets, INPUT_LENGTHS, TARGET_LENGTHS, blank=blank,
        reduction=reduction)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(ours_grad, theirs_grad, atol=1e-12)


def test_concatenated_targets_tuple_and_list_lengths(torch):
    flat = np.concatenate([row[:n] for row, n in zip(TARGETS, TARGET_LENGTHS)])
    (ours, ours_grad), (theirs, theirs_grad) = _both(
        torch, LOGITS, flat, tuple(INPUT_LENGTHS), TARGET_LENGTHS, reduction="none")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(ours_grad, theirs_grad, atol=1e-12)
    padded = F.ctc_loss(F.log_softmax(Tensor(LOGITS), -1), TARGETS, INPUT_LENGTHS,
                        TARGET_LENGTHS, reduction="none")
    np.testing.assert_allclose(ours, padded.data, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_impossible_alignment(torch, reduction, zero_infinity):
    """[2, 2, 2] needs 5 steps; in 4 its loss is inf (gradient NaN on its steps, 0 past
    its end, as PyTorch's), or 0 with a zero gradient under zero_infinity."""
    lengths = [8, 2, 4, 3]
    (ours, ours_grad), (theirs, theirs_grad) = _both(
        torch, LOGITS, TARGETS, lengths, TARGET_LENGTHS, reduction=reduction,
        zero_infinity=zero_infinity)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert np.isinf(ours).any() != zero_infinity
    np.testing.assert_allclose(ours_grad, theirs_grad, atol=1e-12, equal_nan=True)


def test_unbatched_input(torch):
    for reduction in ("none", "mean"):
        (ours, ours_grad), (theirs, theirs_grad) = _both(
            torch, LOGITS[:, 0], TARGETS[0], torch.tensor(8), torch.tensor(3), weights=2.0,
            reduction=reduction)
        assert ours.shape == theirs.shape == ()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
        np.testing.assert_allclose(ours_grad, theirs_grad, atol=1e-12)


def test_zero_input_length_and_float32(torch):
    lengths = [0, 2, 6, 0]
    target_lengths = [0, 2, 3, 1]
    targets = np.vstack([TARGETS[:3], [[1, 0, 0]]])
    (ours, _), (theirs, _) = _both(torch, LOGITS, targets, lengths, target_lengths,
                                   reduction="none")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)  # 0 and inf
    x32 = Tensor(LOGITS.astype(np.float32), requires_grad=True)
    loss = F.ctc_loss(F.log_softmax(x32, -1), TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    loss.backward()
    assert loss.dtype == x32.grad.dtype == np.float32


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradient_is_the_derivative_of_log_probs(reduction):
    """Central differences with log_probs a leaf (not normalised): the true derivative,
    where PyTorch's kernel adds exp(log_probs) (which only log_softmax cancels)."""
    log_probs = Tensor(RNG.normal(size=(6, 3, 4)) - 1.0, requires_grad=True)
    targets = np.array([[1, 1, 2], [3, 0, 0], [2, 3, 2]])
    assert gradcheck(lambda lp: F.ctc_loss(lp, targets, [6, 4, 5], [3, 1, 3], blank=0,
                                           reduction=reduction), [log_probs])


def test_module_matches_function_and_repr():
    log_probs = F.log_softmax(Tensor(LOGITS), -1)
    criterion = nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True)
    expected = F.ctc_loss(log_probs, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS,
                          reduction="sum", zero_infinity=True)
    assert criterion(log_probs, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS).item() == \
        expected.item()
    assert repr(criterion) == "CTCLoss()"  # as PyTorch's: a loss shows no arguments


def test_second_derivative_raises_a_named_error():
    x = Tensor(LOGITS, requires_grad=True)
    loss = F.ctc_loss(F.log_softmax(x, -1), TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    with pytest.raises(UsageError, match="differentiable once"):
        loss.backward(create_graph=True)


@pytest.mark.parametrize("change, error, match", [
    ({"blank": C}, DataError, "blank must be in the label range"),
    ({"blank": -1}, DataError, "blank must be in the label range"),
    ({"input_lengths": [9, 2, 6, 3]}, DataError, "at most T = 8"),
    ({"target_lengths": [4, 2, 3, 0]}, ShapeError, "longest target length 4"),
    ({"target_lengths": [-1, 2, 3, 0]}, DataError, ">= 0"),
    ({"input_lengths": [8, 2, 6]}, ShapeError, "one length per sample"),
    ({"input_lengths": np.array([8.0, 2, 6, 3])}, DTypeError, "integers"),
    ({"targets": np.array([[1, 2, 3], [4, 1, 0], [2, 2, 2], [0, 0, 5]]),
      "target_lengths": [3, 2, 3, 3]}, DataError, r"in \[0, 5\)"),
    ({"targets": np.array([1, 2, 3, 4])}, ShapeError, "sum\\(target_lengths\\) = 8"),
    ({"targets": TARGETS[None]}, ShapeError, "padded or 1-d"),
    ({"reduction": "avg"}, ConfigError, "reduction"),
])
def test_named_errors(change, error, match):
    arguments = {"targets": TARGETS, "input_lengths": INPUT_LENGTHS,
                 "target_lengths": TARGET_LENGTHS, **change}
    with pytest.raises(error, match=match):
        F.ctc_loss(F.log_softmax(Tensor(LOGITS), -1), **arguments)


def test_blank_in_a_target_and_bad_log_probs_raise():
    with pytest.raises(DataError, match="contain the blank class 0"):
        F.ctc_loss(Tensor(LOGITS), np.array([[1, 0]] * N), [8] * N, [2] * N)
    with pytest.raises(ShapeError, match=r"\(T, N, C\)"):
        F.ctc_loss(Tensor(LOGITS[None]), TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    with pytest.raises(DTypeError, match="floating point"):
        F.ctc_loss(Tensor(np.zeros((T, N, C), dtype=np.int64)), TARGETS, INPUT_LENGTHS,
                   TARGET_LENGTHS)


def test_float_targets_of_whole_numbers_are_read_as_labels(torch):
    """PyTorch accepts float targets (it reads them as class indices); fractional ones
    raise here."""
    (ours, _), (theirs, _) = _both(torch, LOGITS, TARGETS.astype(float), INPUT_LENGTHS,
                                   TARGET_LENGTHS, reduction="none")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    with pytest.raises(DataError, match="whole numbers"):
        F.ctc_loss(F.log_softmax(Tensor(LOGITS), -1), TARGETS + 0.5, INPUT_LENGTHS,
                   TARGET_LENGTHS)


def test_ragged_targets_name_the_two_layouts():
    with pytest.raises(DataError, match="pad_sequence"):
        F.ctc_loss(F.log_softmax(Tensor(LOGITS), -1), [[1, 2, 3], [4, 1], [2, 2, 2], []],
                   INPUT_LENGTHS, TARGET_LENGTHS)

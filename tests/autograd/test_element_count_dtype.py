"""``x.size`` is an int that may be called (``x.size(0)``); in arithmetic it must stay
the weak Python int NumPy and PyTorch take it for, so float32 stays float32 (a mean written
``x.sum() / x.size`` in a float32 loss came out float64)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn.functional as F


@pytest.mark.parametrize("expression", [
    lambda x: x.sum() / x.size, lambda x: x * x.size, lambda x: x + x.size,
    lambda x: x.size * x, lambda x: x.size / x, lambda x: x - x.size, lambda x: x ** x.size])
def test_tensor_arithmetic_with_size_keeps_float32(expression) -> None:
    x = ag.tensor(np.arange(1.0, 6.0, dtype=np.float32), requires_grad=True)
    assert expression(x).dtype == np.float32


@pytest.mark.parametrize("expression", [
    lambda a, n: a / n, lambda a, n: n / a, lambda a, n: a * n, lambda a, n: np.multiply(a, n),
    lambda a, n: np.float32(2) / n, lambda a, n: a[0] + n])
def test_numpy_arithmetic_with_size_keeps_float32(expression) -> None:
    x = ag.tensor(np.arange(1.0, 6.0, dtype=np.float32))
    assert np.result_type(expression(x.data, x.size)) == np.float32


def test_size_still_counts_and_calls() -> None:
    x = ag.zeros(2, 3)
    assert x.size == 6 and x.size() == (2, 3) and x.size(1) == 3
    assert x.size / 4 == 1.5 and type(x.size + 1) is int and np.sqrt(x.size) == np.sqrt(6)


def test_weighted_losses_of_a_float32_model_stay_float32() -> None:
    """BCE-with-logits with pos_weight/weight and cross-entropy with probability targets
    and a weight reduce with ``losses.size``: PyTorch keeps float32 there."""
    rng = np.random.default_rng(0)
    logits = ag.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    target = (rng.random((4, 3)) < 0.5).astype(np.float32)
    weight = np.ones(3, np.float32)
    assert F.binary_cross_entropy_with_logits(logits, target, pos_weight=weight).dtype \
        == np.float32
    assert F.binary_cross_entropy_with_logits(logits, target, weight=weight).dtype \
        == np.float32
    probs = np.full((4, 3), 1 / 3, np.float32)
    assert F.cross_entropy(logits, probs, weight=weight).dtype == np.float32
    assert F.cross_entropy(logits, probs, label_smoothing=0.1).dtype == np.float32

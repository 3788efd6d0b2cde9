"""Edge cases of nn's losses and normalisation found by differential testing against
PyTorch: all labels ignored, empty batches in BatchNorm1d, PyTorch's (N, C, d1, ...)
layout given to cross_entropy."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor


def normal(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------ all labels ignored
ALL_IGNORED = [
    ("cross_entropy", {}, np.full(5, -100)),
    ("cross_entropy", {"weight": np.array([0.5, 1.0, 2.0, 1.5])}, np.full(5, -100)),
    ("cross_entropy", {"label_smoothing": 0.2}, np.full(5, -100)),
    ("cross_entropy", {"ignore_index": 2}, np.full(5, 2)),
    ("nll_loss", {}, np.full(5, -100)),
    ("nll_loss", {"ignore_index": 1, "weight": np.array([0.5, 1.0, 2.0, 1.5])},
     np.full(5, 1)),
]


@pytest.mark.parametrize("name, options, labels", ALL_IGNORED)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_all_ignored_mean_is_nan_with_zero_gradient_as_torch(name, options, labels, dtype):
    torch = pytest.importorskip("torch")
    logits = normal(0, (5, 4)).astype(dtype)
    x = Tensor(logits, requires_grad=True)
    loss = getattr(F, name)(x, labels, **options)
    loss.backward()
    xt = torch.tensor(logits, requires_grad=True)
    topts = {k: torch.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v
             for k, v in options.items()}
    expected = getattr(torch.nn.functional, name)(xt, torch.tensor(labels), **topts)
    expected.backward()
    assert np.isnan(loss.item()) and np.isnan(expected.item())
    assert loss.dtype == dtype
    np.testing.assert_array_equal(x.grad.data, xt.grad.numpy())  # zeros, not NaN


def test_batch_partly_ignored_keeps_its_gradient():
    """Only an all-ignored batch changes: one kept sample still trains."""
    torch = pytest.importorskip("torch")
    logits, labels = normal(1, (3, 4)), np.array([-100, 2, -100])
    x, xt = Tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    F.cross_entropy(x, labels).backward()
    torch.nn.functional.cross_entropy(xt, torch.tensor(labels)).backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-15)

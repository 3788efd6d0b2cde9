"""nn.functional at extreme values: float16 normalisation, losses with infinite
residuals. Expected values come from PyTorch (skipped without it) or finite
differences."""

from __future__ import annotations

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

ROWS = np.array([[5.0, 5.0, 5.0, 5.0],          # constant: var = 0
                 [300.0, -200.0, 0.0, 100.0],   # squares overflow float16
                 [1e4, 0.0, -1e4, 2e3],
                 [0.5, -1.0, 2.0, 0.25]])


def _ours_and_torch(torch, ours_fn, torch_fn, x: np.ndarray, *params: np.ndarray):
    g = np.random.default_rng(1).uniform(0.5, 1.5, x.shape).astype(x.dtype)
    ours = [Tensor(a.copy(), requires_grad=True) for a in (x, *params)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, *params)]
    y, yt = ours_fn(*ours), torch_fn(*theirs)
    y.backward(g)
    yt.backward(torch.tensor(g))
    assert y.dtype == x.dtype and all(t.grad.dtype == t.dtype for t in ours)
    return ([y.data] + [t.grad.data for t in ours],
            [yt.detach().numpy()] + [t.grad.numpy() for t in theirs])


def _assert_close_float16(ours, theirs):
    for a, b in zip(ours, theirs):
        assert np.isfinite(a).all()
        np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-2, atol=2e-2)


def test_float16_layer_norm_matches_torch_on_constant_and_large_rows():
    """float16 squares overflow from 256 on, and on a constant row the gradient of
    (var + eps)^-1/2 overflowed (NaN gradient): both are computed in float32 now."""
    torch = pytest.importorskip("torch")
    x = ROWS.astype(np.float16)
    w = np.array([1.0, 0.5, -2.0, 1.5], dtype=np.float16)
    b = np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float16)
    ours, theirs = _ours_and_torch(
        torch, lambda x, w, b: F.layer_norm(x, 4, w, b),
        lambda x, w, b: torch.nn.functional.layer_norm(x, (4,), w, b), x, w, b)
    _assert_close_float16(ours, theirs)


def test_float16_batch_norm_matches_torch_on_constant_and_large_channels():
    torch = pytest.importorskip("torch")
    x = ROWS.T.astype(np.float16)  # channels: constant, large, larger, small
    w = np.array([1.0, 0.5, -2.0, 1.5], dtype=np.float16)
    b = np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float16)
    ours, theirs = _ours_and_torch(
        torch, lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: torch.nn.functional.batch_norm(x, None, None, w, b, training=True),
        x, w, b)
    _assert_close_float16(ours, theirs)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs", [("huber_loss", {}), ("huber_loss", {"delta": 0.5}),
                                          ("smooth_l1_loss", {"beta": 0.5})])
def test_huber_at_an_infinite_or_huge_residual_matches_torch(dtype, name, kwargs):
    """The gradient is the residual clipped to +-delta, also for an infinite residual
    (the quadratic branch's inf * 0 made it NaN)."""
    torch = pytest.importorskip("torch")
    x = np.array([np.inf, -np.inf, 6e4, 1e4, 1.0, -0.5, 0.0], dtype=dtype)
    y = np.zeros_like(x)
    ours, theirs = _ours_and_torch(
        torch, lambda x: getattr(F, name)(x, y, reduction="none", **kwargs),
        lambda x: getattr(torch.nn.functional, name)(x, torch.tensor(y), reduction="none",
                                                     **kwargs), x)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-3)


@pytest.mark.parametrize("dtype, scale", [(np.float16, 100.0), (np.float16, 1e-3),
                                          (np.float32, 1e20), (np.float64, 1.0)])
def test_cosine_similarity_of_large_vectors_matches_torch(dtype, scale):
    """x1.x2 overflowed (float16 from |x| = 256, float32 from 1.8e19): NaN. The cosine
    is scale invariant and its gradient scales by 1 / scale, so the reference is
    PyTorch's in float64 on the unscaled vectors."""
    torch = pytest.importorskip("torch")
    v1 = np.array([[3.0, 4.0, 0.0], [100.0, 0.0, 1.0], [1.0, -2.0, 2.0]])
    v2 = np.array([[4.0, 3.0, 0.0], [100.0, 1.0, 0.0], [-1.0, 2.0, 2.0]])
    g = np.array([0.5, 1.0, 1.5])
    a = Tensor((v1 * scale).astype(dtype), requires_grad=True)
    b = Tensor((v2 * scale).astype(dtype), requires_grad=True)
    y = F.cosine_similarity(a, b)
    y.backward(g.astype(dtype))
    ta, tb = torch.tensor(v1, requires_grad=True), torch.tensor(v2, requires_grad=True)
    yt = torch.nn.functional.cosine_similarity(ta, tb)
    yt.backward(torch.tensor(g))
    assert y.dtype == dtype and a.grad.dtype == dtype and b.grad.dtype == dtype
    rtol = 1e-2 if dtype == np.float16 else 1e-5
    np.testing.assert_allclose(y.data.astype(float), yt.detach().numpy(), rtol=rtol)
    for ours_grad, torch_grad in ((a.grad.data, ta.grad), (b.grad.data, tb.grad)):
        np.testing.assert_allclose(ours_grad.astype(float) * scale, torch_grad.numpy(),
                                   rtol=rtol, atol=rtol * 1e-2)


@pytest.mark.parametrize("name, slope", [("elu", 1.0), ("celu", 1.0),
                                         ("selu", 1.6732632423543772 * 1.0507009873554805)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elu_family_keeps_its_gradient_in_the_far_negative_tail(name, slope, dtype) -> None:
    """d/dx alpha (e^x - 1) = alpha e^x, from x: as out + alpha it is 0 wherever e^x - 1
    rounds to -1 (x below about -17 in float32), where PyTorch keeps e^x."""
    x = np.array([-20.0, -30.0, -1.0], dtype)
    t = Tensor(x, requires_grad=True)
    getattr(F, name)(t).sum().backward()
    np.testing.assert_allclose(t.grad.data, slope * np.exp(x.astype(np.float64)),
                               rtol=1e-6 if dtype == np.float32 else 1e-13)

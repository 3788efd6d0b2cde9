"""F.gumbel_softmax: compared with torch's own function fed the same exponential draws,
the gradient with frozen noise (a fixed seed) against finite differences, the
straight-through structure of hard=True, and its named errors."""

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import AxisError, Tensor, gradcheck
from nn.errors import ConfigError

LOGITS = np.random.default_rng(0).standard_normal((3, 4))


def _torch_with_our_noise(torch, monkeypatch, logits, seed, **kwargs):
    """torch's F.gumbel_softmax value and logits gradient, its exponential_ draws replaced
    by those our generator gives for ``seed``; and the upstream gradient used."""
    draws = np.random.default_rng(seed).standard_exponential(logits.shape)

    def exponential_(tensor, *args, **kw):
        return tensor.copy_(torch.tensor(draws))

    monkeypatch.setattr(torch.Tensor, "exponential_", exponential_)
    t = torch.tensor(logits, requires_grad=True)
    out = torch.nn.functional.gumbel_softmax(t, **kwargs)
    up = np.random.default_rng(9).standard_normal(out.shape)
    (out * torch.tensor(up)).sum().backward()
    return out.detach().numpy(), t.grad.numpy(), up


@pytest.mark.parametrize("kwargs", [dict(), dict(tau=0.5), dict(tau=2.0, dim=0),
                                    dict(hard=True), dict(hard=True, tau=0.3, dim=0)])
def test_follows_torch_with_the_same_noise(monkeypatch, kwargs):
    torch = pytest.importorskip("torch")
    want, want_grad, up = _torch_with_our_noise(torch, monkeypatch, LOGITS, 5, **kwargs)
    logits = Tensor(LOGITS, requires_grad=True)
    out = F.gumbel_softmax(logits, generator=np.random.default_rng(5), **kwargs)
    (out * up).sum().backward()
    np.testing.assert_allclose(out.data, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(logits.grad, want_grad, rtol=1e-10, atol=1e-13)


def test_gradient_with_frozen_noise_matches_finite_differences():
    assert gradcheck(lambda x: F.gumbel_softmax(x, tau=0.7, generator=3),
                     [Tensor(LOGITS, requires_grad=True)])
    # hard=True: the soft sample's gradient (straight through), with the same noise
    soft_grad, hard_grad = (Tensor(LOGITS, requires_grad=True) for _ in range(2))
    up = np.random.default_rng(1).standard_normal(LOGITS.shape)
    (F.gumbel_softmax(soft_grad, generator=3) * up).sum().backward()
    (F.gumbel_softmax(hard_grad, hard=True, generator=3) * up).sum().backward()
    np.testing.assert_allclose(hard_grad.grad, soft_grad.grad, rtol=1e-12, atol=1e-15)


def test_hard_is_one_hot_at_the_soft_argmax_and_soft_is_a_distribution():
    soft = F.gumbel_softmax(LOGITS, generator=np.random.default_rng(2))
    hard = F.gumbel_softmax(LOGITS, hard=True, generator=np.random.default_rng(2))
    np.testing.assert_allclose(soft.data.sum(axis=-1), 1.0, rtol=1e-12)
    assert (soft.data > 0).all()
    np.testing.assert_allclose(hard.data, np.eye(4)[soft.data.argmax(axis=-1)], atol=1e-15)
    hard0 = F.gumbel_softmax(LOGITS, hard=True, dim=0, generator=4)
    np.testing.assert_allclose(hard0.data.sum(axis=0), 1.0, atol=1e-15)


def test_samples_follow_the_categorical_distribution():
    rng = np.random.default_rng(7)
    logits = np.log(np.array([0.6, 0.3, 0.1]))
    counts = F.gumbel_softmax(np.tile(logits, (4000, 1)), hard=True, generator=rng).data
    np.testing.assert_allclose(counts.mean(axis=0), [0.6, 0.3, 0.1], atol=0.03)


def test_float32_stays_float32_and_errors_are_named():
    assert F.gumbel_softmax(LOGITS.astype(np.float32), generator=0).dtype == np.float32
    with pytest.raises(ConfigError, match="tau"):
        F.gumbel_softmax(LOGITS, tau=0.0)
    with pytest.raises(AxisError):
        F.gumbel_softmax(LOGITS, dim=2)
    with pytest.raises(TypeError, match="generator"):
        F.gumbel_softmax(LOGITS, generator="seed")
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F.gumbel_softmax(LOGITS, eps=1e-5, generator=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.gumbel_softmax(LOGITS, generator=0)

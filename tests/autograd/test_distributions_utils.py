"""``torch.distributions.utils``'s helpers as ``autograd.distributions.utils``:
``logits_to_probs``/``probs_to_logits`` (categorical and binary), ``clamp_probs``,
``broadcast_all`` and ``lazy_property``, as invalid-action masking code imports them
(sb3-contrib's ``MaskableCategorical`` re-sets ``self.probs = logits_to_probs(self.logits)``
after masking its logits). Values and gradients against PyTorch's."""

from __future__ import annotations

import numpy as np

import autograd as ag

LOGITS = np.array([[0.3, -1.2, 2.0], [1.0, 0.0, -0.5]])
PROBS = np.array([[0.2, 0.0, 0.8], [1.0, 0.25, 0.5]])


def values_and_gradients(T, name: str, data: np.ndarray, **kwargs) -> tuple:
    """utils.<name>(leaf, **kwargs): its value and the gradient of sum(w * out)."""
    x = T.tensor(data, requires_grad=True)
    out = getattr(T.distributions.utils, name)(x, **kwargs)
    w = T.tensor(np.random.default_rng(0).standard_normal(out.shape))
    (out * w).sum().backward()
    return out.detach().numpy(), x.grad.numpy()


def test_probability_conversions_match_pytorch(torch) -> None:
    import torch.distributions.utils  # noqa: F401  (a submodule, imported on use in PyTorch)
    cases = [("logits_to_probs", LOGITS, {}), ("logits_to_probs", LOGITS, {"is_binary": True}),
             ("probs_to_logits", PROBS, {}), ("probs_to_logits", PROBS, {"is_binary": True}),
             ("clamp_probs", PROBS, {})]
    for name, data, kwargs in cases:
        ours = values_and_gradients(ag, name, data, **kwargs)
        theirs = values_and_gradients(torch, name, data, **kwargs)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=f"{name} {kwargs}")


def test_module_path_and_the_helpers_the_distributions_use() -> None:
    from autograd.distributions.utils import broadcast_all, lazy_property
    import autograd.distributions as D
    from autograd.distributions import distribution
    assert D.utils.broadcast_all is broadcast_all is distribution.broadcast_all
    assert lazy_property is distribution.lazy_property
    a, b = broadcast_all(ag.zeros(2, 1), 1.0)
    assert a.shape == b.shape == (2, 1)


def test_maskable_categorical_resets_its_probs_as_sb3_contrib(torch) -> None:
    """sb3-contrib's ``MaskableCategorical.apply_masking``, for both libraries."""
    def masked_entropy_and_gradient(T):
        from_utils = T.distributions.utils.logits_to_probs
        x = T.tensor(LOGITS, requires_grad=True)
        dist = T.distributions.Categorical(logits=x)
        masks = T.as_tensor(np.array([[1, 0, 1], [1, 1, 0]]), dtype=T.bool)
        logits = T.where(masks, dist.logits, T.tensor(-1e8, dtype=dist.logits.dtype))
        T.distributions.Categorical.__init__(dist, logits=logits)
        dist.probs = from_utils(dist.logits)  # self.probs may already be cached
        p_log_p = T.where(masks, dist.logits * dist.probs, T.tensor(0.0))
        entropy = -p_log_p.sum(-1)
        entropy.sum().backward()
        return entropy.detach().numpy(), x.grad.numpy()
    import torch.distributions.utils  # noqa: F401
    for a, b in zip(masked_entropy_and_gradient(ag), masked_entropy_and_gradient(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)  # 1e-18 at masked actions


def truncated_normal(T):
    """DrQ-v2's ``utils.TruncatedNormal`` (its draws through ``_standard_normal``)."""
    from_utils = T.distributions.utils._standard_normal

    class TruncatedNormal(T.distributions.Normal):
        def __init__(self, loc, scale, low=-1.0, high=1.0, eps=1e-6):
            super().__init__(loc, scale, validate_args=False)
            self.low = low
            self.high = high
            self.eps = eps

        def _clamp(self, x):
            clamped_x = T.clamp(x, self.low + self.eps, self.high - self.eps)
            x = x - x.detach() + clamped_x.detach()
            return x

        def sample(self, clip=None, sample_shape=()):
            shape = self._extended_shape(sample_shape)
            eps = from_utils(shape, dtype=self.loc.dtype, device=self.loc.device)
            eps *= self.scale
            if clip is not None:
                eps = T.clamp(eps, -clip, clip)
            x = self.loc + eps
            return self._clamp(x)

    return TruncatedNormal


def test_standard_normal_draws_as_randn_for_drqv2_truncated_normal(torch) -> None:
    """``_standard_normal(shape, dtype, device)`` draws from the default generator (as
    ``autograd.randn``), so DrQ-v2's exploration noise runs; its straight-through clamp
    passes the gradient to ``loc`` unchanged, as in PyTorch."""
    for T in (ag, torch):
        loc = T.tensor(LOGITS / 4, requires_grad=True)
        T.manual_seed(0)
        action = truncated_normal(T)(loc, T.tensor(0.2)).sample(clip=0.3)
        T.manual_seed(0)
        expected = np.clip(LOGITS / 4 + np.clip(0.2 * T.randn(LOGITS.shape).numpy(), -0.3,
                                                0.3), -1 + 1e-6, 1 - 1e-6)
        np.testing.assert_allclose(action.detach().numpy(), expected, rtol=1e-12)
        action.sum().backward()
        np.testing.assert_array_equal(loc.grad.numpy(), np.ones(LOGITS.shape))
        assert T.distributions.utils._standard_normal((2,), dtype=T.float32,
                                                      device="cpu").dtype == T.float32

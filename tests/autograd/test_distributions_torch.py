"""``autograd.distributions`` against ``torch.distributions`` (float64): every method's
values and its gradients with respect to the parameters, step for step, from the same
parameters (broadcast batches included). ``rsample`` draws the same noise on both sides:
ours replays PyTorch's eps (Normal) or u (Uniform) through a Generator whose draws the test
sets. Checks, moments and errors: ``test_distributions_checks.py``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)
LOC, SCALE = RNG.standard_normal((3, 1)), RNG.uniform(0.5, 2.0, 4)
NORMAL_X = RNG.standard_normal((2, 3, 4))
PROBS = RNG.uniform(0.05, 0.95, (2, 3))
LOGITS = RNG.standard_normal((2, 3)) * 2
BITS = (RNG.random((4, 2, 3)) < 0.5).astype(np.float64)
WEIGHTS = RNG.uniform(0.1, 1.0, (2, 3, 4))  # unnormalised, as Categorical takes them
CLASSES = RNG.integers(0, 4, (5, 2, 3))
LOW, HIGH = RNG.uniform(-1, 0, 3), RNG.uniform(1, 2, (2, 3))
INSIDE = RNG.uniform(0.0, 1.0, (4, 2, 3))


def _numpy(x) -> np.ndarray:
    return x.detach().numpy() if hasattr(x, "detach") and not isinstance(x, ag.Tensor) \
        else np.asarray(x.data if isinstance(x, ag.Tensor) else x)


def run(T, fn, params: dict) -> tuple:
    """fn(T, T.distributions, **params as leaf tensors): its value and, for a float output
    that records a graph, the gradients of sum(w * out) over its finite entries."""
    leaves = {k: T.tensor(v, requires_grad=True) for k, v in params.items()}
    out = fn(T, T.distributions, **leaves)
    value = _numpy(out)
    grads = {}
    if out.requires_grad:
        finite = np.isfinite(value)
        w = np.random.default_rng(1).standard_normal(value.shape)
        (out[T.tensor(finite)] * T.tensor(w[finite])).sum().backward()
        grads = {k: (np.zeros_like(params[k]) if leaf.grad is None else _numpy(leaf.grad))
                 for k, leaf in leaves.items()}
    return value, grads


def check(torch, fn, params: dict, rtol: float = 1e-10) -> None:
    ours, theirs = run(ag, fn, params), run(torch, fn, params)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=rtol, atol=1e-12)
    assert ours[0].dtype == theirs[0].dtype
    assert ours[1].keys() == theirs[1].keys()
    for name in ours[1]:
        np.testing.assert_allclose(ours[1][name], theirs[1][name], rtol=rtol, atol=1e-12,
                                   err_msg=f"gradient of {name}")


def x(T, value):
    return T.tensor(value)


NORMAL = dict(loc=LOC, scale=SCALE)
NORMAL_CASES = {
    "log_prob": lambda T, D, loc, scale: D.Normal(loc, scale).log_prob(x(T, NORMAL_X)),
    "cdf": lambda T, D, loc, scale: D.Normal(loc, scale).cdf(x(T, NORMAL_X)),
    "entropy": lambda T, D, loc, scale: D.Normal(loc, scale).entropy(),
    "mean": lambda T, D, loc, scale: D.Normal(loc, scale).mean * 1,
    "mode": lambda T, D, loc, scale: D.Normal(loc, scale).mode * 1,
    "variance": lambda T, D, loc, scale: D.Normal(loc, scale).variance,
    "stddev": lambda T, D, loc, scale: D.Normal(loc, scale).stddev * 1,
    "perplexity": lambda T, D, loc, scale: D.Normal(loc, scale).perplexity(),
    "number_loc": lambda T, D, loc, scale: D.Normal(0.5, scale).log_prob(x(T, NORMAL_X)),
    "number_scale": lambda T, D, loc, scale: D.Normal(loc, 2.0).log_prob(x(T, NORMAL_X)),
    "expand": lambda T, D, loc, scale: D.Normal(loc, scale).expand((2, 3, 4)).log_prob(
        x(T, NORMAL_X)),
}
BERNOULLI_CASES = {
    "log_prob": lambda T, D, p, z: D.Bernoulli(probs=p).log_prob(x(T, BITS)),
    "log_prob_logits": lambda T, D, p, z: D.Bernoulli(logits=z).log_prob(x(T, BITS)),
    "entropy": lambda T, D, p, z: D.Bernoulli(p).entropy(),
    "entropy_logits": lambda T, D, p, z: D.Bernoulli(logits=z).entropy(),
    "logits": lambda T, D, p, z: D.Bernoulli(p).logits,
    "probs": lambda T, D, p, z: D.Bernoulli(logits=z).probs,
    "mean": lambda T, D, p, z: D.Bernoulli(logits=z).mean,
    "variance": lambda T, D, p, z: D.Bernoulli(p).variance,
    "stddev": lambda T, D, p, z: D.Bernoulli(logits=z).stddev,
    "mode": lambda T, D, p, z: D.Bernoulli(p).mode,
    "number": lambda T, D, p, z: D.Bernoulli(0.3).log_prob(x(T, BITS)) * z,
    "enumerate_support": lambda T, D, p, z: D.Bernoulli(p).enumerate_support() * 1,
    "enumerate_unexpanded": lambda T, D, p, z: D.Bernoulli(p).enumerate_support(False) * 1,
    "expand": lambda T, D, p, z: D.Bernoulli(logits=z).expand((4, 2, 3)).log_prob(x(T, BITS)),
}
CATEGORICAL_CASES = {
    "log_prob": lambda T, D, w, z: D.Categorical(w).log_prob(x(T, CLASSES)),
    "log_prob_logits": lambda T, D, w, z: D.Categorical(logits=z).log_prob(x(T, CLASSES)),
    "log_prob_one": lambda T, D, w, z: D.Categorical(w[0, 0]).log_prob(x(T, CLASSES)),
    "entropy": lambda T, D, w, z: D.Categorical(w).entropy(),
    "entropy_logits": lambda T, D, w, z: D.Categorical(logits=z).entropy(),
    "probs": lambda T, D, w, z: D.Categorical(logits=z).probs,
    "logits": lambda T, D, w, z: D.Categorical(probs=w).logits,
    "normalised_probs": lambda T, D, w, z: D.Categorical(probs=w).probs,
    "normalised_logits": lambda T, D, w, z: D.Categorical(logits=z).logits,
    "mean": lambda T, D, w, z: D.Categorical(w).mean,
    "variance": lambda T, D, w, z: D.Categorical(w).variance,
    "mode": lambda T, D, w, z: D.Categorical(w).mode,
    "enumerate_support": lambda T, D, w, z: D.Categorical(w).enumerate_support() * 1,
    "perplexity": lambda T, D, w, z: D.Categorical(logits=z).perplexity(),
    "expand": lambda T, D, w, z: D.Categorical(logits=z).expand((5, 2, 3)).log_prob(
        x(T, CLASSES)),
    "expand_entropy": lambda T, D, w, z: D.Categorical(w[0]).expand((2, 3)).entropy(),
}
UNIFORM_CASES = {
    "log_prob": lambda T, D, a, b: D.Uniform(a, b).log_prob(x(T, INSIDE)),
    "cdf": lambda T, D, a, b: D.Uniform(a, b).cdf(x(T, INSIDE)),
    "icdf": lambda T, D, a, b: D.Uniform(a, b).icdf(x(T, INSIDE / 2 + 0.25)),
    "entropy": lambda T, D, a, b: D.Uniform(a, b).entropy(),
    "mean": lambda T, D, a, b: D.Uniform(a, b).mean,
    "variance": lambda T, D, a, b: D.Uniform(a, b).variance,
    "stddev": lambda T, D, a, b: D.Uniform(a, b).stddev,
    "mode": lambda T, D, a, b: D.Uniform(a, b).mode,
    "outside": lambda T, D, a, b: D.Uniform(a, b, validate_args=False).log_prob(x(T, 2.5)),
    "numbers": lambda T, D, a, b: D.Uniform(-1.0, 2.0).log_prob(x(T, INSIDE)) * a,
    "expand": lambda T, D, a, b: D.Uniform(a, b).expand((4, 2, 3)).entropy(),
}


@pytest.mark.parametrize("name", NORMAL_CASES)
def test_normal(torch, name: str) -> None:
    check(torch, NORMAL_CASES[name], NORMAL)


@pytest.mark.parametrize("name", BERNOULLI_CASES)
def test_bernoulli(torch, name: str) -> None:
    check(torch, BERNOULLI_CASES[name], dict(p=PROBS, z=LOGITS))


@pytest.mark.parametrize("name", CATEGORICAL_CASES)
def test_categorical(torch, name: str) -> None:
    check(torch, CATEGORICAL_CASES[name], dict(w=WEIGHTS, z=np.log(WEIGHTS[0]) + 0.5))


@pytest.mark.parametrize("name", UNIFORM_CASES)
def test_uniform(torch, name: str) -> None:
    check(torch, UNIFORM_CASES[name], dict(a=LOW, b=HIGH))


def test_bernoulli_from_a_float_edge_probability(torch) -> None:
    """p = 0 and 1: the logits come from clamped probabilities, log_prob and entropy of
    the values that can happen stay finite, as PyTorch's."""
    p = np.array([0.0, 1.0, 0.5])

    def fn(T, D, p):
        return D.Bernoulli(p).log_prob(x(T, [0.0, 1.0, 1.0])) + D.Bernoulli(p).entropy()
    check(torch, fn, dict(p=p))


@pytest.mark.parametrize("name", ["Normal", "Uniform"])
def test_rsample_replays_pytorch_noise_with_its_gradients(torch, name: str) -> None:
    """The same noise gives the same draw and the same gradients: d/dloc = g summed over
    the sample axes, d/dscale = sum(g eps) (Uniform: d/dlow = sum(g (1 - u)), ...)."""
    torch.manual_seed(0)
    low, high = (LOC, SCALE) if name == "Normal" else (LOW, HIGH)
    tl, th = (torch.tensor(v, requires_grad=True) for v in (low, high))
    dist = getattr(torch.distributions, name)(tl, th)
    drawn = dist.rsample((5,))
    noise = ((drawn - tl) / th if name == "Normal" else (drawn - tl) / (th - tl)).detach()

    class Replay(ag.Generator):
        def standard_normal(self, shape):
            return noise.numpy().reshape(shape)

        def random(self, shape):
            return noise.numpy().reshape(shape)
    al, ah = (ag.tensor(v, requires_grad=True) for v in (low, high))
    ours = getattr(ag.distributions, name)(al, ah).rsample((5,), generator=Replay())
    np.testing.assert_allclose(ours.data, drawn.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(2).standard_normal(drawn.shape)
    (drawn * torch.tensor(w)).sum().backward()
    (ours * ag.tensor(w)).sum().backward()
    for a, t in ((al, tl), (ah, th)):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


KL_CASES = {
    "normal": lambda T, D, a, b, c: D.kl_divergence(D.Normal(a, c.exp()), D.Normal(b, 1.5)),
    # PyTorch's Bernoulli formula indexes with q's mask: q's batch must be p's there
    "bernoulli": lambda T, D, a, b, c: D.kl_divergence(D.Bernoulli(logits=a),
                                                       D.Bernoulli(logits=b.expand(2, 3))),
    "bernoulli_probs": lambda T, D, a, b, c: D.kl_divergence(
        D.Bernoulli(a.sigmoid()), D.Bernoulli(b.sigmoid().expand(2, 3))),
    "categorical": lambda T, D, a, b, c: D.kl_divergence(D.Categorical(logits=a),
                                                         D.Categorical(logits=b)),
    "categorical_probs": lambda T, D, a, b, c: D.kl_divergence(
        D.Categorical(a.exp()), D.Categorical(b.softmax(-1))),
    "uniform": lambda T, D, a, b, c: D.kl_divergence(D.Uniform(a, a + c.exp()),
                                                     D.Uniform(b - 3, b + 3)),
}


@pytest.mark.parametrize("name", KL_CASES)
def test_kl_divergence(torch, name: str) -> None:
    rng = np.random.default_rng(3)
    check(torch, KL_CASES[name], dict(a=rng.standard_normal((2, 3)),
                                      b=rng.standard_normal(3), c=rng.standard_normal(3)))


def test_kl_infinite_where_q_has_no_mass_as_pytorch(torch) -> None:
    """Categorical with a zero probability in q, Bernoulli with q = 0 or 1, Uniform whose
    support is not inside q's: inf, and the gradient at those entries is 0."""
    def fn(T, D, p, lo):
        q = T.tensor([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
        cat = D.kl_divergence(D.Categorical(p), D.Categorical(q))
        bern = D.kl_divergence(D.Bernoulli(p[0]), D.Bernoulli(T.tensor([0.0, 1.0, 0.3])))
        uni = D.kl_divergence(D.Uniform(lo, lo + 1), D.Uniform(T.tensor([0.0, -5.0]), 2.0))
        return T.cat([cat, bern, uni])
    check(torch, fn, dict(p=np.array([[0.2, 0.3, 0.5], [0.0, 0.4, 0.6]]),
                          lo=np.array([-0.5, 0.5])))

"""``Multinomial`` against ``torch.distributions``'s: log_prob (any total count) and its
gradients in ``probs`` or ``logits``, entropy, mean, variance, shapes (event (K,)) under
``expand`` and sample shapes, ``validate_args`` errors, and the draws' moments."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(3)
WEIGHTS = RNG.uniform(0.2, 2.0, (2, 4))
COUNTS = np.array([[[0.0, 3.0, 1.0, 2.0], [6.0, 0.0, 0.0, 0.0]],
                   [[1.0, 1.0, 1.0, 3.0], [2.0, 2.0, 1.0, 1.0]]])


def _stats(T, D, parameter: str) -> list:
    w = T.tensor(WEIGHTS, requires_grad=True)
    d = D.Multinomial(6, **{parameter: w if parameter == "probs" else w.log() * 2})
    lp, h = d.log_prob(T.tensor(COUNTS)), d.entropy()
    (lp.sum() + (h * T.tensor([1.0, 2.0])).sum()).backward()
    outs = [lp, h, d.mean, d.variance, d.probs, d.logits, w.grad]
    shapes = (tuple(d.batch_shape), tuple(d.event_shape), tuple(d.param_shape))
    return [o.detach().numpy().copy() for o in outs] + [shapes]


@pytest.mark.parametrize("parameter", ["probs", "logits"])
def test_multinomial_matches_pytorch(torch, parameter) -> None:
    got = _stats(ag, ag.distributions, parameter)
    want = _stats(torch, torch.distributions, parameter)
    for i, (g, w) in enumerate(zip(got, want)):
        if isinstance(g, tuple):
            assert g == w
        else:
            np.testing.assert_allclose(g, w, rtol=1e-11, atol=1e-13, err_msg=f"output {i}")


def test_log_prob_takes_any_total_count_and_impossible_categories(torch) -> None:
    """``Multinomial(logits=l).log_prob(x)``: the total count is read from x (PyTorch's
    documented use, with validate_args=False); a category of logit -inf not drawn
    contributes 0 (0 log 0), one drawn makes the log-probability -inf."""
    values = []
    for lib in (ag, torch):
        d = lib.distributions.Multinomial(logits=lib.tensor([-np.inf, 0.0, 1.0]),
                                          validate_args=False)  # counts above 1
        values.append(d.log_prob(lib.tensor([[0.0, 4.0, 5.0], [1.0, 0.0, 2.0]])).numpy())
    np.testing.assert_allclose(*values, rtol=1e-12)
    assert np.isfinite(values[0][0]) and values[0][1] == -np.inf


def test_expand_and_sample_shapes_match_pytorch(torch) -> None:
    ours = ag.distributions.Multinomial(5, ag.tensor(WEIGHTS[:1])).expand((3, 2))
    theirs = torch.distributions.Multinomial(5, torch.tensor(WEIGHTS[:1])).expand((3, 2))
    assert ours.batch_shape == tuple(theirs.batch_shape) == (3, 2)
    assert ours.event_shape == tuple(theirs.event_shape) == (4,)
    x = theirs.sample((7,))
    y = ours.sample((7,))
    assert y.shape == tuple(x.shape) == (7, 3, 2, 4) and y.dtype == np.float64
    np.testing.assert_array_equal(y.numpy().sum(-1), 5)
    np.testing.assert_allclose(ours.log_prob(ag.tensor(x.numpy())).numpy(),
                               theirs.log_prob(x).numpy(), rtol=1e-12)
    # PyTorch's expand leaves out the inner Binomial its entropy uses: compare with the
    # entropy of the distribution before expanding, broadcast
    unexpanded = torch.distributions.Multinomial(5, torch.tensor(WEIGHTS[:1])).entropy()
    np.testing.assert_allclose(ours.entropy().numpy(),
                               np.broadcast_to(unexpanded.numpy(), (3, 2)), rtol=1e-12)
    assert ag.distributions.Multinomial(probs=ag.tensor([0.5, 0.5])).sample().shape == (2,)


@pytest.mark.parametrize("make, value", [
    (lambda D, T: D.Multinomial(3, T.tensor([0.5, -0.5])), None),  # not a simplex
    (lambda D, T: D.Multinomial(3, T.tensor([0.5, 0.5])), [4.0, 0.0]),  # above total_count
    (lambda D, T: D.Multinomial(3, T.tensor([0.5, 0.5])), [-1.0, 2.0]),
    (lambda D, T: D.Multinomial(3), None)])  # neither probs nor logits
def test_validate_args_errors_as_pytorch(torch, make, value) -> None:
    for lib, error in [(torch, ValueError), (ag, ag.UsageError)]:
        with pytest.raises(error):
            make(lib.distributions, lib).log_prob(lib.tensor(value))


def test_a_tensor_total_count_is_refused_as_pytorch(torch) -> None:
    with pytest.raises(NotImplementedError):
        torch.distributions.Multinomial(torch.tensor(3), torch.tensor([0.5, 0.5]))
    with pytest.raises(ag.UnsupportedError, match="one int"):
        ag.distributions.Multinomial(ag.tensor(3), ag.tensor([0.5, 0.5]))


def test_draws_have_the_distributions_moments() -> None:
    """Each category's count: mean within 4 standard errors, sample variance within 4
    of its standard errors (from the draws' fourth central moment)."""
    n = 50_000
    d = ag.distributions.Multinomial(9, ag.tensor(WEIGHTS))
    x = d.sample((n,), generator=np.random.default_rng(11)).numpy()
    assert x.shape == (n, 2, 4) and (x % 1 == 0).all()
    np.testing.assert_array_equal(x.sum(-1), 9)
    mean, var = d.mean.numpy(), d.variance.numpy()
    assert (np.abs(x.mean(0) - mean) < 4 * np.sqrt(var / n)).all()
    mu4 = ((x - mean) ** 4).mean(0)
    assert (np.abs(x.var(0) - var) < 4 * np.sqrt(mu4 / n)).all()


@pytest.mark.parametrize("make", [
    lambda D, T: D.Gumbel(T.tensor([0.5]), 2.0), lambda D, T: D.HalfNormal(T.tensor([2.0])),
    lambda D, T: D.Geometric(T.tensor([0.3])), lambda D, T: D.Binomial(4, T.tensor([0.3])),
    lambda D, T: D.Multinomial(4, T.tensor([0.3, 0.7]))])
def test_flags_constraints_and_support_as_pytorch(torch, make) -> None:
    """has_rsample, has_enumerate_support, the parameters constrained and the support's
    kind (discrete or not, event axes) of the five distributions added."""
    ours, theirs = make(ag.distributions, ag), make(torch.distributions, torch)
    assert ours.has_rsample == theirs.has_rsample
    assert ours.has_enumerate_support == theirs.has_enumerate_support
    assert sorted(ours.arg_constraints) == sorted(theirs.arg_constraints)
    assert ours.support.is_discrete == theirs.support.is_discrete
    assert ours.support.event_dim == theirs.support.event_dim

"""F.alpha_dropout and nn.AlphaDropout: PyTorch's rule (its constants, checked against
torch's outputs), mean and variance kept, identity in evaluation, gradients, generators."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from nn.errors import ArgumentTypeError, ConfigError
from nn.train.resume import model_generators

ALPHA = 1.7580993408473766  # SELU's scale * alpha


def constants(p):
    """(a, b, dropped value) of alpha dropout: kept x -> a x + b."""
    a = ((1 - p) * (1 + p * ALPHA ** 2)) ** -0.5
    return a, a * ALPHA * p, a * ALPHA * (p - 1)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_values_follow_torchs_rule(p):
    """Masks come from different generators, so each element is either torch's kept
    value or its dropped one, and ours likewise, with the same constants."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(2000)
    a, b, dropped = constants(p)
    theirs = torch.nn.functional.alpha_dropout(torch.tensor(x), p, True).numpy()
    ours = F.alpha_dropout(x, p, True, generator=0).data
    for y in (theirs, ours):
        kept = np.isclose(y, a * x + b, rtol=0, atol=1e-12)
        assert (kept | np.isclose(y, dropped, rtol=0, atol=1e-12)).all()
        assert 0.5 < kept.mean() / (1 - p) < 1.5
    keep = np.isclose(ours, a * x + b, rtol=0, atol=1e-12)
    assert abs(keep.mean() - (1 - p)) < 0.05


@pytest.mark.parametrize("p", [0.05, 0.2, 0.5])
def test_mean_and_variance_of_standard_inputs_are_kept(p):
    x = np.random.default_rng(1).standard_normal(400_000)
    y = F.alpha_dropout(x, p, True, generator=2).data
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.02  # ~5 standard errors
    selu_like = F.selu(Tensor(x)).data  # SELU's fixed point: mean 0, variance 1 too
    z = F.alpha_dropout(selu_like, p, True, generator=3).data
    assert abs(z.mean() - selu_like.mean()) < 0.01
    assert abs(z.var() - selu_like.var()) < 0.03


def test_evaluation_and_p_0_are_the_identity_and_p_1_gives_zeros():
    x = Tensor(np.ones((3, 4)))
    assert F.alpha_dropout(x, 0.5) is x  # training=False by default, as PyTorch
    assert F.alpha_dropout(x, 0.0, True) is x
    layer = nn.AlphaDropout(0.3).eval()
    assert layer(x) is x
    np.testing.assert_array_equal(F.alpha_dropout(x, 1.0, True).data, np.zeros((3, 4)))


def test_gradient_is_a_times_the_mask_and_matches_finite_differences():
    x = Tensor(np.random.default_rng(0).standard_normal((4, 5)), requires_grad=True)
    assert gradcheck(lambda x: F.alpha_dropout(x, 0.4, True, generator=7), [x])
    y = F.alpha_dropout(x, 0.4, True, generator=7)
    y.backward(Tensor(np.ones(x.shape)))
    a, b, _ = constants(0.4)
    kept = np.isclose(y.data, a * x.data + b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(x.grad, np.where(kept, a, 0.0), rtol=1e-12)


def test_module_draws_from_its_generator_which_resume_captures():
    x = np.zeros((50,))
    first = nn.AlphaDropout(0.5, rng=np.random.default_rng(4))
    second = nn.AlphaDropout(0.5, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(first(x).data, second(x).data)
    assert not np.array_equal(first(x).data, nn.AlphaDropout(0.5, rng=5)(x).data)
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.SELU(), nn.AlphaDropout(0.1, rng=1))
    assert model_generators(model) == {"2.rng": model[2].rng}
    nn.manual_seed(3)
    y = nn.AlphaDropout(0.5)(x).data  # the default generator, which manual_seed resets
    nn.manual_seed(3)
    np.testing.assert_array_equal(F.alpha_dropout(x, 0.5, True).data, y)


def test_float32_repr_and_errors():
    x = np.ones(6, np.float32)
    assert F.alpha_dropout(x, 0.5, True, generator=0).dtype == np.float32
    assert repr(nn.AlphaDropout(0.2)) == "AlphaDropout(p=0.2, inplace=False)"
    with pytest.raises(ConfigError, match="AlphaDropout: p must be a number in"):
        nn.AlphaDropout(1.5)
    with pytest.raises(ArgumentTypeError, match="alpha_dropout: p"):
        F.alpha_dropout(x, "0.5", True)
    with pytest.raises(ArgumentTypeError, match="inplace"):
        nn.AlphaDropout(0.5, 1)


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    assert repr(nn.AlphaDropout(0.2, True)) == repr(torch.nn.AlphaDropout(0.2, True))

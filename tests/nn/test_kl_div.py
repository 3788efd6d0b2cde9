"""PyTorch's kl_div / KLDivLoss on log-probabilities, compared with torch: values and
gradients with respect to both input and target, every reduction, log_target, the
warning for 'mean', and the named errors."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import ShapeError, Tensor, UsageError, gradcheck
from nn.errors import ConfigError

RNG = np.random.default_rng(3)
LOG_Q = np.log(RNG.dirichlet(np.ones(4), size=3))
P = RNG.dirichlet(np.ones(4), size=3)
P[1] = [0.0, 0.5, 0.5, 0.0]  # zeros in the target: 0 log 0 = 0


def _torch_kl(torch, input, target, **kwargs):
    """torch's kl_div value and gradients (input, target) for a random upstream gradient."""
    a = torch.tensor(input, requires_grad=True)
    b = torch.tensor(target, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = torch.nn.functional.kl_div(a, b, **kwargs)
    up = np.random.default_rng(1).standard_normal(out.shape)
    (out * torch.tensor(up)).sum().backward()
    return out.detach().numpy(), a.grad.numpy(), b.grad.numpy(), up


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_values_and_both_gradients_follow_torch(reduction, log_target):
    torch = pytest.importorskip("torch")
    target = np.log(P + 0.05) if log_target else P
    want, want_input, want_target, up = _torch_kl(torch, LOG_Q, target, reduction=reduction,
                                                  log_target=log_target)
    a, b = Tensor(LOG_Q, requires_grad=True), Tensor(target, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = F.kl_div(a, b, reduction=reduction, log_target=log_target)
    (out * up).sum().backward()
    np.testing.assert_allclose(out.data, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.grad, want_input, rtol=1e-12, atol=1e-15)
    # at p = 0 the target's gradient is NaN in both (d(p log p)/dp -> -inf)
    np.testing.assert_allclose(b.grad, want_target, rtol=1e-12, atol=1e-15, equal_nan=True)
    assert np.isnan(b.grad[1, 0]) == (not log_target)


def test_gradients_match_finite_differences_away_from_zero():
    target = P + 0.1
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction="batchmean"),
                     (Tensor(LOG_Q, requires_grad=True), Tensor(target, requires_grad=True)))
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction="sum", log_target=True),
                     (Tensor(LOG_Q, requires_grad=True),
                      Tensor(np.log(target), requires_grad=True)))


def test_zero_target_terms_are_zero_and_the_input_gradient_is_minus_p():
    a = Tensor(LOG_Q, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warning from 0 log 0
        out = F.kl_div(a, P, reduction="none")
        out.sum().backward()
    assert out.data[1, 0] == 0.0 and out.data[1, 3] == 0.0
    np.testing.assert_array_equal(a.grad, -P)


def test_batchmean_is_the_kl_per_sample():
    out = F.kl_div(LOG_Q, P, reduction="batchmean")
    with np.errstate(divide="ignore", invalid="ignore"):
        per_sample = np.where(P > 0, P * (np.log(P) - LOG_Q), 0.0).sum(axis=1)
    np.testing.assert_allclose(out.data, per_sample.mean(), rtol=1e-12)


def test_mean_warns_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning) as ours:
        F.kl_div(LOG_Q, P)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.nn.functional.kl_div(torch.tensor(LOG_Q), torch.tensor(P))
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(LOG_Q, P, reduction="batchmean")


def test_module_follows_torch():
    torch = pytest.importorskip("torch")
    for kwargs in (dict(reduction="batchmean"), dict(reduction="sum", log_target=True),
                   dict()):
        ours, theirs = nn.KLDivLoss(**kwargs), torch.nn.KLDivLoss(**kwargs)
        target = np.log(P + 0.05) if kwargs.get("log_target") else P
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = theirs(torch.tensor(LOG_Q), torch.tensor(target)).numpy()
            np.testing.assert_allclose(ours(LOG_Q, target).data, want, rtol=1e-12)
    assert repr(nn.KLDivLoss("batchmean")) == repr(torch.nn.KLDivLoss("batchmean"))


def test_named_errors():
    with pytest.raises(ConfigError, match="log_target=True"):
        F.kl_div(LOG_Q, LOG_Q, reduction="sum")  # log-probabilities passed as target
    with pytest.raises(ShapeError, match="kl_div: input shape"):
        F.kl_div(LOG_Q, P[:2], reduction="sum")
    with pytest.raises(ConfigError, match="reduction must be"):
        F.kl_div(LOG_Q, P, reduction="average")
    with pytest.raises(ConfigError, match="reduction must be"):
        nn.KLDivLoss("average")
    with pytest.raises(UsageError, match="batchmean"):
        F.kl_div(LOG_Q, P, size_average=False, reduction="batchmean")
    with pytest.raises(TypeError, match="log_target"):
        F.kl_div(LOG_Q, P, reduction="sum", log_target="yes")


def test_empty_batch_batchmean_is_nan_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = Tensor(np.zeros((0, 3)), requires_grad=True)
        out = F.kl_div(a, np.zeros((0, 3)), reduction="batchmean")
        out.backward()
    assert np.isnan(out.item())


def test_a_zero_probability_under_a_zero_target_is_nan_without_numpy_warnings(torch) -> None:
    """The Annotated Transformer's label smoothing cell: KLDivLoss(reduction='sum') of
    log([0, ...]) (a -inf) where the target is 0: 0 * -inf is NaN in both libraries, and
    PyTorch's says nothing; NumPy's RuntimeWarning was leaking through here."""
    with np.errstate(divide="ignore"):
        log_q = np.log(np.array([[0.0, 0.2, 0.7, 0.1, 0.0]]))
    target = np.array([[0.0, 0.9, 0.05, 0.05, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = nn.KLDivLoss(reduction="sum")(Tensor(log_q), Tensor(target))
        theirs = torch.nn.KLDivLoss(reduction="sum")(torch.tensor(log_q), torch.tensor(target))
        elementwise = F.kl_div(Tensor(log_q), Tensor(target), reduction="none")
    np.testing.assert_array_equal(ours.data, theirs.numpy())  # NaN in both
    np.testing.assert_array_equal(elementwise.data, torch.nn.functional.kl_div(
        torch.tensor(log_q), torch.tensor(target), reduction="none").numpy())

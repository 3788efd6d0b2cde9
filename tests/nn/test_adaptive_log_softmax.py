"""``nn.AdaptiveLogSoftmaxWithLoss``: PyTorch's adaptive softmax for many classes (a head
over the frequent classes and one entry per tail cluster, each cluster a small
projection), as a next-item model over a large catalogue uses it; output, loss,
``log_prob``, ``predict`` and every gradient compared with PyTorch's from the same
weights."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import TensorIndexError
from nn.errors import ConfigError

RNG = np.random.default_rng(11)


@pytest.mark.parametrize("head_bias", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_adaptive_log_softmax_matches_pytorch(torch, head_bias, batched) -> None:
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=[4, 10], div_value=2.0,
                                                 head_bias=head_bias)
    ours = nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=[4, 10], div_value=2.0,
                                         head_bias=head_bias)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = RNG.normal(size=(7, 8)) if batched else RNG.normal(size=8)
    target = np.array([0, 3, 4, 9, 10, 19, 12]) if batched else np.array(12)
    xt, xo = torch.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    want, got = theirs(xt, torch.tensor(target)), ours(xo, ag.tensor(target))
    assert got._fields == ("output", "loss")
    np.testing.assert_allclose(got.output.detach().numpy(), want.output.detach().numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(got.loss.item(), want.loss.item(), rtol=1e-12)
    want.loss.backward()
    got.loss.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    for name, p in theirs.named_parameters():
        mine = dict(ours.named_parameters())[name].grad
        if p.grad is None:  # a cluster no target falls in: no gradient in either
            assert mine is None, name
            continue
        np.testing.assert_allclose(mine.numpy(), p.grad.numpy(), rtol=1e-10, atol=1e-14,
                                   err_msg=name)
    x2 = RNG.normal(size=(5, 8))
    with torch.no_grad():
        np.testing.assert_allclose(ours.log_prob(ag.tensor(x2)).detach().numpy(),
                                   theirs.log_prob(torch.tensor(x2)).numpy(), rtol=1e-12)
        np.testing.assert_array_equal(ours.predict(ag.tensor(x2)).numpy(),
                                      theirs.predict(torch.tensor(x2)).numpy())


def test_adaptive_log_softmax_shapes_of_its_parts(torch) -> None:
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(64, 30, cutoffs=[5, 12, 20], div_value=4.0)
    ours = nn.AdaptiveLogSoftmaxWithLoss(64, 30, cutoffs=[5, 12, 20], div_value=4.0)
    assert {k: tuple(v.shape) for k, v in theirs.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in ours.state_dict().items()}
    assert (ours.shortlist_size, ours.n_clusters, ours.cutoffs) == \
        (theirs.shortlist_size, theirs.n_clusters, theirs.cutoffs)


def test_adaptive_log_softmax_refuses_what_pytorch_refuses() -> None:
    for cutoffs in ([10, 4], [4, 4], [0, 5], [5, 20], [5, 19.5]):
        with pytest.raises(ConfigError, match="cutoffs"):
            nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=cutoffs)
    asm = nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=[4, 10])
    with pytest.raises(TensorIndexError, match=r"targets must be in \[0, 19\]"):
        asm(ag.ones(2, 8), ag.tensor([1, 20]))
    with pytest.raises(ag.ShapeError, match="input and target"):
        asm(ag.ones(2, 8), ag.tensor([1, 2, 3]))

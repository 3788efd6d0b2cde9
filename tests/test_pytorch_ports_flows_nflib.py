"""karpathy/pytorch-normalizing-flows (``nflib``) as its readers write it: the flows
``AffineConstantFlow``, ``ActNorm`` (data-dependent initialisation through ``.data``),
``AffineHalfFlow`` (RealNVP / NICE), ``MAF`` and ``IAF`` (a MADE network of
``MaskedLinear`` layers), Glow's ``Invertible1x1Conv`` (``torch.lu_unpack(*Q.lu())``,
``torch.inverse``), ``NormalizingFlow`` / ``NormalizingFlowModel`` (``forward`` to the
prior's log-probability, ``backward`` and ``sample`` by inversion), with the notebook's
priors, the Logistic ``TransformedDistribution(Uniform(torch.zeros(2), torch.ones(2)),
SigmoidTransform().inv)`` and ``MultivariateNormal(torch.zeros(2), torch.eye(2))``, and
its training cell (``loss = -torch.sum(logprob)``, ``model.zero_grad()``, Adam with
weight decay). Written once for a library ``torch`` (``autograd`` here, PyTorch there),
run step for step next to PyTorch's from the same weights and moons (float64): losses,
gradients and parameters agree to 1e-10, and so do the samples from the same base draws.

Lines written differently here, and why:
- ``self.mask.data.copy_(torch.from_numpy(...))``: ``.data`` is NumPy's array here, so
  the buffer is written under ``no_grad()`` (``self.mask.copy_``);
- ``torch.nn.init.orthogonal_`` is ``init.orthogonal_`` (nn's, ``torch.nn.init`` there):
  ``nn`` is a package of its own here, not ``autograd.nn``;
- the test's glue: each model starts from PyTorch's weights (``load_state_dict``), and
  the 1x1 convolutions' fixed permutations ``P`` (plain attributes, not in the state
  dict) are PyTorch's too; the moons are drawn once with seeds; fewer and smaller layers.
"""

import itertools

import numpy as np
import pytest
from flows_helpers import assert_records
from flows_nflib import nflib

import autograd as ag
import nn

pytestmark = pytest.mark.filterwarnings("ignore:torch.lu is deprecated")


def build(torch, nn, init, D, config: str):
    """The notebook's model cell for one configuration."""
    c = nflib(torch, nn, init)
    if config == "realnvp":
        prior = D.TransformedDistribution(D.Uniform(torch.zeros(2), torch.ones(2)),
                                          D.SigmoidTransform().inv)  # Logistic distribution
        flows = [c["AffineHalfFlow"](dim=2, parity=i % 2, nh=16) for i in range(4)]
        flows.append(c["AffineConstantFlow"](dim=2, shift=False))
    else:
        prior = D.MultivariateNormal(torch.zeros(2), torch.eye(2))
    if config == "maf":
        flows = [c["MAF"](dim=2, parity=i % 2, nh=16) for i in range(2)]
        flows.append(c["IAF"](dim=2, parity=0, nh=8))
    if config == "glow":
        flows = [c["Invertible1x1Conv"](dim=2) for i in range(2)]
        couplings = [c["AffineHalfFlow"](dim=2, parity=i % 2, nh=16) for i in range(len(flows))]
        norms = [c["ActNorm"](dim=2) for _ in flows]
        flows = list(itertools.chain(*zip(norms, flows, couplings)))
    elif config != "realnvp":
        norms = [c["ActNorm"](dim=2) for _ in flows]
        flows = list(itertools.chain(*zip(norms, flows)))
    return c["NormalizingFlowModel"](prior, flows)


def train(torch, optim, model, batches, record: list) -> None:
    optimizer = optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-5)
    record.append([sum(p.numel() for p in model.parameters())])
    model.train()
    for x in batches:
        zs, prior_logprob, log_det = model(torch.tensor(x))
        logprob = prior_logprob + log_det
        loss = -torch.sum(logprob)  # NLL
        model.zero_grad()
        loss.backward()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in model.parameters()])
        optimizer.step()
        record.append([p.detach().numpy().copy() for p in model.parameters()])
    model.eval()
    zs, prior_logprob, log_det = model(torch.tensor(batches[0]))
    record.append([zs[-1].detach().numpy(), (prior_logprob + log_det).detach().numpy()])


@pytest.mark.parametrize("config", ["realnvp", "maf", "glow"])
def test_nflib_on_two_moons(torch, config):
    datasets = pytest.importorskip("sklearn.datasets")
    batches = [datasets.make_moons(n_samples=64, noise=0.05, random_state=i)[0]
               for i in range(3)]
    torch.manual_seed(0)
    theirs = build(torch, torch.nn, torch.nn.init, torch.distributions, config)
    ours = build(ag, nn, nn.init, ag.distributions, config)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    for mine, want in zip(ours.flow.flows, theirs.flow.flows):
        if hasattr(want, "P"):  # the glue: the fixed permutation of PyTorch's draw
            mine.P = ag.tensor(want.P.numpy())
    runs = [], []
    train(ag, nn.optim, ours, batches, runs[0])
    train(torch, torch.optim, theirs, batches, runs[1])
    assert_records(*runs)

    ag.manual_seed(0)
    xs = ours.sample(32)
    ag.manual_seed(0)
    z = ours.prior.sample((32,))
    want = theirs.backward(torch.tensor(z.numpy()))[0][-1].detach().numpy()
    np.testing.assert_allclose(xs[-1].detach().numpy(), want, rtol=1e-9, atol=1e-10)
    back = ours(xs[-1].detach())[0][-1]  # and forward maps the samples back to z
    np.testing.assert_allclose(back.detach().numpy(), z.numpy(), rtol=1e-8, atol=1e-8)

"""SWA-Gaussian ("A Simple Baseline for Bayesian Uncertainty in Deep Learning", Maddox et
al. 2019) as its readers write it from the authors' ``swag/posteriors/swag.py``
(wjmaddox/swa_gaussian): ``swag_parameters`` pops each parameter from
``module._parameters`` and registers ``%s_mean`` / ``%s_sq_mean`` / ``%s_cov_mat_sqrt``
buffers, ``collect_model`` updates the moments and the deviation rows, read back with
``module.__getattr__('%s_mean' % name)``, and ``sample_fullrank`` draws diagonal plus
low-rank weights and sets them with ``module.__setattr__(name, sample)``; the predictive is
the average of the sampled networks' softmax. The program is written once for a library
``torch`` (``autograd`` here, PyTorch there): an MLP on scikit-learn's digits, trained by
SGD, collected each epoch, sampled 4 times, step for step next to PyTorch's from the same
weights (float64): every moment, sample and prediction agrees to 1e-10.

Lines written differently here, and why:
- ``data = module._parameters[name].data`` then ``data.new(data.size()).zero_()`` takes
  the parameter itself (``.data`` is NumPy's array here, by design) and
  ``data.new(data.size()).zero_()`` of it, a plain tensor; the moments read
  ``base_param.detach()`` where the repository reads ``base_param.data``;
- ``torch.randn_like`` and ``new_empty(...).normal_()`` draw from one NumPy generator seeded
  alike in both runs (``SharedRandom``: the libraries' generators differ);
- ``sample.cuda()`` is ``sample`` (CPU only), and gpytorch's log-likelihoods are left out;
- ``self.params``, a plain list of (module, name) pairs, is not registered by PyTorch, but
  lists hold members here (by design), so our state dict also names every moment as
  ``params.0.0.weight_mean``...: the test compares the other names.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F


class SharedRandom:
    """A library's namespace whose ``randn_like`` and ``randn`` come from NumPy."""

    def __init__(self, library) -> None:
        self.library, self.rng = library, np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def randn_like(self, x, requires_grad=False):
        return self.library.tensor(self.rng.standard_normal(tuple(x.shape)))

    def randn(self, *size):
        return self.library.tensor(self.rng.standard_normal(size))


def swag_program(torch, state: dict | None) -> tuple[list, dict]:
    """Train, collect 5 SWAG moments, draw 4 samples and average their predictions."""
    library = torch if torch is not None else ag
    nn_lib = torch.nn if torch is not None else nn
    F = torch.nn.functional if torch is not None else nn_F
    optim = torch.optim if torch is not None else nn.optim
    torch = SharedRandom(library)

    def flatten(lst):
        tmp = [i.contiguous().view(-1, 1) for i in lst]
        return torch.cat(tmp).view(-1)

    def unflatten_like(vector, likeTensorList):
        outList = []
        i = 0
        for tensor in likeTensorList:
            n = tensor.numel()
            outList.append(vector[:, i:i + n].view(tensor.shape))
            i += n
        return outList

    def swag_parameters(module, params, no_cov_mat=True):
        for name in list(module._parameters.keys()):
            if module._parameters[name] is None:
                continue
            data = module._parameters[name]  # repository: .data (see the top)
            module._parameters.pop(name)
            module.register_buffer('%s_mean' % name, data.new(data.size()).zero_())
            module.register_buffer('%s_sq_mean' % name, data.new(data.size()).zero_())
            if no_cov_mat is False:
                module.register_buffer('%s_cov_mat_sqrt' % name,
                                       data.new_empty((0, data.numel())).zero_())
            params.append((module, name))

    class SWAG(nn_lib.Module):
        def __init__(self, base, no_cov_mat=True, max_num_models=0, var_clamp=1e-30,
                     *args, **kwargs):
            super(SWAG, self).__init__()
            self.register_buffer('n_models', torch.zeros([1], dtype=torch.long))
            self.params = list()
            self.no_cov_mat = no_cov_mat
            self.max_num_models = max_num_models
            self.var_clamp = var_clamp
            self.base = base(*args, **kwargs)
            self.base.apply(lambda module: swag_parameters(module=module, params=self.params,
                                                           no_cov_mat=self.no_cov_mat))

        def forward(self, *args, **kwargs):
            return self.base(*args, **kwargs)

        def sample_fullrank(self, scale, cov, fullrank):
            scale_sqrt = scale ** 0.5
            mean_list = []
            sq_mean_list = []
            if cov:
                cov_mat_sqrt_list = []
            for (module, name) in self.params:
                mean = module.__getattr__('%s_mean' % name)
                sq_mean = module.__getattr__('%s_sq_mean' % name)
                if cov:
                    cov_mat_sqrt = module.__getattr__('%s_cov_mat_sqrt' % name)
                    cov_mat_sqrt_list.append(cov_mat_sqrt.cpu())
                mean_list.append(mean.cpu())
                sq_mean_list.append(sq_mean.cpu())
            mean = flatten(mean_list)
            sq_mean = flatten(sq_mean_list)
            # draw diagonal variance sample
            var = torch.clamp(sq_mean - mean ** 2, self.var_clamp)
            var_sample = var.sqrt() * torch.randn_like(var, requires_grad=False)
            # if covariance draw low rank sample
            if cov:
                cov_mat_sqrt = torch.cat(cov_mat_sqrt_list, dim=1)
                cov_sample = cov_mat_sqrt.t().matmul(torch.randn(cov_mat_sqrt.size(0)))
                cov_sample /= ((self.max_num_models - 1) ** 0.5)
                rand_sample = var_sample + cov_sample
            else:
                rand_sample = var_sample
            # update sample with mean and scale
            sample = mean + scale_sqrt * rand_sample
            sample = sample.unsqueeze(0)
            # unflatten new sample like the mean sample
            samples_list = unflatten_like(sample, mean_list)
            for (module, name), sample in zip(self.params, samples_list):
                module.__setattr__(name, sample)  # repository: sample.cuda()

        def collect_model(self, base_model):
            for (module, name), base_param in zip(self.params, base_model.parameters()):
                mean = module.__getattr__('%s_mean' % name)
                sq_mean = module.__getattr__('%s_sq_mean' % name)
                n = self.n_models.item()
                # first moment
                mean = mean * n / (n + 1.0) + base_param.detach() / (n + 1.0)
                # second moment
                sq_mean = sq_mean * n / (n + 1.0) + base_param.detach() ** 2 / (n + 1.0)
                # square root of covariance matrix
                if self.no_cov_mat is False:
                    cov_mat_sqrt = module.__getattr__('%s_cov_mat_sqrt' % name)
                    # block covariance matrices, store deviation from current mean
                    dev = (base_param.detach() - mean).view(-1, 1)
                    cov_mat_sqrt = torch.cat((cov_mat_sqrt, dev.view(-1, 1).t()), dim=0)
                    # remove first column if we have stored too many models
                    if (self.n_models.item() + 1) > self.max_num_models:
                        cov_mat_sqrt = cov_mat_sqrt[1:, :]
                    module.__setattr__('%s_cov_mat_sqrt' % name, cov_mat_sqrt)
                module.__setattr__('%s_mean' % name, mean)
                module.__setattr__('%s_sq_mean' % name, sq_mean)
            self.n_models.add_(1)

    class MLP(nn_lib.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.fc1 = nn_lib.Linear(64, 32)
            self.fc2 = nn_lib.Linear(32, num_classes)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(x)))

    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    x, y = torch.tensor(images[:150] / 16.0), torch.tensor(labels[:150])
    torch.manual_seed(0)
    model = MLP()
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    swag_model = SWAG(MLP, no_cov_mat=False, max_num_models=3, num_classes=10)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    record = []
    for epoch in range(8):
        for start in range(0, 150, 50):
            loss = F.cross_entropy(model(x[start:start + 50]), y[start:start + 50])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record.append(loss)
        if epoch >= 3:
            swag_model.collect_model(model)
    for module, name in swag_model.params:
        record += [module.__getattr__('%s_%s' % (name, kind))
                   for kind in ('mean', 'sq_mean', 'cov_mat_sqrt')]
    predictions = 0
    for _ in range(4):
        swag_model.sample_fullrank(scale=0.5, cov=True, fullrank=True)
        with torch.no_grad():
            predictions = predictions + F.softmax(swag_model(x), dim=1) / 4
        record.append(swag_model.base.fc1.weight)
    record += [predictions, swag_model.n_models, sorted(swag_model.state_dict())]
    return record, state


def test_swag_moments_samples_and_predictive(torch):
    want, state = swag_program(torch, None)
    got, _ = swag_program(None, state)
    assert len(got) == len(want)
    # the state dict's names: the moments, no parameters; ours also names them through
    # the plain list self.params (see the top)
    assert [k for k in got[-1] if not k.startswith("params.")] == want[-1]
    for i, (a, b) in enumerate(zip(got[:-1], want[:-1])):
        a, b = (v.detach().numpy() for v in (a, b))
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    assert int(want[-2]) == 5

"""ikostrikov/pytorch-flows (``flows.py`` and ``main.py``) as its readers write it: MAF
(``MADE`` of ``MaskedLinear`` layers from ``get_mask``, ``BatchNormFlow`` with running
statistics updated through ``.data``, ``Reverse``) and RealNVP (``CouplingLayer`` with
alternating masks), in ``FlowSequential`` (``log_probs``, ``sample`` by the inverse
pass), built and trained as ``main.py`` does: orthogonal initialisation, Adam with weight
decay, ``-model.log_probs(data).mean()``, the running statistics refreshed on the whole
training set with ``momentum = 0`` after each epoch, validation in ``eval()`` and
``copy.deepcopy`` of the best model. Written once for a library ``torch`` (``autograd``
here, PyTorch there), run step for step next to PyTorch's from the same weights on two
moons (float64): losses, gradients, parameters, running statistics, validation losses
and samples from the same noise agree to 1e-9 (the batch statistics' rounding, amplified
through two epochs of Adam, reaches 1e-10).

Lines written differently here, and why:
- ``module.bias.data.fill_(0)``: ``.data`` is NumPy's array here, so the bias is zeroed
  under ``no_grad()`` (``module.bias.zero_()``);
- ``nn.MaskedLinear = MaskedLinear`` (the script adds its layer to ``torch.nn``) is left
  out: the layer is used by its name, so the test leaves both ``nn`` packages as they were;
- ``torch.utils.data`` is ``nn.data``, ``torch.optim`` is ``nn.optim``; tqdm's progress
  bars are left out;
- the test's glue: PyTorch's initial weights in both (``load_state_dict``), loaders
  without shuffling (the two libraries' generators differ), fewer and smaller blocks, and
  the ``BatchNormFlow`` shifts ``beta`` drawn near 0 rather than 0: the last one's
  gradient is -N beta (the batch-normalised values sum to 0), at 0 rounding noise of
  1e-12 that Adam's normalised step would turn into steps of lr in either direction.
"""

import copy
import math

import numpy as np
import pytest
from flows_helpers import assert_records

import autograd as ag
import nn


def pytorch_flows(torch, nn):
    F = nn.functional

    def get_mask(in_features, out_features, in_flow_features, mask_type=None):
        if mask_type == 'input':
            in_degrees = torch.arange(in_features) % in_flow_features
        else:
            in_degrees = torch.arange(in_features) % (in_flow_features - 1)
        if mask_type == 'output':
            out_degrees = torch.arange(out_features) % in_flow_features - 1
        else:
            out_degrees = torch.arange(out_features) % (in_flow_features - 1)
        return (out_degrees.unsqueeze(-1) >= in_degrees.unsqueeze(0)).float()

    class MaskedLinear(nn.Module):
        def __init__(self, in_features, out_features, mask, cond_in_features=None, bias=True):
            super(MaskedLinear, self).__init__()
            self.linear = nn.Linear(in_features, out_features)
            if cond_in_features is not None:
                self.cond_linear = nn.Linear(cond_in_features, out_features, bias=False)
            self.register_buffer('mask', mask)

        def forward(self, inputs, cond_inputs=None):
            output = F.linear(inputs, self.linear.weight * self.mask, self.linear.bias)
            if cond_inputs is not None:
                output += self.cond_linear(cond_inputs)
            return output

    class MADE(nn.Module):
        def __init__(self, num_inputs, num_hidden, num_cond_inputs=None, act='relu'):
            super(MADE, self).__init__()
            activations = {'relu': nn.ReLU, 'sigmoid': nn.Sigmoid, 'tanh': nn.Tanh}
            act_func = activations[act]
            input_mask = get_mask(num_inputs, num_hidden, num_inputs, mask_type='input')
            hidden_mask = get_mask(num_hidden, num_hidden, num_inputs)
            output_mask = get_mask(num_hidden, num_inputs * 2, num_inputs, mask_type='output')
            self.joiner = MaskedLinear(num_inputs, num_hidden, input_mask, num_cond_inputs)
            self.trunk = nn.Sequential(act_func(),
                                       MaskedLinear(num_hidden, num_hidden, hidden_mask),
                                       act_func(),
                                       MaskedLinear(num_hidden, num_inputs * 2, output_mask))

        def forward(self, inputs, cond_inputs=None, mode='direct'):
            if mode == 'direct':
                h = self.joiner(inputs, cond_inputs)
                m, a = self.trunk(h).chunk(2, 1)
                u = (inputs - m) * torch.exp(-a)
                return u, -a.sum(-1, keepdim=True)
            else:
                x = torch.zeros_like(inputs)
                for i_col in range(inputs.shape[1]):
                    h = self.joiner(x, cond_inputs)
                    m, a = self.trunk(h).chunk(2, 1)
                    x[:, i_col] = inputs[:, i_col] * torch.exp(a[:, i_col]) + m[:, i_col]
                return x, -a.sum(-1, keepdim=True)

    class BatchNormFlow(nn.Module):
        def __init__(self, num_inputs, momentum=0.0, eps=1e-5):
            super(BatchNormFlow, self).__init__()
            self.log_gamma = nn.Parameter(torch.zeros(num_inputs))
            self.beta = nn.Parameter(torch.zeros(num_inputs))
            self.momentum = momentum
            self.eps = eps
            self.register_buffer('running_mean', torch.zeros(num_inputs))
            self.register_buffer('running_var', torch.ones(num_inputs))

        def forward(self, inputs, cond_inputs=None, mode='direct'):
            if mode == 'direct':
                if self.training:
                    self.batch_mean = inputs.mean(0)
                    self.batch_var = (inputs - self.batch_mean).pow(2).mean(0) + self.eps
                    self.running_mean.mul_(self.momentum)
                    self.running_var.mul_(self.momentum)
                    self.running_mean.add_(self.batch_mean.data * (1 - self.momentum))
                    self.running_var.add_(self.batch_var.data * (1 - self.momentum))
                    mean = self.batch_mean
                    var = self.batch_var
                else:
                    mean = self.running_mean
                    var = self.running_var
                x_hat = (inputs - mean) / var.sqrt()
                y = torch.exp(self.log_gamma) * x_hat + self.beta
                return y, (self.log_gamma - 0.5 * torch.log(var)).sum(-1, keepdim=True)
            else:
                if self.training:
                    mean = self.batch_mean
                    var = self.batch_var
                else:
                    mean = self.running_mean
                    var = self.running_var
                x_hat = (inputs - self.beta) / torch.exp(self.log_gamma)
                y = x_hat * var.sqrt() + mean
                return y, (-self.log_gamma + 0.5 * torch.log(var)).sum(-1, keepdim=True)

    class Reverse(nn.Module):
        def __init__(self, num_inputs):
            super(Reverse, self).__init__()
            self.perm = np.array(np.arange(0, num_inputs)[::-1])
            self.inv_perm = np.argsort(self.perm)

        def forward(self, inputs, cond_inputs=None, mode='direct'):
            if mode == 'direct':
                return inputs[:, self.perm], torch.zeros(inputs.size(0), 1,
                                                         device=inputs.device)
            else:
                return inputs[:, self.inv_perm], torch.zeros(inputs.size(0), 1,
                                                             device=inputs.device)

    class CouplingLayer(nn.Module):
        def __init__(self, num_inputs, num_hidden, mask, s_act='tanh', t_act='relu'):
            super(CouplingLayer, self).__init__()
            self.num_inputs = num_inputs
            self.mask = mask
            activations = {'relu': nn.ReLU, 'sigmoid': nn.Sigmoid, 'tanh': nn.Tanh}
            s_act_func = activations[s_act]
            t_act_func = activations[t_act]
            self.scale_net = nn.Sequential(
                nn.Linear(num_inputs, num_hidden), s_act_func(),
                nn.Linear(num_hidden, num_hidden), s_act_func(),
                nn.Linear(num_hidden, num_inputs))
            self.translate_net = nn.Sequential(
                nn.Linear(num_inputs, num_hidden), t_act_func(),
                nn.Linear(num_hidden, num_hidden), t_act_func(),
                nn.Linear(num_hidden, num_inputs))

        def forward(self, inputs, cond_inputs=None, mode='direct'):
            mask = self.mask
            if mode == 'direct':
                log_s = self.scale_net(inputs * mask) * (1 - mask)
                t = self.translate_net(inputs * mask) * (1 - mask)
                s = torch.exp(log_s)
                return inputs * s + t, log_s.sum(-1, keepdim=True)
            else:
                log_s = self.scale_net(inputs * mask) * (1 - mask)
                t = self.translate_net(inputs * mask) * (1 - mask)
                s = torch.exp(-log_s)
                return (inputs - t) * s, -log_s.sum(-1, keepdim=True)

    class FlowSequential(nn.Sequential):
        def forward(self, inputs, cond_inputs=None, mode='direct', logdets=None):
            self.num_inputs = inputs.size(-1)
            if logdets is None:
                logdets = torch.zeros(inputs.size(0), 1, device=inputs.device)
            assert mode in ['direct', 'inverse']
            if mode == 'direct':
                for module in self._modules.values():
                    inputs, logdet = module(inputs, cond_inputs, mode)
                    logdets += logdet
            else:
                for module in reversed(self._modules.values()):
                    inputs, logdet = module(inputs, cond_inputs, mode)
                    logdets += logdet
            return inputs, logdets

        def log_probs(self, inputs):
            u, log_jacob = self(inputs)
            log_probs = (-0.5 * u.pow(2) - 0.5 * math.log(2 * math.pi)).sum(-1, keepdim=True)
            return (log_probs + log_jacob).sum(-1, keepdim=True)

        def sample(self, num_samples=None, noise=None):
            if noise is None:  # (the test passes noise: torch.Tensor(n, d) is data here)
                noise = torch.Tensor(num_samples, self.num_inputs).normal_()
            device = next(self.parameters()).device
            noise = noise.to(device)
            samples = self.forward(noise, mode='inverse')[0]
            return samples

    return dict(MADE=MADE, BatchNormFlow=BatchNormFlow, Reverse=Reverse,
                CouplingLayer=CouplingLayer, FlowSequential=FlowSequential)


def main(torch, nn, optim, data, flow, train_x, valid_x, record):
    """main.py's lines (its argparse defaults shrunk), for the library ``torch``."""
    fnn = pytorch_flows(torch, nn)
    device = "cpu"
    train_dataset = data.TensorDataset(torch.from_numpy(train_x))
    valid_dataset = data.TensorDataset(torch.from_numpy(valid_x))
    train_loader = data.DataLoader(train_dataset, batch_size=50, shuffle=False)
    valid_loader = data.DataLoader(valid_dataset, batch_size=100, shuffle=False,
                                   drop_last=False)
    num_inputs, num_hidden, num_blocks = 2, 16, 2
    modules = []
    if flow == 'realnvp':
        mask = torch.arange(0, num_inputs) % 2
        mask = mask.to(device).float()
        for _ in range(num_blocks):
            modules += [fnn["CouplingLayer"](num_inputs, num_hidden, mask, s_act='tanh',
                                             t_act='relu'),
                        fnn["BatchNormFlow"](num_inputs)]
            mask = 1 - mask
    else:
        for _ in range(num_blocks):
            modules += [fnn["MADE"](num_inputs, num_hidden, act='relu'),
                        fnn["BatchNormFlow"](num_inputs), fnn["Reverse"](num_inputs)]
    model = fnn["FlowSequential"](*modules)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            nn.init.orthogonal_(module.weight)
            with torch.no_grad():  # module.bias.data.fill_(0): .data is NumPy's here
                module.bias.zero_()
    model.to(device)
    return model, fnn, train_loader, valid_loader, optim


def run(torch, nn, optim, model, fnn, train_loader, valid_loader, record, epochs=2):
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-6)
    best_validation_loss, best_model = float('inf'), model
    for epoch in range(epochs):
        model.train()
        for batch_idx, data in enumerate(train_loader):
            if isinstance(data, list):
                data = data[0]
            optimizer.zero_grad()
            loss = -model.log_probs(data).mean()
            loss.backward()
            record.append([loss.item()] + [p.grad.numpy().copy() for p in model.parameters()])
            optimizer.step()
        for module in model.modules():
            if isinstance(module, fnn["BatchNormFlow"]):
                module.momentum = 0
        with torch.no_grad():
            model(train_loader.dataset.tensors[0].to(data.device))
        for module in model.modules():
            if isinstance(module, fnn["BatchNormFlow"]):
                module.momentum = 1
        model.eval()
        val_loss = 0
        for data in valid_loader:
            data = data[0] if isinstance(data, list) else data
            with torch.no_grad():
                val_loss += -model.log_probs(data).sum().item()
        validation_loss = val_loss / len(valid_loader.dataset)
        if validation_loss < best_validation_loss:
            best_validation_loss, best_model = validation_loss, copy.deepcopy(model)
        record.append([validation_loss] + [b.numpy().copy() for b in model.buffers()])
    return best_model


@pytest.mark.parametrize("flow", ["maf", "realnvp"])
def test_pytorch_flows_main(torch, flow):
    datasets = pytest.importorskip("sklearn.datasets")
    train_x = datasets.make_moons(n_samples=100, noise=0.05, random_state=0)[0]
    valid_x = datasets.make_moons(n_samples=60, noise=0.05, random_state=1)[0]
    torch.manual_seed(0)
    theirs = main(torch, torch.nn, torch.optim, torch.utils.data, flow, train_x, valid_x, [])
    ours = main(ag, nn, nn.optim, nn.data, flow, train_x, valid_x, [])
    with torch.no_grad():  # the glue: see the module docstring
        for module in theirs[0].modules():
            if isinstance(module, theirs[1]["BatchNormFlow"]):
                module.beta.normal_(0, 0.1)
    ours[0].load_state_dict({k: ag.tensor(v.detach().numpy())
                             for k, v in theirs[0].state_dict().items()})
    runs = [], []
    best = [run(ag, nn, *ours[-1:], *ours[:-1], runs[0]),
            run(torch, torch.nn, *theirs[-1:], *theirs[:-1], runs[1])]
    assert_records(*runs, rtol=1e-9)  # batch statistics over 50 rows: 1e-10 is rounding
    noise = np.random.default_rng(0).standard_normal((20, 2))
    with torch.no_grad():
        want = best[1].sample(noise=torch.tensor(noise)).numpy()
    with ag.no_grad():
        got = best[0].sample(noise=ag.tensor(noise)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)

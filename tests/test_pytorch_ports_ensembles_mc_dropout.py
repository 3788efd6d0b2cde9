"""Predictive uncertainty from several networks, as PyTorch users write it: deep ensembles
(Lakshminarayanan et al. 2017: each member predicts a mean and a softplus variance, is
trained on the Gaussian NLL plus the NLL of FGSM adversarial inputs, and the ensemble is
the Gaussian mixture's mean and variance), PyTorch's "Model ensembling" tutorial
(``torch.func.stack_module_state``, ``functional_call`` and ``vmap`` over the stacked
parameters, here also trained through them), and MC dropout (Gal and Ghahramani 2016: the
``enable_dropout`` loop over ``model.modules()`` and the ``get_monte_carlo_predictions``
of predictive mean, variance, entropy and mutual information). Each program is written
once for a library ``torch`` (``autograd`` here, PyTorch there) and runs step for step
next to PyTorch's from the same weights and data (float64): everything agrees to 1e-10.

Lines written differently here, and why:
- ``base_model.to('meta')`` (the tutorial's parameter-less skeleton) is left out: there is
  no meta device here (``UsageError``), and the CPU deep copy serves ``functional_call``;
- ``torch.func`` is ``autograd.func``; ``torch.split(x, n, dim=1)`` is ``x.split(n, dim=1)``
  (``autograd.split`` would be NumPy's, sections rather than sizes: left out on purpose);
- the dropout of the MC program is ``DropoutShared``, the library's ``nn.Dropout`` with its
  masks drawn from one NumPy generator seeded alike in both runs (the libraries'
  generators differ); ``test_enable_dropout_with_the_library_dropout`` runs the real one.
"""

import copy
import sys

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, func) for this library, or PyTorch's."""
    if torch is None:
        return ag, nn, nn_F, nn.optim, ag.func
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.func


def synced(models: list, states: list | None, T) -> list:
    """The first run keeps each model's starting state (NumPy); the second loads them."""
    if states is None:
        return [{k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
                for m in models]
    for model, state in zip(models, states):
        model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    return states


def deep_ensemble_program(torch, states: list | None) -> tuple[list, list]:
    """Three GaussianMLPs on y = x^3 + noise, each with FGSM adversarial training."""
    torch, nn, F, optim, _ = libraries(torch)

    class GaussianMLP(nn.Module):
        def __init__(self, inputs=1, outputs=1, hidden_layers=[32]):
            super(GaussianMLP, self).__init__()
            self.inputs, self.outputs = inputs, outputs
            for i, width in enumerate(hidden_layers):
                setattr(self, 'layer' + str(i), nn.Linear(inputs if i == 0 else
                                                          hidden_layers[i - 1], width))
            self.nLayers = len(hidden_layers)
            self.fc = nn.Linear(hidden_layers[-1], 2 * outputs)

        def forward(self, x):
            for i in range(self.nLayers):
                x = F.relu(getattr(self, 'layer' + str(i))(x))
            x = self.fc(x)
            mean, variance = x.split(self.outputs, dim=1)  # torch.split(x, ...): see the top
            variance = F.softplus(variance) + 1e-6
            return mean, variance

    def NLLloss(y, mean, var):
        return (torch.log(var) / 2 + (y - mean) ** 2 / (2 * var)).mean()

    rng = np.random.default_rng(0)
    xs = np.linspace(-4, 4, 40).reshape(-1, 1)
    ys = xs ** 3 + rng.normal(0, 3, xs.shape)
    x, y = torch.tensor(xs / 4), torch.tensor(ys / 50)
    torch.manual_seed(0)
    models = [GaussianMLP(hidden_layers=[32, 32]) for _ in range(3)]
    states = synced(models, states, torch)
    optimizers = [optim.Adam(m.parameters(), lr=0.02) for m in models]
    eps = 0.01 * 2  # 1% of the inputs' range
    record = []
    for step in range(40):
        for model, optimizer in zip(models, optimizers):
            x.requires_grad = True
            mean, var = model(x)
            loss = NLLloss(y, mean, var)
            loss.backward(retain_graph=True)
            x_a = x + eps * torch.sign(x.grad)
            optimizer.zero_grad()
            mean_a, var_a = model(x_a)
            loss = loss + NLLloss(y, mean_a, var_a)
            loss.backward()
            optimizer.step()
            x.grad = None
            x = x.detach()
            record.append(loss)
    x_test = torch.linspace(-6, 6, 25).reshape(-1, 1) / 4
    with torch.no_grad():
        means, variances = zip(*(model(x_test) for model in models))
        mean = torch.stack(means).mean(0)
        variance = (torch.stack(variances) + torch.stack(means) ** 2).mean(0) - mean ** 2
        record += [mean, variance, nn.GaussianNLLLoss()(mean[:5], x_test[:5] ** 3 * 1.28,
                                                        variance[:5])]
    return record, states


def ensembling_tutorial_program(torch, states: list | None) -> tuple[list, list]:
    """PyTorch's "Model ensembling" (torch.func), small, then Adam on the stacked state."""
    torch, nn, F, optim, func = libraries(torch)

    class SimpleMLP(nn.Module):
        def __init__(self):
            super(SimpleMLP, self).__init__()
            self.fc1 = nn.Linear(64, 32)
            self.fc2 = nn.Linear(32, 32)
            self.fc3 = nn.Linear(32, 10)

        def forward(self, x):
            x = x.flatten(1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.fc2(x)
            x = F.relu(x)
            x = self.fc3(x)
            return x

    rng = np.random.default_rng(1)
    num_models = 4
    data = torch.tensor(rng.standard_normal((10, 16, 1, 8, 8)))
    targets = torch.tensor(rng.integers(0, 10, (160,)))
    torch.manual_seed(0)
    models = [SimpleMLP() for _ in range(num_models)]
    states = synced(models, states, torch)
    minibatches = data[:num_models]
    predictions_diff_minibatch_loop = [model(minibatch)
                                       for model, minibatch in zip(models, minibatches)]
    minibatch = data[0]
    predictions2 = [model(minibatch) for model in models]
    params, buffers = func.stack_module_state(models)
    base_model = copy.deepcopy(models[0])  # tutorial: then base_model.to('meta')

    def fmodel(params, buffers, x):
        return func.functional_call(base_model, (params, buffers), (x,))

    predictions1_vmap = func.vmap(fmodel)(params, buffers, minibatches)
    predictions2_vmap = func.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, minibatch)
    record = [predictions1_vmap, torch.stack(predictions_diff_minibatch_loop),
              predictions2_vmap, torch.stack(predictions2)]
    optimizer = optim.Adam(params.values(), lr=1e-2)
    for step in range(5):
        x, t = data[step], targets[16 * step:16 * step + 16]
        logits = func.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x)
        loss = sum(F.cross_entropy(member, t) for member in logits)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss, params['fc1.weight'].grad]
    return record + list(params.values()), states


def mc_dropout_program(torch, states: list | None) -> tuple[list, list]:
    """A dropout classifier of digits, trained briefly, then 8 MC forward passes."""
    torch, nn, F, optim, _ = libraries(torch)
    masks = np.random.default_rng(2)

    class DropoutShared(nn.Dropout):
        """nn.Dropout whose masks come from ``masks`` (see the top)."""

        def forward(self, input):
            if not self.training:
                return input
            keep = torch.tensor((masks.random(tuple(input.shape)) >= self.p) * 1.0)
            return input * keep / (1 - self.p)

    def enable_dropout(model):
        """ Function to enable the dropout layers during test-time """
        for m in model.modules():
            if m.__class__.__name__.startswith('Dropout'):
                m.train()

    def get_monte_carlo_predictions(data_loader, forward_passes, model, n_classes,
                                    n_samples):
        dropout_predictions = np.empty((0, n_samples, n_classes))
        softmax = nn.Softmax(dim=1)
        for i in range(forward_passes):
            predictions = np.empty((0, n_classes))
            model.eval()
            enable_dropout(model)
            for i, (image, label) in enumerate(data_loader):
                with torch.no_grad():
                    output = model(image)
                    output = softmax(output)  # shape (n_samples, n_classes)
                predictions = np.vstack((predictions, output.cpu().numpy()))
            dropout_predictions = np.vstack((dropout_predictions,
                                             predictions[np.newaxis, :, :]))
        mean = np.mean(dropout_predictions, axis=0)
        variance = np.var(dropout_predictions, axis=0)
        epsilon = sys.float_info.min
        entropy = -np.sum(mean * np.log(mean + epsilon), axis=-1)
        mutual_info = entropy - np.mean(np.sum(-dropout_predictions * np.log(
            dropout_predictions + epsilon), axis=-1), axis=0)
        return mean, variance, entropy, mutual_info

    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    x, y = torch.tensor(images[:120] / 16.0), torch.tensor(labels[:120])
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), DropoutShared(0.5), nn.Linear(64, 10))
    states = synced([model], states, torch)
    optimizer = optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    record = []
    model.train()
    for step in range(20):
        batch = slice(40 * (step % 3), 40 * (step % 3) + 40)
        loss = F.cross_entropy(model(x[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record.append(loss)
    loader = [(x[i:i + 30], y[i:i + 30]) for i in range(0, 120, 30)]
    record += list(get_monte_carlo_predictions(loader, 8, model, 10, 120))
    record.append([m.training for m in model.modules()])
    return record, states


def assert_records(got: list, want: list) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = (v.detach().numpy() if hasattr(v, "detach") else v for v in (a, b))
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-10,
                                   atol=1e-12, err_msg=f"record {i}")


def test_deep_ensemble_with_adversarial_training(torch):
    want, states = deep_ensemble_program(torch, None)
    got, _ = deep_ensemble_program(None, states)
    assert_records(got, want)


def test_model_ensembling_tutorial_with_torch_func(torch):
    want, states = ensembling_tutorial_program(torch, None)
    got, _ = ensembling_tutorial_program(None, states)
    assert_records(got, want)
    np.testing.assert_allclose(got[0].detach().numpy(), got[1].detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(got[2].detach().numpy(), got[3].detach().numpy(), rtol=1e-12)


def test_mc_dropout_predictive_uncertainty(torch):
    want, states = mc_dropout_program(torch, None)
    got, _ = mc_dropout_program(None, states)
    assert_records(got, want)
    assert want[-1] == [False, False, False, True, False]


def test_enable_dropout_with_the_library_dropout(torch):
    """The real nn.Dropout: after ``model.eval()`` and ``enable_dropout``, passes differ
    (only dropout trains); after ``model.eval()`` alone they are equal, in both."""
    for lib in (nn, torch.nn):
        model = lib.Sequential(lib.Linear(4, 16), lib.Dropout(0.5), lib.Dropout1d(0.5),
                               lib.Linear(16, 2))
        x = (ag if lib is nn else torch).tensor(np.ones((3, 4)))
        model.eval()
        assert np.array_equal(model(x).detach().numpy(), model(x).detach().numpy())
        for m in model.modules():
            if m.__class__.__name__.startswith('Dropout'):
                m.train()
        assert [m.training for m in model.modules()] == [False, False, True, True, False]
        assert not np.array_equal(model(x).detach().numpy(), model(x).detach().numpy())

"""Temperature scaling ("On Calibration of Modern Neural Networks", Guo et al. 2017), as
its readers write it from the authors' ``temperature_scaling.py`` (Geoff Pleiss): a
``ModelWithTemperature`` wrapper whose one ``nn.Parameter`` is fitted on the validation
logits by ``optim.LBFGS(lr=0.01, max_iter=50)`` with a closure, and ``_ECELoss``, the
expected calibration error over 15 confidence bins. The program is written once for a
library ``torch`` (``autograd`` here, PyTorch there) with its ``nn``, ``F``, ``optim`` and
``data``; an over-confident classifier of scikit-learn's digits is trained first, then
calibrated. Both runs start from the same weights (float64) and agree to 1e-10 in every
loss, the NLL and ECE before and after, and the fitted temperature.

Lines written differently here, and why:
- ``self.cuda()`` / ``.cuda()`` are left out (CPU only in both runs; ours would refuse);
- ``torch.max(softmaxes, 1)`` is ``torch.max(softmaxes, dim=1)``: a positional axis means
  NumPy's values-only max here (``UsageError`` names both), the keyword means PyTorch's
  (values, indices) in both libraries;
- the loaders do not shuffle (the two libraries' generators differ).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def digits_splits() -> tuple:
    """(train, valid) of scikit-learn's digits: (inputs in [0, 1], int64 labels)."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    images = images / 16.0
    return (images[:300], labels[:300]), (images[300:600], labels[300:600])


def program(torch, state: dict | None) -> tuple[list, dict]:
    """Train an MLP on digits, then calibrate it; returns (record, starting state)."""
    _, nn, F, optim, data = libraries(torch)
    record = []

    class ModelWithTemperature(nn.Module):
        """A thin decorator, which wraps a model with temperature scaling."""

        def __init__(self, model):
            super(ModelWithTemperature, self).__init__()
            self.model = model
            self.temperature = nn.Parameter(T.ones(1) * 1.5)

        def forward(self, input):
            logits = self.model(input)
            return self.temperature_scale(logits)

        def temperature_scale(self, logits):
            # Expand temperature to match the size of logits
            temperature = self.temperature.unsqueeze(1).expand(logits.size(0), logits.size(1))
            return logits / temperature

        def set_temperature(self, valid_loader):
            nll_criterion = nn.CrossEntropyLoss()
            ece_criterion = _ECELoss()
            # First: collect all the logits and labels for the validation set
            logits_list = []
            labels_list = []
            with T.no_grad():
                for input, label in valid_loader:
                    logits = self.model(input)
                    logits_list.append(logits)
                    labels_list.append(label)
                logits = T.cat(logits_list)
                labels = T.cat(labels_list)
            # Calculate NLL and ECE before temperature scaling
            before_temperature_nll = nll_criterion(logits, labels).item()
            before_temperature_ece = ece_criterion(logits, labels).item()
            record.append((before_temperature_nll, before_temperature_ece))
            # Next: optimize the temperature w.r.t. NLL
            optimizer = optim.LBFGS([self.temperature], lr=0.01, max_iter=50)

            def eval():
                optimizer.zero_grad()
                loss = nll_criterion(self.temperature_scale(logits), labels)
                loss.backward()
                record.append(loss.item())
                return loss
            optimizer.step(eval)
            # Calculate NLL and ECE after temperature scaling
            after_temperature_nll = nll_criterion(self.temperature_scale(logits), labels).item()
            after_temperature_ece = ece_criterion(self.temperature_scale(logits), labels).item()
            record.append(('Optimal temperature: %.3f' % self.temperature.item(),
                           self.temperature.item()))
            record.append((after_temperature_nll, after_temperature_ece))
            return self

    class _ECELoss(nn.Module):
        """The expected calibration error: sum over confidence bins of
        |mean confidence - accuracy| weighted by the bin's share of the samples."""

        def __init__(self, n_bins=15):
            super(_ECELoss, self).__init__()
            bin_boundaries = T.linspace(0, 1, n_bins + 1)
            self.bin_lowers = bin_boundaries[:-1]
            self.bin_uppers = bin_boundaries[1:]

        def forward(self, logits, labels):
            softmaxes = F.softmax(logits, dim=1)
            confidences, predictions = T.max(softmaxes, dim=1)  # (see the top)
            accuracies = predictions.eq(labels)
            ece = T.zeros(1, device=logits.device)
            for bin_lower, bin_upper in zip(self.bin_lowers, self.bin_uppers):
                # Calculated |confidence - accuracy| in each bin
                in_bin = confidences.gt(bin_lower.item()) * confidences.le(bin_upper.item())
                prop_in_bin = in_bin.float().mean()
                if prop_in_bin.item() > 0:
                    accuracy_in_bin = accuracies[in_bin].float().mean()
                    avg_confidence_in_bin = confidences[in_bin].mean()
                    ece += T.abs(avg_confidence_in_bin - accuracy_in_bin) * prop_in_bin
            return ece

    T = torch if torch is not None else ag
    (x_train, y_train), (x_valid, y_valid) = digits_splits()
    train_set = data.TensorDataset(T.tensor(x_train), T.tensor(y_train))
    valid_set = data.TensorDataset(T.tensor(x_valid), T.tensor(y_valid))
    train_loader = data.DataLoader(train_set, batch_size=50, shuffle=False)
    valid_loader = data.DataLoader(valid_set, batch_size=100, shuffle=False)

    T.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict(state)
    # over-fit (large steps, many epochs): the network's confidence outgrows its accuracy
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(30):
        model.train()
        for input, target in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(input), target)
            loss.backward()
            optimizer.step()
        record.append(loss.item())
    model.eval()
    scaled_model = ModelWithTemperature(model)
    scaled_model.set_temperature(valid_loader)
    with T.no_grad():
        record.append(scaled_model(T.tensor(x_valid[:5])))
    return record, state


def test_temperature_scaling_fits_the_same_temperature(torch):
    want, state = program(torch, None)
    got, _ = program(None, state)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        if isinstance(a, tuple) and isinstance(a[0], str):
            assert a[0] == b[0], f"record {i}"
            a, b = a[1], b[1]
        if hasattr(a, "detach"):
            a, b = a.detach().numpy(), b.detach().numpy()
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-10,
                                   atol=1e-12, err_msg=f"record {i}")
    before, after, temperature = want[30], want[-2], want[-3][1]
    assert temperature > 1.0 and after[0] < before[0]  # it was over-confident; NLL fell

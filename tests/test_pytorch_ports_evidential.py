"""Evidential deep learning, as its readers write it in PyTorch: deep evidential regression
(Amini et al. 2020; the ``DenseNormalGamma`` layer, ``NIG_NLL`` with ``torch.lgamma``,
``NIG_Reg`` and ``EvidentialRegression`` of the PyTorch ports of aamini's
hello_world: a cubic with noise, the aleatoric and epistemic variances read off
``beta / (alpha - 1)`` and ``beta / (v (alpha - 1))``), and evidential classification
(Sensoy et al. 2018, dougbrion/pytorch-classification-uncertainty: ReLU evidence, Dirichlet
``alpha = evidence + 1``, the MSE and digamma losses with the annealed KL term to the
uniform Dirichlet, uncertainty ``K / sum(alpha)``) on scikit-learn's digits. Each program is
written once for a library ``torch`` (``autograd`` here, PyTorch there) and runs step for
step next to PyTorch's from the same weights (float64): losses, uncertainties and
parameters agree to 1e-10.

Lines written differently here, and why:
- ``torch.split(x, n, dim=1)`` is ``x.split(n, dim=1)``: ``autograd.split`` would be
  NumPy's (sections, not sizes), so the function is left out on purpose;
- ``torch.max(outputs, 1)`` is ``torch.max(outputs, dim=1)``: a positional axis means
  NumPy's values-only max here (``UsageError`` names both spellings);
- ``.to(device)`` of the CPU-only runs is kept (a no-op in both);
- the classifiers agree to 1e-8 (1e-9 near 0), not 1e-10: PyTorch's float64 trigamma
  (the gradient of ``torch.digamma``) is off by up to 5e-10 relative (see the test).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def start_from(model, state: dict | None, T) -> dict:
    """The first run keeps its model's starting weights; the second loads them."""
    if state is None:
        return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    return state


def regression_program(torch, state: dict | None) -> tuple[list, dict]:
    """hello_world: y = x^3 + noise on [-4, 4], an evidential MLP trained by Adam."""
    torch, nn, F, optim = libraries(torch)

    class DenseNormalGamma(nn.Module):
        def __init__(self, n_input, n_out_tasks=1):
            super().__init__()
            self.n_in = n_input
            self.n_out = 4 * n_out_tasks
            self.n_tasks = n_out_tasks
            self.l1 = nn.Linear(self.n_in, self.n_out)

        def forward(self, x):
            x = self.l1(x)
            if len(x.shape) == 1:
                gamma, lognu, logalpha, logbeta = x.split(self.n_tasks, dim=0)
            else:
                gamma, lognu, logalpha, logbeta = x.split(self.n_tasks, dim=1)
            nu = F.softplus(lognu)
            alpha = F.softplus(logalpha) + 1.
            beta = F.softplus(logbeta)
            return torch.cat([gamma, nu, alpha, beta], dim=-1).to(x.device)

    def NIG_NLL(y, gamma, v, alpha, beta, reduce=True):
        twoBlambda = 2 * beta * (1 + v)
        nll = 0.5 * torch.log(np.pi / v) \
            - alpha * torch.log(twoBlambda) \
            + (alpha + 0.5) * torch.log(v * (y - gamma) ** 2 + twoBlambda) \
            + torch.lgamma(alpha) \
            - torch.lgamma(alpha + 0.5)
        return torch.mean(nll) if reduce else nll

    def NIG_Reg(y, gamma, v, alpha, beta, reduce=True):
        error = torch.abs(y - gamma)
        evi = 2 * v + alpha
        reg = error * evi
        return torch.mean(reg) if reduce else reg

    def EvidentialRegression(y_true, evidential_output, coeff=1.0):
        gamma, v, alpha, beta = torch.chunk(evidential_output, 4, dim=-1)
        loss_nll = NIG_NLL(y_true, gamma, v, alpha, beta)
        loss_reg = NIG_Reg(y_true, gamma, v, alpha, beta)
        return loss_nll + coeff * loss_reg

    rng = np.random.default_rng(0)
    x_train = np.linspace(-4, 4, 200).reshape(-1, 1)
    y_train = x_train ** 3 + rng.normal(0, 3, x_train.shape)
    x_train, y_train = torch.tensor(x_train), torch.tensor(y_train)
    x_test = torch.linspace(-7, 7, 50).reshape(-1, 1)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          DenseNormalGamma(32, 1))
    state = start_from(model, state, torch)
    optimizer = optim.Adam(model.parameters(), lr=5e-3)
    record = []
    for step in range(60):
        idx = np.arange(step * 40, step * 40 + 40) % 200
        y_pred = model(x_train[idx] / 4)
        loss = EvidentialRegression(y_train[idx] / 50, y_pred, coeff=1e-2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record.append(loss)
    with torch.no_grad():
        mu, v, alpha, beta = torch.chunk(model(x_test / 4), 4, dim=-1)
        aleatoric = beta / (alpha - 1)
        epistemic = beta / (v * (alpha - 1))
    record += [mu, aleatoric, epistemic]
    return record, state


def classification_program(torch, state: dict | None, loss_name: str) -> tuple[list, dict]:
    """Sensoy et al.'s evidential classifier of digits, with edl_mse_loss or
    edl_digamma_loss, annealed over 4 epochs."""
    torch, nn, F, optim = libraries(torch)
    device = "cpu"

    def relu_evidence(y):
        return F.relu(y)

    def one_hot_embedding(labels, num_classes=10):
        y = torch.eye(num_classes)
        return y[labels]

    def kl_divergence(alpha, num_classes, device=None):
        ones = torch.ones([1, num_classes], dtype=torch.float32, device=device)
        sum_alpha = torch.sum(alpha, dim=1, keepdim=True)
        first_term = (
            torch.lgamma(sum_alpha)
            - torch.lgamma(alpha).sum(dim=1, keepdim=True)
            + torch.lgamma(ones).sum(dim=1, keepdim=True)
            - torch.lgamma(ones.sum(dim=1, keepdim=True))
        )
        second_term = (
            (alpha - ones)
            .mul(torch.digamma(alpha) - torch.digamma(sum_alpha))
            .sum(dim=1, keepdim=True)
        )
        kl = first_term + second_term
        return kl

    def loglikelihood_loss(y, alpha, device=None):
        y = y.to(device)
        alpha = alpha.to(device)
        S = torch.sum(alpha, dim=1, keepdim=True)
        loglikelihood_err = torch.sum((y - (alpha / S)) ** 2, dim=1, keepdim=True)
        loglikelihood_var = torch.sum(
            alpha * (S - alpha) / (S * S * (S + 1)), dim=1, keepdim=True)
        loglikelihood = loglikelihood_err + loglikelihood_var
        return loglikelihood

    def annealing(epoch_num, annealing_step):
        return torch.min(torch.tensor(1.0, dtype=torch.float32),
                         torch.tensor(epoch_num / annealing_step, dtype=torch.float32))

    def mse_loss(y, alpha, epoch_num, num_classes, annealing_step, device=None):
        loglikelihood = loglikelihood_loss(y, alpha, device=device)
        annealing_coef = annealing(epoch_num, annealing_step)
        kl_alpha = (alpha - 1) * (1 - y) + 1
        kl_div = annealing_coef * kl_divergence(kl_alpha, num_classes, device=device)
        return loglikelihood + kl_div

    def edl_loss(func, y, alpha, epoch_num, num_classes, annealing_step, device=None):
        y = y.to(device)
        alpha = alpha.to(device)
        S = torch.sum(alpha, dim=1, keepdim=True)
        A = torch.sum(y * (func(S) - func(alpha)), dim=1, keepdim=True)
        annealing_coef = annealing(epoch_num, annealing_step)
        kl_alpha = (alpha - 1) * (1 - y) + 1
        kl_div = annealing_coef * kl_divergence(kl_alpha, num_classes, device=device)
        return A + kl_div

    def edl_mse_loss(output, target, epoch_num, num_classes, annealing_step, device=None):
        evidence = relu_evidence(output)
        alpha = evidence + 1
        return torch.mean(mse_loss(target, alpha, epoch_num, num_classes, annealing_step,
                                   device=device))

    def edl_digamma_loss(output, target, epoch_num, num_classes, annealing_step, device=None):
        evidence = relu_evidence(output)
        alpha = evidence + 1
        return torch.mean(edl_loss(torch.digamma, target, alpha, epoch_num, num_classes,
                                   annealing_step, device))

    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    inputs, labels = torch.tensor(images[:200] / 16.0), torch.tensor(labels[:200])
    num_classes = 10
    criterion = {"mse": edl_mse_loss, "digamma": edl_digamma_loss}[loss_name]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, num_classes))
    state = start_from(model, state, torch)
    optimizer = optim.Adam(model.parameters(), lr=1e-2, weight_decay=0.005)
    record = []
    for epoch in range(6):
        for start in range(0, 200, 50):
            x, y_int = inputs[start:start + 50], labels[start:start + 50]
            y = one_hot_embedding(y_int, num_classes).to(device)
            optimizer.zero_grad()
            outputs = model(x)
            _, preds = torch.max(outputs, dim=1)  # repository: torch.max(outputs, 1)
            loss = criterion(outputs, y.float(), epoch, num_classes, 4, device)
            match = torch.reshape(torch.eq(preds, y_int).float(), (-1, 1))
            acc = torch.mean(match)
            evidence = relu_evidence(outputs)
            alpha = evidence + 1
            u = num_classes / torch.sum(alpha, dim=1, keepdim=True)
            total_evidence = torch.sum(evidence, 1, keepdim=True)
            mean_evidence = torch.mean(total_evidence)
            mean_evidence_succ = torch.sum(
                torch.sum(evidence, 1, keepdim=True) * match) / torch.sum(match + 1e-20)
            loss.backward()
            optimizer.step()
            record += [loss, acc, u.mean(), mean_evidence, mean_evidence_succ]
    return record + list(model.parameters()), state


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = (v.detach().numpy() if hasattr(v, "detach") else v for v in (a, b))
        assert np.asarray(a).dtype == np.asarray(b).dtype, f"record {i}"
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol,
                                   atol=atol, err_msg=f"record {i}")


def test_deep_evidential_regression(torch):
    want, state = regression_program(torch, None)
    got, _ = regression_program(None, state)
    assert_records(got, want)
    assert float(want[59].detach()) < float(want[0].detach())  # it learned


@pytest.mark.parametrize("loss_name", ["mse", "digamma"])
def test_evidential_classification(torch, loss_name):
    want, state = classification_program(torch, None, loss_name)
    got, _ = classification_program(None, state, loss_name)
    # 1e-8: the KL term's gradient takes digamma's derivative, and PyTorch's float64
    # trigamma is off by up to 5e-10 relative (ours agrees with scipy.special.polygamma(1)
    # to 3e-16), which Adam's steps carry into every later record
    assert_records(got, want, rtol=1e-8, atol=1e-9)

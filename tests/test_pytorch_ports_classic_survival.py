"""Survival analysis with the Cox partial likelihood, as readers write it: DeepSurv from
``czifan/DeepSurv.pytorch`` (``NegativeLogLikelihood``: a risk-set ``mask[(y.T - y) > 0] =
0`` over all pairs, an L2 ``Regularization`` of every ``weight`` by ``torch.norm``) and
pycox's ``cox_ph_loss`` (durations sorted descending, then a log-cumsum-exp shifted by the
max), plus ``torch.logcumsumexp`` over the sorted risks. A SELU network with
AlphaDropout and BatchNorm1d is fitted to generated censored exponential survival times.
The program is written once for a library ``torch`` (``autograd`` here, PyTorch there);
every loss and the final risks agree to 1e-10, and Harrell's concordance index is high.
Then a Weibull time-to-event network on the same data (WTTE-RNN's parametrisation, alpha =
exp(a), beta = softplus(b)), its censored likelihood written by hand as WTTE's
``weibull_loglik_continuous`` and with ``distributions.Weibull`` (``log_prob`` for the
events, ``log1p(-cdf)`` for the censored).

Lines written differently here, and why:
- SGD with Nesterov momentum instead of DeepSurv's Adam: the Cox likelihood does not see
  a shift of all risks, so the last bias's gradient is rounding noise (1e-17), which
  Adam's g / sqrt(v) scales up to full steps of random sign in either library;
- the data are generated (no download) and there are 30 full-batch epochs.
"""

import numpy as np

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    """(torch, nn, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim
    return torch, torch.nn, torch.optim


def censored_times(n: int = 80) -> tuple:
    """(features, observed times, event indicators): exponential times with hazard
    exp(x . beta), censored by independent exponential times of mean 2."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 5))
    beta = np.array([1.0, -0.5, 0.0, 0.3, 0.0])
    event_times = rng.exponential(np.exp(-X @ beta))
    censor_times = rng.exponential(2.0, n)
    return X, np.minimum(event_times, censor_times), (event_times <= censor_times) * 1.0


def concordance_index(times: np.ndarray, risks: np.ndarray, events: np.ndarray) -> float:
    """Harrell's C: of the pairs where the earlier time is an event, the share whose
    earlier one has the higher risk (ties count half)."""
    right = total = 0.0
    for i in np.flatnonzero(events):
        later = times > times[i]
        total += later.sum()
        right += (risks[i] > risks[later]).sum() + 0.5 * (risks[i] == risks[later]).sum()
    return right / total


def program(torch, state: dict | None) -> tuple[list, dict]:
    """Fit DeepSurv; returns (record of losses then risks, starting state)."""
    T, nn, optim = libraries(torch)

    class Regularization(object):
        def __init__(self, order, weight_decay):
            super(Regularization, self).__init__()
            self.order = order
            self.weight_decay = weight_decay

        def __call__(self, model):
            reg_loss = 0
            for name, w in model.named_parameters():
                if 'weight' in name:
                    reg_loss = reg_loss + T.norm(w, p=self.order)
            reg_loss = self.weight_decay * reg_loss
            return reg_loss

    class NegativeLogLikelihood(nn.Module):
        def __init__(self):
            super(NegativeLogLikelihood, self).__init__()
            self.reg = Regularization(order=2, weight_decay=1e-3)

        def forward(self, risk_pred, y, e, model):
            mask = T.ones(y.shape[0], y.shape[0])
            mask[(y.T - y) > 0] = 0
            log_loss = T.exp(risk_pred) * mask
            log_loss = T.sum(log_loss, dim=0) / T.sum(mask, dim=0)
            log_loss = T.log(log_loss).reshape(-1, 1)
            neg_log_loss = -T.sum((risk_pred-log_loss) * e) / T.sum(e)
            l2_loss = self.reg(model)
            return neg_log_loss + l2_loss

    def cox_ph_loss_sorted(log_h, events, eps=1e-7):
        if events.dtype is T.bool:
            events = events.float()
        events = events.view(-1)
        log_h = log_h.view(-1)
        gamma = log_h.max()
        log_cumsum_h = log_h.sub(gamma).exp().cumsum(0).add(eps).log().add(gamma)
        return - log_h.sub(log_cumsum_h).mul(events).sum().div(events.sum())

    def cox_ph_loss(log_h, durations, events, eps=1e-7):
        idx = durations.sort(descending=True)[1]
        events = events[idx]
        log_h = log_h[idx]
        return cox_ph_loss_sorted(log_h, events, eps)

    X, times, events = censored_times()
    X = T.from_numpy(X)
    y = T.tensor(times).reshape(-1, 1)
    e = T.tensor(events).reshape(-1, 1)
    T.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.SELU(), nn.AlphaDropout(0.0),
                          nn.BatchNorm1d(16), nn.Linear(16, 1))
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    criterion = NegativeLogLikelihood()
    optimizer = optim.SGD(model.parameters(), lr=5e-2, momentum=0.9, nesterov=True)  # (top)
    record = []
    for epoch in range(30):
        model.train()
        risk_pred = model(X)
        train_loss = criterion(risk_pred, y, e, model)
        pycox_loss = cox_ph_loss(risk_pred, y.view(-1), e.view(-1).bool())
        order = y.view(-1).argsort(descending=True)
        log_risk_set = T.logcumsumexp(risk_pred.view(-1)[order], dim=0)
        breslow = -((risk_pred.view(-1)[order] - log_risk_set) * e.view(-1)[order]).mean()
        optimizer.zero_grad()
        (train_loss + pycox_loss).backward()
        optimizer.step()
        record += [train_loss.item(), pycox_loss.item(), breslow.item()]
    model.eval()
    with T.no_grad():
        record.append(model(X).numpy().copy())
    return record, state


def test_deepsurv_fits_the_same_risks(torch):
    want, state = program(torch, None)
    got, _ = program(None, state)
    assert len(got) == len(want) == 91
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    _, times, events = censored_times()
    assert want[-3] < want[1]  # pycox's loss fell
    assert concordance_index(times, want[-1][:, 0], events) > 0.7


def weibull_program(torch, state: dict | None) -> tuple[list, dict]:
    """A Weibull time-to-event network (WTTE-style: alpha = exp(a), beta = softplus(b)) on
    the same censored data, its likelihood written by hand as WTTE's ``loglik_continuous``
    and by ``distributions.Weibull`` (events: log density; censored: log survival)."""
    T, nn, optim = libraries(torch)
    F = nn.functional
    D = T.distributions

    def weibull_loglik_continuous(y, u, a, b, epsilon=1e-10):
        ya = (y + epsilon) / a
        return u * (T.log(b) + b * T.log(ya)) - T.pow(ya, b)

    class WeibullHead(nn.Module):
        def __init__(self, in_features):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(in_features, 8), nn.Tanh())
            self.out = nn.Linear(8, 2)

        def forward(self, x):
            a, b = self.out(self.body(x)).unbind(-1)
            return T.exp(a), F.softplus(b)

    X, times, events = censored_times()
    X, y, u = T.from_numpy(X), T.tensor(times), T.tensor(events)
    T.manual_seed(0)
    model = WeibullHead(5)
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    optimizer = optim.Adam(model.parameters(), lr=2e-2)
    record = []
    for epoch in range(40):
        alpha, beta = model(X)
        loss = -weibull_loglik_continuous(y, u, alpha, beta).mean()
        weibull = D.Weibull(alpha, beta)
        nll = -(u * weibull.log_prob(y) + (1 - u) * T.log1p(-weibull.cdf(y))).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss.item(), nll.item()]
    with T.no_grad():
        alpha, beta = model(X)
        record.append(D.Weibull(alpha, beta).mean.numpy().copy())
    return record, state


def test_weibull_time_to_event_network_agrees(torch):
    want, state = weibull_program(torch, None)
    got, _ = weibull_program(None, state)
    assert len(got) == len(want) == 81
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    # WTTE's log-likelihood drops the constant -log(y) of each event: the two differ by it
    _, times, events = censored_times()
    np.testing.assert_allclose(np.array(want[1:80:2]) - np.array(want[0:80:2]),
                               np.mean(events * np.log(times)), rtol=1e-6)
    assert want[78] < want[0]
    assert concordance_index(times, -want[-1], events) > 0.7  # a long mean: a low risk

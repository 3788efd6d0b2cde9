"""Quantile regression with the pinball loss and conformalized quantile regression (CQR,
Romano, Patterson and Candes 2019), as readers write them in PyTorch: an ``AllQNet`` that
predicts the 5%, 50% and 95% quantiles at once without crossing (the lowest, plus a
``torch.cumsum`` of ``F.softplus`` gaps), the pinball loss written both ways readers write
it (``torch.where(errors >= 0, q * errors, (q - 1) * errors)`` and ``torch.max((q - 1) *
errors, q * errors)``), Adam with weight decay over ``torch.arange(n).split(50)``
batches; then CQR's calibration: conformity scores ``torch.maximum(lo - y, y - hi)``, their
``torch.quantile(scores, ceil((n + 1)(1 - alpha)) / n, interpolation="higher")``, the
widened interval's coverage, and ``torch.quantile``/``nanquantile``/``kthvalue`` of the
scores. The program is written once for a library ``torch`` (``autograd`` here, PyTorch
there) on generated heteroscedastic data; every number agrees to 1e-10 (the coverage,
``.float().mean()`` of a bool tensor, is float32 in both). Nothing is written
differently.
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def program(torch, state: dict | None) -> tuple[list, dict]:
    """Fit the three quantiles, then calibrate the 90% interval; returns (record, state)."""
    T, nn, F, optim = libraries(torch)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 5, (300, 1))
    y = np.sin(x[:, 0]) * x[:, 0] + rng.standard_normal(300) * (0.2 + 0.3 * x[:, 0])
    X, Y = T.tensor(x), T.tensor(y)
    Xtr, Ytr, Xcal, Ycal = X[:200], Y[:200], X[200:], Y[200:]
    quantiles = T.tensor([0.05, 0.5, 0.95])
    alpha = 0.1

    class AllQNet(nn.Module):
        def __init__(self, in_shape=1, hidden_size=32, quantiles=quantiles):
            super().__init__()
            self.base_model = nn.Sequential(nn.Linear(in_shape, hidden_size), nn.ReLU(),
                                            nn.Linear(hidden_size, hidden_size), nn.ReLU())
            self.first = nn.Linear(hidden_size, 1)
            self.deltas = nn.Linear(hidden_size, len(quantiles) - 1)
        def forward(self, x):
            h = self.base_model(x)
            lowest = self.first(h)
            return T.cat([lowest, lowest + T.cumsum(F.softplus(self.deltas(h)), dim=1)], dim=1)

    def pinball_loss(preds, target, quantiles):
        errors = target.unsqueeze(1) - preds
        return T.where(errors >= 0, quantiles * errors,
                       (quantiles - 1) * errors).sum(dim=1).mean()

    def pinball_loss2(preds, target, quantiles):
        errors = target[:, None] - preds
        return T.max((quantiles - 1) * errors, quantiles * errors).mean(0).sum()

    T.manual_seed(0)
    model = AllQNet()
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    optimizer = optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-6)
    record = []
    for epoch in range(40):
        model.train()
        for idx in T.arange(200).split(50):
            optimizer.zero_grad()
            preds = model(Xtr[idx])
            loss = pinball_loss(preds, Ytr[idx], quantiles)
            loss.backward()
            optimizer.step()
        record.append(loss.item())
        record.append(pinball_loss2(preds, Ytr[idx], quantiles).item())
    model.eval()
    with T.no_grad():
        pred_cal = model(Xcal)
        scores = T.maximum(pred_cal[:, 0] - Ycal, Ycal - pred_cal[:, -1])
        n = scores.numel()
        level = np.ceil((n + 1) * (1 - alpha)) / n
        qhat = T.quantile(scores, level, interpolation="higher")
        record.append(qhat.item())
        lo, hi = pred_cal[:, 0] - qhat, pred_cal[:, -1] + qhat
        coverage = ((Ycal >= lo) & (Ycal <= hi)).float().mean()
        record.append(coverage.item())
        record.append(T.quantile(scores, T.tensor([0.1, 0.5, 0.9])).numpy())
        record.append(T.nanquantile(scores, 0.5, interpolation="midpoint").item())
        record.append(scores.kthvalue(5).values.item())
        record.append(pred_cal.numpy())
    return record, state


def test_conformalized_quantile_regression_agrees(torch):
    want, state = program(torch, None)
    got, _ = program(None, state)
    assert len(got) == len(want) == 86
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    assert np.allclose(want[0:80:2], want[1:80:2], rtol=1e-13)  # the two pinball spellings
    assert want[78] < want[0] / 2
    assert want[81] >= 0.85  # the calibrated 90% interval covers the held-out points
    predictions = want[-1]
    assert (np.diff(predictions, axis=1) > 0).all()  # the quantiles never cross

"""fit with nn.optim.LBFGS: fit passes step a closure (PyTorch's and skorch's loop), so
the run equals a hand-written closure loop bit for bit, matches torch, and resumes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.data import DataLoader
from nn.train import Callback, GradientClipping, ModelCheckpoint, fit
from train_helpers import StopAt

RNG = np.random.default_rng(6)
X = RNG.normal(size=(30, 4))
Y = (X[:, 0] - X[:, 2] > 0).astype(np.int64)


def _model(seed: int = 0) -> nn.Module:
    return nn.Sequential(nn.Linear(4, 6, rng=seed), nn.Tanh(), nn.Linear(6, 2, rng=seed + 1))


def test_fit_with_lbfgs_equals_the_hand_written_closure_loop() -> None:
    model, reference = _model(), _model()
    opt = nn.optim.LBFGS(model.parameters(), lr=0.1, max_iter=5)
    history = fit(model, F.cross_entropy, opt, DataLoader(X, Y, batch_size=10), epochs=3,
                  progress=False)
    ref_opt = nn.optim.LBFGS(reference.parameters(), lr=0.1, max_iter=5)
    first_losses = []
    for _ in range(3):
        for xb, yb in DataLoader(X, Y, batch_size=10):
            def closure() -> Any:
                ref_opt.zero_grad()
                loss = F.cross_entropy(reference(Tensor(xb)), yb)
                loss.backward()
                return loss
            first_losses.append(float(ref_opt.step(closure)))
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, reference.state_dict()[key], err_msg=key)
    # the logged loss is the mean of each batch's first evaluation, before its update
    expected = []
    for epoch in range(3):
        total = 0.0
        for value in first_losses[3 * epoch:3 * epoch + 3]:
            total += value * 10  # fit's running sum, weighted by the batch's size
        expected.append(total / 30)
    assert history["loss"] == expected and expected[-1] < expected[0]


def test_fit_with_lbfgs_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    model = _model()
    opt = nn.optim.LBFGS(model.parameters(), lr=1, max_iter=10, line_search_fn="strong_wolfe")
    fit(model, F.cross_entropy, opt, (X, Y), epochs=3, batch_size=30, progress=False)
    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(),
                                      torch.nn.Linear(6, 2)).double()
    with torch.no_grad():
        for key, value in _model().state_dict().items():
            torch_model.state_dict()[key].copy_(torch.from_numpy(value.numpy()))
    torch_opt = torch.optim.LBFGS(torch_model.parameters(), lr=1, max_iter=10,
                                  line_search_fn="strong_wolfe")
    inputs, targets = torch.from_numpy(X), torch.from_numpy(Y)
    for _ in range(3):  # one full batch per epoch (its order does not change the mean)
        def closure() -> Any:
            torch_opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(torch_model(inputs), targets)
            loss.backward()
            return loss
        torch_opt.step(closure)
    for key, value in model.state_dict().items():
        np.testing.assert_allclose(value, torch_model.state_dict()[key].numpy(), rtol=1e-6,
                                   atol=1e-9, err_msg=key)


def test_after_backward_hooks_run_at_every_evaluation() -> None:
    class Count(Callback):
        calls = 0

        def on_after_backward(self, trainer: Any) -> None:
            Count.calls += 1

    model = _model()
    opt = nn.optim.LBFGS(model.parameters(), max_iter=4)
    fit(model, F.cross_entropy, opt, (X, Y), epochs=2, batch_size=30, progress=False,
        callbacks=[Count(), GradientClipping(max_norm=1.0)])
    assert Count.calls == opt.state_dict()["state"][0]["func_evals"] > 2


def test_fit_with_lbfgs_resumes_bit_for_bit(tmp_path: Path) -> None:
    def run(folder: Path, seed: int, stop_at: int, resume: Path | None = None) -> Any:
        model = nn.Sequential(nn.Linear(4, 6, rng=seed), nn.Dropout(0.2, rng=seed),
                              nn.Linear(6, 2, rng=seed))
        opt = nn.optim.LBFGS(model.parameters(), lr=0.1, max_iter=3, history_size=4)
        history = fit(model, F.cross_entropy, opt, (X, Y), epochs=4, batch_size=10,
                      progress=False, generator=seed, resume_from=resume,
                      callbacks=[ModelCheckpoint(folder / "c{epoch}.npz", monitor="loss"),
                                 StopAt(stop_at)])
        return model, opt, history

    full = run(tmp_path / "full", 1, 99)
    run(tmp_path / "cut", 1, 2)
    resumed = run(tmp_path / "cut", 5, 99, resume=tmp_path / "cut" / "c2.npz")
    assert resumed[2].history == full[2].history
    for key, value in full[0].state_dict().items():
        np.testing.assert_array_equal(resumed[0].state_dict()[key], value, err_msg=key)
    _same(resumed[1].state_dict(), full[1].state_dict())  # L-BFGS's history too


def _same(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        np.testing.assert_array_equal(a, b)


def test_fit_passes_a_closure_to_any_optimizer_that_declares_it_needs_one() -> None:
    """Not only LBFGS: an optimizer class with ``needs_closure = True`` gets a closure."""
    calls = []

    class CountingSGD(nn.optim.SGD):
        needs_closure = True

        def step(self, closure=None):
            calls.append(closure is not None and float(closure()) >= 0)
            return super().step()
    model = nn.Linear(2, 1)
    X = np.random.default_rng(0).normal(size=(8, 2))
    fit(model, nn.functional.mse_loss, CountingSGD(model.parameters(), lr=0.1), (X, X[:, :1]),
        epochs=1, batch_size=4, progress=False)
    assert calls == [True, True]

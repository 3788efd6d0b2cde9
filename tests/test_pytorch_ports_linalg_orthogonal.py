"""Orthogonal weights as PyTorch users write them: an orthogonal RNN whose recurrent
matrix is ``torch.matrix_exp`` of a skew-symmetric parameter (expRNN, Lezcano-Casado and
Martinez-Rubio 2019), the same cell through the Cayley transform (I - A/2)^-1 (I + A/2)
by ``torch.linalg.solve``, and an MLP whose hidden layers are kept orthogonal by
``torch.nn.utils.parametrizations.orthogonal`` (each map; trained, then assigned, then
read under ``parametrize.cached()``). Written once for a library ``T``, run step for
step next to PyTorch in float64 from the same weights: losses, gradients and weights
agree to about 1e-10 and the weights stay orthogonal.

Nothing is written differently here.
"""

import numpy as np
import pytest

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    return (ag, nn, nn.optim) if torch is None else (torch, torch.nn, torch.optim)


def assert_records(got, want, rtol=1e-10, atol=1e-11) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def copy_weights(T, module, seed: int, scale: float = 0.3) -> None:
    rng = np.random.default_rng(seed)
    with T.no_grad():
        for p in module.parameters():
            p.copy_(T.tensor(rng.standard_normal(tuple(p.shape)) * scale))


def make_orthogonal_rnn(T, lib, hidden: int, by: str):
    class OrthogonalRNN(lib.Module):
        """h_t = tanh(W_in x_t + Q h_{t-1}), Q = exp(A - A^T) or Cayley(A - A^T)."""

        def __init__(self, n_in: int, hidden: int, n_out: int):
            super().__init__()
            self.input = lib.Linear(n_in, hidden)
            self.log_recurrent = lib.Parameter(T.zeros(hidden, hidden))
            self.output = lib.Linear(hidden, n_out)

        def recurrent(self):
            A = self.log_recurrent.triu(1)
            A = A - A.T
            if by == "matrix_exp":
                return T.matrix_exp(A)
            if by == "linalg.matrix_exp":
                return T.linalg.matrix_exp(A)
            Id = T.eye(A.shape[0])
            return T.linalg.solve(Id - A / 2, Id + A / 2)

        def forward(self, x):
            Q = self.recurrent()
            h = x.new_zeros(x.shape[0], Q.shape[0])
            for t in range(x.shape[1]):
                h = T.tanh(self.input(x[:, t]) + h @ Q.T)
            return self.output(h)

    return OrthogonalRNN(2, hidden, 1)


def train_rnn(T, lib, optim, by: str, steps: int = 4) -> dict:
    rng = np.random.default_rng(0)
    x = T.tensor(rng.standard_normal((6, 7, 2)))
    y = x[:, :3, 0].sum(dim=1, keepdim=True)  # remember the first steps
    model = make_orthogonal_rnn(T, lib, 5, by)
    copy_weights(T, model, seed=1)
    opt = optim.RMSprop(model.parameters(), lr=0.01)
    losses, grads = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.functional.mse_loss(model(x), y)
        loss.backward()
        losses.append(loss.item())
        grads.append([numpy_of(p.grad) for p in model.parameters()])
        opt.step()
    return {"losses": losses, "grads": grads, "Q": numpy_of(model.recurrent())}


@pytest.mark.parametrize("by", ["matrix_exp", "linalg.matrix_exp", "cayley"])
def test_orthogonal_rnn_matches_torch(torch, by: str) -> None:
    ours, theirs = train_rnn(*libraries(), by), train_rnn(*libraries(torch), by)
    assert_records(ours["losses"], theirs["losses"])
    for got, want in zip(ours["grads"], theirs["grads"]):
        assert_records(got, want, rtol=1e-9)
    assert_records([ours["Q"]], [theirs["Q"]])
    np.testing.assert_allclose(ours["Q"] @ ours["Q"].T, np.eye(5), atol=1e-12)


def train_orthogonal_mlp(T, lib, optim, orthogonal_map, steps: int = 4) -> dict:
    orthogonal = lib.utils.parametrizations.orthogonal
    model = lib.Sequential(lib.Linear(4, 6), lib.Tanh(), lib.Linear(6, 6), lib.Tanh(),
                           lib.Linear(6, 3))
    copy_weights(T, model, seed=2, scale=0.5)
    orthogonal(model[2], orthogonal_map=orthogonal_map)  # square: exact, no random columns
    orthogonal(model[4], orthogonal_map="householder", use_trivialization=False)
    rng = np.random.default_rng(3)
    x, y = T.tensor(rng.standard_normal((10, 4))), T.tensor(rng.integers(0, 3, 10))
    opt = optim.SGD(model.parameters(), lr=0.2, momentum=0.5)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.functional.cross_entropy(model(x), y)
        loss.backward()
        losses.append(loss.item())
        opt.step()
    records = {"losses": losses, "W2": numpy_of(model[2].weight),
               "W4": numpy_of(model[4].weight)}
    # assign a new orthogonal matrix; then evaluate with the parametrization cached
    Q = T.tensor(np.linalg.qr(rng.standard_normal((6, 6)))[0])
    with T.no_grad():
        model[2].weight = Q
    with lib.utils.parametrize.cached():
        records["after_assign"] = numpy_of(model(x))
    return records


@pytest.mark.parametrize("orthogonal_map", [None, "cayley", "householder"])
def test_parametrized_orthogonal_mlp_matches_torch(torch, orthogonal_map) -> None:
    ours = train_orthogonal_mlp(*libraries(), orthogonal_map)
    theirs = train_orthogonal_mlp(*libraries(torch), orthogonal_map)
    assert theirs["losses"][-1] < theirs["losses"][0]
    assert_records(ours["losses"], theirs["losses"])
    for key in ("W2", "W4", "after_assign"):
        assert_records([ours[key]], [theirs[key]], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(ours["W2"] @ ours["W2"].T, np.eye(6), atol=1e-12)
    np.testing.assert_allclose(ours["W4"] @ ours["W4"].T, np.eye(3), atol=1e-12)

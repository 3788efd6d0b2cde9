"""Whitening and a second-order preconditioner as PyTorch users write them: ZCA
whitening of scikit-learn's digits (``torch.cov(X.T)`` then ``torch.linalg.eigh``, and the
older ``U, S, V = torch.svd(sigma)`` of the CIFAR tutorials), a decorrelated batch-norm
layer (Huang et al. 2018: ZCA inside the forward, trained through ``eigh``'s
eigenvectors), and Shampoo (Gupta et al. 2018) written as a ``torch.optim.Optimizer``
subclass whose inverse fourth roots come from ``eigh``. Written once for a library
``T``, run step for step next to PyTorch in float64: whitened data, losses, gradients
and parameters agree to about 1e-9.

Nothing is written differently here.
"""

import numpy as np
import pytest

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    return (ag, nn, nn.optim) if torch is None else (torch, torch.nn, torch.optim)


def assert_records(got, want, rtol=1e-9, atol=1e-10) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def digit_features(n: int = 120, d: int = 16) -> np.ndarray:
    """Digits' pixel columns with the most variance (whitening needs a full-rank cov)."""
    from sklearn.datasets import load_digits
    X = load_digits().data[:n] / 16.0
    return X[:, np.argsort(-X.var(axis=0))[:d]]


def zca_matrix(T, X, eps: float, by: str):
    X_c = X - X.mean(dim=0)
    if by == "eigh":
        sigma = T.cov(X_c.T)
        S, U = T.linalg.eigh(sigma)
    else:  # the CIFAR tutorials' spelling
        sigma = X_c.T @ X_c / (X.shape[0] - 1)
        U, S, V = T.svd(sigma)
    return U @ T.diag(1.0 / T.sqrt(S + eps)) @ U.T, X_c


@pytest.mark.parametrize("by", ["eigh", "svd"])
def test_zca_whitening_of_digits_matches_torch(torch, by: str) -> None:
    X = digit_features()
    records = []
    for T in (ag, torch):
        W, X_c = zca_matrix(T, T.tensor(X), 1e-5, by)
        X_zca = X_c @ W
        records.append([numpy_of(W), numpy_of(X_zca), numpy_of(T.cov(X_zca.T)),
                        numpy_of(T.corrcoef(X_zca.T))])
    assert_records(records[0], records[1], rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(records[0][2], np.eye(16), atol=1e-3)


def make_dbn_net(T, lib):
    class DecorrelatedBatchNorm(lib.Module):
        """x -> (x - mean) Sigma^-1/2 over the batch (ZCA), then a learnable scale."""

        def __init__(self, num_features: int, eps: float = 1e-3):
            super().__init__()
            self.eps = eps
            self.weight = lib.Parameter(T.ones(num_features))

        def forward(self, x):
            x_c = x - x.mean(dim=0, keepdim=True)
            sigma = x_c.T @ x_c / x.shape[0] + self.eps * T.eye(x.shape[1])
            evals, evecs = T.linalg.eigh(sigma)
            whitening = evecs @ T.diag(evals.rsqrt()) @ evecs.T
            return x_c @ whitening * self.weight

    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.Linear(16, 5)
            self.dbn = DecorrelatedBatchNorm(5)
            self.fc2 = lib.Linear(5, 3)

        def forward(self, x):
            return self.fc2(T.tanh(self.dbn(self.fc1(x))))

    return Net()


def train_dbn(T, lib, optim, steps: int = 4) -> dict:
    X = T.tensor(digit_features(60))
    y = T.tensor(np.arange(60) % 3)
    net = make_dbn_net(T, lib)
    rng = np.random.default_rng(0)
    with T.no_grad():
        for p in net.parameters():
            p.copy_(T.tensor(rng.standard_normal(tuple(p.shape)) * 0.3))
    opt = optim.SGD(net.parameters(), lr=0.1)
    losses, grads = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.functional.cross_entropy(net(X), y)
        loss.backward()
        losses.append(loss.item())
        grads.append([numpy_of(p.grad) for p in net.parameters()])
        opt.step()
    return {"losses": losses, "grads": grads, "params": [numpy_of(p) for p in net.parameters()]}


def test_decorrelated_batch_norm_trains_as_torch(torch) -> None:
    ours, theirs = train_dbn(*libraries()), train_dbn(*libraries(torch))
    assert_records(ours["losses"], theirs["losses"])
    for got, want in zip(ours["grads"], theirs["grads"]):
        assert_records(got, want, rtol=1e-8)
    assert_records(ours["params"], theirs["params"])


def make_shampoo(T, optim):
    def matrix_power(M, p: float, eps: float):
        """M^p of a symmetric PSD matrix through its eigendecomposition."""
        evals, evecs = T.linalg.eigh(M)
        return evecs @ T.diag(evals.clamp(min=eps).pow(p)) @ evecs.T

    class Shampoo(optim.Optimizer):
        """W -= lr L^-1/4 G R^-1/4, L += G G^T, R += G^T G (vectors: one factor, ^-1/2)."""

        def __init__(self, params, lr=0.1, momentum=0.0, epsilon=1e-4):
            super().__init__(params, dict(lr=lr, momentum=momentum, epsilon=epsilon))

        @T.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with T.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = 0
                        if grad.ndim == 2:
                            state["L"] = group["epsilon"] * T.eye(grad.shape[0])
                            state["R"] = group["epsilon"] * T.eye(grad.shape[1])
                        else:
                            state["G"] = group["epsilon"] * T.eye(grad.numel())
                        if group["momentum"] > 0:
                            state["momentum_buffer"] = grad.clone()
                    if group["momentum"] > 0:
                        state["momentum_buffer"].mul_(group["momentum"]).add_(grad)
                        grad = state["momentum_buffer"]
                    if grad.ndim == 2:
                        state["L"].add_(grad @ grad.T)
                        state["R"].add_(grad.T @ grad)
                        update = (matrix_power(state["L"], -0.25, group["epsilon"]) @ grad
                                  @ matrix_power(state["R"], -0.25, group["epsilon"]))
                    else:
                        g = grad.reshape(-1)
                        state["G"].add_(T.outer(g, g))
                        update = (matrix_power(state["G"], -0.5, group["epsilon"])
                                  @ g).reshape(grad.shape)
                    state["step"] += 1
                    p.add_(update, alpha=-group["lr"])
            return loss

    return Shampoo


def train_with_shampoo(T, lib, optim, momentum: float, steps: int = 5) -> dict:
    rng = np.random.default_rng(4)
    X = T.tensor(rng.standard_normal((40, 6)))
    y = T.tensor(rng.standard_normal((40, 2)))
    model = lib.Sequential(lib.Linear(6, 4), lib.Tanh(), lib.Linear(4, 2))
    with T.no_grad():
        for p in model.parameters():
            p.copy_(T.tensor(rng.standard_normal(tuple(p.shape)) * 0.4))
    opt = make_shampoo(T, optim)(model.parameters(), lr=0.05, momentum=momentum)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"losses": losses, "params": [numpy_of(p) for p in model.parameters()]}


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_shampoo_optimizer_subclass_matches_torch(torch, momentum: float) -> None:
    ours = train_with_shampoo(*libraries(), momentum)
    theirs = train_with_shampoo(*libraries(torch), momentum)
    assert theirs["losses"][-1] < theirs["losses"][0]
    assert_records(ours["losses"], theirs["losses"])
    assert_records(ours["params"], theirs["params"])

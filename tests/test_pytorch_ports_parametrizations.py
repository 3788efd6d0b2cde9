"""PyTorch's "Parametrizations Tutorial", ported as its readers write it (``import
autograd as torch``-style: the library ``T`` with its ``nn`` and ``parametrize``), next
to PyTorch from the same weights (float64): symmetric and skew-symmetric weights, a
parametrized convolution, caching, chaining (skew-symmetric then the Cayley map gives an
orthogonal matrix, as does the matrix exponential of a skew-symmetric one; that of a
symmetric one is positive definite), initialising through ``right_inverse``, removing; then
``weight_norm`` and ``spectral_norm`` trained a few steps.

Written differently here: ``torch.rand``'s draws come from NumPy on both sides, and
the orthogonal matrix ``nn.init.orthogonal_`` samples too.
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import ShapeError, UsageError
from nn.errors import MemberNotFoundError


def libraries(torch=None):
    if torch is None:
        return ag, nn, nn.utils.parametrize
    return torch, torch.nn, torch.nn.utils.parametrize


def _copy(ours, theirs) -> None:
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def _numpy(t) -> np.ndarray:
    return t.detach().numpy()


def tutorial(T, nn_, parametrize, start: dict) -> list:
    """The tutorial's cells; ``start`` holds the weights both sides begin from."""
    record = []

    class Symmetric(nn_.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    layer = nn_.Linear(3, 3)
    _set(layer, start["square"])
    parametrize.register_parametrization(layer, "weight", Symmetric())
    A = layer.weight
    assert T.allclose(A, A.T)
    record.append(_numpy(A))

    class SkewSymmetric(nn_.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.transpose(-1, -2)

    cnn = nn_.Conv2d(in_channels=5, out_channels=8, kernel_size=3)
    _set(cnn, start["conv"])
    parametrize.register_parametrization(cnn, "weight", SkewSymmetric())
    record += [_numpy(cnn.weight[0, 1]), _numpy(cnn.weight[2, 2])]
    record.append(sorted(n for n, _ in layer.named_parameters()))
    record.append(_numpy(layer.parametrizations.weight.original))
    with parametrize.cached():
        foo = layer.weight + layer.weight.T
    record.append(_numpy(foo))

    class CayleyMap(nn_.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("Id", T.eye(n))

        def forward(self, X):
            # (I + X)(I - X)^{-1}
            return T.linalg.solve(self.Id - X, self.Id + X)

        def right_inverse(self, A):
            # A is orthogonal: solve (I + X)(I - X)^{-1} = A for X
            return T.linalg.solve(A + self.Id, A - self.Id)

    layer = nn_.Linear(3, 3)
    _set(layer, start["square"])
    parametrize.register_parametrization(layer, "weight", SkewSymmetric())
    parametrize.register_parametrization(layer, "weight", CayleyMap(3))
    X = layer.weight
    record.append(T.dist(X.T @ X, T.eye(3)).item())  # X is orthogonal
    record.append(_numpy(X))

    class MatrixExponential(nn_.Module):
        def forward(self, X):
            return T.matrix_exp(X)

    layer_orthogonal = nn_.Linear(3, 3)
    _set(layer_orthogonal, start["square"])
    parametrize.register_parametrization(layer_orthogonal, "weight", SkewSymmetric())
    parametrize.register_parametrization(layer_orthogonal, "weight", MatrixExponential())
    X = layer_orthogonal.weight
    record.append(T.dist(X.T @ X, T.eye(3)).item())  # X is orthogonal
    record.append(_numpy(X))

    layer_spd = nn_.Linear(3, 3)
    _set(layer_spd, start["square"])
    parametrize.register_parametrization(layer_spd, "weight", Symmetric())
    parametrize.register_parametrization(layer_spd, "weight", MatrixExponential())
    X = layer_spd.weight
    record.append(T.dist(X, X.T).item())  # X is symmetric
    record.append(bool((T.linalg.eigvalsh(X) > 0.).all()))  # X is positive definite
    record.append(_numpy(X))

    class Skew(nn_.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.transpose(-1, -2)

        def right_inverse(self, A):
            # We assume that A is skew-symmetric; the upper triangle is what forward uses
            return A.triu(1)

    layer = nn_.Linear(3, 3)
    _set(layer, start["square"])
    parametrize.register_parametrization(layer, "weight", Skew())
    X = T.tensor(start["rand"])
    X = X - X.T  # X is now skew-symmetric
    layer.weight = X  # Initialize layer.weight to be X
    record.append(T.dist(layer.weight, X).item())  # layer.weight == X

    layer_orthogonal = nn_.Linear(3, 3)
    parametrize.register_parametrization(layer_orthogonal, "weight", Skew())
    parametrize.register_parametrization(layer_orthogonal, "weight", CayleyMap(3))
    X = T.tensor(start["orthogonal"])  # an orthogonal matrix of determinant 1
    layer_orthogonal.weight = X
    record.append(T.dist(layer_orthogonal.weight, X).item())  # layer_orthogonal.weight == X

    layer = nn_.Linear(3, 3)
    _set(layer, start["square"])
    parametrize.register_parametrization(layer, "weight", Skew())
    parametrize.remove_parametrizations(layer, "weight")
    record += [type(layer).__name__, _numpy(layer.weight)]
    parametrize.register_parametrization(layer, "weight", Skew())
    parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    record += [type(layer).__name__, _numpy(layer.weight)]
    return record


def _set(module, state: dict) -> None:
    module.load_state_dict({k: (v if isinstance(v, np.ndarray) else v) for k, v in
                            state.items()})


def test_the_tutorial_as_pytorch(torch) -> None:
    rng = np.random.default_rng(0)
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[0] = -q[0]
    start = {"square": {"weight": rng.normal(size=(3, 3)), "bias": rng.normal(size=3)},
             "conv": {"weight": rng.normal(size=(8, 5, 3, 3)), "bias": rng.normal(size=8)},
             "rand": rng.random((3, 3)), "orthogonal": q}
    got = tutorial(*libraries(), start)
    want = tutorial(*libraries(torch), {k: ({n: torch.tensor(a) for n, a in v.items()}
                                            if isinstance(v, dict) else v)
                                        for k, v in start.items()})
    assert len(got) == len(want)
    for a, b in zip(got, want):
        if isinstance(a, float):
            assert a == pytest.approx(b, abs=1e-12)
        elif isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        else:
            assert a == b


@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_trains_as_pytorch(torch, dim) -> None:
    theirs = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(3, 4), dim=dim)
    ours = nn.utils.parametrizations.weight_norm(nn.Linear(3, 4), dim=dim)
    _copy(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(1).normal(size=(5, 3))
    opts = (nn.optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(),
                                                                      lr=0.1))
    for _ in range(3):
        for model, opt, lib in zip((ours, theirs), opts, (ag, torch)):
            opt.zero_grad()
            (model(lib.tensor(x)) ** 2).mean().backward()
            opt.step()
        for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
            np.testing.assert_allclose(_numpy(a), _numpy(b), rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(_numpy(ours.weight), _numpy(theirs.weight), rtol=1e-12)


@pytest.mark.parametrize("make", [lambda lib: lib.Linear(4, 3),
                                  lambda lib: lib.Conv2d(2, 3, 3),
                                  lambda lib: lib.ConvTranspose2d(2, 3, 3)])
def test_spectral_norm_trains_as_pytorch(torch, make) -> None:
    theirs = torch.nn.utils.parametrizations.spectral_norm(make(torch.nn))
    ours = nn.utils.parametrizations.spectral_norm(make(nn))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _copy(ours, theirs)  # the weights and the power iteration's random start u, v
    shape = (2, 4) if isinstance(ours, nn.Linear) else (2, 2, 5, 5)
    x = np.random.default_rng(2).normal(size=shape)
    opts = (nn.optim.Adam(ours.parameters(), lr=0.01),
            torch.optim.Adam(theirs.parameters(), lr=0.01))
    for _ in range(3):
        for model, opt, lib in zip((ours, theirs), opts, (ag, torch)):
            opt.zero_grad()
            (model(lib.tensor(x)) ** 2).mean().backward()
            opt.step()
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], _numpy(value), rtol=1e-10,
                                   atol=1e-13, err_msg=key)
    ours.eval(), theirs.eval()
    singular = np.linalg.svd(_numpy(ours.weight).reshape(ours.weight.shape[0], -1)
                             if isinstance(ours, nn.Linear) else _numpy(ours.weight).swapaxes(
                                 0, 1 if isinstance(ours, nn.ConvTranspose2d) else 0).reshape(
                                 3, -1), compute_uv=False)
    assert singular[0] == pytest.approx(1.0, rel=0.05)  # sigma estimated by power iteration


def test_spectral_norm_draws_from_the_default_generator() -> None:
    ag.manual_seed(3)
    first = nn.utils.parametrizations.spectral_norm(nn.Linear(4, 3, rng=0)).state_dict()
    ag.manual_seed(3)
    again = nn.utils.parametrizations.spectral_norm(nn.Linear(4, 3, rng=0)).state_dict()
    for key in first:
        np.testing.assert_array_equal(first[key], again[key])


def test_parametrization_misuse_is_named() -> None:
    class Grow(nn.Module):
        def forward(self, X):
            return ag.cat([X, X])

    class NoInverse(nn.Module):
        def forward(self, X):
            return X * 2

    layer = nn.Linear(2, 2)
    with pytest.raises(ShapeError, match=r"Grow gave a float64 tensor of shape \(4, 2\)"):
        nn.utils.parametrize.register_parametrization(layer, "weight", Grow())
    assert not nn.utils.parametrize.is_parametrized(layer)
    with pytest.raises(MemberNotFoundError, match="has no parameter or buffer 'kernel'"):
        nn.utils.parametrize.register_parametrization(layer, "kernel", NoInverse())
    nn.utils.parametrize.register_parametrization(layer, "weight", NoInverse())
    assert nn.utils.parametrize.is_parametrized(layer, "weight")
    with pytest.raises(UsageError, match="NoInverse has no right_inverse"):
        layer.weight = ag.zeros(2, 2)
    with pytest.raises(UsageError, match="has no parametrization of 'bias'"):
        nn.utils.parametrize.remove_parametrizations(layer, "bias")
    with pytest.raises(UsageError, match="dim must be None .* or an axis 0..1"):
        nn.utils.parametrizations.weight_norm(nn.Linear(2, 2), dim=2)


def test_a_deep_copy_keeps_its_own_parametrizations() -> None:
    """A deep copy shares the module's class: removing or adding a parametrization on
    one must leave the other's attributes alone."""
    import copy

    class Double(nn.Module):
        def forward(self, X):
            return X * 2

    layer = nn.utils.parametrize.register_parametrization(nn.Linear(2, 2, rng=0), "weight",
                                                          Double())
    twin = copy.deepcopy(layer)
    nn.utils.parametrize.remove_parametrizations(twin, "weight")
    nn.utils.parametrize.register_parametrization(twin, "bias", Double())
    assert type(twin).__name__ == "ParametrizedLinear" and type(layer) is not type(twin)
    np.testing.assert_array_equal(_numpy(layer.weight),
                                  2 * _numpy(layer.parametrizations.weight.original))
    np.testing.assert_array_equal(_numpy(twin.weight), _numpy(layer.weight))
    assert isinstance(layer.bias, nn.Parameter) and "bias" not in layer.parametrizations
    nn.utils.parametrize.remove_parametrizations(twin, "bias", leave_parametrized=False)
    assert type(twin) is nn.Linear and not nn.utils.parametrize.is_parametrized(twin)


def test_dist_as_pytorch(torch) -> None:
    a, b = np.random.default_rng(4).normal(size=(2, 3, 4))
    for p in (2, 1, 3.5, float("inf"), 0):
        got = ag.dist(ag.tensor(a), ag.tensor(b[0]), p)
        assert got.item() == pytest.approx(torch.dist(torch.tensor(a), torch.tensor(b[0]),
                                                      p).item(), rel=1e-12)
    ag.gradcheck(lambda x: ag.dist(x, ag.tensor(b)), [ag.tensor(a, requires_grad=True)])

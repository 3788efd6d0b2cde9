"""d2l's "Builders' Guide" and "Numerical Stability and Initialization", ported as in
``test_pytorch_ports_d2l.py`` (float64 PyTorch, the same weights in both): custom
modules (``MLP``, ``MySequential`` with ``add_module``/``children()``, ``FixedHiddenMLP``,
``NestMLP``), parameter access (``net[2].state_dict()``, ``net[2].bias.data``,
``named_parameters()``, nested blocks), initialisation (``nn.init.normal_``, ``zeros_``,
``constant_``, ``xavier_uniform_``, ``net.apply``, d2l's custom ``my_init``), tied
parameters, custom layers, and file I/O (``torch.save``/``torch.load`` are ``nn.save``
/ ``nn.load``, called the same way). The programs print what d2l prints; both
libraries must print the same lines where the values are the same.

Written differently here, each marked where it is written: ``.data`` is NumPy's array
(``m.weight.data.abs()`` is ``abs(m.weight.data)``);
``X /= 2`` on a tensor in the graph is an ``InplaceError`` here (PyTorch records it): d2l's
``FixedHiddenMLP`` writes ``X = X / 2``.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_d2l import assert_records

F_OURS = nn.functional


def snapshot(x) -> np.ndarray:
    """A copy of ``x``'s values: ours ``.data`` is an ndarray, PyTorch's a tensor."""
    return np.array(x.numpy() if hasattr(x, "numpy") else x)


def _same_start(ours, theirs) -> None:
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


# ------------------------------------------------------------------ numerical stability
def _vanishing(T) -> list:
    x = T.arange(-8.0, 8.0, 0.1, requires_grad=True)
    y = T.sigmoid(x)
    y.backward(T.ones_like(x))
    M = T.tensor(np.random.default_rng(0).standard_normal((4, 4)))  # d2l: normal(0, 1, ...)
    for i in range(10):
        M = T.mm(M, T.tensor(np.random.default_rng(i).standard_normal((4, 4))))
    return [y.detach().numpy(), x.grad.numpy(), M.numpy()]


def test_vanishing_and_exploding_gradients(torch):
    assert_records(_vanishing(ag), _vanishing(torch))


# ------------------------------------------------------------------ parameter access
def _parameter_access(T, lib, state) -> tuple[list, list]:
    """What d2l prints: (arrays, other values)."""
    net = lib.Sequential(lib.Linear(4, 8), lib.ReLU(), lib.Linear(8, 1))
    net.load_state_dict(state)
    X = T.tensor(np.linspace(0, 1, 8).reshape(2, 4))  # d2l: torch.rand(size=(2, 4))
    arrays = [net(X).detach().numpy(), snapshot(net[2].bias.data),
              snapshot(net.state_dict()["2.bias"].data)]
    others = [sorted(net[2].state_dict()), type(net[2].bias) is lib.Parameter,
              net[2].weight.grad is None,
              [(name, tuple(param.shape)) for name, param in net.named_parameters()]]
    return arrays, others


def test_parameter_access(torch):
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 1))
    state = {k: v.numpy() for k, v in theirs.state_dict().items()}
    got = _parameter_access(ag, nn, state)
    want = _parameter_access(torch, torch.nn, theirs.state_dict())
    assert got[1] == want[1]
    assert_records(got[0], want[0])


def _block1(lib):
    return lib.Sequential(lib.Linear(4, 8), lib.ReLU(), lib.Linear(8, 4), lib.ReLU())


def _block2(lib):
    net = lib.Sequential()
    for i in range(4):
        net.add_module(f"block {i}", _block1(lib))  # nested here
    return net


def test_nested_blocks(torch):
    theirs = torch.nn.Sequential(_block2(torch.nn), torch.nn.Linear(4, 1))
    ours = nn.Sequential(_block2(nn), nn.Linear(4, 1))
    assert repr(ours) == repr(theirs)  # print(rgnet)
    _same_start(ours, theirs)
    X = np.linspace(-1, 1, 8).reshape(2, 4)
    np.testing.assert_allclose(ours(ag.tensor(X)).detach().numpy(),
                               theirs(torch.tensor(X)).detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ours[0][1][0].bias.data, theirs[0][1][0].bias.data)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


# ------------------------------------------------------------------ initialisation
def _initialise(T, lib, state) -> list:
    net = lib.Sequential(lib.Linear(4, 8), lib.ReLU(), lib.Linear(8, 1))
    record, visited = [], []

    def init_normal(m):
        visited.append(type(m).__name__)
        if type(m) == lib.Linear:  # noqa: E721 (d2l's test)
            lib.init.normal_(m.weight, mean=0, std=0.01)
            lib.init.zeros_(m.bias)

    def init_constant(m):
        if type(m) == lib.Linear:  # noqa: E721
            lib.init.constant_(m.weight, 1)
            lib.init.zeros_(m.bias)

    def init_xavier(m):
        if type(m) == lib.Linear:  # noqa: E721
            lib.init.xavier_uniform_(m.weight)

    def init_42(m):
        if type(m) == lib.Linear:  # noqa: E721
            lib.init.constant_(m.weight, 42)

    def my_init(m):
        if type(m) == lib.Linear:  # noqa: E721
            print("Init", *[(name, tuple(param.shape))
                            for name, param in m.named_parameters()][0])
            lib.init.uniform_(m.weight, -10, 10)
            m.weight.data *= abs(m.weight.data) >= 5  # d2l: m.weight.data.abs() >= 5

    net.apply(init_normal)
    w = snapshot(net[0].weight.data)
    record += [visited, float(abs(w).max()) < 0.06, snapshot(net[0].bias.data)]
    net.apply(init_constant)
    record += [snapshot(net[0].weight.data[0]), snapshot(net[0].bias.data[0])]
    net[0].apply(init_xavier)
    net[2].apply(init_42)
    bound = float(np.sqrt(6 / (4 + 8)))
    record += [float(abs(snapshot(net[0].weight.data)).max()) <= bound,
               snapshot(net[2].weight.data)]
    net.apply(my_init)
    w = abs(snapshot(net[0].weight.data))
    record += [bool(((w >= 5) | (w == 0)).all())]
    net.load_state_dict(state)
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    return record + [snapshot(net[0].weight.data[0])]


def test_initialisation(torch, capsys):
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 1))
    got = _initialise(ag, nn, {k: v.numpy() for k, v in theirs.state_dict().items()})
    ours_printed = capsys.readouterr().out
    want = _initialise(torch, torch.nn, theirs.state_dict())
    assert ours_printed == capsys.readouterr().out == (
        "Init weight (8, 4)\nInit weight (1, 8)\n")
    assert got[0] == want[0] == ["Linear", "ReLU", "Linear", "Sequential"]
    assert got[1] is want[1] is True and got[5] is want[5] is True
    assert got[7] is want[7] is True
    assert_records(got[2:5] + [got[6], got[8]], want[2:5] + [want[6], want[8]])


@pytest.mark.parametrize("shape", [(64, 32), (16, 6, 5, 5)])
def test_init_scales_as_pytorchs(torch, shape):
    """The scales are PyTorch's (fans of Linear and Conv2d weights): the largest of many
    xavier_uniform_ draws is at its bound; normal_'s standard deviation is std."""
    ours, theirs = ag.zeros(shape), torch.zeros(shape)
    nn.init.xavier_uniform_(ours)
    torch.nn.init.xavier_uniform_(theirs)
    assert abs(ours).max().item() / abs(theirs).max().item() == pytest.approx(1, abs=0.01)
    nn.init.normal_(ours, std=0.01)
    assert ours.numpy().std() == pytest.approx(0.01, rel=0.1)
    nn.init.constant_(ours, 3)
    torch.nn.init.constant_(theirs, 3)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ------------------------------------------------------------------ tied parameters
def _tied(T, lib, state) -> tuple[list, list]:
    # We need to give the shared layer a name so that we can refer to its parameters
    shared = lib.Linear(8, 8)
    net = lib.Sequential(lib.Linear(4, 8), lib.ReLU(), shared, lib.ReLU(), shared, lib.ReLU(),
                         lib.Linear(8, 1))
    net.load_state_dict(state)
    X = T.tensor(np.linspace(-1, 1, 8).reshape(2, 4))
    net(X).sum().backward()
    same = bool((net[2].weight.data[0] == net[4].weight.data[0]).all())
    net[2].weight.data[0, 0] = 100
    # Check whether the parameters are the same object rather than just the same value
    same = same and bool((net[2].weight.data[0] == net[4].weight.data[0]).all())
    names = list(net.state_dict())
    return ([same, len(list(net.parameters())), names, net[2].weight.grad is net[4].weight.grad],
            [p.grad.numpy() for p in net.parameters()])


def test_tied_parameters(torch):
    shared = torch.nn.Linear(8, 8)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), shared,
                                 torch.nn.ReLU(), shared, torch.nn.ReLU(),
                                 torch.nn.Linear(8, 1))
    got = _tied(ag, nn, {k: v.numpy() for k, v in theirs.state_dict().items()})
    want = _tied(torch, torch.nn, theirs.state_dict())
    assert got[0] == want[0]
    assert got[0][:2] == [True, 6]  # 8 state dict entries, 6 parameters
    assert_records(got[1], want[1])


# ------------------------------------------------------------------ custom modules
def _modules(T, lib, F):
    class MLP(lib.Module):
        def __init__(self):
            # Call the constructor of the parent class nn.Module
            super().__init__()
            self.hidden = lib.Linear(20, 256)  # d2l: nn.LazyLinear(256) (not here)
            self.output = lib.Linear(256, 10)

        def forward(self, X):
            return self.output(F.relu(self.hidden(X)))

    class MySequential(lib.Module):
        def __init__(self, *args):
            super().__init__()
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

        def forward(self, X):
            for module in self.children():
                X = module(X)
            return X

    class FixedHiddenMLP(lib.Module):
        def __init__(self):
            super().__init__()
            # Random weight parameters that will not compute gradients and
            # therefore keep constant during training
            self.rand_weight = T.tensor(np.random.default_rng(0).random((20, 20)))
            self.linear = lib.Linear(20, 20)

        def forward(self, X):
            X = self.linear(X)
            X = F.relu(X @ self.rand_weight + 1)
            # Reuse the fully connected layer: its parameters are shared
            X = self.linear(X)
            # Control flow
            while X.abs().sum() > 1:
                X = X / 2  # d2l: X /= 2 (see the top)
            return X.sum()

    class NestMLP(lib.Module):
        def __init__(self):
            super().__init__()
            self.net = lib.Sequential(lib.Linear(20, 64), lib.ReLU(), lib.Linear(64, 32),
                                      lib.ReLU())
            self.linear = lib.Linear(32, 16)

        def forward(self, X):
            return self.linear(self.net(X))

    return [MLP(), MySequential(lib.Linear(20, 256), lib.ReLU(), lib.Linear(256, 10)),
            FixedHiddenMLP(), lib.Sequential(NestMLP(), lib.Linear(16, 20), FixedHiddenMLP())]


def test_custom_modules(torch):
    X = np.random.default_rng(1).random((2, 20))
    for ours, theirs in zip(_modules(ag, nn, nn.functional),
                            _modules(torch, torch.nn, torch.nn.functional)):
        assert list(ours.state_dict()) == list(theirs.state_dict())  # no rand_weight
        assert repr(ours) == repr(theirs)
        _same_start(ours, theirs)
        got, want = ours(ag.tensor(X)), theirs(torch.tensor(X))
        got.sum().backward()
        want.sum().backward()
        assert_records([got.detach().numpy()] + [p.grad.numpy() for p in ours.parameters()],
                       [want.detach().numpy()] + [p.grad.numpy() for p in theirs.parameters()])


def _custom_layers(T, lib, F, state) -> list:
    class CenteredLayer(lib.Module):
        def __init__(self):
            super().__init__()

        def forward(self, X):
            return X - X.mean()

    class MyLinear(lib.Module):
        def __init__(self, in_units, units):
            super().__init__()
            self.weight = lib.Parameter(T.randn(in_units, units))
            self.bias = lib.Parameter(T.randn(units,))

        def forward(self, X):
            linear = T.matmul(X, self.weight.data) + self.bias.data
            return F.relu(linear)

    layer = CenteredLayer()
    printed = [layer(T.tensor([1.0, 2, 3, 4, 5])).numpy()]
    net = lib.Sequential(lib.Linear(8, 128), CenteredLayer())
    X = T.tensor(np.random.default_rng(2).random((4, 8)))
    printed.append(abs(net(X).mean().item()) < 1e-12)
    net = lib.Sequential(MyLinear(64, 8), MyLinear(8, 1))
    net.load_state_dict(state)
    out = net(T.tensor(np.random.default_rng(3).random((2, 64))))
    return printed + [out.numpy(), out.requires_grad]  # .data: outside the graph


def test_custom_layers(torch):
    state = {"0.weight": torch.randn(64, 8), "0.bias": torch.randn(8),
             "1.weight": torch.randn(8, 1), "1.bias": torch.randn(1)}
    got = _custom_layers(ag, nn, nn.functional, {k: v.numpy() for k, v in state.items()})
    want = _custom_layers(torch, torch.nn, torch.nn.functional, state)
    assert got[1::2] == want[1::2] == [True, False]
    assert_records(got[::2], want[::2])


# ------------------------------------------------------------------ file I/O
def _file_io(T, lib, save, load, folder, state) -> list:
    x = T.arange(4)
    save(x, folder / "x-file")
    x2 = load(folder / "x-file")
    y = T.zeros(4)
    save([x, y], folder / "x-files")
    x2, y2 = load(folder / "x-files")
    mydict = {"x": x, "y": y}
    save(mydict, folder / "mydict")
    mydict2 = load(folder / "mydict")
    printed = [x2, y2, mydict2["x"], mydict2["y"]]

    class MLP(lib.Module):
        def __init__(self):
            super().__init__()
            self.hidden = lib.Linear(20, 256)
            self.output = lib.Linear(256, 10)

        def forward(self, x):
            return self.output(lib.functional.relu(self.hidden(x)))

    net = MLP()
    net.load_state_dict(state)
    X = T.tensor(np.random.default_rng(4).standard_normal((2, 20)))
    Y = net(X)
    save(net.state_dict(), folder / "mlp.params")
    clone = MLP()
    clone.load_state_dict(load(folder / "mlp.params"))
    clone.eval()
    Y_clone = clone(X)
    return printed + [(Y_clone == Y).numpy(), Y.detach().numpy()]


def test_file_io(torch, tmp_path):
    """``torch.save(obj, path)`` / ``torch.load(path)`` are ``nn.save(obj, path)`` /
    ``nn.load(path)``, which give the object back."""
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    theirs = torch.nn.Linear(20, 256), torch.nn.Linear(256, 10)
    state = {f"{name}.{k}": v for name, layer in zip(["hidden", "output"], theirs)
             for k, v in layer.state_dict().items()}
    got = _file_io(ag, nn, nn.save, nn.load, tmp_path / "ours",
                   {k: v.numpy() for k, v in state.items()})
    want = _file_io(torch, torch.nn, torch.save, torch.load, tmp_path / "theirs", state)
    assert [a.dtype.kind for a in got[:4]] == ["i", "f", "i", "f"]
    assert_records([a.numpy() for a in got[:4]] + got[4:],
                   [a.numpy() for a in want[:4]] + want[4:])

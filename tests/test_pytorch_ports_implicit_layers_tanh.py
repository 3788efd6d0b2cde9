"""The implicit-layers tutorial (Kolter, Duvenaud, Johnson: "Deep Implicit Layers",
implicit-layers-tutorial.org), chapter 1 "Introduction", ported as its readers write it:
the tanh fixed-point layer z = tanh(W z + x) solved by plain iteration (backward through
every iterate), by Newton's method, and by Newton's method outside the tape with the
implicit-function-theorem backward (one call of the layer re-engages autograd; a hook on
z solves (I - J)^T g = grad). Each is trained on digits next to PyTorch from the same
weights (float64) and gradchecked as the tutorial does. Chapter 4 (deep equilibrium
models, Anderson acceleration): ``test_pytorch_ports_implicit_layers_deq.py``.

Lines written differently here, and why:
- ``torch.solve(g[:,:,None], J)[0]`` (removed from PyTorch, which now raises) is
  ``torch.linalg.solve(J, g[:,:,None])``, as PyTorch's error says, in both runs (here
  ``autograd.solve`` with the right-hand side first says the same);
- MNIST (784 inputs) is scikit-learn's 8x8 digits (64 inputs), 32 images in batches of 16;
  the loaders do not shuffle and each model starts from PyTorch's weights
  (``sync(model)``, the test's glue after the constructor line).
"""

import pytest

import nn.data
from implicit_ports_helpers import Library, Records, assert_records, weight_sync
from pytorch_examples_helpers import assert_printed

# f-strings of a loss that requires grad: PyTorch 2.13 warns on float() of it
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


def tanh_layers(torch):
    nn = torch.nn

    class TanhFixedPointLayer(nn.Module):
        def __init__(self, out_features, tol = 1e-4, max_iter=50):
            super().__init__()
            self.linear = nn.Linear(out_features, out_features, bias=False)
            self.tol = tol
            self.max_iter = max_iter

        def forward(self, x):
            # initialize output z to be zero
            z = torch.zeros_like(x)
            self.iterations = 0

            # iterate until convergence
            while self.iterations < self.max_iter:
                z_next = torch.tanh(self.linear(z) + x)
                self.err = torch.norm(z - z_next)
                z = z_next
                self.iterations += 1
                if self.err < self.tol:
                    break

            return z

    class TanhNewtonLayer(nn.Module):
        def __init__(self, out_features, tol = 1e-4, max_iter=50):
            super().__init__()
            self.linear = nn.Linear(out_features, out_features, bias=False)
            self.tol = tol
            self.max_iter = max_iter

        def forward(self, x):
            # initialize output z to be zero
            z = torch.tanh(x)
            self.iterations = 0

            # iterate until convergence
            while self.iterations < self.max_iter:
                z_linear = self.linear(z) + x
                g = z - torch.tanh(z_linear)
                self.err = torch.norm(g)
                if self.err < self.tol:
                    break

                # newton step
                J = torch.eye(z.shape[1])[None,:,:] - \
                    (1 / torch.cosh(z_linear)**2)[:,:,None]*self.linear.weight[None,:,:]
                z = z - torch.linalg.solve(J, g[:,:,None])[:,:,0]
                self.iterations += 1

            g = z - torch.tanh(self.linear(z) + x)
            z[torch.norm(g,dim=1) > self.tol] = 0
            return z

    class TanhNewtonImplicitLayer(nn.Module):
        def __init__(self, out_features, tol = 1e-4, max_iter=50):
            super().__init__()
            self.linear = nn.Linear(out_features, out_features, bias=False)
            self.tol = tol
            self.max_iter = max_iter

        def forward(self, x):
            # Run Newton's method outside of the autograd framework
            with torch.no_grad():
                z = torch.tanh(x)
                self.iterations = 0
                while self.iterations < self.max_iter:
                    z_linear = self.linear(z) + x
                    g = z - torch.tanh(z_linear)
                    self.err = torch.norm(g)
                    if self.err < self.tol:
                        break

                    # newton step
                    J = torch.eye(z.shape[1])[None,:,:] - \
                        (1 / torch.cosh(z_linear)**2)[:,:,None]*self.linear.weight[None,:,:]
                    z = z - torch.linalg.solve(J, g[:,:,None])[:,:,0]
                    self.iterations += 1

            # reengage autograd and add the gradient hook
            z = torch.tanh(self.linear(z) + x)
            z.register_hook(
                lambda grad : torch.linalg.solve(J.transpose(1,2), grad[:,:,None])[:,:,0])
            return z

    return TanhFixedPointLayer, TanhNewtonLayer, TanhNewtonImplicitLayer


def epoch(torch, loader, model, opt=None, monitor=None):
    nn = torch.nn
    total_loss, total_err, total_monitor = 0.,0.,0.
    model.eval() if opt is None else model.train()
    for X,y in loader:
        yp = model(X)
        loss = nn.CrossEntropyLoss()(yp,y)
        if opt:
            opt.zero_grad()
            loss.backward()
            if sum(torch.sum(torch.isnan(p.grad)) for p in model.parameters()) == 0:
                opt.step()

        total_err += (yp.max(dim=1)[1] != y).sum().item()
        total_loss += loss.item() * X.shape[0]
        if monitor is not None:
            total_monitor += monitor(model)
    return (total_err / len(loader.dataset), total_loss / len(loader.dataset),
            total_monitor / len(loader))


def chapter1(torch, data, sync, record: list) -> None:
    nn, optim = torch.nn, torch.optim
    layers = tanh_layers(torch)
    TanhFixedPointLayer = layers[0]

    torch.manual_seed(0)
    layer = TanhFixedPointLayer(50)
    sync(layer)
    X = torch.randn(10,50)
    Z = layer(X)
    print(f"Terminated after {layer.iterations} iterations with error {layer.err}")
    record += [Z, layer.iterations, layer.err]

    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    train = data.TensorDataset(torch.tensor(images[:32] / 16.0).reshape(32, 1, 8, 8),
                               torch.tensor(labels[:32]))
    test = data.TensorDataset(torch.tensor(images[32:48] / 16.0).reshape(16, 1, 8, 8),
                              torch.tensor(labels[32:48]))
    train_loader = data.DataLoader(train, batch_size=16, shuffle=False)
    test_loader = data.DataLoader(test, batch_size=16, shuffle=False)

    for Layer, max_iter in zip(layers, (200, 40, 40)):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Flatten(),
                              nn.Linear(64, 20),
                              Layer(20, max_iter=max_iter),
                              nn.Linear(20, 10))
        sync(model)
        opt = optim.SGD(model.parameters(), lr=1e-1)
        for i in range(2):
            if i == 1:
                opt.param_groups[0]["lr"] = 1e-2
            train_err, train_loss, train_fpiter = epoch(torch, train_loader, model, opt,
                                                        lambda x : x[2].iterations)
            test_err, test_loss, test_fpiter = epoch(torch, test_loader, model,
                                                     monitor = lambda x : x[2].iterations)
            print(f"Train Error: {train_err:.4f}, Loss: {train_loss:.4f}, "
                  f"FP Iters: {train_fpiter:.2f} | " +
                  f"Test Error: {test_err:.4f}, Loss: {test_loss:.4f}, FP Iters: {test_fpiter:.2f}")
            record += [train_err, train_loss, train_fpiter, test_err, test_loss, test_fpiter]
        record += [p for p in model.parameters()]


def gradchecks(torch, sync, record: list) -> None:
    for Layer in tanh_layers(torch):
        torch.manual_seed(0)
        layer = Layer(5, tol=1e-10).double()
        sync(layer)
        x = torch.randn(3, 5, requires_grad=True, dtype=torch.double)
        record.append(torch.autograd.gradcheck(layer, x, check_undefined_grad=False))
        z = layer(x)
        (z * torch.randn(3, 5)).sum().backward()  # the implicit backward, against the others'
        record += [z, x.grad, layer.linear.weight.grad]


@pytest.mark.parametrize("program", ["chapter1", "gradchecks"])
def test_tanh_fixed_point_layers_match_pytorch(torch, capsys, program: str) -> None:
    ours, theirs = weight_sync()
    want, got = Records(), Records()
    if program == "chapter1":
        chapter1(Library(torch), torch.utils.data, theirs, want)
        printed = capsys.readouterr().out
        chapter1(Library(), nn.data, ours, got)
        assert_printed(capsys.readouterr().out, printed)
    else:
        gradchecks(Library(torch), theirs, want)
        gradchecks(Library(), ours, got)
    assert_records(got, want)


def test_implicit_backward_agrees_with_backprop_through_the_solvers() -> None:
    """The tutorial's point: once converged, the implicit-function-theorem gradient is the
    one of differentiating through every fixed-point or Newton iterate (same weights and
    input in the three layers: each run seeds alike)."""
    record: list = []
    gradchecks(Library(), lambda layer: None, record)
    fixed_point, newton, implicit = record[1:4], record[5:8], record[9:12]
    assert_records(implicit, fixed_point, rtol=1e-7, atol=1e-9)
    assert_records(implicit, newton, rtol=1e-7, atol=1e-9)

"""efficient-kan (Blealtan/efficient-kan, ``src/efficient_kan/kan.py``), ported as its
readers write it: ``KANLinear``'s B-spline bases from interval comparisons and the
Cox-de Boor recursion, its SiLU base branch, ``curve2coeff`` fitting spline coefficients
with ``torch.linalg.lstsq``, ``update_grid`` re-placing the knots at the data's quantiles
under ``@torch.no_grad()``, and ``regularization_loss``. The repository's own test
(``test_mul``: LBFGS with a closure, ``update_grid`` every few steps) and its MNIST example
(AdamW, ExponentialLR) run next to PyTorch from the same weights and draws (float64):
losses, knots, coefficients, gradients and parameters agree to 1e-9.

ChebyKAN's layers (SynodicMonth/ChebyKAN: the Chebyshev recurrence written into slices of
a tensor with ``.clone()``, and its first version's ``cos(i * acos(x))``) train in the
repository's MNIST model (LayerNorm between layers) the same way, and pykan's B-spline
functions (the recursion on bool masks, ``curve2coef`` by lstsq with driver='gelsy') run
its docstrings' examples and fit a curve.

Lines written differently here, and why (the layers' own: ``kan_programs.py``):
- ``torch.rand`` draws from one NumPy generator in both runs (``Library``) and each model
  starts from PyTorch's weights (``sync``, the test's glue); sizes shrink (256 points for
  1024, 2 LBFGS steps for 100; scikit-learn's 8x8 digits for MNIST, 2 epochs of 2 batches;
  ChebyKAN's 28*28 -> 32 -> 16 -> 10 is 64 -> 16 -> 8 -> 10).
"""

import numpy as np
import pytest

import nn.data
from implicit_ports_helpers import Library, Records, assert_records, weight_sync
from kan_programs import chebykan, efficient_kan, pykan_splines


def simple_math_test_mul(torch, sync, record: list) -> None:
    """tests/test_simple_math.py's test_mul (renamed: pytest would collect it)."""
    nn = torch.nn
    _, KAN = efficient_kan(torch)
    torch.manual_seed(0)
    kan = KAN([2, 2, 1], base_activation=nn.Identity)
    sync(kan)
    record += [b for b in kan.buffers()]
    optimizer = torch.optim.LBFGS(kan.parameters(), lr=1)
    # the test: with tqdm(range(100)) as pbar. Two steps: LBFGS at lr=1 refitting the knots
    # in each closure call amplifies rounding (1e-15 -> 1e-10 -> 1e-4 over steps 1-3 here,
    # PyTorch's QR-based lstsq against the pseudo-inverse here)
    for i in range(2):
        loss, reg_loss = None, None

        def closure():
            optimizer.zero_grad()
            x = torch.rand(256, 2)
            y = kan(x, update_grid=(i % 2 == 0))

            assert y.shape == (256, 1)
            nonlocal loss, reg_loss
            u = x[:, 0]
            v = x[:, 1]
            loss = nn.functional.mse_loss(y.squeeze(-1), (u + v) / (1 + u * v))
            reg_loss = kan.regularization_loss(1, 0)
            (loss + 1e-5 * reg_loss).backward()
            return loss + reg_loss

        optimizer.step(closure)
        record += [loss.item(), reg_loss.item()]  # the test: pbar.set_postfix(...)
        record += [layer.grid for layer in kan.layers]
    for layer in kan.layers:
        print(layer.spline_weight)
        record.append(layer.spline_weight)


def mnist(torch, data, sync, record: list) -> None:
    nn, optim = torch.nn, torch.optim
    _, KAN = efficient_kan(torch)
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    trainset = data.TensorDataset(torch.tensor(images[:32] / 8.0 - 1).reshape(32, 1, 8, 8),
                                  torch.tensor(labels[:32]))
    valset = data.TensorDataset(torch.tensor(images[32:48] / 8.0 - 1).reshape(16, 1, 8, 8),
                                torch.tensor(labels[32:48]))
    trainloader = data.DataLoader(trainset, batch_size=16, shuffle=False)
    valloader = data.DataLoader(valset, batch_size=16, shuffle=False)

    # Define model
    torch.manual_seed(0)
    model = KAN([8 * 8, 16, 10])
    sync(model)
    # Define optimizer
    optimizer = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    # Define learning rate scheduler
    scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.8)

    # Define loss
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):
        # Train
        model.train()
        for i, (images, labels) in enumerate(trainloader):
            images = images.view(-1, 8 * 8)
            optimizer.zero_grad()
            output = model(images)
            loss = criterion(output, labels)
            loss.backward()
            optimizer.step()
            accuracy = (output.argmax(dim=1) == labels).float().mean()
            record += [loss.item(), accuracy.item(), optimizer.param_groups[0]['lr']]

        # Validation
        model.eval()
        val_loss = 0
        val_accuracy = 0
        with torch.no_grad():
            for images, labels in valloader:
                images = images.view(-1, 8 * 8)
                output = model(images)
                val_loss += criterion(output, labels).item()
                val_accuracy += (
                    (output.argmax(dim=1) == labels).float().mean().item()
                )
        val_loss /= len(valloader)
        val_accuracy /= len(valloader)

        # Update learning rate
        scheduler.step()
        record += [val_loss, val_accuracy]
    record += [p for p in model.parameters()]


def chebykan_mnist(torch, data, sync, record: list) -> None:
    nn, optim = torch.nn, torch.optim
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    trainset = data.TensorDataset(torch.tensor(images[:32] / 16.0).reshape(32, 1, 8, 8),
                                  torch.tensor(labels[:32]))
    trainloader = data.DataLoader(trainset, batch_size=16, shuffle=False)
    for ChebyKANLayer in chebykan(torch):

        class MNISTChebyKAN(nn.Module):
            def __init__(self):
                super(MNISTChebyKAN, self).__init__()
                self.chebykan1 = ChebyKANLayer(8*8, 16, 4)
                self.ln1 = nn.LayerNorm(16) # To avoid gradient vanishing caused by tanh
                self.chebykan2 = ChebyKANLayer(16, 8, 4)
                self.ln2 = nn.LayerNorm(8)
                self.chebykan3 = ChebyKANLayer(8, 10, 4)

            def forward(self, x):
                x = x.view(-1, 8*8)  # Flatten the images
                x = self.chebykan1(x)
                x = self.ln1(x)
                x = self.chebykan2(x)
                x = self.ln2(x)
                x = self.chebykan3(x)
                return x

        torch.manual_seed(0)
        model = MNISTChebyKAN()
        sync(model)
        optimizer = optim.Adam(model.parameters())
        criterion = nn.CrossEntropyLoss()
        for epoch in range(2):
            model.train()
            for images, labels in trainloader:
                optimizer.zero_grad()
                output = model(images)
                loss = criterion(output, labels)
                loss.backward()
                optimizer.step()
                record += [loss.item(), model.chebykan1.cheby_coeffs.grad]
        record += [p for p in model.parameters()]


def pykan_spline_examples(torch, sync, record: list) -> None:
    """pykan's spline docstrings' examples, then a fit of sin(3x) and its gradients."""
    B_batch, coef2curve, curve2coef = pykan_splines(torch)
    torch.manual_seed(0)
    num_spline = 5
    num_sample = 100
    num_grid_interval = 10
    k = 3
    x = torch.normal(0,1,size=(num_spline, num_sample))
    grids = torch.einsum('i,j->ij', torch.ones(num_spline,),
                         torch.linspace(-1,1,steps=num_grid_interval+1))
    record += [B_batch(x, grids, k=k), list(B_batch(x, grids, k=k).shape)]
    coef = torch.normal(0,1,size=(num_spline, num_grid_interval+k))
    record += [coef2curve(x, grids, coef, k=k)]
    x_eval = torch.rand(num_spline, num_sample) * 2 - 1
    y_eval = torch.sin(3 * x_eval)
    fitted = curve2coef(x_eval, y_eval, grids, k=k)
    x_new = (torch.rand(num_spline, 7) * 1.8 - 0.9).requires_grad_()
    coef = fitted.detach().requires_grad_()
    curve = coef2curve(x_new, grids, coef, k=k)
    (curve * torch.sin(x_new)).sum().backward()
    record += [fitted, curve, torch.sin(3 * x_new), x_new.grad, coef.grad]


@pytest.mark.parametrize("program", [simple_math_test_mul, mnist, chebykan_mnist,
                                     pykan_spline_examples])
def test_efficient_kan_matches_pytorch(torch, capsys, program) -> None:
    ours, theirs = weight_sync()
    want, got = Records(), Records()
    if program in (mnist, chebykan_mnist):
        program(Library(torch), torch.utils.data, theirs, want)
        program(Library(), nn.data, ours, got)
    else:
        program(Library(torch), theirs, want)
        program(Library(), ours, got)
    assert_records(got, want, rtol=1e-9, atol=1e-10)


def test_a_fresh_layer_matches_pytorch_and_update_grid_keeps_its_splines(torch) -> None:
    """A layer built in each library from the same draws (``reset_parameters`` runs
    ``curve2coeff`` on an underdetermined system: lstsq's minimum-norm solution), then its
    knots moved to data in [-0.5, 0.9]: the spline part of the output barely changes."""
    layers = []
    for T in (Library(torch), Library()):
        KANLinear, _ = efficient_kan(T)
        T.manual_seed(3)
        layer = KANLinear(3, 2, base_activation=T.nn.Identity)
        with T.no_grad():  # the kaiming draws differ between the libraries: same weights
            layer.base_weight.copy_(T.tensor(np.full((2, 3), 0.1)))
            layer.spline_scaler.copy_(T.tensor(np.full((2, 3), 2.0)))
        x = T.rand(40, 3) * 1.4 - 0.5
        before = layer(x)
        layer.update_grid(x)
        layers.append([layer.spline_weight, layer.grid, before, layer(x)])
    assert_records(layers[1], layers[0], rtol=1e-9)
    np.testing.assert_allclose(layers[1][3].detach().numpy(), layers[1][2].detach().numpy(),
                               atol=0.05)

"""efficient-kan (Blealtan/efficient-kan, ``src/efficient_kan/kan.py``), ported as its
readers write it: ``KANLinear``'s B-spline bases from interval comparisons and the
Cox-de Boor recursion, its SiLU base branch, ``curve2coeff`` fitting spline coefficients
with ``torch.linalg.lstsq``, ``update_grid`` re-placing the knots at the data's quantiles
under ``@torch.no_grad()``, and ``regularization_loss``. The repository's own test
(``test_mul``: LBFGS with a closure, ``update_grid`` every few steps) and its MNIST example
(AdamW, ExponentialLR) run next to PyTorch from the same weights and draws (float64):
losses, knots, coefficients, gradients and parameters agree to 1e-9.

Lines written differently here, and why:
- ``torch.nn.Parameter(torch.Tensor(out_features, in_features))`` is
  ``torch.empty(out_features, in_features)`` inside: ``Tensor(3, 4)`` is data here, not a
  size (a named error says to write ``empty``);
- ``self.spline_weight.data.copy_(...)``: ``.data`` is NumPy's array here, so the copy is
  written on the parameter, under the ``no_grad()`` both places already run in;
- ``torch.rand`` draws from one NumPy generator in both runs (``Library``) and each model
  starts from PyTorch's weights (``sync``, the test's glue); sizes shrink (256 points for
  1024, 2 LBFGS steps for 100; scikit-learn's 8x8 digits for MNIST, 2 epochs of 2 batches).
"""

import math

import numpy as np
import pytest

import nn.data
from implicit_ports_helpers import Library, Records, assert_records, weight_sync


def efficient_kan(torch):
    F = torch.nn.functional

    class KANLinear(torch.nn.Module):
        def __init__(
            self,
            in_features,
            out_features,
            grid_size=5,
            spline_order=3,
            scale_noise=0.1,
            scale_base=1.0,
            scale_spline=1.0,
            enable_standalone_scale_spline=True,
            base_activation=torch.nn.SiLU,
            grid_eps=0.02,
            grid_range=[-1, 1],
        ):
            super(KANLinear, self).__init__()
            self.in_features = in_features
            self.out_features = out_features
            self.grid_size = grid_size
            self.spline_order = spline_order

            h = (grid_range[1] - grid_range[0]) / grid_size
            grid = (
                (
                    torch.arange(-spline_order, grid_size + spline_order + 1) * h
                    + grid_range[0]
                )
                .expand(in_features, -1)
                .contiguous()
            )
            self.register_buffer("grid", grid)

            self.base_weight = torch.nn.Parameter(torch.empty(out_features, in_features))
            self.spline_weight = torch.nn.Parameter(
                torch.empty(out_features, in_features, grid_size + spline_order)
            )
            if enable_standalone_scale_spline:
                self.spline_scaler = torch.nn.Parameter(
                    torch.empty(out_features, in_features)
                )

            self.scale_noise = scale_noise
            self.scale_base = scale_base
            self.scale_spline = scale_spline
            self.enable_standalone_scale_spline = enable_standalone_scale_spline
            self.base_activation = base_activation()
            self.grid_eps = grid_eps

            self.reset_parameters()

        def reset_parameters(self):
            torch.nn.init.kaiming_uniform_(self.base_weight, a=math.sqrt(5) * self.scale_base)
            with torch.no_grad():
                noise = (
                    (
                        torch.rand(self.grid_size + 1, self.in_features, self.out_features)
                        - 1 / 2
                    )
                    * self.scale_noise
                    / self.grid_size
                )
                self.spline_weight.copy_(
                    (self.scale_spline if not self.enable_standalone_scale_spline else 1.0)
                    * self.curve2coeff(
                        self.grid.T[self.spline_order : -self.spline_order],
                        noise,
                    )
                )
                if self.enable_standalone_scale_spline:
                    # torch.nn.init.constant_(self.spline_scaler, self.scale_spline)
                    torch.nn.init.kaiming_uniform_(self.spline_scaler,
                                                   a=math.sqrt(5) * self.scale_spline)

        def b_splines(self, x):
            assert x.dim() == 2 and x.size(1) == self.in_features

            grid = (
                self.grid
            )  # (in_features, grid_size + 2 * spline_order + 1)
            x = x.unsqueeze(-1)
            bases = ((x >= grid[:, :-1]) & (x < grid[:, 1:])).to(x.dtype)
            for k in range(1, self.spline_order + 1):
                bases = (
                    (x - grid[:, : -(k + 1)])
                    / (grid[:, k:-1] - grid[:, : -(k + 1)])
                    * bases[:, :, :-1]
                ) + (
                    (grid[:, k + 1 :] - x)
                    / (grid[:, k + 1 :] - grid[:, 1:(-k)])
                    * bases[:, :, 1:]
                )

            assert bases.size() == (
                x.size(0),
                self.in_features,
                self.grid_size + self.spline_order,
            )
            return bases.contiguous()

        def curve2coeff(self, x, y):
            assert x.dim() == 2 and x.size(1) == self.in_features
            assert y.size() == (x.size(0), self.in_features, self.out_features)

            A = self.b_splines(x).transpose(
                0, 1
            )  # (in_features, batch_size, grid_size + spline_order)
            B = y.transpose(0, 1)  # (in_features, batch_size, out_features)
            solution = torch.linalg.lstsq(
                A, B
            ).solution  # (in_features, grid_size + spline_order, out_features)
            result = solution.permute(
                2, 0, 1
            )  # (out_features, in_features, grid_size + spline_order)

            assert result.size() == (
                self.out_features,
                self.in_features,
                self.grid_size + self.spline_order,
            )
            return result.contiguous()

        @property
        def scaled_spline_weight(self):
            return self.spline_weight * (
                self.spline_scaler.unsqueeze(-1)
                if self.enable_standalone_scale_spline
                else 1.0
            )

        def forward(self, x):
            assert x.size(-1) == self.in_features
            original_shape = x.shape
            x = x.reshape(-1, self.in_features)

            base_output = F.linear(self.base_activation(x), self.base_weight)
            spline_output = F.linear(
                self.b_splines(x).view(x.size(0), -1),
                self.scaled_spline_weight.view(self.out_features, -1),
            )
            output = base_output + spline_output

            output = output.reshape(*original_shape[:-1], self.out_features)
            return output

        @torch.no_grad()
        def update_grid(self, x, margin=0.01):
            assert x.dim() == 2 and x.size(1) == self.in_features
            batch = x.size(0)

            splines = self.b_splines(x)  # (batch, in, coeff)
            splines = splines.permute(1, 0, 2)  # (in, batch, coeff)
            orig_coeff = self.scaled_spline_weight  # (out, in, coeff)
            orig_coeff = orig_coeff.permute(1, 2, 0)  # (in, coeff, out)
            unreduced_spline_output = torch.bmm(splines, orig_coeff)  # (in, batch, out)
            unreduced_spline_output = unreduced_spline_output.permute(
                1, 0, 2
            )  # (batch, in, out)

            # sort each channel individually to collect data distribution
            x_sorted = torch.sort(x, dim=0)[0]
            grid_adaptive = x_sorted[
                torch.linspace(
                    0, batch - 1, self.grid_size + 1, dtype=torch.int64, device=x.device
                )
            ]

            uniform_step = (x_sorted[-1] - x_sorted[0] + 2 * margin) / self.grid_size
            grid_uniform = (
                torch.arange(
                    self.grid_size + 1, dtype=torch.float32, device=x.device
                ).unsqueeze(1)
                * uniform_step
                + x_sorted[0]
                - margin
            )

            grid = self.grid_eps * grid_uniform + (1 - self.grid_eps) * grid_adaptive
            grid = torch.concatenate(
                [
                    grid[:1]
                    - uniform_step
                    * torch.arange(self.spline_order, 0, -1, device=x.device).unsqueeze(1),
                    grid,
                    grid[-1:]
                    + uniform_step
                    * torch.arange(1, self.spline_order + 1, device=x.device).unsqueeze(1),
                ],
                dim=0,
            )

            self.grid.copy_(grid.T)
            self.spline_weight.copy_(self.curve2coeff(x, unreduced_spline_output))

        def regularization_loss(self, regularize_activation=1.0, regularize_entropy=1.0):
            l1_fake = self.spline_weight.abs().mean(-1)
            regularization_loss_activation = l1_fake.sum()
            p = l1_fake / regularization_loss_activation
            regularization_loss_entropy = -torch.sum(p * p.log())
            return (
                regularize_activation * regularization_loss_activation
                + regularize_entropy * regularization_loss_entropy
            )

    class KAN(torch.nn.Module):
        def __init__(
            self,
            layers_hidden,
            grid_size=5,
            spline_order=3,
            scale_noise=0.1,
            scale_base=1.0,
            scale_spline=1.0,
            base_activation=torch.nn.SiLU,
            grid_eps=0.02,
            grid_range=[-1, 1],
        ):
            super(KAN, self).__init__()
            self.grid_size = grid_size
            self.spline_order = spline_order

            self.layers = torch.nn.ModuleList()
            for in_features, out_features in zip(layers_hidden, layers_hidden[1:]):
                self.layers.append(
                    KANLinear(
                        in_features,
                        out_features,
                        grid_size=grid_size,
                        spline_order=spline_order,
                        scale_noise=scale_noise,
                        scale_base=scale_base,
                        scale_spline=scale_spline,
                        base_activation=base_activation,
                        grid_eps=grid_eps,
                        grid_range=grid_range,
                    )
                )

        def forward(self, x, update_grid=False):
            for layer in self.layers:
                if update_grid:
                    layer.update_grid(x)
                x = layer(x)
            return x

        def regularization_loss(self, regularize_activation=1.0, regularize_entropy=1.0):
            return sum(
                layer.regularization_loss(regularize_activation, regularize_entropy)
                for layer in self.layers
            )

    return KANLinear, KAN


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


@pytest.mark.parametrize("program", [simple_math_test_mul, mnist])
def test_efficient_kan_matches_pytorch(torch, capsys, program) -> None:
    ours, theirs = weight_sync()
    want, got = Records(), Records()
    if program is mnist:
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

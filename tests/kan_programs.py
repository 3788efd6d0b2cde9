"""The KAN layers ported in ``test_pytorch_ports_efficient_kan.py``, as their readers write
them, for a library ``torch`` (``implicit_ports_helpers.Library``, ours or PyTorch's):
efficient-kan's ``KANLinear`` and ``KAN`` (Blealtan/efficient-kan, ``src/efficient_kan/
kan.py``), ChebyKAN's ``ChebyKANLayer`` (SynodicMonth/ChebyKAN) in its two versions, and
pykan's B-spline functions (KindXiaoming/pykan, ``kan/spline.py``: ``B_batch``,
``coef2curve``, ``curve2coef``).

Lines written differently here, and why:
- ``torch.nn.Parameter(torch.Tensor(out_features, in_features))`` is
  ``torch.empty(out_features, in_features)`` inside: ``Tensor(3, 4)`` is data here, not a
  size (a named error says to write ``empty``);
- ``self.spline_weight.data.copy_(...)``: ``.data`` is NumPy's array here, so the copy is
  written on the parameter, under the ``no_grad()`` both places already run in.
"""

import math


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


def chebykan(torch):
    """ChebyKAN's layer, today's version (the Chebyshev recurrence written into slices of
    a tensor of ones, with ``.clone()``) and the first one (``cos(i * acos(x))``)."""
    nn = torch.nn

    # This is inspired by Kolmogorov-Arnold Networks but using Chebyshev polynomials instead of splines coefficients  # noqa: E501
    class ChebyKANLayer(nn.Module):
        def __init__(self, input_dim, output_dim, degree):
            super(ChebyKANLayer, self).__init__()
            self.inputdim = input_dim
            self.outdim = output_dim
            self.degree = degree

            self.cheby_coeffs = nn.Parameter(torch.empty(input_dim, output_dim, degree + 1))
            nn.init.normal_(self.cheby_coeffs, mean=0.0, std=1/(input_dim * (degree + 1)))

        def forward(self, x):
            x = torch.reshape(x, (-1, self.inputdim))  # shape = (batch_size, inputdim)
            # Since Chebyshev polynomial is defined in [-1, 1]
            # We need to normalize x to [-1, 1] using tanh
            x = torch.tanh(x)
            # Initialize Chebyshev polynomial tensors
            cheby = torch.ones(x.shape[0], self.inputdim, self.degree + 1, device=x.device)
            if self.degree > 0:
                cheby[:, :, 1] = x
            for i in range(2, self.degree + 1):
                cheby[:, :, i] = 2 * x * cheby[:, :, i - 1].clone() - cheby[:, :, i - 2].clone()
            # Compute the Chebyshev interpolation
            y = torch.einsum('bid,iod->bo', cheby, self.cheby_coeffs)  # shape = (batch_size, outdim)  # noqa: E501
            y = y.view(-1, self.outdim)
            return y

    class FirstChebyKANLayer(ChebyKANLayer):
        def forward(self, x):
            x = torch.reshape(x, (-1, self.inputdim))  # shape = (batch_size, inputdim)
            x = torch.tanh(x)
            cheby = torch.ones(x.shape[0], self.inputdim, self.degree + 1, device=x.device)
            if self.degree > 0:
                cheby[:, :, 1] = x
            for i in range(2, self.degree + 1):
                cheby[:, :, i] = torch.cos(i * torch.acos(x))
            y = torch.einsum('bid,iod->bo', cheby, self.cheby_coeffs)
            y = y.view(-1, self.outdim)
            return y

    return ChebyKANLayer, FirstChebyKANLayer


def pykan_splines(torch):
    """pykan's ``kan/spline.py`` (its docstrings' examples are the test's program)."""

    def B_batch(x, grid, k=0, extend=True, device='cpu'):
        # x shape: (size, x); grid shape: (size, grid)
        def extend_grid(grid, k_extend=0):
            # pad k to left and right
            # grid shape: (batch, grid)
            h = (grid[:, [-1]] - grid[:, [0]]) / (grid.shape[1] - 1)

            for i in range(k_extend):
                grid = torch.cat([grid[:, [0]] - h, grid], dim=1)
                grid = torch.cat([grid, grid[:, [-1]] + h], dim=1)
            grid = grid.to(device)
            return grid

        if extend == True:  # noqa: E712
            grid = extend_grid(grid, k_extend=k)

        grid = grid.unsqueeze(dim=2).to(device)
        x = x.unsqueeze(dim=1).to(device)

        if k == 0:
            value = (x >= grid[:, :-1]) * (x < grid[:, 1:])
        else:
            B_km1 = B_batch(x[:, 0], grid=grid[:, :, 0], k=k - 1, extend=False, device=device)
            value = (x - grid[:, :-(k + 1)]) / (grid[:, k:-1] - grid[:, :-(k + 1)]) * B_km1[:, :-1] + (  # noqa: E501
                        grid[:, k + 1:] - x) / (grid[:, k + 1:] - grid[:, 1:(-k)]) * B_km1[:, 1:]
        return value

    def coef2curve(x_eval, grid, coef, k, device="cpu"):
        # x_eval: (size, batch), grid: (size, grid), coef: (size, coef)
        # coef: (size, coef), B_batch: (size, coef, batch), summer over coef
        if coef.dtype != x_eval.dtype:
            coef = coef.to(x_eval.dtype)
        y_eval = torch.einsum('ij,ijk->ik', coef, B_batch(x_eval, grid, k, device=device))
        return y_eval

    def curve2coef(x_eval, y_eval, grid, k, device="cpu"):
        # x_eval: (size, batch); y_eval: (size, batch); grid: (size, grid); k: scalar
        mat = B_batch(x_eval, grid, k, device=device).permute(0, 2, 1)
        # coef = torch.linalg.lstsq(mat, y_eval.unsqueeze(dim=2)).solution[:, :, 0]
        coef = torch.linalg.lstsq(mat.to(device), y_eval.unsqueeze(dim=2).to(device),
                                  driver='gelsy' if device == 'cpu' else 'gels').solution[:, :, 0]
        return coef.to(device)

    return B_batch, coef2curve, curve2coef

"""Steerable and harmonic filters in 2-d as PyTorch users write them: Freeman & Adelson's
steerable first derivatives of a Gaussian (a filter at any angle is cos/sin of two basis
filters; its angle learned by gradient), a rotation-equivariant lifting convolution whose
filters are combinations of circular harmonics (a Gaussian ring times cos/sin(m phi),
from ``meshgrid`` + ``atan2``, in a ``register_buffer``) steered to 8 orientations by
rotating the coefficients (Weiler et al. 2018, "Learning Steerable Filters"), trained on
scikit-learn's digits, and a Harmonic Networks layer (Worrall et al. 2017) with complex
filters R(r) e^{i(m phi + beta)} written as real and imaginary convolutions and the
magnitude nonlinearity. Steered filters are compared with filters rotated by
``grid_sample(mode="bicubic")``.

Written once for a library ``torch`` and run step for step next to PyTorch from the same
weights in float64: filters, losses, gradients and parameters agree to 1e-10; 90-degree
equivariance is exact on these symmetric grids and is checked in both libraries.

Lines written differently here: ``torch.nn`` is ``nn`` (a package of its own here);
``torch.complex``/``torch.polar`` are not used: this library has no complex tensors
(its error says to rotate real pairs), so the harmonic layer carries (real, imaginary)
pairs, as several PyTorch ports of Harmonic Networks do too.
"""

import math

import numpy as np
import pytest

from equivariant_helpers import assert_records, digits, libraries, numpy_of, weight_sync


def steerable_program(torch, nn, F):
    """The three programs' pieces, written against ``torch``, ``nn`` and ``F``."""

    def polar_grid(size):
        r = torch.linspace(-(size // 2), size // 2, size)
        y, x = torch.meshgrid(r, r, indexing="ij")
        return x, y, torch.sqrt(x ** 2 + y ** 2), torch.atan2(y, x)

    def gaussian_derivatives(size=7, sigma=1.0):
        x, y, _, _ = polar_grid(size)
        g = torch.exp(-(x ** 2 + y ** 2) / (2 * sigma ** 2))
        return -x / sigma ** 2 * g, -y / sigma ** 2 * g

    def steer(gx, gy, theta):
        return torch.cos(theta) * gx + torch.sin(theta) * gy

    def circular_harmonics(size=5, rings=(0.0, 1.0, 2.0), max_order=2, sigma=0.6):
        """(B, size, size): exp(-(r - rho)^2 / 2 sigma^2) * (cos m phi, sin m phi)."""
        _, _, r, phi = polar_grid(size)
        basis = []
        for rho in rings:
            ring = torch.exp(-(r - rho) ** 2 / (2 * sigma ** 2))
            for m in range(max_order + 1):
                if rho == 0 and m > 0:
                    continue
                if m == 0:
                    basis.append(ring)
                else:  # phi is undefined at the centre: m > 0 harmonics vanish there
                    basis += [ring * torch.cos(m * phi) * (r > 0),
                              ring * torch.sin(m * phi) * (r > 0)]
        return torch.stack(basis)

    def harmonic_orders(rings=(0.0, 1.0, 2.0), max_order=2):
        orders = []
        for rho in rings:
            for m in range(max_order + 1):
                if rho == 0 and m > 0:
                    continue
                orders += [m] if m == 0 else [m, m]
        return orders

    class SteerableLiftingConv(nn.Module):
        """Filters w = sum_b c_b psi_b, steered to N orientations: rotating a filter by
        theta rotates each (cos m phi, sin m phi) pair of coefficients by m theta."""

        def __init__(self, in_channels, out_channels, n_rotations=8, size=5):
            super().__init__()
            self.n_rotations = n_rotations
            self.register_buffer("basis", circular_harmonics(size))
            self.orders = harmonic_orders()
            n_basis = self.basis.shape[0]
            self.coefficients = nn.Parameter(
                torch.randn(out_channels, in_channels, n_basis) / math.sqrt(n_basis))
            self.bias = nn.Parameter(torch.zeros(out_channels))

        def rotated_coefficients(self, theta):
            c, out, b = self.coefficients, [], 0
            while b < len(self.orders):
                m = self.orders[b]
                if m == 0:
                    out.append(c[..., b])
                    b += 1
                    continue
                cos, sin = math.cos(m * theta), math.sin(m * theta)
                out += [cos * c[..., b] - sin * c[..., b + 1],
                        sin * c[..., b] + cos * c[..., b + 1]]
                b += 2
            return torch.stack(out, dim=-1)

        def filters(self):
            thetas = [2 * math.pi * k / self.n_rotations for k in range(self.n_rotations)]
            coeffs = torch.stack([self.rotated_coefficients(t) for t in thetas], dim=1)
            return torch.einsum("orib,bhw->orihw", coeffs, self.basis)

        def forward(self, x):
            w = self.filters()
            out_channels, n, in_channels, k, _ = w.shape
            y = F.conv2d(x, w.reshape(out_channels * n, in_channels, k, k),
                         self.bias.repeat_interleave(n), padding=k // 2)
            return y.view(x.shape[0], out_channels, n, y.shape[-2], y.shape[-1])

    class SteerableCNN(nn.Module):
        def __init__(self, n_classes=10):
            super().__init__()
            self.lift = SteerableLiftingConv(1, 6)
            self.fc = nn.Linear(6, n_classes)

        def forward(self, x):
            y = F.relu(self.lift(x))
            y = y.amax(dim=2)  # pooling over orientations: rotation-invariant features
            return self.fc(y.mean(dim=(-2, -1)))

    class HarmonicConv(nn.Module):
        """Complex filters W_m = R(r) e^{i(m phi + beta)} as (real, imaginary) convs."""

        def __init__(self, in_channels, out_channels, order=1, size=5):
            super().__init__()
            self.order = order
            _, _, r, phi = polar_grid(size)
            self.register_buffer("phi", phi)
            self.register_buffer("r", r)
            self.radial = nn.Parameter(torch.randn(out_channels, in_channels, 3))
            self.beta = nn.Parameter(torch.zeros(out_channels, in_channels))
            self.bias = nn.Parameter(torch.zeros(out_channels))

        def forward(self, x):
            rings = torch.stack([torch.exp(-(self.r - rho) ** 2 / 0.72) for rho in range(3)])
            R = torch.einsum("oik,khw->oihw", self.radial, rings)
            if self.order > 0:
                R = R * (self.r > 0)  # the phase is undefined at the centre
            angle = self.order * self.phi + self.beta[..., None, None]
            k = R.shape[-1]
            re = F.conv2d(x, R * torch.cos(angle), padding=k // 2)
            im = F.conv2d(x, R * torch.sin(angle), padding=k // 2)
            magnitude = torch.sqrt(re ** 2 + im ** 2 + 1e-12)
            scale = F.relu(magnitude + self.bias[:, None, None]) / magnitude
            return re * scale, im * scale

    return (gaussian_derivatives, steer, SteerableLiftingConv, SteerableCNN, HarmonicConv)


def learn_edge_angle(torch, steps: int = 20) -> list:
    torch, nn, F, optim = libraries(torch)
    gaussian_derivatives, steer, *_ = steerable_program(torch, nn, F)
    gx, gy = gaussian_derivatives()
    r = torch.linspace(-4.0, 4.0, 9)
    yy, xx = torch.meshgrid(r, r, indexing="ij")
    edge = torch.sigmoid(3 * (xx * math.cos(1.0) + yy * math.sin(1.0)))  # edge at 1 rad
    theta = nn.Parameter(torch.tensor(0.2))
    optimizer = optim.SGD([theta], lr=0.05, momentum=0.5)
    records = []
    for _ in range(steps):
        optimizer.zero_grad()
        w = steer(gx, gy, theta)[None, None]
        response = F.conv2d(edge[None, None], w, padding=3)[0, 0, 4, 4]
        loss = response  # the derivative filter answers most negatively along the edge
        loss.backward()
        records += [loss.item(), theta.grad.clone(), theta.detach().clone()]
        optimizer.step()
    return records + [steer(gx, gy, torch.tensor(math.pi / 2)), gx, gy]


def test_steerable_gaussian_derivative_learns_the_edge_angle(torch) -> None:
    got, want = learn_edge_angle(None), learn_edge_angle(torch)
    assert_records(got, want)
    assert abs(numpy_of(got[-4]) - 1.0) < 0.01
    steered_90, gx, gy = (numpy_of(v) for v in got[-3:])
    np.testing.assert_allclose(steered_90, gy, atol=1e-12)
    # rot90 turns the plane by -90 degrees in (x right, y down) coordinates
    np.testing.assert_allclose(np.rot90(gx, 1), -gy, atol=1e-12)


def train_steerable_cnn(torch, sync, steps: int = 4) -> list:
    torch, nn, F, optim = libraries(torch)
    *_, SteerableCNN, _ = steerable_program(torch, nn, F)
    images, labels = digits(48, seed=2)
    torch.manual_seed(0)
    model = SteerableCNN()
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=2e-2)
    records = [model.lift.filters(), model.lift.basis]
    for step in range(steps):
        x, y = torch.tensor(images[12 * step:12 * step + 12]), torch.tensor(
            labels[12 * step:12 * step + 12])
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        records += [loss.item()] + [p.grad.clone() for p in model.parameters()]
        optimizer.step()
    with torch.no_grad():
        x = torch.tensor(images[:3])
        lifted = model.lift(x)
        records += [p.detach().clone() for p in model.parameters()]
        records += [lifted, model.lift(x.rot90(1, dims=(-2, -1))),
                    torch.roll(lifted.rot90(1, dims=(-2, -1)), -2, dims=2)]
    return records


def test_steerable_cnn_trains_step_for_step_and_is_equivariant(torch) -> None:
    ours, theirs = weight_sync()
    want = train_steerable_cnn(torch, theirs)
    got = train_steerable_cnn(None, ours)
    assert_records(got, want)
    np.testing.assert_allclose(numpy_of(got[-2]), numpy_of(got[-1]), atol=1e-12)


@pytest.mark.parametrize("order", [0, 1, 2])
def test_harmonic_conv_matches_torch_and_rotates_its_phase(torch, order: int) -> None:
    images, _ = digits(2, seed=3)
    images = np.pad(images, ((0, 0), (0, 0), (0, 1), (0, 1)))
    ours, theirs = weight_sync()
    records = []
    for T, sync in ((torch, theirs), (None, ours)):
        T, nn, F, optim = libraries(T)
        *_, HarmonicConv = steerable_program(T, nn, F)
        T.manual_seed(0)
        layer = HarmonicConv(1, 2, order=order)
        sync(layer)
        x = T.tensor(images)
        re, im = layer(x)
        (re.sum() + 2 * im.sum()).backward()
        re_r, im_r = layer(x.rot90(1, dims=(-2, -1)))
        records.append([re, im, re_r, im_r] + [p.grad for p in layer.parameters()])
    assert_records(records[1], records[0])
    re, im, re_r, im_r = (numpy_of(v) for v in records[1][:4])
    # rot90 turns the input by -90 degrees (x right, y down): the response turns with it
    # and its phase by -m * 90 degrees
    turn = -order * math.pi / 2
    rotated = lambda a: np.rot90(a, 1, axes=(-2, -1))  # noqa: E731
    np.testing.assert_allclose(re_r, rotated(re * math.cos(turn) - im * math.sin(turn)),
                               atol=1e-10)
    np.testing.assert_allclose(im_r, rotated(re * math.sin(turn) + im * math.cos(turn)),
                               atol=1e-10)


def test_steered_filters_match_bicubic_rotated_filters(torch) -> None:
    records = []
    for T in (torch, None):
        T, nn, F, optim = libraries(T)
        gaussian_derivatives, steer, *_ = steerable_program(T, nn, F)
        gx, gy = gaussian_derivatives(size=15, sigma=2.0)
        theta = T.tensor(0.6, requires_grad=True)
        rotation = T.stack([T.stack([T.cos(theta), T.sin(theta), T.zeros(())]),
                            T.stack([-T.sin(theta), T.cos(theta), T.zeros(())])])[None]
        grid = F.affine_grid(rotation, (1, 1, 15, 15), align_corners=True)
        rotated = F.grid_sample(gx[None, None], grid, mode="bicubic", align_corners=True)
        rotated.pow(2).sum().backward()
        records.append([rotated[0, 0], steer(gx, gy, theta), theta.grad])
    assert_records(records[1], records[0])
    np.testing.assert_allclose(numpy_of(records[1][0]), numpy_of(records[1][1]), atol=0.02)

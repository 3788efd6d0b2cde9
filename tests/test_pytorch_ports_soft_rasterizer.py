"""A soft rasterizer of 2-D shapes (SoftRas's idea, Liu et al., "Soft Rasterizer: A
Differentiable Renderer for Image-based 3D Reasoning", in the plane), as a PyTorch reader
writes it: a pixel grid from ``torch.meshgrid(..., indexing="xy")``, the squared distance
of each pixel to each polygon edge (projection clamped to the segment), inside/outside by
the even-odd crossing rule, coverage sigmoid(+-d^2 / sigma), soft discs
sigmoid((r - |p - c|) / sigma), the shapes composited back to front by alpha blending,
and the shapes' vertices, centres, radii and colours fitted to a target image by Adam.
Written once for a library ``T`` and run step for step next to PyTorch in float64 from
the same shapes: images, gradients, losses and the fitted parameters agree; the gradient
also against central differences.
"""

import numpy as np

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    return (ag, nn, nn.optim) if torch is None else (torch, torch.nn, torch.optim)


def make_renderer(T, F):
    def pixel_grid(height, width):
        ys = T.linspace(0.0, 1.0, height)
        xs = T.linspace(0.0, 1.0, width)
        gx, gy = T.meshgrid(xs, ys, indexing="xy")  # both (height, width)
        return T.stack([gx, gy], dim=-1)  # (H, W, 2)

    def edge_distances(points, vertices):
        """Squared distance of each point (..., 2) to each edge of the polygon (V, 2)."""
        starts = vertices
        ends = T.roll(vertices, shifts=-1, dims=0)
        edge = ends - starts  # (V, 2)
        rel = points[..., None, :] - starts  # (..., V, 2)
        t = (rel * edge).sum(-1) / (edge * edge).sum(-1)
        t = T.clamp(t, 0.0, 1.0)
        closest = starts + t[..., None] * edge
        return ((points[..., None, :] - closest) ** 2).sum(-1)  # (..., V)

    def inside(points, vertices):
        """Even-odd rule: a horizontal ray from the point crosses the boundary oddly."""
        x, y = points[..., 0:1], points[..., 1:2]
        x1, y1 = vertices[:, 0], vertices[:, 1]
        ends = vertices.roll(-1, 0)
        x2, y2 = ends[:, 0], ends[:, 1]
        straddles = (y1 > y) != (y2 > y)
        x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        crossings = (straddles & (x < x_cross)).sum(-1)
        return crossings % 2 == 1

    def polygon_coverage(points, vertices, sigma):
        d2 = edge_distances(points, vertices).amin(dim=-1)
        sign = T.where(inside(points, vertices), 1.0, -1.0)
        return T.sigmoid(sign * d2 / sigma)

    def disc_coverage(points, centre, radius, sigma):
        dist = T.linalg.vector_norm(points - centre, dim=-1)
        return T.sigmoid((radius - dist) / sigma)

    def render(shapes, background, points, sigma=1e-3):
        """Alpha-composite the shapes in order over the background: C = a c + (1 - a) C."""
        image = background.expand(*points.shape[:-1], 3)
        for kind, geometry, colour in shapes:
            if kind == "polygon":
                alpha = polygon_coverage(points, geometry, sigma)
            else:
                centre, radius = geometry
                alpha = disc_coverage(points, centre, radius, sigma ** 0.5)
            image = alpha[..., None] * colour + (1 - alpha[..., None]) * image
        return image

    return pixel_grid, render


def scene(T, params):
    triangle, centre, radius, colours = params
    return [("polygon", triangle, colours[0]), ("disc", (centre, radius), colours[1])]


TARGET = (np.array([[0.2, 0.2], [0.8, 0.3], [0.4, 0.8]]), np.array([0.65, 0.6]), 0.18,
          np.array([[0.9, 0.2, 0.1], [0.1, 0.3, 0.9]]))
START = (np.array([[0.25, 0.3], [0.7, 0.25], [0.45, 0.7]]), np.array([0.6, 0.55]), 0.12,
         np.array([[0.6, 0.4, 0.3], [0.3, 0.4, 0.6]]))


def fit(torch=None, steps: int = 15, size: int = 24):
    T, lib, optim = libraries(torch)
    pixel_grid, render = make_renderer(T, lib.functional)
    points = pixel_grid(size, size)
    background = T.ones(3)
    with T.no_grad():
        target = render(scene(T, [T.tensor(np.asarray(a, float)) for a in TARGET]),
                        background, points)
    params = [T.tensor(np.asarray(a, float), requires_grad=True) for a in START]
    optimizer = optim.Adam(params, lr=0.01)
    losses = []
    for step in range(steps):
        optimizer.zero_grad()
        image = render(scene(T, params), background, points)
        loss = lib.functional.mse_loss(image, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in params], target.numpy()


def test_soft_rasterizer_fit_matches_pytorch(torch):
    losses, params, target = fit()
    losses_ref, params_ref, target_ref = fit(torch)
    np.testing.assert_allclose(target, target_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(losses, losses_ref, rtol=1e-10)
    assert losses[-1] < 0.5 * losses[0]
    for param, param_ref in zip(params, params_ref):
        np.testing.assert_allclose(param, param_ref, rtol=1e-9, atol=1e-11)


def test_soft_rasterizer_gradient_matches_finite_differences():
    pixel_grid, render = make_renderer(ag, nn.functional)
    points = pixel_grid(10, 10)
    weights = ag.tensor(np.random.default_rng(0).standard_normal((10, 10, 3)))
    fixed = [ag.tensor(np.asarray(a, float)) for a in START[1:]]

    def image_sum(triangle):
        return (render(scene(ag, [triangle] + fixed), ag.ones(3), points, sigma=1e-2)
                * weights).sum()

    ag.gradcheck(image_sum, (ag.tensor(START[0], requires_grad=True),), eps=1e-6, atol=1e-6)

"""Zhang's camera calibration as PyTorch code writes it: a planar checkerboard seen in a
few views, one homography per view by Kornia's ``find_homography_dlt``, the closed form
for the intrinsics (the constraints v12, v11 - v22 stacked, their null vector by
``torch.linalg.svd``, Zhang's formulas for fx, fy, skew, cx, cy), each view's rotation
and translation from K^-1 H (``torch.linalg.cross``, re-orthogonalised by the SVD,
``torch.linalg.inv``), then every parameter, with two radial distortion coefficients,
refined on the reprojection error by ``torch.optim.LBFGS`` with a closure and
``line_search_fn="strong_wolfe"`` (rotations as ``torch.linalg.matrix_exp`` of skew
matrices on top of the closed-form ones).

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: homographies, intrinsics, poses, losses and the refined
parameters agree to 1e-8.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here.
"""

import numpy as np

from equivariant_helpers import assert_records, libraries, numpy_of, random_rotations
from geometry_ports_helpers import kornia_geometry

K_TRUE = np.array([[400.0, 0.0, 160.0], [0.0, 390.0, 120.0], [0.0, 0.0, 1.0]])
DISTORTION_TRUE = np.array([-0.12, 0.03])


def board_views(n_views: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """A 5 x 4 board (z = 0) and its distorted, noisy pixels in n_views views."""
    rng = np.random.default_rng(0)
    gx, gy = np.meshgrid(np.arange(5) * 0.1, np.arange(4) * 0.1)
    board = np.column_stack([gx.ravel() - 0.2, gy.ravel() - 0.15, np.zeros(20)])
    tilts = random_rotations(n_views, seed=11)
    pixels = []
    for i in range(n_views):
        small = np.eye(3) + 0.35 * (tilts[i] - tilts[i].T) / 2  # a tilt of about 20 degrees
        u, _, vt = np.linalg.svd(small)
        R = u @ vt
        camera = board @ R.T + np.array([0.02 * i, -0.01 * i, 1.0 + 0.1 * i])
        normalised = camera[:, :2] / camera[:, 2:]
        r2 = (normalised ** 2).sum(1, keepdims=True)
        distorted = normalised * (1 + DISTORTION_TRUE[0] * r2 + DISTORTION_TRUE[1] * r2 ** 2)
        pixels.append(distorted @ K_TRUE[:2, :2].T + K_TRUE[:2, 2] + rng.normal(0, 0.1, (20, 2)))
    return board, np.stack(pixels)


def hat(torch, w):
    zero = torch.zeros_like(w[..., 0])
    return torch.stack([zero, -w[..., 2], w[..., 1], w[..., 2], zero, -w[..., 0],
                        -w[..., 1], w[..., 0], zero], dim=-1).view(*w.shape[:-1], 3, 3)


def calibrate(torch, refine_steps: int = 2) -> list:
    torch, nn, F, optim = libraries(torch)
    k = kornia_geometry(torch, F)
    board_np, pixels_np = board_views()
    board, pixels = torch.tensor(board_np), torch.tensor(pixels_np)
    n_views = pixels.shape[0]
    H = k["find_homography_dlt"](board[None, :, :2].expand(n_views, -1, -1), pixels)

    def v(i, j):
        h_i, h_j = H[:, :, i], H[:, :, j]
        return torch.stack([h_i[:, 0] * h_j[:, 0],
                            h_i[:, 0] * h_j[:, 1] + h_i[:, 1] * h_j[:, 0],
                            h_i[:, 1] * h_j[:, 1],
                            h_i[:, 2] * h_j[:, 0] + h_i[:, 0] * h_j[:, 2],
                            h_i[:, 2] * h_j[:, 1] + h_i[:, 1] * h_j[:, 2],
                            h_i[:, 2] * h_j[:, 2]], dim=-1)

    V = torch.cat([v(0, 1), v(0, 0) - v(1, 1)], dim=0)
    B11, B12, B22, B13, B23, B33 = torch.linalg.svd(V)[2][-1]
    v0 = (B12 * B13 - B11 * B23) / (B11 * B22 - B12 ** 2)
    lam = B33 - (B13 ** 2 + v0 * (B12 * B13 - B11 * B23)) / B11
    alpha = torch.sqrt(lam / B11)
    beta = torch.sqrt(lam * B11 / (B11 * B22 - B12 ** 2))
    gamma = -B12 * alpha ** 2 * beta / lam
    u0 = gamma * v0 / beta - B13 * alpha ** 2 / lam
    K = torch.stack([torch.stack([alpha, gamma, u0]),
                     torch.stack([torch.zeros_like(beta), beta, v0]),
                     torch.tensor([0.0, 0.0, 1.0])])
    K_inv = torch.linalg.inv(K)
    scale = 1.0 / torch.linalg.norm(K_inv @ H[:, :, 0:1], dim=(-2, -1))
    r1 = scale[:, None] * (K_inv @ H[:, :, 0:1])[..., 0]
    r2 = scale[:, None] * (K_inv @ H[:, :, 1:2])[..., 0]
    t = scale[:, None] * (K_inv @ H[:, :, 2:3])[..., 0]
    Q = torch.stack([r1, r2, torch.linalg.cross(r1, r2, dim=-1)], dim=-1)
    U, _, Vh = torch.linalg.svd(Q)
    R0 = U @ Vh
    records = [H, K, R0, t]

    intrinsics = nn.Parameter(torch.stack([alpha, beta, u0, v0]).detach().clone())
    distortion = nn.Parameter(torch.zeros(2))
    rotations = nn.Parameter(torch.zeros(n_views, 3))
    translations = nn.Parameter(t.detach().clone())
    optimizer = optim.LBFGS([intrinsics, distortion, rotations, translations], lr=1,
                            max_iter=10, line_search_fn="strong_wolfe")

    def reprojection_error():
        R = torch.linalg.matrix_exp(hat(torch, rotations)) @ R0.detach()
        camera = board @ R.transpose(-1, -2) + translations[:, None, :]
        normalised = camera[..., :2] / camera[..., 2:]
        r2 = (normalised ** 2).sum(-1, keepdim=True)
        distorted = normalised * (1 + distortion[0] * r2 + distortion[1] * r2 ** 2)
        fx, fy, cx, cy = intrinsics.unbind()
        projected = torch.stack([fx * distorted[..., 0] + cx,
                                 fy * distorted[..., 1] + cy], dim=-1)
        return ((projected - pixels) ** 2).sum(-1).mean()

    def closure():
        optimizer.zero_grad()
        loss = reprojection_error()
        loss.backward()
        return loss

    for _ in range(refine_steps):
        records.append(optimizer.step(closure).detach())
        records += [intrinsics.detach().clone(), distortion.detach().clone()]
    return records + [reprojection_error().detach()]


def test_zhang_calibration_matches_torch(torch) -> None:
    got, want = calibrate(None), calibrate(torch)
    assert_records(got, want, rtol=1e-8, atol=1e-9)
    fx, fy, cx, cy = numpy_of(got[-3])
    assert abs(fx - 400) < 10 and abs(fy - 390) < 10 and abs(cx - 160) < 10
    assert numpy_of(got[-1]) < numpy_of(got[4])

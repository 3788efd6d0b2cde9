"""Homographies as Kornia writes them (``kornia.geometry``), the functions its readers
copy: ``convert_points_to_homogeneous`` (``F.pad(points, [0, 1], "constant", 1.0)``),
``convert_points_from_homogeneous`` (a ``torch.where`` guarding w = 0),
``transform_points`` (``torch.repeat_interleave`` of the matrices, ``torch.bmm``),
Hartley's ``normalize_points``, ``find_homography_dlt`` (the 2N x 9 DLT system from
``torch.chunk`` and ``torch.cat``, weighted by ``torch.diag_embed``, solved by
``torch.svd``'s last right singular vector) and its iteratively reweighted version with
the symmetric transfer error (``torch.linalg.inv_ex``); ``warp_perspective`` (a
``create_meshgrid`` of ``torch.meshgrid(indexing="ij")``, ``normalize_homography``,
``F.grid_sample(align_corners=True)``), and a homography refined photometrically by Adam
through the warp. (The functions are in ``geometry_ports_helpers.py``, shared with the
other geometry ports.)

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: homographies, errors, warped images, gradients and
iterates agree to 1e-9.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here.
"""

import numpy as np

from equivariant_helpers import assert_records, libraries, numpy_of
from geometry_ports_helpers import image, kornia_geometry


def correspondences(n: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points of a 64 x 48 image, their images under a homography H with noise (two
    batches, the second with an outlier). Exact correspondences would leave A^T A a zero
    eigenvalue, whose vector its rounding decides to only ~1e-8."""
    rng = np.random.default_rng(0)
    H = np.array([[1.05, 0.04, 3.0], [-0.03, 0.97, -2.0], [2e-4, -1e-4, 1.0]])
    points1 = rng.uniform(0, 60, (2, n, 2))
    h = np.concatenate([points1, np.ones((2, n, 1))], -1) @ H.T
    points2 = h[..., :2] / h[..., 2:]
    points2 += rng.normal(0, 0.3, (2, n, 2))
    points2[1, 0] += [15.0, -9.0]
    return points1, points2, H


def homography_estimates(torch, points1, points2) -> list:
    torch, nn, F, optim = libraries(torch)
    k = kornia_geometry(torch, F)
    p1, p2 = torch.tensor(points1, requires_grad=True), torch.tensor(points2)
    weights = torch.ones(p1.shape[:2])
    H = k["find_homography_dlt"](p1, p2)
    H_w = k["find_homography_dlt"](p1, p2, weights)
    H_irls = k["find_homography_dlt_iterated"](p1, p2, weights, n_iter=3)
    errors = k["symmetric_transfer_error"](p1, p2, H_irls)
    errors.sum().backward()
    return [H, H_w, H_irls, errors, p1.grad]


def test_homography_by_dlt_and_irls_matches_torch(torch) -> None:
    points1, points2, H_true = correspondences()
    got = homography_estimates(None, points1, points2)
    want = homography_estimates(torch, points1, points2)
    assert_records(got, want, rtol=1e-8, atol=1e-9)
    h = np.concatenate([points1[0], np.ones((10, 1))], -1) @ numpy_of(got[0])[0].T
    true = np.concatenate([points1[0], np.ones((10, 1))], -1) @ H_true.T
    assert np.abs(h[:, :2] / h[:, 2:] - true[:, :2] / true[:, 2:]).max() < 1.0  # pixels
    # the reweighting leaves the outlier out: its error stays the largest
    assert numpy_of(got[3])[1].argmax() == 0


def photometric_alignment(torch, steps: int = 3) -> list:
    """Warp the target back by a homography with parameters h (H = I + [h, 0]) and fit
    h by Adam on the squared difference to the source (Lucas-Kanade by gradient)."""
    torch, nn, F, optim = libraries(torch)
    k = kornia_geometry(torch, F)
    src = torch.tensor(image())
    H_true = torch.tensor([[1.02, 0.03, 0.6], [-0.02, 0.98, -0.4], [1e-3, 5e-4, 1.0]])
    target = k["warp_perspective"](src, H_true[None], (12, 16))
    # h starts near, not at, zero: at H = I every grid point reads exactly a pixel, a kink
    # of bilinear sampling whose side the rounding of the inverse would choose
    h = nn.Parameter(torch.tensor([0.01, -0.005, 0.13, 0.004, 0.012, -0.09, 1e-4, -2e-4]))
    optimizer = optim.Adam([h], lr=1e-3)
    records = [target]
    for _ in range(steps):
        optimizer.zero_grad()
        H = torch.eye(3) + torch.cat([h, torch.zeros(1)]).view(3, 3)
        warped = k["warp_perspective"](src, H[None], (12, 16))
        loss = F.mse_loss(warped, target)
        loss.backward()
        records += [warped, loss, h.grad.clone()]
        optimizer.step()
    border = k["warp_perspective"](src, H_true[None], (10, 14), padding_mode="border")
    return records + [h.detach(), border]


def test_photometric_homography_alignment_matches_torch(torch) -> None:
    got, want = photometric_alignment(None), photometric_alignment(torch)
    assert_records(got, want)
    assert numpy_of(want[-4]) < numpy_of(want[2])

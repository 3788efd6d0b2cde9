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
through the warp.

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: homographies, errors, warped images, gradients and
iterates agree to 1e-9.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here.
"""

import numpy as np

from equivariant_helpers import assert_records, libraries, numpy_of


def kornia_geometry(torch, F) -> dict:
    """Kornia's point, homography and warp functions, written against ``torch``."""

    def convert_points_to_homogeneous(points):
        return F.pad(points, [0, 1], "constant", 1.0)

    def convert_points_from_homogeneous(points, eps=1e-8):
        z_vec = points[..., -1:]
        mask = torch.abs(z_vec) > eps
        scale = torch.where(mask, 1.0 / (z_vec + eps), torch.ones_like(z_vec))
        return scale * points[..., :-1]

    def transform_points(trans_01, points_1):
        shape_inp = list(points_1.shape)
        points_1 = points_1.reshape(-1, points_1.shape[-2], points_1.shape[-1])
        trans_01 = trans_01.reshape(-1, trans_01.shape[-2], trans_01.shape[-1])
        trans_01 = torch.repeat_interleave(
            trans_01, repeats=points_1.shape[0] // trans_01.shape[0], dim=0)
        points_1_h = convert_points_to_homogeneous(points_1)
        points_0_h = torch.bmm(points_1_h, trans_01.permute(0, 2, 1))
        points_0_h = torch.squeeze(points_0_h, dim=-1)
        points_0 = convert_points_from_homogeneous(points_0_h)
        shape_inp[-2] = points_0.shape[-2]
        shape_inp[-1] = points_0.shape[-1]
        return points_0.reshape(shape_inp)

    def normalize_points(points, eps=1e-8):
        x_mean = torch.mean(points, dim=1, keepdim=True)
        scale = (points - x_mean).norm(dim=-1, p=2).mean(dim=-1)
        scale = torch.sqrt(torch.tensor(2.0)) / (scale + eps)
        ones, zeros = torch.ones_like(scale), torch.zeros_like(scale)
        transform = torch.stack([scale, zeros, -scale * x_mean[..., 0, 0],
                                 zeros, scale, -scale * x_mean[..., 0, 1],
                                 zeros, zeros, ones], dim=-1)
        transform = transform.view(-1, 3, 3)
        return transform_points(transform, points), transform

    def find_homography_dlt(points1, points2, weights=None):
        eps = 1e-8
        points1_norm, transform1 = normalize_points(points1)
        points2_norm, transform2 = normalize_points(points2)
        x1, y1 = torch.chunk(points1_norm, dim=-1, chunks=2)
        x2, y2 = torch.chunk(points2_norm, dim=-1, chunks=2)
        ones, zeros = torch.ones_like(x1), torch.zeros_like(x1)
        ax = torch.cat([zeros, zeros, zeros, -x1, -y1, -ones, y2 * x1, y2 * y1, y2], dim=-1)
        ay = torch.cat([x1, y1, ones, zeros, zeros, zeros, -x2 * x1, -x2 * y1, -x2], dim=-1)
        A = torch.cat((ax, ay), dim=-1).reshape(ax.shape[0], -1, ax.shape[-1])
        if weights is None:
            A = A.transpose(-2, -1) @ A
        else:
            w_diag = torch.diag_embed(
                weights.unsqueeze(dim=-1).repeat(1, 1, 2).reshape(weights.shape[0], -1))
            A = A.transpose(-2, -1) @ w_diag @ A
        _, _, V = torch.svd(A)
        H = V[..., -1].view(-1, 3, 3)
        H = transform2.inverse() @ (H @ transform1)
        return H / (H[..., -1:, -1:] + eps)

    def oneway_transfer_error(pts1, pts2, H, squared=True, eps=1e-8):
        error_squared = (transform_points(H, pts1) - pts2).pow(2).sum(dim=-1)
        return error_squared if squared else (error_squared + eps).sqrt()

    def symmetric_transfer_error(pts1, pts2, H, squared=True, eps=1e-8):
        max_num = torch.finfo(pts1.dtype).max
        H_inv, info = torch.linalg.inv_ex(H)  # Kornia's safe_inverse_with_mask
        good_H = info == 0
        there = oneway_transfer_error(pts1, pts2, H, True, eps)
        back = oneway_transfer_error(pts2, pts1, H_inv, True, eps)
        good_H_reshape = good_H.view(-1, 1).expand_as(there)
        out = ((there + back) * good_H_reshape.to(there.dtype)
               + max_num * (~good_H_reshape).to(there.dtype))
        return out if squared else (out + eps).sqrt()

    def find_homography_dlt_iterated(points1, points2, weights, soft_inl_th=3.0, n_iter=5):
        H = find_homography_dlt(points1, points2, weights)
        for _ in range(n_iter - 1):
            errors = symmetric_transfer_error(points1, points2, H, False)
            weights_new = torch.exp(-errors / (2.0 * (soft_inl_th ** 2)))
            H = find_homography_dlt(points1, points2, weights_new)
        return H

    def create_meshgrid(height, width, normalized_coordinates=True):
        xs = torch.linspace(0, width - 1, width)
        ys = torch.linspace(0, height - 1, height)
        if normalized_coordinates:
            xs = (xs / (width - 1) - 0.5) * 2
            ys = (ys / (height - 1) - 0.5) * 2
        base_grid = torch.stack(torch.meshgrid([xs, ys], indexing="ij"), dim=-1)
        return base_grid.permute(1, 0, 2).unsqueeze(0)

    def normal_transform_pixel(height, width, eps=1e-14):
        tr_mat = torch.tensor([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0], [0.0, 0.0, 1.0]])
        width_denom = eps if width == 1 else width - 1.0
        height_denom = eps if height == 1 else height - 1.0
        tr_mat[0, 0] = tr_mat[0, 0] * 2.0 / width_denom
        tr_mat[1, 1] = tr_mat[1, 1] * 2.0 / height_denom
        return tr_mat.unsqueeze(0)

    def normalize_homography(dst_pix_trans_src_pix, dsize_src, dsize_dst):
        src_h, src_w = dsize_src
        dst_h, dst_w = dsize_dst
        src_norm_trans_src_pix = normal_transform_pixel(src_h, src_w).to(dst_pix_trans_src_pix)
        src_pix_trans_src_norm = torch.inverse(src_norm_trans_src_pix)
        dst_norm_trans_dst_pix = normal_transform_pixel(dst_h, dst_w).to(dst_pix_trans_src_pix)
        return dst_norm_trans_dst_pix @ (dst_pix_trans_src_pix @ src_pix_trans_src_norm)

    def warp_perspective(src, M, dsize, mode="bilinear", padding_mode="zeros",
                         align_corners=True):
        B, _, H, W = src.size()
        h_out, w_out = dsize
        dst_norm_trans_src_norm = normalize_homography(M, (H, W), (h_out, w_out))
        src_norm_trans_dst_norm = torch.inverse(dst_norm_trans_src_norm)
        grid = create_meshgrid(h_out, w_out).to(src.dtype).repeat(B, 1, 1, 1)
        grid = transform_points(src_norm_trans_dst_norm[:, None, None], grid)
        return F.grid_sample(src, grid, align_corners=align_corners, mode=mode,
                             padding_mode=padding_mode)

    return dict(locals())


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


def image(height: int = 12, width: int = 16) -> np.ndarray:
    """A smooth test image (1, 1, H, W): two Gaussian blobs."""
    y, x = np.mgrid[0:height, 0:width].astype(float)
    blobs = (np.exp(-((x - 5) ** 2 + (y - 4) ** 2) / 8.0)
             + 0.6 * np.exp(-((x - 11) ** 2 + (y - 8) ** 2) / 5.0))
    return blobs[None, None]


def photometric_alignment(torch, steps: int = 3) -> list:
    """Warp the target back by a homography with parameters h (H = I + [h, 0]) and fit
    h by Adam on the squared difference to the source (Lucas-Kanade by gradient)."""
    torch, nn, F, optim = libraries(torch)
    k = kornia_geometry(torch, F)
    src = torch.tensor(image())
    H_true = torch.tensor([[1.02, 0.03, 0.6], [-0.02, 0.98, -0.4], [1e-3, 5e-4, 1.0]])
    target = k["warp_perspective"](src, H_true[None], (12, 16))
    h = nn.Parameter(torch.zeros(8))
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

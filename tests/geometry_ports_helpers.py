"""Shared pieces of the geometry ports (``test_pytorch_ports_geometry_*.py``): Kornia's
point, homography and warp functions written against a library ``torch`` and its ``F``,
and a smooth test image."""

import numpy as np

__all__ = ["kornia_geometry", "image"]


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


def image(height: int = 12, width: int = 16) -> np.ndarray:
    """A smooth test image (1, 1, H, W): two Gaussian blobs."""
    y, x = np.mgrid[0:height, 0:width].astype(float)
    blobs = (np.exp(-((x - 5) ** 2 + (y - 4) ** 2) / 8.0)
             + 0.6 * np.exp(-((x - 11) ** 2 + (y - 8) ** 2) / 5.0))
    return blobs[None, None]

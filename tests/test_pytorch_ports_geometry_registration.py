"""Image registration as Kornia writes it (``kornia.geometry.transform`` and its
``ImageRegistrator``): ``angle_to_rotation_matrix`` (``torch.deg2rad``),
``get_rotation_matrix2d`` (``eye_like`` matrices edited in place: ``shift_m[..., :2, 2]
+= center``, ``scale_m[..., 0, 0] *= scale[..., 0]``), ``warp_affine`` (the affine matrix
padded to 3x3 by ``F.pad`` and ``H[..., -1, -1] += 1.0``, normalised, inverted, then
``F.affine_grid`` and ``F.grid_sample``), and a similarity (shift, angle, log-scale as
``nn.Parameter``s of an ``nn.Module``) fitted coarse to fine by Adam on an image pyramid
made with ``F.interpolate(..., antialias=True)``.

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: warped images, losses, gradients and parameters agree to
1e-9.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here; the model
starts a little off the identity (Kornia's starts at it), where bilinear sampling has a
kink at every pixel. (The two ``*=`` of ``get_rotation_matrix2d`` on parts of a constant
matrix, by a scale that requires grad, raised InplaceError until session 23: they are
Kornia's lines again.)
"""

from equivariant_helpers import assert_records, libraries
from geometry_ports_helpers import image, kornia_geometry


def kornia_affine(torch, F) -> dict:
    k = kornia_geometry(torch, F)

    def eye_like(n, input):
        return torch.eye(n, device=input.device, dtype=input.dtype)[None].repeat(
            input.shape[0], 1, 1)

    def angle_to_rotation_matrix(angle):
        ang_rad = torch.deg2rad(angle)
        cos_a, sin_a = torch.cos(ang_rad), torch.sin(ang_rad)
        return torch.stack([cos_a, sin_a, -sin_a, cos_a], dim=-1).view(*angle.shape, 2, 2)

    def get_rotation_matrix2d(center, angle, scale):
        shift_m = eye_like(3, center)
        shift_m[..., :2, 2] += center
        shift_m_inv = eye_like(3, center)
        shift_m_inv[..., :2, 2] -= center
        scale_m = eye_like(3, center)
        scale_m[..., 0, 0] *= scale[..., 0]  # a part of a constant: it joins the graph
        scale_m[..., 1, 1] *= scale[..., 1]
        rotat_m = eye_like(3, center)
        rotat_m[..., :2, :2] = angle_to_rotation_matrix(angle)
        affine_m = shift_m @ rotat_m @ scale_m @ shift_m_inv
        return affine_m[..., :2, :]

    def convert_affinematrix_to_homography(A):
        H = F.pad(A, [0, 0, 0, 1], "constant", value=0.0)
        H[..., -1, -1] += 1.0
        return H

    def warp_affine(src, M, dsize, mode="bilinear", padding_mode="zeros",
                    align_corners=True):
        B, C, H, W = src.size()
        M_3x3 = convert_affinematrix_to_homography(M)
        dst_norm_trans_src_norm = k["normalize_homography"](M_3x3, (H, W), dsize)
        src_norm_trans_dst_norm = torch.linalg.inv(dst_norm_trans_src_norm)
        grid = F.affine_grid(src_norm_trans_dst_norm[:, :2, :], [B, C, dsize[0], dsize[1]],
                             align_corners=align_corners)
        return F.grid_sample(src, grid, align_corners=align_corners, mode=mode,
                             padding_mode=padding_mode)

    return dict(locals())


def definitions(torch, nn, F) -> tuple:
    a = kornia_affine(torch, F)

    class Similarity(nn.Module):
        """Kornia's ``Similarity`` model: shift, rotation (degrees) and log-scale."""

        def __init__(self):
            super().__init__()
            self.shift = nn.Parameter(torch.zeros(1, 2))
            self.rot = nn.Parameter(torch.zeros(1))
            self.scale = nn.Parameter(torch.zeros(1, 1))

        def forward(self, size):
            center = torch.tensor([[(size[1] - 1) / 2, (size[0] - 1) / 2]])
            M = a["get_rotation_matrix2d"](center, self.rot, torch.exp(self.scale).repeat(1, 2))
            return M + F.pad(self.shift[..., None], [2, 0])  # the shift in pixels

    return a, Similarity


def register(torch, levels: int = 2, steps: int = 2) -> list:
    torch, nn, F, optim = libraries(torch)
    a, Similarity = definitions(torch, nn, F)
    src = torch.tensor(image(24, 32))
    true = a["get_rotation_matrix2d"](torch.tensor([[15.5, 11.5]]), torch.tensor([7.0]),
                                      torch.tensor([[1.05, 1.05]]))
    true = true + torch.tensor([[[0.0, 0.0, 1.2], [0.0, 0.0, -0.8]]])
    dst = a["warp_affine"](src, true, (24, 32))
    model = Similarity()
    with torch.no_grad():  # near, not at, the identity: there every grid point reads
        model.shift += torch.tensor([[0.13, -0.07]])  # exactly a pixel, a kink of
        model.rot += 0.3  # bilinear sampling whose side rounding would choose
        model.scale += 0.01
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    records = [dst]
    for level in reversed(range(levels)):  # coarse to fine
        factor = 0.5 ** level
        src_l = F.interpolate(src, scale_factor=factor, mode="bilinear", antialias=True)
        dst_l = F.interpolate(dst, scale_factor=factor, mode="bilinear", antialias=True)
        for _ in range(steps):
            optimizer.zero_grad()
            M = model(src.shape[-2:])
            scaled = M * torch.tensor([[1.0, 1.0, factor], [1.0, 1.0, factor]])
            warped = a["warp_affine"](src_l, scaled, tuple(src_l.shape[-2:]))
            loss = F.l1_loss(warped, dst_l)
            loss.backward()
            records += [src_l, loss, model.shift.grad.clone(), model.rot.grad.clone(),
                        model.scale.grad.clone()]
            optimizer.step()
    return records + [p.detach().clone() for p in model.parameters()]


def test_coarse_to_fine_similarity_registration_matches_torch(torch) -> None:
    got, want = register(None), register(torch)
    assert_records(got, want)

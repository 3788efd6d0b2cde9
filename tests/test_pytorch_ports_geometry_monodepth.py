"""Monodepth2's self-supervised depth layers (Godard et al., ``nianticlabs/monodepth2``
``layers.py``) as its readers use them: ``rot_from_axisangle`` and
``get_translation_matrix`` (4x4 matrices filled by ``rot[:, 0, 0] = torch.squeeze(...)``
into ``torch.zeros``), ``transformation_from_parameters`` (``t *= -1`` on a clone when
inverting), ``BackprojectDepth`` (a NumPy ``meshgrid`` in ``nn.Parameter(...,
requires_grad=False)``), ``Project3D`` (``pix_coords[..., 0] /= self.width - 1`` on a
permuted view), ``SSIM`` (``nn.ReflectionPad2d`` and ``nn.AvgPool2d(3, 1)``),
``get_smooth_loss`` (``grad_disp_x *= torch.exp(-grad_img_x)``), ``disp_to_depth``, and a
view-synthesis training step: a small depth net and free pose parameters warp the source
frame into the target by ``F.grid_sample(padding_mode="border")``, the loss is 0.85 SSIM
+ 0.15 L1 plus the edge-aware smoothness, trained by Adam.

Written once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for
step next to PyTorch in float64: warped frames, losses, gradients and weights agree to
1e-9.

Lines written differently here: ``torch.nn`` is ``nn``, a package of its own here;
``torch.from_numpy`` of the float32 meshgrid keeps float64 (the tests run in float64);
the depth net starts from PyTorch's weights.
"""

import numpy as np

from equivariant_helpers import assert_records, libraries, weight_sync
from geometry_ports_helpers import image


def layers(torch, nn, F) -> dict:
    """monodepth2's layers.py, written against ``torch``."""

    def disp_to_depth(disp, min_depth, max_depth):
        min_disp, max_disp = 1 / max_depth, 1 / min_depth
        scaled_disp = min_disp + (max_disp - min_disp) * disp
        return scaled_disp, 1 / scaled_disp

    def get_translation_matrix(translation_vector):
        T = torch.zeros(translation_vector.shape[0], 4, 4).to(device=translation_vector.device)
        t = translation_vector.contiguous().view(-1, 3, 1)
        T[:, 0, 0] = 1
        T[:, 1, 1] = 1
        T[:, 2, 2] = 1
        T[:, 3, 3] = 1
        T[:, :3, 3, None] = t
        return T

    def rot_from_axisangle(vec):
        angle = torch.norm(vec, 2, 2, True)
        axis = vec / (angle + 1e-7)
        ca, sa = torch.cos(angle), torch.sin(angle)
        C = 1 - ca
        x, y, z = (axis[..., 0].unsqueeze(1), axis[..., 1].unsqueeze(1),
                   axis[..., 2].unsqueeze(1))
        xs, ys, zs = x * sa, y * sa, z * sa
        xC, yC, zC = x * C, y * C, z * C
        xyC, yzC, zxC = x * yC, y * zC, z * xC
        rot = torch.zeros((vec.shape[0], 4, 4)).to(device=vec.device)
        rot[:, 0, 0] = torch.squeeze(x * xC + ca)
        rot[:, 0, 1] = torch.squeeze(xyC - zs)
        rot[:, 0, 2] = torch.squeeze(zxC + ys)
        rot[:, 1, 0] = torch.squeeze(xyC + zs)
        rot[:, 1, 1] = torch.squeeze(y * yC + ca)
        rot[:, 1, 2] = torch.squeeze(yzC - xs)
        rot[:, 2, 0] = torch.squeeze(zxC - ys)
        rot[:, 2, 1] = torch.squeeze(yzC + xs)
        rot[:, 2, 2] = torch.squeeze(z * zC + ca)
        rot[:, 3, 3] = 1
        return rot

    def transformation_from_parameters(axisangle, translation, invert=False):
        R = rot_from_axisangle(axisangle)
        t = translation.clone()
        if invert:
            R = R.transpose(1, 2)
            t *= -1
        T = get_translation_matrix(t)
        return torch.matmul(R, T) if invert else torch.matmul(T, R)

    class BackprojectDepth(nn.Module):
        def __init__(self, batch_size, height, width):
            super().__init__()
            self.batch_size, self.height, self.width = batch_size, height, width
            meshgrid = np.meshgrid(range(self.width), range(self.height), indexing="xy")
            self.id_coords = np.stack(meshgrid, axis=0).astype(np.float64)
            self.id_coords = nn.Parameter(torch.from_numpy(self.id_coords),
                                          requires_grad=False)
            self.ones = nn.Parameter(torch.ones(self.batch_size, 1, self.height * self.width),
                                     requires_grad=False)
            self.pix_coords = torch.unsqueeze(torch.stack(
                [self.id_coords[0].view(-1), self.id_coords[1].view(-1)], 0), 0)
            self.pix_coords = self.pix_coords.repeat(batch_size, 1, 1)
            self.pix_coords = nn.Parameter(torch.cat([self.pix_coords, self.ones], 1),
                                           requires_grad=False)

        def forward(self, depth, inv_K):
            cam_points = torch.matmul(inv_K[:, :3, :3], self.pix_coords)
            cam_points = depth.view(self.batch_size, 1, -1) * cam_points
            return torch.cat([cam_points, self.ones], 1)

    class Project3D(nn.Module):
        def __init__(self, batch_size, height, width, eps=1e-7):
            super().__init__()
            self.batch_size, self.height, self.width, self.eps = batch_size, height, width, eps

        def forward(self, points, K, T):
            P = torch.matmul(K, T)[:, :3, :]
            cam_points = torch.matmul(P, points)
            pix_coords = cam_points[:, :2, :] / (cam_points[:, 2, :].unsqueeze(1) + self.eps)
            pix_coords = pix_coords.view(self.batch_size, 2, self.height, self.width)
            pix_coords = pix_coords.permute(0, 2, 3, 1)
            pix_coords[..., 0] /= self.width - 1
            pix_coords[..., 1] /= self.height - 1
            return (pix_coords - 0.5) * 2

    def get_smooth_loss(disp, img):
        grad_disp_x = torch.abs(disp[:, :, :, :-1] - disp[:, :, :, 1:])
        grad_disp_y = torch.abs(disp[:, :, :-1, :] - disp[:, :, 1:, :])
        grad_img_x = torch.mean(torch.abs(img[:, :, :, :-1] - img[:, :, :, 1:]), 1, keepdim=True)
        grad_img_y = torch.mean(torch.abs(img[:, :, :-1, :] - img[:, :, 1:, :]), 1, keepdim=True)
        grad_disp_x *= torch.exp(-grad_img_x)
        grad_disp_y *= torch.exp(-grad_img_y)
        return grad_disp_x.mean() + grad_disp_y.mean()

    class SSIM(nn.Module):
        def __init__(self):
            super().__init__()
            self.mu_x_pool = nn.AvgPool2d(3, 1)
            self.mu_y_pool = nn.AvgPool2d(3, 1)
            self.sig_x_pool = nn.AvgPool2d(3, 1)
            self.sig_y_pool = nn.AvgPool2d(3, 1)
            self.sig_xy_pool = nn.AvgPool2d(3, 1)
            self.refl = nn.ReflectionPad2d(1)
            self.C1, self.C2 = 0.01 ** 2, 0.03 ** 2

        def forward(self, x, y):
            x, y = self.refl(x), self.refl(y)
            mu_x, mu_y = self.mu_x_pool(x), self.mu_y_pool(y)
            sigma_x = self.sig_x_pool(x ** 2) - mu_x ** 2
            sigma_y = self.sig_y_pool(y ** 2) - mu_y ** 2
            sigma_xy = self.sig_xy_pool(x * y) - mu_x * mu_y
            SSIM_n = (2 * mu_x * mu_y + self.C1) * (2 * sigma_xy + self.C2)
            SSIM_d = (mu_x ** 2 + mu_y ** 2 + self.C1) * (sigma_x + sigma_y + self.C2)
            return torch.clamp((1 - SSIM_n / SSIM_d) / 2, 0, 1)

    return dict(locals())


def frames() -> tuple[np.ndarray, np.ndarray]:
    """Two 3-channel frames (1, 3, 12, 16): blobs, and the blobs shifted by a pixel."""
    base = image(12, 17)[0, 0]
    target = np.stack([base[:, :16], 0.5 * base[:, :16], base[:, :16] ** 2])[None]
    source = np.stack([base[:, 1:], 0.5 * base[:, 1:], base[:, 1:] ** 2])[None]
    return target + 0.1, source + 0.1


def train(torch, sync, steps: int = 2) -> list:
    torch, nn, F, optim = libraries(torch)
    m = layers(torch, nn, F)
    target_np, source_np = frames()
    target, source = torch.tensor(target_np), torch.tensor(source_np)
    depth_net = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(3, 4, 3), nn.ELU(inplace=True),
                              nn.ReflectionPad2d(1), nn.Conv2d(4, 1, 3), nn.Sigmoid())
    sync(depth_net)
    axisangle = nn.Parameter(torch.tensor([[[0.01, -0.02, 0.005]]]))
    translation = nn.Parameter(torch.tensor([[[0.05, 0.0, 0.01]]]))
    K = torch.tensor([[[12.0, 0.0, 7.5, 0.0], [0.0, 12.0, 5.5, 0.0], [0.0, 0.0, 1.0, 0.0],
                       [0.0, 0.0, 0.0, 1.0]]])
    inv_K = torch.linalg.pinv(K)
    backproject, project = m["BackprojectDepth"](1, 12, 16), m["Project3D"](1, 12, 16)
    ssim = m["SSIM"]()
    optimizer = optim.Adam(list(depth_net.parameters()) + [axisangle, translation], lr=1e-3)
    records = []
    for _ in range(steps):
        optimizer.zero_grad()
        disp = depth_net(target)
        _, depth = m["disp_to_depth"](disp, 0.1, 100)
        T = m["transformation_from_parameters"](axisangle[:, 0:1], translation[:, 0:1],
                                                invert=True)
        pix_coords = project(backproject(depth, inv_K), K, T)
        warped = F.grid_sample(source, pix_coords, padding_mode="border", align_corners=True)
        l1 = torch.abs(target - warped).mean(1, True)
        reprojection = 0.85 * ssim(warped, target).mean(1, True) + 0.15 * l1
        mean_disp = disp.mean(2, True).mean(3, True)
        loss = reprojection.mean() + 1e-3 * m["get_smooth_loss"](disp / (mean_disp + 1e-7),
                                                                 target)
        loss.backward()
        records += [warped, loss, axisangle.grad.clone(), translation.grad.clone(),
                    depth_net[1].weight.grad.clone()]
        optimizer.step()
    return records + [p.detach().clone() for p in depth_net.parameters()]


def test_monodepth2_view_synthesis_step_matches_torch(torch) -> None:
    ours, theirs = weight_sync()
    want = train(torch, theirs)
    got = train(None, ours)
    assert_records(got, want)

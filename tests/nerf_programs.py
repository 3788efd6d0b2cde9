"""The NeRF programs ported in ``test_pytorch_ports_tiny_nerf.py``, as their readers write
them, for a library ``torch`` (``implicit_ports_helpers.Library``, ours or PyTorch's): the
PyTorch "tiny_nerf" notebook's functions and model, and nerf-pytorch's ``get_rays``,
``raw2outputs``, ``sample_pdf`` and ``NeRF``. Lines written differently here, and why: see
the test module's docstring.
"""

from typing import Optional

import numpy as np


def tiny_nerf_program(torch):
    def meshgrid_xy(tensor1, tensor2):
        ii, jj = torch.meshgrid(tensor1, tensor2, indexing='ij')
        return ii.transpose(-1, -2), jj.transpose(-1, -2)

    def cumprod_exclusive(tensor):
        cumprod = torch.cumprod(tensor, dim=-1)
        cumprod = torch.roll(cumprod, 1, -1)
        cumprod[..., 0] = 1.
        return cumprod

    def get_ray_bundle(height, width, focal_length, tform_cam2world):
        ii, jj = meshgrid_xy(
            torch.arange(width).to(tform_cam2world),
            torch.arange(height).to(tform_cam2world)
        )
        directions = torch.stack([(ii - width * .5) / focal_length,
                                  -(jj - height * .5) / focal_length,
                                  -torch.ones_like(ii)
                                 ], dim=-1)
        ray_directions = torch.sum(directions[..., None, :] * tform_cam2world[:3, :3], dim=-1)
        ray_origins = tform_cam2world[:3, -1].expand(ray_directions.shape)
        return ray_origins, ray_directions

    def compute_query_points_from_rays(ray_origins, ray_directions, near_thresh, far_thresh,
                                       num_samples, randomize=True):
        depth_values = torch.linspace(near_thresh, far_thresh, num_samples).to(ray_origins)
        if randomize is True:
            noise_shape = list(ray_origins.shape[:-1]) + [num_samples]
            depth_values = depth_values \
                + torch.rand(noise_shape).to(ray_origins) * (far_thresh
                    - near_thresh) / num_samples
        query_points = ray_origins[..., None, :] + ray_directions[..., None, :] * \
            depth_values[..., :, None]
        return query_points, depth_values

    def render_volume_density(radiance_field, ray_origins, depth_values):
        sigma_a = torch.nn.functional.relu(radiance_field[..., 3])
        rgb = torch.sigmoid(radiance_field[..., :3])
        one_e_10 = torch.tensor([1e10], dtype=ray_origins.dtype, device=ray_origins.device)
        dists = torch.cat((depth_values[..., 1:] - depth_values[..., :-1],
                        one_e_10.expand(depth_values[..., :1].shape)), dim=-1)
        alpha = 1. - torch.exp(-sigma_a * dists)
        weights = alpha * cumprod_exclusive(1. - alpha + 1e-10)

        rgb_map = (weights[..., None] * rgb).sum(dim=-2)
        depth_map = (weights * depth_values).sum(dim=-1)
        acc_map = weights.sum(-1)

        return rgb_map, depth_map, acc_map

    def positional_encoding(tensor, num_encoding_functions=6, include_input=True,
                            log_sampling=True):
        encoding = [tensor] if include_input else []
        frequency_bands = None
        if log_sampling:
            frequency_bands = 2.0 ** torch.linspace(
                0.0,
                num_encoding_functions - 1,
                num_encoding_functions,
                dtype=tensor.dtype,
                device=tensor.device,
            )
        else:
            frequency_bands = torch.linspace(
                2.0 ** 0.0,
                2.0 ** (num_encoding_functions - 1),
                num_encoding_functions,
                dtype=tensor.dtype,
                device=tensor.device,
            )

        for freq in frequency_bands:
            for func in [torch.sin, torch.cos]:
                encoding.append(func(tensor * freq))

        if len(encoding) == 1:
            return encoding[0]
        else:
            return torch.cat(encoding, dim=-1)

    class VeryTinyNerfModel(torch.nn.Module):
        def __init__(self, filter_size=128, num_encoding_functions=6):
            super(VeryTinyNerfModel, self).__init__()
            self.layer1 = torch.nn.Linear(3 + 3 * 2 * num_encoding_functions, filter_size)
            self.layer2 = torch.nn.Linear(filter_size, filter_size)
            self.layer3 = torch.nn.Linear(filter_size, 4)
            self.relu = torch.nn.functional.relu

        def forward(self, x):
            x = self.relu(self.layer1(x))
            x = self.relu(self.layer2(x))
            x = self.layer3(x)
            return x

    def get_minibatches(inputs, chunksize: Optional[int] = 1024 * 8):
        return [inputs[i:i + chunksize] for i in range(0, inputs.shape[0], chunksize)]

    return (cumprod_exclusive, get_ray_bundle, compute_query_points_from_rays,
            render_volume_density, positional_encoding, VeryTinyNerfModel, get_minibatches)


def nerf_pytorch_program(torch):
    nn, F = torch.nn, torch.nn.functional

    def get_rays(H, W, K, c2w):
        i, j = torch.meshgrid(torch.linspace(0, W-1, W), torch.linspace(0, H-1, H),
                              indexing='xy')
        dirs = torch.stack([(i-K[0][2])/K[0][0], -(j-K[1][2])/K[1][1], -torch.ones_like(i)], -1)
        # Rotate ray directions from camera frame to the world frame
        rays_d = torch.sum(dirs[..., np.newaxis, :] * c2w[:3,:3], -1)
        # Translate camera frame's origin to the world frame. It is the origin of all rays.
        rays_o = c2w[:3,-1].expand(rays_d.shape)
        return rays_o, rays_d

    def raw2outputs(raw, z_vals, rays_d):
        raw2alpha = lambda raw, dists, act_fn=F.relu: 1.-torch.exp(-act_fn(raw)*dists)  # noqa: E731

        dists = z_vals[...,1:] - z_vals[...,:-1]
        dists = torch.cat([dists, torch.Tensor([1e10]).expand(dists[...,:1].shape)], -1)

        dists = dists * torch.norm(rays_d[...,None,:], dim=-1)

        rgb = torch.sigmoid(raw[...,:3])  # [N_rays, N_samples, 3]
        alpha = raw2alpha(raw[...,3], dists)  # [N_rays, N_samples]
        weights = alpha * torch.cumprod(
            torch.cat([torch.ones((alpha.shape[0], 1)), 1.-alpha + 1e-10], -1), -1)[:, :-1]
        rgb_map = torch.sum(weights[...,None] * rgb, -2)  # [N_rays, 3]

        depth_map = torch.sum(weights * z_vals, -1)
        disp_map = 1./torch.max(1e-10 * torch.ones_like(depth_map),
                                depth_map / torch.sum(weights, -1))
        acc_map = torch.sum(weights, -1)
        return rgb_map, disp_map, acc_map, weights, depth_map

    def sample_pdf(bins, weights, N_samples, det=False):
        # Get pdf
        weights = weights + 1e-5 # prevent nans
        pdf = weights / torch.sum(weights, -1, keepdim=True)
        cdf = torch.cumsum(pdf, -1)
        cdf = torch.cat([torch.zeros_like(cdf[...,:1]), cdf], -1)  # (batch, len(bins))

        # Take uniform samples
        if det:
            u = torch.linspace(0., 1., steps=N_samples)
            u = u.expand(list(cdf.shape[:-1]) + [N_samples])
        else:
            u = torch.rand(list(cdf.shape[:-1]) + [N_samples])

        # Invert CDF
        u = u.contiguous()
        inds = torch.searchsorted(cdf, u, right=True)
        below = torch.max(torch.zeros_like(inds-1), inds-1)
        above = torch.min((cdf.shape[-1]-1) * torch.ones_like(inds), inds)
        inds_g = torch.stack([below, above], -1)  # (batch, N_samples, 2)

        matched_shape = [inds_g.shape[0], inds_g.shape[1], cdf.shape[-1]]
        cdf_g = torch.gather(cdf.unsqueeze(1).expand(matched_shape), 2, inds_g)
        bins_g = torch.gather(bins.unsqueeze(1).expand(matched_shape), 2, inds_g)

        denom = (cdf_g[...,1]-cdf_g[...,0])
        denom = torch.where(denom<1e-5, torch.ones_like(denom), denom)
        t = (u-cdf_g[...,0])/denom
        samples = bins_g[...,0] + t * (bins_g[...,1]-bins_g[...,0])

        return samples

    class NeRF(nn.Module):
        def __init__(self, D=8, W=256, input_ch=3, input_ch_views=3, output_ch=4, skips=[4],
                     use_viewdirs=False):
            super(NeRF, self).__init__()
            self.D = D
            self.W = W
            self.input_ch = input_ch
            self.input_ch_views = input_ch_views
            self.skips = skips
            self.use_viewdirs = use_viewdirs

            self.pts_linears = nn.ModuleList(
                [nn.Linear(input_ch, W)] + [nn.Linear(W, W) if i not in self.skips
                                            else nn.Linear(W + input_ch, W) for i in range(D-1)])
            self.views_linears = nn.ModuleList([nn.Linear(input_ch_views + W, W//2)])
            if use_viewdirs:
                self.feature_linear = nn.Linear(W, W)
                self.alpha_linear = nn.Linear(W, 1)
                self.rgb_linear = nn.Linear(W//2, 3)
            else:
                self.output_linear = nn.Linear(W, output_ch)

        def forward(self, x):
            # nerf-pytorch: torch.split(x, [...], dim=-1) (see the module's docstring)
            input_pts, input_views = x.split([self.input_ch, self.input_ch_views], dim=-1)
            h = input_pts
            for i, l in enumerate(self.pts_linears):  # noqa: E741
                h = self.pts_linears[i](h)
                h = F.relu(h)
                if i in self.skips:
                    h = torch.cat([input_pts, h], -1)

            if self.use_viewdirs:
                alpha = self.alpha_linear(h)
                feature = self.feature_linear(h)
                h = torch.cat([feature, input_views], -1)

                for i, l in enumerate(self.views_linears):  # noqa: E741
                    h = self.views_linears[i](h)
                    h = F.relu(h)

                rgb = self.rgb_linear(h)
                outputs = torch.cat([rgb, alpha], -1)
            else:
                outputs = self.output_linear(h)

            return outputs

    return get_rays, raw2outputs, sample_pdf, NeRF

"""NeRF's "tiny_nerf" notebook in its PyTorch form (the well-known port: positional
encoding with sin/cos of powers of 2, a ray bundle from a camera-to-world pose, stratified
depth samples, a small MLP, volume rendering with alpha = 1 - exp(-sigma delta) and an
exclusive cumprod by ``torch.roll``), and nerf-pytorch's ``get_rays`` (``meshgrid``
with ``indexing='xy'``), ``raw2outputs`` (the exclusive cumprod by ``cat`` with ones) and
hierarchical sampling ``sample_pdf`` (inverse CDF with ``torch.searchsorted`` and
``gather``), ported as their readers write them. Each runs next to PyTorch from the same
weights and draws (float64) on a synthetic 8x8 scene: rendered pixels, losses, PSNR,
samples and gradients agree to 1e-10.

Lines written differently here, and why:
- ``torch.meshgrid(a, b)`` without ``indexing=`` (PyTorch warns it will require it) is
  written with ``indexing='ij'``, what PyTorch does by default: here the two libraries'
  defaults differ (NumPy's is 'xy'), so a named error asks for it;
- ``torch.sort(x, -1)`` is ``torch.sort(x, dim=-1)``: an int by position is NumPy's axis
  (values) or PyTorch's dim (values, indices), so here a named error asks which;
- ``torch.rand`` draws from one NumPy generator in both runs (``Library``) and the model
  starts from PyTorch's weights (``sync``, the test's glue); sizes shrink (8x8 images,
  8 + 16 samples per ray, 16 hidden units).
"""

from typing import Optional

import numpy as np
import pytest

from implicit_ports_helpers import Library, Records, assert_records, weight_sync


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
    F = torch.nn.functional

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

    return get_rays, raw2outputs, sample_pdf


def scene(torch) -> tuple:
    """Two 8x8 RGB images and their camera-to-world poses (a rotation and a translation)."""
    rng = np.random.default_rng(1)
    images = torch.tensor(rng.random((2, 8, 8, 3)))
    c, s = np.cos(0.3), np.sin(0.3)
    poses = torch.tensor([[[1, 0, 0, 0.1], [0, c, -s, 0.2], [0, s, c, 4.0], [0, 0, 0, 1]],
                          [[c, 0, s, 0.3], [0, 1, 0, -0.1], [-s, 0, c, 3.5], [0, 0, 0, 1]]])
    return images, poses, 10.0


def tiny_nerf(torch, sync, record: list) -> None:
    (_, get_ray_bundle, compute_query_points_from_rays, render_volume_density,
     positional_encoding, VeryTinyNerfModel, get_minibatches) = tiny_nerf_program(torch)
    images, tform_cam2world, focal_length = scene(torch)
    height, width = images.shape[1:3]
    near_thresh, far_thresh = 2., 6.
    num_encoding_functions = 6
    encode = lambda x: positional_encoding(x, num_encoding_functions=num_encoding_functions)  # noqa: E731,E501
    depth_samples_per_ray = 8
    chunksize = 128
    lr = 5e-3
    num_iters = 3

    torch.manual_seed(9458)
    model = VeryTinyNerfModel(filter_size=16, num_encoding_functions=num_encoding_functions)
    sync(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    for i in range(num_iters):
        target_img_idx = i % 2  # the notebook: np.random.randint(images.shape[0])
        target_img = images[target_img_idx]
        target_tform_cam2world = tform_cam2world[target_img_idx]

        ray_origins, ray_directions = get_ray_bundle(height, width, focal_length,
                                                     target_tform_cam2world)
        query_points, depth_values = compute_query_points_from_rays(
            ray_origins, ray_directions, near_thresh, far_thresh, depth_samples_per_ray)
        flattened_query_points = query_points.reshape((-1, 3))
        encoded_points = encode(flattened_query_points)
        batches = get_minibatches(encoded_points, chunksize=chunksize)
        predictions = []
        for batch in batches:
            predictions.append(model(batch))
        radiance_field_flattened = torch.cat(predictions, dim=0)
        unflattened_shape = list(query_points.shape[:-1]) + [4]
        radiance_field = torch.reshape(radiance_field_flattened, unflattened_shape)
        rgb_predicted, _, _ = render_volume_density(radiance_field, ray_origins, depth_values)

        loss = torch.nn.functional.mse_loss(rgb_predicted, target_img)
        loss.backward()
        record += [rgb_predicted, loss, model.layer1.weight.grad]
        optimizer.step()
        optimizer.zero_grad()
        psnr = -10. * torch.log10(loss)
        record.append(psnr.item())
    record += [p for p in model.parameters()]


def hierarchical_sampling(torch, sync, record: list) -> None:
    cumprod_exclusive, get_ray_bundle, _, _, positional_encoding, VeryTinyNerfModel, _ = \
        tiny_nerf_program(torch)
    get_rays, raw2outputs, sample_pdf = nerf_pytorch_program(torch)
    images, poses, focal = scene(torch)
    H, W = images.shape[1:3]
    K = torch.tensor([[focal, 0, 0.5*W], [0, focal, 0.5*H], [0, 0, 1]])
    rays_o, rays_d = get_rays(H, W, K, poses[0, :3, :4])
    record += [rays_d, get_ray_bundle(H, W, focal, poses[0])[1]]  # the two spellings agree
    alpha = torch.rand(5, 8)
    record += [cumprod_exclusive(1. - alpha + 1e-10), torch.cumprod(
        torch.cat([torch.ones((5, 1)), 1. - alpha + 1e-10], -1), -1)[:, :-1]]

    torch.manual_seed(0)
    model = VeryTinyNerfModel(filter_size=16)
    sync(model)
    rays_o, rays_d = rays_o.reshape(-1, 3), rays_d.reshape(-1, 3)
    near, far, N_samples, N_importance = 2., 6., 8, 16
    t_vals = torch.linspace(0., 1., steps=N_samples)
    z_vals = near * (1.-t_vals) + far * (t_vals)
    z_vals = z_vals.expand([rays_o.shape[0], N_samples])
    pts = rays_o[...,None,:] + rays_d[...,None,:] * z_vals[...,:,None]
    raw = model(positional_encoding(pts))
    rgb_map, disp_map, acc_map, weights, depth_map = raw2outputs(raw, z_vals, rays_d)
    record += [rgb_map, disp_map, acc_map, depth_map]
    target = images[0].reshape(-1, 3)
    for det in (True, False):
        z_vals_mid = .5 * (z_vals[...,1:] + z_vals[...,:-1])
        z_samples = sample_pdf(z_vals_mid, weights[...,1:-1], N_importance, det=det)
        z_samples = z_samples.detach()

        z_vals_fine, _ = torch.sort(torch.cat([z_vals, z_samples], -1), dim=-1)
        pts = rays_o[...,None,:] + rays_d[...,None,:] * z_vals_fine[...,:,None]
        raw = model(positional_encoding(pts))
        rgb_fine, disp_fine, acc_fine, weights_fine, depth_fine = raw2outputs(
            raw, z_vals_fine, rays_d)
        loss = torch.mean((rgb_fine - target) ** 2) + torch.mean((rgb_map - target) ** 2)
        loss.backward(retain_graph=True)
        record += [z_samples, rgb_fine, loss, model.layer1.weight.grad, model.layer3.bias.grad]
        model.zero_grad()


@pytest.mark.parametrize("program", [tiny_nerf, hierarchical_sampling])
def test_tiny_nerf_matches_pytorch(torch, program) -> None:
    ours, theirs = weight_sync()
    want, got = Records(), Records()
    program(Library(torch), theirs, want)
    program(Library(), ours, got)
    assert_records(got, want)


def test_the_two_ray_spellings_and_exclusive_cumprods_agree() -> None:
    record: list = []
    hierarchical_sampling(Library(), lambda model: None, record)
    np.testing.assert_allclose(record[0].numpy(), record[1].numpy(), rtol=1e-12)
    np.testing.assert_allclose(record[2].numpy(), record[3].numpy(), rtol=1e-12)

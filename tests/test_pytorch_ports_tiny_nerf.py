"""NeRF's "tiny_nerf" notebook in its PyTorch form (the well-known port: positional
encoding with sin/cos of powers of 2, a ray bundle from a camera-to-world pose, stratified
depth samples, a small MLP, volume rendering with alpha = 1 - exp(-sigma delta) and an
exclusive cumprod by ``torch.roll``), and nerf-pytorch's ``get_rays`` (``meshgrid``
with ``indexing='xy'``), ``raw2outputs`` (the exclusive cumprod by ``cat`` with ones) and
hierarchical sampling ``sample_pdf`` (inverse CDF with ``torch.searchsorted`` and
``gather``) and its ``NeRF`` MLP (skip connection, view directions), ported as their
readers write them (the programs: ``nerf_programs.py``). Each runs next to PyTorch from the
same weights and draws (float64) on a synthetic 8x8 scene: rendered pixels, losses, PSNR,
samples and gradients agree to 1e-10.

Lines written differently here, and why:
- ``torch.meshgrid(a, b)`` without ``indexing=`` (PyTorch warns it will require it) is
  written with ``indexing='ij'``, what PyTorch does by default: here the two libraries'
  defaults differ (NumPy's is 'xy'), so a named error asks for it;
- ``torch.sort(x, -1)`` is ``torch.sort(x, dim=-1)``: an int by position is NumPy's axis
  (values) or PyTorch's dim (values, indices), so here a named error asks which;
- nerf-pytorch's ``torch.split(x, [a, b], dim=-1)`` is ``x.split([a, b], dim=-1)``:
  ``autograd.split`` would be NumPy's (split points, not sizes), so it is a named error
  naming the method;
- ``torch.rand`` draws from one NumPy generator in both runs (``Library``) and the model
  starts from PyTorch's weights (``sync``, the test's glue); sizes shrink (8x8 images,
  8 + 16 samples per ray, 16 hidden units).
"""

import numpy as np
import pytest

from implicit_ports_helpers import Library, Records, assert_records, weight_sync
from nerf_programs import nerf_pytorch_program, tiny_nerf_program


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
    get_rays, raw2outputs, sample_pdf, _ = nerf_pytorch_program(torch)
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


def nerf_with_view_directions(torch, sync, record: list) -> None:
    """nerf-pytorch's NeRF MLP (a skip connection, a view-direction branch) fed its
    run_network's way on render_rays' stratified samples, trained two steps with its
    optimizer and learning-rate decay."""
    positional_encoding = tiny_nerf_program(torch)[4]
    get_rays, raw2outputs, _, NeRF = nerf_pytorch_program(torch)
    img2mse = lambda x, y : torch.mean((x - y) ** 2)  # noqa: E731
    mse2psnr = lambda x : -10. * torch.log(x) / torch.log(torch.Tensor([10.]))  # noqa: E731
    images, poses, focal = scene(torch)
    H, W = images.shape[1:3]
    K = torch.tensor([[focal, 0, 0.5*W], [0, focal, 0.5*H], [0, 0, 1]])
    torch.manual_seed(0)
    model = NeRF(D=4, W=16, input_ch=39, input_ch_views=27, skips=[2], use_viewdirs=True)
    sync(model)
    grad_vars = list(model.parameters())
    lrate, lrate_decay = 5e-3, 250
    optimizer = torch.optim.Adam(params=grad_vars, lr=lrate, betas=(0.9, 0.999))
    for global_step in range(2):
        z_vals = torch.linspace(2., 6., steps=8).expand([H * W, 8])
        # render_rays with perturb > 0: get intervals between samples
        mids = .5 * (z_vals[...,1:] + z_vals[...,:-1])
        upper = torch.cat([mids, z_vals[...,-1:]], -1)
        lower = torch.cat([z_vals[...,:1], mids], -1)
        # stratified samples in those intervals
        t_rand = torch.rand(z_vals.shape)
        z_vals = lower + (upper - lower) * t_rand

        rays_o, rays_d = get_rays(H, W, K, poses[global_step, :3, :4])
        rays_o, rays_d = torch.reshape(rays_o, [-1, 3]), torch.reshape(rays_d, [-1, 3])
        viewdirs = rays_d / torch.norm(rays_d, dim=-1, keepdim=True)
        pts = rays_o[...,None,:] + rays_d[...,None,:] * z_vals[...,:,None]
        inputs_flat = torch.reshape(pts, [-1, pts.shape[-1]])
        input_dirs = viewdirs[:,None].expand(pts.shape)
        input_dirs_flat = torch.reshape(input_dirs, [-1, input_dirs.shape[-1]])
        embedded = torch.cat([positional_encoding(inputs_flat),
                              positional_encoding(input_dirs_flat, 4)], -1)
        outputs_flat = model(embedded)
        raw = torch.reshape(outputs_flat, list(pts.shape[:-1]) + [outputs_flat.shape[-1]])
        rgb, disp, acc, weights, depth = raw2outputs(raw, z_vals, rays_d)

        optimizer.zero_grad()
        img_loss = img2mse(rgb, images[global_step].reshape(-1, 3))
        psnr = mse2psnr(img_loss)
        img_loss.backward()
        optimizer.step()
        decay_rate = 0.1
        decay_steps = lrate_decay * 1000
        new_lrate = lrate * (decay_rate ** (global_step / decay_steps))
        for param_group in optimizer.param_groups:
            param_group['lr'] = new_lrate
        record += [z_vals, img_loss, psnr, disp, model.pts_linears[2].weight.grad]
    record += [p for p in model.parameters()]


@pytest.mark.parametrize("program", [tiny_nerf, hierarchical_sampling, nerf_with_view_directions])
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

"""Feature visualisation and DeepDream, gradient ascent on the input image as people write
it in PyTorch, on a small conv net trained briefly on scikit-learn's digits, run step for
step next to PyTorch from the same weights (float64): every loss and image agrees to
1e-10.

Programs: utkuozbulak's ``CNNLayerVisualization`` both ways (a forward hook keeping
``grad_out[0, self.selected_filter]``, and running ``self.model`` layer by layer up to
``selected_layer`` in ``enumerate``), the image optimised by ``Adam([processed_image],
lr=0.1, weight_decay=1e-6)`` on ``loss = -torch.mean(self.conv_output)``;
eriklindernoren's ``deep_dream``: the truncated model ``nn.Sequential(*list(
network.features.children())[: (at_layer + 1)])``, octaves by ``scipy.ndimage.zoom``,
``dream`` with ``loss = out.norm()``, the step normalised by the mean absolute gradient
written on ``image.data += norm_lr * image.grad.data``, ``clip`` writing
``torch.clamp`` of each channel into ``image.data`` and ``deprocess``; and a Lucid-style
loop with random jitter (``torch.roll`` of the image), ``optimizer.step()`` and
``image.clamp_(0, 1)`` under ``torch.no_grad()``.

Lines written differently here, and why (``.data`` is NumPy's array here, by design):
- ``image.grad.data.cpu().numpy()`` is ``image.grad.cpu().numpy()``,
  ``image.cpu().data.numpy()`` is ``image.cpu().detach().numpy()`` and
  ``image.grad.data.zero_()`` is ``image.grad.zero_()`` (NumPy arrays have neither);
  ``image.data += norm_lr * image.grad.data`` and ``clip(image.data)`` run as written;
- ``Variable(Tensor(image), requires_grad=True)`` is ``torch.tensor(image,
  requires_grad=True)`` (``torch.Tensor`` of an array would be float32 in PyTorch);
- utkuozbulak's ``preprocess_image`` (PIL, ImageNet's mean and std) is the same
  normalisation of a gray 8x8 image drawn with ``np.random.uniform(150, 180, ...)``,
  ``Variable(im_as_ten, requires_grad=True)`` is ``.requires_grad_()``;
- the test's glue: PyTorch's initial weights, the same 8 Adam steps in both
  (``interpret_helpers.trained_pair``), the random starting images drawn once in NumPy,
  our ``torch.roll`` shifts (``randint``) replayed on PyTorch's side.
"""

import numpy as np
import pytest

from interpret_helpers import Draws, libraries, numpy_of, trained_pair
from test_pytorch_ports_pinn import assert_same

MEAN, STD = [0.5], [0.25]


def preprocess_image(torch, pil_im):
    """utkuozbulak's preprocess_image for one gray channel: scale to [0, 1], normalise."""
    im_as_arr = np.float64(pil_im)[None] / 255
    for channel, _ in enumerate(im_as_arr):
        im_as_arr[channel] -= MEAN[channel]
        im_as_arr[channel] /= STD[channel]
    im_as_ten = torch.from_numpy(im_as_arr).float().double()
    im_as_ten.unsqueeze_(0)
    return im_as_ten.requires_grad_()  # Variable(im_as_ten, requires_grad=True)


def layer_visualisation(torch, optim, model, selected_layer, selected_filter, start,
                        with_hooks):
    class CNNLayerVisualization():
        def __init__(self, model, selected_layer, selected_filter):
            self.model = model
            self.model.eval()
            self.selected_layer = selected_layer
            self.selected_filter = selected_filter
            self.conv_output = 0
            self.losses = []

        def hook_layer(self):
            def hook_function(module, grad_in, grad_out):
                # Gets the conv output of the selected filter (from selected layer)
                self.conv_output = grad_out[0, self.selected_filter]
            # Hook the selected layer
            return self.model[self.selected_layer].register_forward_hook(hook_function)

        def visualise_layer_with_hooks(self):
            handle = self.hook_layer()
            processed_image = preprocess_image(torch, start)
            optimizer = optim.Adam([processed_image], lr=0.1, weight_decay=1e-6)
            for i in range(1, 6):
                optimizer.zero_grad()
                x = processed_image
                for index, layer in enumerate(self.model):
                    x = layer(x)
                    if index == self.selected_layer:
                        break
                loss = -torch.mean(self.conv_output)
                self.losses.append(loss.item())
                loss.backward()
                optimizer.step()
            handle.remove()
            return processed_image

        def visualise_layer_without_hooks(self):
            processed_image = preprocess_image(torch, start)
            optimizer = optim.Adam([processed_image], lr=0.1, weight_decay=1e-6)
            for i in range(1, 6):
                optimizer.zero_grad()
                x = processed_image
                for index, layer in enumerate(self.model):
                    x = layer(x)
                    if index == self.selected_layer:
                        break
                self.conv_output = x[0, self.selected_filter]
                loss = -torch.mean(self.conv_output)
                self.losses.append(loss.item())
                loss.backward()
                optimizer.step()
            return processed_image

    layer_vis = CNNLayerVisualization(model.features, selected_layer, selected_filter)
    image = (layer_vis.visualise_layer_with_hooks() if with_hooks
             else layer_vis.visualise_layer_without_hooks())
    return [layer_vis.losses, numpy_of(image)]


def deep_dream_program(torch, nn, network, start, at_layer=2, iterations=4, lr=0.05,
                       octave_scale=1.4, num_octaves=2):
    zoom = pytest.importorskip("scipy.ndimage").zoom
    mean, std = np.array(MEAN), np.array(STD)
    losses = []

    def clip(image_tensor):
        for c in range(1):
            m, s = mean[c], std[c]
            image_tensor[0, c] = torch.clamp(image_tensor[0, c], -m / s, (1 - m) / s)
        return image_tensor

    def dream(image, model, iterations, lr):
        """Updates the image to maximize outputs for n iterations"""
        image = torch.tensor(image, requires_grad=True)  # see the top
        for i in range(iterations):
            model.zero_grad()
            out = model(image)
            loss = out.norm()
            losses.append(loss.item())
            loss.backward()
            avg_grad = np.abs(image.grad.cpu().numpy()).mean()  # see the top
            norm_lr = lr / avg_grad
            image.data += norm_lr * image.grad.data
            image.data = clip(image.data)
            image.grad.zero_()  # image.grad.data.zero_(): see the top
        return image.cpu().detach().numpy()  # image.cpu().data.numpy(): see the top

    def deep_dream(image, model, iterations, lr, octave_scale, num_octaves):
        """Main deep dream method"""
        image = ((image - mean) / std)[None, None]
        # Extract image representations for each octave
        octaves = [image]
        for _ in range(num_octaves - 1):
            octaves.append(zoom(octaves[-1], (1, 1, 1 / octave_scale, 1 / octave_scale),
                                order=1))
        detail = np.zeros_like(octaves[-1])
        for octave, octave_base in enumerate(octaves[::-1]):
            if octave > 0:
                # Upsample detail to new octave dimension
                detail = zoom(detail, np.array(octave_base.shape) / np.array(detail.shape),
                              order=1)
            # Add deep dream detail from previous octave to new base
            input_image = octave_base + detail
            # Get new deep dream image
            dreamed_image = dream(input_image, model, iterations, lr)
            # Extract deep dream details
            detail = dreamed_image - octave_base
        return dreamed_image * std + mean

    layers = list(network.features.children())
    model = nn.Sequential(*layers[: (at_layer + 1)])
    dreamed = deep_dream(start, model, iterations, lr, octave_scale, num_octaves)
    return [losses, dreamed]


def jitter_visualisation(torch, optim, model, start, unit=7, steps=5):
    image = torch.tensor(start[None, None]).requires_grad_(True)
    optimizer = optim.Adam([image], lr=0.05)
    losses = []
    for step in range(steps):
        ox, oy = torch.randint(-1, 2, (2,)).tolist()
        jittered = torch.roll(image, shifts=(ox, oy), dims=(2, 3))
        optimizer.zero_grad()
        loss = -model(jittered)[0, unit] + 1e-3 * image.pow(2).sum()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            image.clamp_(0, 1)
        losses.append(loss.item())
    return [losses, numpy_of(image)]


def program(T, optim, model, starts):
    torch, nn, _, _ = T
    record = []
    for with_hooks in (True, False):
        record.append(layer_visualisation(torch, optim, model, 2, 5, starts[0], with_hooks))
    record.append(deep_dream_program(torch, nn, model, starts[1]))
    record.append(jitter_visualisation(torch, optim, model, starts[1]))
    return record


def test_feature_visualisation_and_deep_dream_run_step_for_step_as_pytorch(torch):
    ours, theirs, images, _ = trained_pair(torch)
    rng = np.random.default_rng(0)
    starts = [np.uint8(rng.uniform(150, 180, (8, 8))), images[7, 0]]
    draws = []
    T = libraries()
    got = program((Draws(T[0], draws=draws), *T[1:]), T[1].optim, ours, starts)
    T = libraries(torch)
    want = program((Draws(T[0], replay=draws), *T[1:]), torch.optim, theirs, starts)
    assert draws == []
    assert_same(got, want)
    assert got[0][0][-1] < got[0][0][0] and got[2][0][-1] > got[2][0][0]

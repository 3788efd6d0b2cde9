"""Grad-CAM, Grad-CAM++, guided backpropagation and guided Grad-CAM as people write them
with PyTorch's hooks, on a small conv net trained briefly on scikit-learn's digits, run
step for step next to PyTorch from the same weights (float64): every map agrees to 1e-10.

Programs: a ``GradCAM`` class saving the target layer's activations with
``register_forward_hook`` (``output.detach()``) and its output gradient with
``register_full_backward_hook`` (``grad_output[0].detach()``), the one-hot seed built by
``one_hot.scatter_(1, class_idx.unsqueeze(1), 1.0)`` and ``output.backward(gradient=
one_hot)``, the weights ``gradients.mean(dim=(2, 3), keepdim=True)``, ``F.relu``,
``F.interpolate(..., mode='bilinear', align_corners=False)`` and the per-image min-max
scaling; the same through ``output.register_hook`` called inside the forward hook
(pytorch-grad-cam's ``ActivationsAndGradients``), with Grad-CAM++'s weights (``grads **
2``, ``grads ** 3``, ``torch.where``) and the map resized by ``F.upsample(...,
mode='bilinear')``, the deprecated name older code uses (warned in both); utkuozbulak's
``GuidedBackprop`` (``update_relus`` over ``model.features._modules.items()``, ReLU
forward hooks keeping the outputs and backward hooks returning
``(corresponding_forward_output * torch.clamp(grad_in[0], min=0.0),)`` after
``corresponding_forward_output[corresponding_forward_output > 0] = 1``, the first
layer's hook keeping ``grad_in[0]``, ``torch.zeros(1, n)`` one-hot with
``one_hot_output[0][target_class] = 1``), once with the deprecated
``register_backward_hook`` its readers copy and once with ``register_full_backward_hook``;
guided Grad-CAM (``np.multiply(cam, guided_grads)``).

Fixed for it: ``register_backward_hook`` (guided backpropagation's hook on the ReLUs) and
``F.upsample`` were AttributeErrors here.

Lines written differently here, and why:
- ``self.gradients.data.numpy()[0]``: ``.data`` is NumPy's array here, so
  ``self.gradients.numpy()[0]``;
- the first layer (a Conv2d) takes ``register_full_backward_hook``: PyTorch's deprecated
  ``register_backward_hook`` on a module with parameters gives its last operation's
  gradients, a named error here (on the ReLUs, which own none, it runs as PyTorch's);
- ``torch.FloatTensor(1, n).zero_()`` is ``torch.zeros(1, n)`` (float64 in both runs);
- the test's glue: PyTorch's initial weights, the same 8 Adam steps in both
  (``interpret_helpers.trained_pair``).
"""

import copy

import numpy as np
import pytest

from interpret_helpers import libraries, numpy_of, trained_pair
from test_pytorch_ports_pinn import assert_same

pytestmark = pytest.mark.filterwarnings("ignore:`nn.functional.upsample` is deprecated")


def grad_cam(torch, F, model, x, target_layer):
    class GradCAM:
        def __init__(self, model, target_layer):
            self.model = model
            self.gradients = None
            self.activations = None
            self.handles = [target_layer.register_forward_hook(self.save_activation),
                            target_layer.register_full_backward_hook(self.save_gradient)]

        def save_activation(self, module, input, output):
            self.activations = output.detach()

        def save_gradient(self, module, grad_input, grad_output):
            self.gradients = grad_output[0].detach()

        def __call__(self, x, class_idx=None):
            self.model.zero_grad()
            output = self.model(x)
            if class_idx is None:
                class_idx = output.argmax(dim=1)
            one_hot = torch.zeros_like(output)
            one_hot.scatter_(1, class_idx.unsqueeze(1), 1.0)
            output.backward(gradient=one_hot)
            weights = self.gradients.mean(dim=(2, 3), keepdim=True)
            cam = (weights * self.activations).sum(dim=1, keepdim=True)
            cam = F.relu(cam)
            cam = F.interpolate(cam, size=x.shape[2:], mode='bilinear', align_corners=False)
            flat = cam.view(cam.size(0), -1)
            cam_min = flat.min(dim=1)[0].view(-1, 1, 1, 1)
            cam_max = flat.max(dim=1)[0].view(-1, 1, 1, 1)
            cam = (cam - cam_min) / (cam_max - cam_min + 1e-8)
            return cam, class_idx

        def remove(self):
            for handle in self.handles:
                handle.remove()

    cam = GradCAM(model, target_layer)
    maps, classes = cam(x)
    maps_for_3, _ = cam(x, torch.full((len(x),), 3, dtype=torch.long))
    cam.remove()
    return [numpy_of(maps), numpy_of(classes), numpy_of(maps_for_3),
            numpy_of(cam.gradients), numpy_of(cam.activations)]


def grad_cam_plus_plus(torch, F, model, x, target_layer):
    """Activations and gradients caught by a tensor hook registered in a forward hook."""
    class ActivationsAndGradients:
        def __init__(self, model, target_layer):
            self.model = model
            self.gradients = []
            self.activations = []
            self.handle = target_layer.register_forward_hook(self.save_activation)

        def save_activation(self, module, input, output):
            self.activations.append(output.cpu().detach())

            def _store_grad(grad):
                self.gradients = [grad.cpu().detach()] + self.gradients
            output.register_hook(_store_grad)

        def __call__(self, x):
            self.gradients = []
            self.activations = []
            return self.model(x)

    catcher = ActivationsAndGradients(model, target_layer)
    outputs = catcher(x)
    targets = outputs.argmax(dim=1)
    model.zero_grad()
    loss = sum([outputs[i, targets[i]] for i in range(len(x))])
    loss.backward(retain_graph=True)
    catcher.handle.remove()
    activations, grads = catcher.activations[0], catcher.gradients[0]
    grads_power_2 = grads ** 2
    grads_power_3 = grads_power_2 * grads
    sum_activations = torch.sum(activations, dim=(2, 3))
    aij = grads_power_2 / (2 * grads_power_2 + sum_activations[:, :, None, None] *
                           grads_power_3 + 1e-7)
    aij = torch.where(grads != 0, aij, torch.zeros_like(aij))
    weights = torch.clamp(grads, min=0) * aij
    weights = torch.sum(weights, dim=(2, 3))
    cam = torch.relu((weights[:, :, None, None] * activations).sum(dim=1))
    # the older spelling of the resize (kazuto1011/grad-cam-pytorch before interpolate)
    upsampled = F.upsample(cam.unsqueeze(1), size=x.shape[2:], mode='bilinear',
                           align_corners=False)
    return [numpy_of(loss), numpy_of(grads), numpy_of(weights), numpy_of(cam),
            numpy_of(upsampled)]


def guided_backprop(torch, nn, model, images, target_class, legacy):
    ReLU = nn.ReLU

    class GuidedBackprop():
        def __init__(self, model):
            self.model = model
            self.gradients = None
            self.forward_relu_outputs = []
            self.model.eval()
            self.update_relus()
            self.hook_layers()

        def hook_layers(self):
            def hook_function(module, grad_in, grad_out):
                self.gradients = grad_in[0]
            # Register hook to the first layer
            first_layer = list(self.model.features._modules.items())[0][1]
            first_layer.register_full_backward_hook(hook_function)  # see the top

        def update_relus(self):
            def relu_backward_hook_function(module, grad_in, grad_out):
                corresponding_forward_output = self.forward_relu_outputs[-1]
                corresponding_forward_output[corresponding_forward_output > 0] = 1
                modified_grad_out = corresponding_forward_output * torch.clamp(grad_in[0],
                                                                               min=0.0)
                del self.forward_relu_outputs[-1]  # Remove last forward output
                return (modified_grad_out,)

            def relu_forward_hook_function(module, ten_in, ten_out):
                self.forward_relu_outputs.append(ten_out)

            for pos, module in self.model.features._modules.items():
                if isinstance(module, ReLU):
                    if legacy:
                        module.register_backward_hook(relu_backward_hook_function)
                    else:
                        module.register_full_backward_hook(relu_backward_hook_function)
                    module.register_forward_hook(relu_forward_hook_function)

        def generate_gradients(self, input_image, target_class):
            model_output = self.model(input_image)
            self.model.zero_grad()
            one_hot_output = torch.zeros(1, model_output.size()[-1])  # see the top
            one_hot_output[0][target_class] = 1
            model_output.backward(gradient=one_hot_output)
            gradients_as_arr = self.gradients.numpy()[0]  # .data.numpy(): see the top
            return gradients_as_arr

    GBP = GuidedBackprop(model)
    record = []
    for image in images:
        prep_img = torch.tensor(image[None]).requires_grad_()
        guided_grads = GBP.generate_gradients(prep_img, target_class)
        record.append(guided_grads)
        assert GBP.forward_relu_outputs == []
    return record


def program(T, ours_or_theirs, images):
    torch, nn, F, _ = T
    model = ours_or_theirs
    x = torch.tensor(images[:6])
    record = [grad_cam(torch, F, model, x, model.features[2]),
              grad_cam_plus_plus(torch, F, model, x, model.features[3])]
    cams = record[0][0]
    for legacy in (True, False):
        guided = guided_backprop(torch, nn, copy.deepcopy(model), images[:3], 4, legacy)
        record.append(guided)
        record.append([np.multiply(cams[i, 0], guided[i][0]) for i in range(3)])
    return record


def test_grad_cam_and_guided_backprop_run_step_for_step_as_pytorch(torch):
    ours, theirs, images, labels = trained_pair(torch)
    got = program(libraries(), ours, images)
    want = program(libraries(torch), theirs, images)
    assert_same(got, want)
    assert np.abs(got[2][0]).max() > 0 and (got[0][0] >= 0).all()

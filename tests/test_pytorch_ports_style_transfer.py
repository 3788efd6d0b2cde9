"""PyTorch's tutorial "Neural Transfer Using PyTorch" (Alexis Jacq), ported as its readers
write it. The program is written once for a library ``torch`` (``autograd`` here, PyTorch
there) with its ``nn``, ``F`` and ``optim``, and runs step for step next to PyTorch's from
the same weights and images (float64): the style and content losses, the image's gradient
and the image after each L-BFGS step agree to 1e-10.

Lines written differently here, and why:
- VGG19's pretrained weights and the photos cannot be downloaded: ``cnn`` is a small
  ``nn.Sequential`` of ``Conv2d``/``ReLU(inplace=True)``/``MaxPool2d`` built like
  ``vgg19().features`` (randomly initialised by PyTorch, its state dict loaded here), and
  the style and content "images" are generated 16x16 RGB arrays;
- the tutorial swaps ``cnn``'s ``ReLU(inplace=True)`` for ``ReLU(inplace=False)`` because
  PyTorch's backward then refuses (a style loss saved the conv output the ReLU overwrote);
  ``ReLU(inplace=True)`` writes into its input here too, but the engine keeps the values
  the style loss's ``mm`` saved, so keeping it runs and gives the out-of-place gradient
  (``test_inplace_relu_after_a_style_loss``).
- ``loader``/``unloader`` (torchvision) and the plots: the images are NumPy arrays and
  ``imshow`` records what it would show.
"""

import copy

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def small_features(nn_lib):
    """A stand-in for ``vgg19().features``: conv/ReLU(inplace)/pool blocks, 3 -> 4 channels."""
    return nn_lib.Sequential(
        nn_lib.Conv2d(3, 4, kernel_size=3, padding=1), nn_lib.ReLU(inplace=True),
        nn_lib.Conv2d(4, 4, kernel_size=3, padding=1), nn_lib.ReLU(inplace=True),
        nn_lib.MaxPool2d(kernel_size=2, stride=2),
        nn_lib.Conv2d(4, 5, kernel_size=3, padding=1), nn_lib.ReLU(inplace=True),
        nn_lib.Conv2d(5, 5, kernel_size=3, padding=1), nn_lib.ReLU(inplace=True),
        nn_lib.MaxPool2d(kernel_size=2, stride=2),
        nn_lib.Conv2d(5, 6, kernel_size=3, padding=1), nn_lib.ReLU(inplace=True),
        nn_lib.Conv2d(6, 6, kernel_size=3, padding=1), nn_lib.ReLU(inplace=True),
    )


def images() -> tuple:
    """(style, content): generated 1x3x16x16 images in [0, 1], a stripe pattern and a blob."""
    rng = np.random.default_rng(18)
    y, x = np.mgrid[0:16, 0:16] / 15.0
    style = np.stack([0.5 + 0.5 * np.sin(6 * x + c) for c in range(3)])
    style = np.clip(style + 0.1 * rng.standard_normal(style.shape), 0, 1)
    content = np.stack([np.exp(-((x - 0.5) ** 2 + (y - 0.4) ** 2) * (4 + c)) for c in range(3)])
    return style[None], content[None]


def neural_transfer(torch, nn, F, optim, cnn, style_np, content_np, record: list,
                    num_steps: int = 3) -> None:
    """The tutorial's program from the loss modules to the optimisation loop."""
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.set_default_device(device)

    def image_loader(array):
        # the tutorial: loader(Image.open(name)).unsqueeze(0) (a 3xHxW tensor in [0, 1]);
        # torch.float64 for its torch.float, to compare in float64
        image = torch.tensor(array[0])
        return image.unsqueeze(0).to(device, torch.float64)

    style_img = image_loader(style_np)
    content_img = image_loader(content_np)
    assert style_img.size() == content_img.size(), \
        "we need to import style and content images of the same size"

    def imshow(tensor, title=None):
        image = tensor.cpu().clone()  # we clone the tensor to not do changes on it
        image = image.squeeze(0)      # remove the fake batch dimension
        record.extend([title, image])  # the tutorial: plt.imshow(unloader(image))

    imshow(style_img, title='Style Image')
    imshow(content_img, title='Content Image')

    class ContentLoss(nn.Module):

        def __init__(self, target,):
            super(ContentLoss, self).__init__()
            # we 'detach' the target content from the tree used
            # to dynamically compute the gradient: this is a stated value,
            # not a variable.
            self.target = target.detach()

        def forward(self, input):
            self.loss = F.mse_loss(input, self.target)
            return input

    def gram_matrix(input):
        a, b, c, d = input.size()  # a=batch size(=1)
        features = input.view(a * b, c * d)  # resize F_XL into \hat F_XL
        G = torch.mm(features, features.t())  # compute the gram product
        # 'normalize' by dividing by the number of elements in each feature map
        return G.div(a * b * c * d)

    class StyleLoss(nn.Module):

        def __init__(self, target_feature):
            super(StyleLoss, self).__init__()
            self.target = gram_matrix(target_feature).detach()

        def forward(self, input):
            G = gram_matrix(input)
            self.loss = F.mse_loss(G, self.target)
            return input

    cnn_normalization_mean = torch.tensor([0.485, 0.456, 0.406])
    cnn_normalization_std = torch.tensor([0.229, 0.224, 0.225])

    class Normalization(nn.Module):
        def __init__(self, mean, std):
            super(Normalization, self).__init__()
            # .view the mean and std to make them [C x 1 x 1] so that they can
            # directly work with image Tensor of shape [B x C x H x W].
            self.mean = torch.tensor(mean).view(-1, 1, 1)
            self.std = torch.tensor(std).view(-1, 1, 1)

        def forward(self, img):
            # normalize img
            return (img - self.mean) / self.std

    content_layers_default = ['conv_4']
    style_layers_default = ['conv_1', 'conv_2', 'conv_3', 'conv_4', 'conv_5']

    def get_style_model_and_losses(cnn, normalization_mean, normalization_std,
                                   style_img, content_img,
                                   content_layers=content_layers_default,
                                   style_layers=style_layers_default):
        cnn = copy.deepcopy(cnn)
        # normalization module
        normalization = Normalization(normalization_mean, normalization_std)
        content_losses = []
        style_losses = []
        model = nn.Sequential(normalization)

        i = 0  # increment every time we see a conv
        for layer in cnn.children():
            if isinstance(layer, nn.Conv2d):
                i += 1
                name = 'conv_{}'.format(i)
            elif isinstance(layer, nn.ReLU):
                name = 'relu_{}'.format(i)
                # the in-place version does not play nicely with the losses inserted below
                layer = nn.ReLU(inplace=False)
            elif isinstance(layer, nn.MaxPool2d):
                name = 'pool_{}'.format(i)
            elif isinstance(layer, nn.BatchNorm2d):
                name = 'bn_{}'.format(i)
            else:
                raise RuntimeError('Unrecognized layer: {}'.format(layer.__class__.__name__))

            model.add_module(name, layer)

            if name in content_layers:
                # add content loss:
                target = model(content_img).detach()
                content_loss = ContentLoss(target)
                model.add_module("content_loss_{}".format(i), content_loss)
                content_losses.append(content_loss)

            if name in style_layers:
                # add style loss:
                target_feature = model(style_img).detach()
                style_loss = StyleLoss(target_feature)
                model.add_module("style_loss_{}".format(i), style_loss)
                style_losses.append(style_loss)

        # now we trim off the layers after the last content and style losses
        for i in range(len(model) - 1, -1, -1):
            if isinstance(model[i], ContentLoss) or isinstance(model[i], StyleLoss):
                break

        model = model[:(i + 1)]
        return model, style_losses, content_losses

    input_img = content_img.clone()
    imshow(input_img, title='Input Image')

    def get_input_optimizer(input_img):
        # this line to show that input is a parameter that requires a gradient
        optimizer = optim.LBFGS([input_img])
        return optimizer

    def run_style_transfer(cnn, normalization_mean, normalization_std,
                           content_img, style_img, input_img, num_steps=300,
                           style_weight=1000000, content_weight=1):
        """Run the style transfer."""
        model, style_losses, content_losses = get_style_model_and_losses(
            cnn, normalization_mean, normalization_std, style_img, content_img)
        record.append([name for name, _ in model.named_children()])
        record.append(str(model))

        # We want to optimize the input and not the model parameters so we
        # update all the requires_grad fields accordingly
        input_img.requires_grad_(True)
        # We also put the model in evaluation mode, so that specific layers
        # such as dropout or batch normalization layers behave correctly.
        model.eval()
        model.requires_grad_(False)

        optimizer = get_input_optimizer(input_img)

        run = [0]
        while run[0] <= num_steps:

            def closure():
                # correct the values of updated input image
                with torch.no_grad():
                    input_img.clamp_(0, 1)

                optimizer.zero_grad()
                model(input_img)
                style_score = 0
                content_score = 0

                for sl in style_losses:
                    style_score += sl.loss
                for cl in content_losses:
                    content_score += cl.loss

                style_score *= style_weight
                content_score *= content_weight

                loss = style_score + content_score
                loss.backward()

                run[0] += 1
                record.extend([run[0], style_score.item(), content_score.item(),
                               input_img.grad.detach().clone()])

                return style_score + content_score

            optimizer.step(closure)
            record.append(input_img.detach().clone())

        # a last correction...
        with torch.no_grad():
            input_img.clamp_(0, 1)

        return input_img

    output = run_style_transfer(cnn, cnn_normalization_mean, cnn_normalization_std,
                                content_img, style_img, input_img, num_steps=num_steps)
    imshow(output, title='Output Image')


def to_numpy(value):
    if hasattr(value, "detach"):
        return value.detach().numpy().copy()
    return value


def assert_records(got: list, want: list, rtol: float = 1e-10) -> None:
    """Equal records; numbers to ``rtol`` of each array's largest entry (style_weight=1e6
    makes gradients of ~1e2 whose near-zero entries carry ~1e-11 of rounding)."""
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = to_numpy(a), to_numpy(b)
        if a is None or isinstance(a, (str, list, int)) and not isinstance(a, bool):
            assert a == b, f"record {i}: {a!r} != {b!r}"
            continue
        a, b = np.asarray(a, float), np.asarray(b, float)
        atol = rtol * max(float(np.max(np.abs(b), initial=0.0)), 1e-2)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"record {i}")


def test_neural_transfer_matches_pytorch(torch) -> None:
    import warnings

    style_np, content_np = images()
    torch.manual_seed(0)
    their_cnn = small_features(torch.nn).eval()
    state = {k: v.detach().numpy().copy() for k, v in their_cnn.state_dict().items()}
    our_cnn = small_features(nn).eval()
    our_cnn.load_state_dict(state)

    want, got = [], []
    with warnings.catch_warnings():  # torch.tensor(a tensor) warns there, as in the tutorial
        warnings.simplefilter("ignore", UserWarning)
        try:
            neural_transfer(*libraries(torch), their_cnn, style_np, content_np, want)
        finally:  # the program's set_default_device: PyTorch's default again for others
            torch.set_default_device(None)
    neural_transfer(*libraries(), our_cnn, style_np, content_np, got)
    assert len(want) > 20  # several L-BFGS evaluations per step
    assert_records(got, want)


def test_inplace_relu_after_a_style_loss(torch) -> None:
    """The tutorial's reason for ``ReLU(inplace=False)``: a ``StyleLoss`` saves the conv
    output (``torch.mm(features, features.t())``) that an in-place ReLU then overwrites.
    PyTorch's backward refuses; here the ReLU writes into ``h`` too, but the graph kept
    the values ``mm`` saved, and the gradient is the out-of-place program's (PyTorch's,
    with ``inplace=False``)."""
    import pytest

    x = images()[1]
    grads = []
    for T, N, F, inplace in ((ag, nn, nn_F, True), (torch, torch.nn, torch.nn.functional, False),
                             (torch, torch.nn, torch.nn.functional, True)):
        torch.manual_seed(0)
        their_conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        conv = their_conv
        if T is ag:
            conv = nn.Conv2d(3, 4, 3, padding=1)
            conv.load_state_dict({k: v.detach().numpy() for k, v in
                                  their_conv.state_dict().items()})
        img = T.tensor(x).requires_grad_(True)
        h = conv(img)
        features = h.view(4, 16 * 16)
        style = F.mse_loss(T.mm(features, features.t()).div(4 * 16 * 16), T.zeros(4, 4))
        loss = style + N.ReLU(inplace=inplace)(h).sum()
        if T is torch and inplace:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                loss.backward()
            continue
        loss.backward()
        grads.append(img.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-14)

"""Stanford CS231n, assignment 3's ``StyleTransfer-PyTorch.ipynb`` (its own program, not
PyTorch's tutorial, which ``test_pytorch_ports_style_transfer.py`` ports), as students
write it: ``extract_features`` over ``cnn._modules.values()``, ``content_loss``,
``gram_matrix`` (``features.view(N, C, H * W)``, ``torch.bmm`` with ``permute(0, 2, 1)``,
``gram /= (H * W * C)``), ``style_loss``, ``tv_loss`` by slice differences, and
``style_transfer``: a frozen ``cnn.type(dtype)``, the image from ``torch.Tensor(
content_img.size()).uniform_(0, 1).type(dtype)`` or a clone of the content, Adam on
``[img]``, the clamp before each step and the optimizer replaced at ``decay_lr_at``. A
small SqueezeNet-like ``features`` with random weights and 3-channel 8x8 digits stand in
for the pretrained network and the photos; every loss and image agrees with PyTorch
(float64) to 1e-10.

Lines written differently here, and why:
- ``img.data.clamp_(-1.5, 1.5)``: ``.data`` is the NumPy array here (by design), so
  ``img.clamp_(-1.5, 1.5)`` under ``torch.no_grad()``, which is what ``.data`` means in
  PyTorch;
- ``dtype = torch.FloatTensor`` is ``torch.DoubleTensor`` in both runs, for the comparison;
- the test's glue: both networks hold our weights, and ``uniform_`` draws ours (replayed
  on PyTorch's side).
"""

import numpy as np

from cs231n_helpers import colour_digits, libraries
from interpret_helpers import numpy_of


def features_net(nn):
    """``squeezenet1_1().features`` in miniature."""
    return nn.Sequential(
        nn.Conv2d(3, 6, kernel_size=3, stride=1, padding=1), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True),
        nn.Conv2d(6, 8, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(8, 8, kernel_size=1), nn.ReLU(inplace=True))


def style_transfer_program(torch, optim, cnn, dtype, uniform, record):
    """The notebook's functions and the two ``style_transfer`` runs."""

    def extract_features(x, cnn):
        features = []
        prev_feat = x
        for i, module in enumerate(cnn._modules.values()):
            next_feat = module(prev_feat)
            features.append(next_feat)
            prev_feat = next_feat
        return features

    def content_loss(content_weight, content_current, content_original):
        return content_weight * torch.sum((content_current - content_original) ** 2)

    def gram_matrix(features, normalize=True):
        N, C, H, W = features.size()
        features = features.view(N, C, H * W)
        gram = torch.bmm(features, features.permute(0, 2, 1))
        if normalize:
            gram /= (H * W * C)
        return gram

    def style_loss(feats, style_layers, style_targets, style_weights):
        loss = 0
        for i, layer in enumerate(style_layers):
            loss += style_weights[i] * torch.sum(
                (gram_matrix(feats[layer]) - style_targets[i]) ** 2)
        return loss

    def tv_loss(img, tv_weight):
        h = torch.sum((img[:, :, 1:, :] - img[:, :, :-1, :]) ** 2)
        w = torch.sum((img[:, :, :, 1:] - img[:, :, :, :-1]) ** 2)
        return tv_weight * (h + w)

    def style_transfer(content_img, style_img, content_layer, content_weight,
                       style_layers, style_weights, tv_weight, init_random=False):
        # Extract features for the content image
        feats = extract_features(content_img, cnn)
        content_target = feats[content_layer].clone()
        # Extract features for the style image
        feats = extract_features(style_img, cnn)
        style_targets = []
        for idx in style_layers:
            style_targets.append(gram_matrix(feats[idx].clone()))
        # Initialize output image to content image or noise
        if init_random:
            img = uniform(torch.Tensor(content_img.size()), 0, 1).type(dtype)
        else:
            img = content_img.clone().type(dtype)
        # We do want the gradient computed on our image!
        img.requires_grad_()
        # Set up optimization hyperparameters
        initial_lr = 3.0
        decayed_lr = 0.1
        decay_lr_at = 4
        optimizer = optim.Adam([img], lr=initial_lr)
        for t in range(6):
            if t < 5:
                with torch.no_grad():  # img.data.clamp_(-1.5, 1.5): see the top
                    img.clamp_(-1.5, 1.5)
            optimizer.zero_grad()
            feats = extract_features(img, cnn)
            # Compute loss
            c_loss = content_loss(content_weight, feats[content_layer], content_target)
            s_loss = style_loss(feats, style_layers, style_targets, style_weights)
            t_loss = tv_loss(img, tv_weight)
            loss = c_loss + s_loss + t_loss
            loss.backward()
            record.extend([c_loss.item(), s_loss.item(), t_loss.item(), img.grad])
            # Perform gradient descents on our image values
            if t == decay_lr_at:
                optimizer = optim.Adam([img], lr=decayed_lr)
            optimizer.step()
        record.append(img)

    images, _ = colour_digits(2)
    content_img = torch.tensor((images[:1] - 0.5) / 0.25)
    style_img = torch.tensor((images[1:] - 0.5) / 0.25)
    params = {'content_layer': 3, 'content_weight': 5e-2, 'style_layers': (1, 4, 6),
              'style_weights': (20000, 500, 12), 'tv_weight': 5e-2}
    style_transfer(content_img, style_img, **params)
    style_transfer(content_img, style_img, init_random=True, **params)


def run(torch=None, weights=None, draws=None):
    """The notebook in one library; ours first (its weights and draws for PyTorch's)."""
    T, nn, _, optim, _ = libraries(torch)
    cnn = features_net(nn)
    dtype = T.DoubleTensor  # torch.FloatTensor in the notebook: see the top
    if torch is None:
        weights.update({k: v.numpy().copy() for k, v in cnn.state_dict().items()})

        def uniform(tensor, low, high):
            draws.append(tensor.uniform_(low, high).numpy().copy())
            return tensor
    else:
        cnn.load_state_dict({k: T.tensor(v) for k, v in weights.items()})
        replay = list(draws)

        def uniform(tensor, low, high):
            return tensor.copy_(T.tensor(replay.pop(0)))
    cnn.type(dtype)
    # We don't want to train the model any further, so we don't want PyTorch to waste
    # computation computing gradients on parameters we're never going to update.
    for param in cnn.parameters():
        param.requires_grad = False
    record = []
    style_transfer_program(T, optim, cnn, dtype, uniform, record)
    return [numpy_of(v) for v in record]


def test_style_transfer_matches_pytorch(torch):
    weights, draws = {}, []
    ours = run(None, weights, draws)
    theirs = run(torch, weights, draws)
    assert len(ours) == len(theirs) == 2 * (6 * 4 + 1)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert np.isfinite(a).all(), f"record {i}"
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")

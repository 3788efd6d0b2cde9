"""Stanford CS231n, assignment 3's ``Network_Visualization.ipynb`` with its
``cs231n/net_visualization_pytorch.py``, ported as students write it: saliency maps
(``scores.gather(1, y.view(-1, 1)).squeeze()``, ``backward(torch.ones(...))``,
``torch.max(X.grad.abs(), dim=1)``), fooling images (gradient ascent on ``scores[0,
target_y]`` with the step ``grad / grad.norm()`` until ``scores.max(dim=1)`` says
``target_y``), class visualization (``jitter`` by ``torch.cat`` of slices, the L2 penalty
``l2_reg * img.norm() ** 2``, ``blur_image`` through SciPy's ``gaussian_filter1d`` and
``X.copy_(torch.Tensor(X_np).type_as(X))``, the per-channel ``clamp_``,
``model.type(dtype)``, ``random.randint`` jitters), on a small SqueezeNet-shaped network
with frozen weights (``param.requires_grad = False``) and 3-channel 8x8 digits. Everything
runs next to PyTorch (float64) and agrees to 1e-10.

Lines written differently here, and why:
- ``X.grad.data.abs()``, ``X_fooling.grad.data.norm()``, ``img.data.copy_(...)``,
  ``img.data[:, c].clamp_(...)``: ``.data`` is the NumPy array here (by design), so the
  updates are written on the tensor under ``torch.no_grad()``, which is what ``.data``
  means in PyTorch (a write autograd does not record);
- ``dtype = torch.FloatTensor`` is ``torch.DoubleTensor`` in both runs, for the comparison;
- ``preprocess(Image.fromarray(x))`` (PIL and torchvision) is the normalisation by
  ``SQUEEZENET_MEAN``/``SQUEEZENET_STD`` it does, on arrays;
- the test's glue: both networks hold our weights, and ``torch.randn`` is ours replayed on
  PyTorch's side (``RandomDraws``).
"""

import random

import numpy as np
import pytest

from cs231n_helpers import RandomDraws, colour_digits, libraries
from interpret_helpers import numpy_of

SQUEEZENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
SQUEEZENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def squeezenet(torch, nn):
    """torchvision's SqueezeNet 1.1 in miniature: features, then a classifier of dropout,
    a 1x1 convolution to the 10 classes, ReLU and global average pooling."""

    class SqueezeNet(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 8, kernel_size=3, stride=1, padding=1), nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True),
                nn.Conv2d(8, 12, kernel_size=3, padding=1), nn.ReLU(inplace=True))
            self.classifier = nn.Sequential(
                nn.Dropout(p=0.5), nn.Conv2d(12, num_classes, kernel_size=1),
                nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1)))

        def forward(self, x):
            x = self.features(x)
            x = self.classifier(x)
            return torch.flatten(x, 1)

    return SqueezeNet()


def preprocess(torch, img):
    """The notebook's ``preprocess`` on an (H, W, 3) array in [0, 1]: normalise, to
    (1, 3, H, W)."""
    x = (img - SQUEEZENET_MEAN.astype(np.float64)) / SQUEEZENET_STD.astype(np.float64)
    return torch.tensor(x.transpose(2, 0, 1))[None]


def net_visualization(torch, F, model, gaussian_filter1d):
    """The functions of ``cs231n/net_visualization_pytorch.py`` for the library ``torch``."""

    def compute_saliency_maps(X, y, model):
        # Make sure the model is in "test" mode
        model.eval()
        # Make input tensor require gradient
        X.requires_grad_()
        saliency = None
        scores = model(X)
        scores = scores.gather(1, y.view(-1, 1)).squeeze()
        scores.backward(torch.ones(scores.shape))
        saliency, _ = torch.max(X.grad.abs(), dim=1)  # X.grad.data.abs(): see the top
        return saliency

    def make_fooling_image(X, target_y, model):
        # Initialize our fooling image to the input image, and make it require gradient.
        X_fooling = X.clone()
        X_fooling = X_fooling.requires_grad_()
        learning_rate = 1
        for it in range(100):
            scores = model(X_fooling)
            _, index = scores.max(dim=1)
            if index[0] == target_y:
                break
            target_score = scores[0, target_y]
            target_score.backward()
            grad = X_fooling.grad  # X_fooling.grad.data: see the top
            with torch.no_grad():  # X_fooling.data += ...: see the top
                X_fooling += learning_rate * (grad / grad.norm())
            X_fooling.grad.zero_()
        return X_fooling, it

    def class_visualization_update_step(img, model, target_y, l2_reg, learning_rate):
        score = model(img)[0, target_y] - l2_reg * img.norm() ** 2
        score.backward()
        with torch.no_grad():  # img.data += ...: see the top
            img += learning_rate * img.grad / img.grad.norm()
            img.grad.zero_()

    def jitter(X, ox, oy):
        if ox != 0:
            left = X[:, :, :, :-ox]
            right = X[:, :, :, -ox:]
            X = torch.cat([right, left], dim=3)
        if oy != 0:
            top = X[:, :, :-oy]
            bottom = X[:, :, -oy:]
            X = torch.cat([bottom, top], dim=2)
        return X

    def blur_image(X, sigma=1):
        X_np = X.cpu().clone().numpy()
        X_np = gaussian_filter1d(X_np, sigma, axis=2)
        X_np = gaussian_filter1d(X_np, sigma, axis=3)
        X.copy_(torch.Tensor(X_np).type_as(X))
        return X

    def create_class_visualization(target_y, model, dtype, **kwargs):
        model.type(dtype)
        l2_reg = kwargs.pop('l2_reg', 1e-3)
        learning_rate = kwargs.pop('learning_rate', 25)
        num_iterations = kwargs.pop('num_iterations', 100)
        blur_every = kwargs.pop('blur_every', 10)
        max_jitter = kwargs.pop('max_jitter', 16)
        # Randomly initialize the image as a PyTorch Tensor, and make it requires gradient.
        img = torch.randn(1, 3, 8, 8).mul_(1.0).type(dtype).requires_grad_()
        for t in range(num_iterations):
            # Randomly jitter the image a bit; this gives slightly nicer results
            ox, oy = random.randint(0, max_jitter), random.randint(0, max_jitter)
            with torch.no_grad():  # img.data.copy_(jitter(img.data, ox, oy)): see the top
                img.copy_(jitter(img, ox, oy))
            class_visualization_update_step(img, model, target_y, l2_reg, learning_rate)
            # Undo the random jitter
            with torch.no_grad():
                img.copy_(jitter(img, -ox, -oy))
                # As regularizer, clamp and periodically blur the image
                for c in range(3):
                    lo = float(-SQUEEZENET_MEAN[c] / SQUEEZENET_STD[c])
                    hi = float((1.0 - SQUEEZENET_MEAN[c]) / SQUEEZENET_STD[c])
                    img[:, c].clamp_(min=lo, max=hi)  # img.data[:, c]: see the top
                if t % blur_every == 0:
                    blur_image(img, sigma=0.5)
        return img

    return (compute_saliency_maps, make_fooling_image, create_class_visualization, jitter,
            blur_image)


def notebook(torch, nn, F, weights, gaussian_filter1d, record):
    """The notebook's cells: load the model and freeze it, then the three sections."""
    model = squeezenet(torch, nn)
    weights(model)  # the test's glue: our weights in both
    # We don't want to train the model, so tell PyTorch not to compute gradients
    # with respect to model parameters.
    for param in model.parameters():
        param.requires_grad = False
    (compute_saliency_maps, make_fooling_image, create_class_visualization, jitter,
     blur_image) = net_visualization(torch, F, model, gaussian_filter1d)

    images, labels = colour_digits(5)
    X = images.transpose(0, 2, 3, 1)  # the notebook's load_imagenet_val gives (N, H, W, 3)
    y = labels
    X_tensor = torch.cat([preprocess(torch, x) for x in X], dim=0)
    y_tensor = torch.LongTensor(y)
    saliency = compute_saliency_maps(X_tensor, y_tensor, model)
    record.append(saliency.numpy())
    record.append(X_tensor.grad)

    idx = 0
    target_y = 6
    X_tensor = torch.cat([preprocess(torch, x) for x in X], dim=0)
    X_fooling, iterations = make_fooling_image(X_tensor[idx:idx + 1], target_y, model)
    scores = model(X_fooling)
    assert target_y == scores.data.argmax(), 'The model is not fooled!'
    record += [X_fooling, iterations, X_fooling - X_tensor[idx:idx + 1]]

    x = torch.arange(2 * 3 * 4 * 5.).view(1, 2 * 3, 4, 5)
    record += [jitter(x, 2, 1), jitter(x, -1, -3), blur_image(x.clone(), sigma=0.5)]

    dtype = torch.DoubleTensor  # torch.FloatTensor in the notebook: see the top
    model.type(dtype)
    random.seed(0)
    for target_y in (1, 7):
        out = create_class_visualization(target_y, model, dtype, num_iterations=12,
                                         blur_every=5, max_jitter=2)
        record.append(out)


def run(torch=None, draws=None, weights=None):
    """The notebook in one library; ours first (its weights and draws for PyTorch's)."""
    gaussian_filter1d = pytest.importorskip("scipy.ndimage").gaussian_filter1d
    T, nn, F, _, _ = libraries(torch)
    if torch is None:
        T = RandomDraws(T, draws=draws)

        def keep(model):
            weights.update({k: v.numpy().copy() for k, v in model.state_dict().items()})
    else:
        T = RandomDraws(T, replay=list(draws))

        def keep(model):
            model.load_state_dict({k: T.tensor(v) for k, v in weights.items()})
    record = []
    T.manual_seed(0)
    notebook(T, nn, F, keep, gaussian_filter1d, record)
    return [numpy_of(v) if hasattr(v, "detach") else v for v in record]


def test_network_visualization_matches_pytorch(torch):
    draws, weights = [], {}
    ours = run(None, draws, weights)
    theirs = run(torch, draws, weights)
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert np.isfinite(a).all(), f"record {i}"
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    assert 0 < ours[3] < 99  # the fooling image took some steps, and fooled the network

"""SIREN, "Implicit Neural Representations with Periodic Activation Functions" (Sitzmann
et al.), as its readers write it from the authors' notebook ``explore_siren.ipynb``:
``SineLayer`` (sin(omega_0 (Wx + b)) with the paper's uniform initialisation under
``no_grad()``), ``Siren`` (which returns its output and the coordinates it differentiates
against), ``get_mgrid``, ``gradient`` / ``divergence`` / ``laplace`` through
``torch.autograd.grad(..., create_graph=True)``, the image fit through a one-item
``Dataset`` and ``DataLoader``, the Poisson fit (supervised on the image's gradient, not
its pixels) and the activation statistics (``forward_with_activations(retain_grad=True)``).
Each program is written once for a library ``T`` (``autograd`` here, ``torch`` there) and
runs step for step next to PyTorch's from the same weights (float64): losses, image
gradients and Laplacians, parameter gradients and parameters agree to 1e-10.

The image is one of scikit-learn's 8x8 digits (the notebook's 256x256 cameraman, which
cannot be downloaded here), normalised to [-1, 1] as the notebook's
``Normalize(0.5, 0.5)``; 2 hidden layers of 32 in place of 3 of 256, and a few steps.

Lines written differently here, and why:
- the weights drawn by ``uniform_`` come from each library's own generator: ours loads
  PyTorch's starting weights (``load_state_dict``), the test's glue;
- ``torch.autograd.grad`` is ``autograd.grad`` (this library is the autograd package);
- the image is a NumPy array, not a PIL image through torchvision's transforms;
- ``torch.meshgrid(*tensors)`` names its ``indexing='ij'`` (PyTorch's default, with a
  warning that it will be required): here the argument is required, as NumPy's default
  differs and the error says so.

Nothing needed a fix: every line above ran as written (the first port of this lane).
"""

from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data


def libraries(torch=None) -> tuple:
    """(T, lib, optim, data, grad) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim, nn.data, ag.grad
    return torch, torch.nn, torch.optim, torch.utils.data, torch.autograd.grad


def assert_same(got, want, where: str = "record") -> None:
    """Records agree: arrays to 1e-10, lists and dicts item by item, strings exactly."""
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for name in want:
            assert_same(got[name], want[name], f"{where}[{name!r}]")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (a, b) in enumerate(zip(got, want)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(want, str) or want is None:
        assert got == want, where
    else:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=where)


def digit_image() -> np.ndarray:
    """A digit as the notebook's image tensor: (1, 8, 8), normalised to [-1, 1]."""
    datasets = pytest.importorskip("sklearn.datasets")
    image = datasets.load_digits().images[0] / 16.0
    return ((image - 0.5) / 0.5)[None]


def numpy_of(tensor):
    """A copy of the tensor's values; None (a gradient never written) stays None."""
    return None if tensor is None else tensor.detach().numpy().copy()


def siren_classes(T, lib):
    """The notebook's ``SineLayer`` and ``Siren``, and its differential operators."""

    class SineLayer(lib.Module):
        def __init__(self, in_features, out_features, bias=True,
                     is_first=False, omega_0=30):
            super().__init__()
            self.omega_0 = omega_0
            self.is_first = is_first
            self.in_features = in_features
            self.linear = lib.Linear(in_features, out_features, bias=bias)
            self.init_weights()

        def init_weights(self):
            with T.no_grad():
                if self.is_first:
                    self.linear.weight.uniform_(-1 / self.in_features,
                                                1 / self.in_features)
                else:
                    self.linear.weight.uniform_(-np.sqrt(6 / self.in_features) / self.omega_0,
                                                np.sqrt(6 / self.in_features) / self.omega_0)

        def forward(self, input):
            return T.sin(self.omega_0 * self.linear(input))

        def forward_with_intermediate(self, input):
            # For visualization of activation distributions
            intermediate = self.omega_0 * self.linear(input)
            return T.sin(intermediate), intermediate

    class Siren(lib.Module):
        def __init__(self, in_features, hidden_features, hidden_layers, out_features,
                     outermost_linear=False, first_omega_0=30, hidden_omega_0=30.):
            super().__init__()
            self.net = []
            self.net.append(SineLayer(in_features, hidden_features,
                                      is_first=True, omega_0=first_omega_0))
            for i in range(hidden_layers):
                self.net.append(SineLayer(hidden_features, hidden_features,
                                          is_first=False, omega_0=hidden_omega_0))
            if outermost_linear:
                final_linear = lib.Linear(hidden_features, out_features)
                with T.no_grad():
                    final_linear.weight.uniform_(-np.sqrt(6 / hidden_features) / hidden_omega_0,
                                                 np.sqrt(6 / hidden_features) / hidden_omega_0)
                self.net.append(final_linear)
            else:
                self.net.append(SineLayer(hidden_features, out_features,
                                          is_first=False, omega_0=hidden_omega_0))
            self.net = lib.Sequential(*self.net)

        def forward(self, coords):
            coords = coords.clone().detach().requires_grad_(True)  # derivative w.r.t. input
            output = self.net(coords)
            return output, coords

        def forward_with_activations(self, coords, retain_grad=False):
            activations = OrderedDict()
            activation_count = 0
            x = coords.clone().detach().requires_grad_(True)
            activations['input'] = x
            for i, layer in enumerate(self.net):
                if isinstance(layer, SineLayer):
                    x, intermed = layer.forward_with_intermediate(x)
                    if retain_grad:
                        x.retain_grad()
                        intermed.retain_grad()
                    activations['_'.join((str(layer.__class__.__name__),
                                          "%d" % activation_count))] = intermed
                    activation_count += 1
                else:
                    x = layer(x)
                    if retain_grad:
                        x.retain_grad()
                activations['_'.join((str(layer.__class__.__name__),
                                      "%d" % activation_count))] = x
                activation_count += 1
            return activations

    return SineLayer, Siren


def operators(T, grad):
    """The notebook's ``gradient``, ``divergence`` and ``laplace``."""

    def gradient(y, x, grad_outputs=None):
        if grad_outputs is None:
            grad_outputs = T.ones_like(y)
        return grad(y, [x], grad_outputs=grad_outputs, create_graph=True)[0]

    def divergence(y, x):
        div = 0.
        for i in range(y.shape[-1]):
            div += grad(y[..., i], x, T.ones_like(y[..., i]),
                        create_graph=True)[0][..., i:i + 1]
        return div

    def laplace(y, x):
        return divergence(gradient(y, x), x)

    return gradient, divergence, laplace


def get_mgrid(T, sidelen, dim=2):
    """A flattened grid of (x1, x2, ...) coordinates in [-1, 1]^dim."""
    tensors = tuple(dim * [T.linspace(-1, 1, steps=sidelen)])
    mgrid = T.stack(T.meshgrid(*tensors, indexing='ij'), dim=-1)
    mgrid = mgrid.reshape(-1, dim)
    return mgrid


def image_fitting_program(torch=None, start=None) -> list:
    """Fit the image's pixels; every few steps log the loss, image gradient and Laplacian."""
    T, lib, optim, data, grad = libraries(torch)
    _, Siren = siren_classes(T, lib)
    gradient, _, laplace = operators(T, grad)
    sidelength = 8

    class ImageFitting(data.Dataset):
        def __init__(self, sidelength):
            super().__init__()
            img = T.tensor(digit_image())  # get_cameraman_tensor(sidelength)
            self.pixels = img.permute(1, 2, 0).view(-1, 1)
            self.coords = get_mgrid(T, sidelength, 2)

        def __len__(self):
            return 1

        def __getitem__(self, idx):
            if idx > 0:
                raise IndexError
            return self.coords, self.pixels

    cameraman = ImageFitting(sidelength)
    dataloader = data.DataLoader(cameraman, batch_size=1, pin_memory=True, num_workers=0)
    img_siren = Siren(in_features=2, out_features=1, hidden_features=32,
                      hidden_layers=2, outermost_linear=True)
    if start is not None:
        img_siren.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in img_siren.state_dict().items()}]
    total_steps = 12
    steps_til_summary = 4
    optim = optim.Adam(lr=1e-3, params=img_siren.parameters())
    model_input, ground_truth = next(iter(dataloader))
    assert tuple(model_input.shape) == (1, sidelength ** 2, 2)
    for step in range(total_steps):
        model_output, coords = img_siren(model_input)
        loss = ((model_output - ground_truth)**2).mean()
        if not step % steps_til_summary:
            record.append("Step %d, Total loss %0.6f" % (step, loss))
            img_grad = gradient(model_output, coords)
            img_laplacian = laplace(model_output, coords)
            record += [numpy_of(img_grad.norm(dim=-1)), numpy_of(img_laplacian)]
        optim.zero_grad()
        loss.backward()
        optim.step()
        record += [loss.item(), [numpy_of(p.grad) for p in img_siren.parameters()]]
    return record + [[numpy_of(p) for p in img_siren.parameters()]]


def test_siren_fits_an_image_as_torch(torch):
    torch.manual_seed(0)
    want = image_fitting_program(torch)
    got = image_fitting_program(start=want[0])
    assert_same(got[1:], want[1:])
    losses = [r for r in got if isinstance(r, float)]
    assert losses[-1] < losses[0] / 2


def poisson_program(torch=None, start=None) -> list:
    """The notebook's Poisson fit: supervise the SIREN's gradient with the image's
    Sobel gradient (``gradients_mse``), then read the image back off the network."""
    T, lib, optim, data, grad = libraries(torch)
    ndimage = pytest.importorskip("scipy.ndimage")
    _, Siren = siren_classes(T, lib)
    gradient, _, laplace = operators(T, grad)
    sidelength = 8
    img = digit_image()[0]
    grads_x = ndimage.sobel(img, axis=0)[..., None]
    grads_y = ndimage.sobel(img, axis=1)[..., None]
    grads_x, grads_y = T.from_numpy(grads_x), T.from_numpy(grads_y)
    gt = {'pixels': T.tensor(img).view(-1, 1),
          'grads': T.stack((grads_x, grads_y), dim=-1).view(-1, 2)}
    coords = get_mgrid(T, sidelength, 2)

    def gradients_mse(model_output, coords, gt_gradients):
        # compute gradients on the model
        gradients = gradient(model_output, coords)
        # compare them with the ground-truth
        gradients_loss = T.mean((gradients - gt_gradients).pow(2).sum(-1))
        return gradients_loss

    poisson_siren = Siren(in_features=2, out_features=1, hidden_features=32,
                          hidden_layers=2, outermost_linear=True)
    if start is not None:
        poisson_siren.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in poisson_siren.state_dict().items()}]
    optim = optim.Adam(lr=1e-3, params=poisson_siren.parameters())
    for step in range(8):
        model_output, model_coords = poisson_siren(coords[None])
        train_loss = gradients_mse(model_output, model_coords, gt['grads'][None])
        optim.zero_grad()
        train_loss.backward()
        optim.step()
        record += [train_loss.item(), [numpy_of(p.grad) for p in poisson_siren.parameters()]]
    model_output, model_coords = poisson_siren(coords[None])
    img_laplacian = laplace(model_output, model_coords)
    return record + [numpy_of(model_output), numpy_of(img_laplacian)]


def test_siren_poisson_fit_as_torch(torch):
    torch.manual_seed(1)
    want = poisson_program(torch)
    got = poisson_program(start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-6] < got[1]  # the gradient loss went down


def activations_program(torch=None, start=None) -> list:
    """The notebook's activation statistics: intermediates keep their gradients
    (``retain_grad``) through one backward of the output's sum."""
    T, lib, _, _, _ = libraries(torch)
    _, Siren = siren_classes(T, lib)
    net = Siren(in_features=1, out_features=1, hidden_features=16, hidden_layers=2,
                outermost_linear=True)
    if start is not None:
        net.load_state_dict(start)
    input_signal = T.linspace(-1, 1, 65536 // 4096).view(1, 16, 1)
    activations = net.forward_with_activations(input_signal, retain_grad=True)
    output = activations[next(reversed(activations))]
    output.mean().backward()
    record = [{k: numpy_of(v) for k, v in net.state_dict().items()}, list(activations)]
    for key, activation in activations.items():
        record += [numpy_of(activation), activation.grad.numpy().copy()]
    return record


def test_siren_activation_statistics_as_torch(torch):
    torch.manual_seed(2)
    want = activations_program(torch)
    got = activations_program(start=want[0])
    assert_same(got[1:], want[1:])
